"""`participants record` and `participants record-check`: certified copies from the command line.

survey/cli.py adds both to the participants group.
"""
import click
from flask.cli import with_appcontext

from ..audit.services import cli_actor
from ..audit_reports.trail import actor_emails
from ..extensions import db
from ..participants.models import Participant
from ..participants.services import ParticipantError, get_participant
from .services import VARIANT_FIELDS, file_digest, find_certified_copy, make_certified_copy


@click.command("record")
@with_appcontext
@click.argument("study_id")
@click.option("--output", required=True, type=click.Path(dir_okay=False, writable=True),
              help="The PDF file to write.")
@click.option("--for-participant", "for_participant", is_flag=True,
              help="The participant's own access request (GDPR Art. 15): with their contact "
                   "details, staff named by role instead of e-mail address.")
@click.option("--lang", "language", type=click.Choice(["da", "en"]), default="da",
              show_default=True, help="Language of the copy.")
def record_command(study_id, output, for_participant, language):
    """Write a certified copy of STUDY_ID's record as PDF; its SHA-256 goes into the audit trail.

    The copy holds the study, the participant, every response (each question in the
    language it was answered, the answer, a line answer drawn with its mark, times
    in the study's time zone), who keyed in, verified or changed what, and the
    participant's audit and access trail.
    """
    variant = "participant" if for_participant else "staff"
    try:
        participant = get_participant(study_id)
    except ParticipantError as error:
        raise click.ClickException(str(error)) from None
    pdf, digest = make_certified_copy(participant, variant, language, cli_actor())
    with open(output, "wb") as f:
        f.write(pdf)
    db.session.commit()  # only once the file is written: a recorded digest has its file
    click.echo(f"Wrote {output} ({variant} copy); SHA-256 {digest} recorded in the audit trail.")


@click.command("record-check")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def record_check_command(file):
    """Say whether FILE is exactly a certified copy this system made (by its SHA-256).

    Exits with 1 when no copy with the file's digest was recorded.
    """
    digest = file_digest(file)
    record = find_certified_copy(digest)
    if record is None:
        raise click.ClickException(
            f"{click.format_filename(file)}: SHA-256 {digest} was never recorded: "
            "not an unchanged certified copy")
    variant = {field: name for name, field in VARIANT_FIELDS.items()}.get(record.field, "?")
    participant = db.session.get(Participant, record.participant_id)
    who = actor_emails([record]).get(record.actor, record.actor)
    click.echo(f"{click.format_filename(file)} is an exact certified copy ({variant} copy) of "
               f"participant {participant.study_id if participant else record.participant_id}, "
               f"made by {who} at {record.at.isoformat(timespec='seconds')} "
               f"(audit record {record.id}).")
