import io

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import ngettext

from ..audit.chain import latest_anchor
from ..audit.models import AuditRecord
from ..audit.services import cli_actor, record_export
from ..extensions import db
from ..participants.services import ParticipantError, get_participant
from .trail import audit_history, write_audit_csv
from .verify import verify_trail

audit_cli = AppGroup("audit", help="Check and export the audit trail.")


@audit_cli.command("verify")
def verify_command():
    """Check the audit trail; exit 1 naming everything found wrong.

    Re-computes every record's MAC with SURVEY_AUDIT_KEY (and the keys in
    SURVEY_AUDIT_KEY_PREVIOUS), compares the chain with the latest head in the
    anchor file (records deleted at the end, the table emptied, the chain
    rewritten), and every stored answer and score with its last audited value.
    """
    report = verify_trail()
    if report.intact:
        click.echo(ngettext("%(num)d record checked: audit trail intact",
                            "%(num)d records checked: audit trail intact", report.checked))
        return
    lines = list(report.problems)
    if report.broken_at is not None:
        lines.insert(0, ngettext(
            "%(num)d record checked: audit trail broken at record %(id)s",
            "%(num)d records checked: audit trail broken at record %(id)s", report.checked,
            id=report.broken_at))
    raise click.ClickException("\n".join(lines))


@audit_cli.command("anchor")
def anchor_command():
    """Print the chain's current head (record count and last MAC) for a monitor to note.

    Noted somewhere the database's administrators cannot write (a monitoring
    report, a signed e-mail), it shows later whether records were removed or the
    chain rewritten: `audit verify` must then name at least that many records,
    and the record at that place must carry that MAC.
    """
    head = db.session.execute(
        db.select(AuditRecord.seq, AuditRecord.hash, AuditRecord.at)
        .order_by(AuditRecord.seq.desc()).limit(1)).one_or_none()
    if head is None:
        click.echo(_("The audit trail is empty."))
        return
    click.echo(ngettext("%(num)d record; last MAC %(mac)s; last record at %(at)s (UTC)",
                        "%(num)d records; last MAC %(mac)s; last record at %(at)s (UTC)",
                        head.seq, mac=head.hash, at=head.at.isoformat(timespec="seconds")))
    anchored = latest_anchor(current_app.config["SURVEY_AUDIT_ANCHOR_FILE"])
    if anchored is None or anchored.count != head.seq or anchored.mac != head.hash:
        raise click.ClickException(_("The anchor file does not end with this head; run "
                                     "`audit verify`."))


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
    record_export(cli_actor(), "audit_trail",
                  f"participant={study_id}" if study_id else "all", count)
    db.session.commit()
    data = stream.getvalue().encode("utf-8-sig" if excel else "utf-8")
    if output:
        with open(output, "wb") as file:
            file.write(data)
        click.echo(ngettext("Wrote %(num)d audit record to %(output)s.",
                            "Wrote %(num)d audit records to %(output)s.", count, output=output),
                   err=True)
    else:
        click.echo(data, nl=False)  # bytes: UTF-8 whatever the terminal's encoding
