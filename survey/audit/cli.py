import io

import click
from flask.cli import AppGroup
from flask_babel import ngettext

from ..participants.services import ParticipantError, get_participant
from .services import audit_history, verify_chain, write_audit_csv

audit_cli = AppGroup("audit", help="Check and export the audit trail.")


@audit_cli.command("verify")
def verify_command():
    """Re-compute every record's hash; exit 1 naming the first record where the chain breaks.

    An edit, insertion or deletion made directly in the database breaks the
    chain at the changed record or at the one after a removed record.
    """
    checked, broken_at = verify_chain()
    if broken_at is not None:
        raise click.ClickException(ngettext(
            "%(num)d record checked: audit trail broken at record %(id)s",
            "%(num)d records checked: audit trail broken at record %(id)s", checked, id=broken_at))
    click.echo(ngettext("%(num)d record checked: audit trail intact",
                        "%(num)d records checked: audit trail intact", checked))


@audit_cli.command("export")
@click.option("--participant", "study_id", default=None,
              help="Only the records of the participant with this study ID.")
@click.option("--output", type=click.Path(dir_okay=False, writable=True),
              help="Write to this file instead of standard output.")
@click.option("--excel", is_flag=True,
              help="For Danish Excel: byte-order mark and semicolons between columns.")
def export_command(study_id, output, excel):
    """Write the audit trail as UTF-8 CSV, one row per record, times in ISO 8601 UTC."""
    participant_id = None
    if study_id is not None:
        try:
            participant_id = get_participant(study_id).id
        except ParticipantError as error:
            raise click.ClickException(str(error)) from None
    stream = io.StringIO()
    count = write_audit_csv(stream, audit_history(participant_id=participant_id),
                            ";" if excel else ",")
    data = stream.getvalue().encode("utf-8-sig" if excel else "utf-8")
    if output:
        with open(output, "wb") as file:
            file.write(data)
        click.echo(ngettext("Wrote %(num)d audit record to %(output)s.",
                            "Wrote %(num)d audit records to %(output)s.", count, output=output),
                   err=True)
    else:
        click.echo(data, nl=False)  # bytes: UTF-8 whatever the terminal's encoding
