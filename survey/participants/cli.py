import csv
import os

import click
from flask.cli import AppGroup
from flask_babel import ngettext

from ..extensions import db
from .services import (
    ParticipantError,
    add_participant,
    check_import,
    get_participant,
    import_participants,
    record_opt_out,
    set_participant_channel,
    set_participant_status,
)

participants_cli = AppGroup("participants", help="Manage trial participants.")


@participants_cli.command("add")
@click.argument("study_id")
@click.option("--lang", "language", required=True, help="Preferred language: da or en.")
@click.option("--email", default=None, help="E-mail address for invitations.")
@click.option("--phone", default=None, help="Mobile number for SMS, e.g. +4520304050.")
@click.option("--channel", default=None, metavar="email|sms|letter",
              help="How to send invitations and reminders. Default: email if there is an "
                   "e-mail address, else sms if there is a phone number, else letter.")
def add_command(study_id, language, email, phone, channel):
    """Add a participant known by STUDY_ID."""
    try:
        participant = add_participant(study_id, language, email=email, phone=phone,
                                      channel=channel)
        db.session.commit()
    except ParticipantError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    click.echo(f"Added participant {participant.study_id} ({participant.language}, "
               f"{participant.channel}).")


@participants_cli.command("set-channel")
@click.argument("study_id")
@click.argument("channel", metavar="email|sms|letter")
@click.option("--reason", required=True, help="Why, for the audit trail.")
def set_channel_command(study_id, channel, reason):
    """Send STUDY_ID's invitations and reminders by CHANNEL from now on (audited).

    Refused when the participant has no e-mail address (email) or phone number (sms).
    """
    try:
        participant = get_participant(study_id)
        set_participant_channel(participant, channel.strip().lower(), reason, CLI_ACTOR)
        db.session.commit()
    except ParticipantError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    click.echo(f"Participant {study_id}: contacted by {participant.channel} from now on.")


#: The import file's first line: these columns, and optionally "channel" after them.
IMPORT_HEADER = ["study_id", "language", "email", "phone"]
IMPORT_HEADER_WITH_CHANNEL = IMPORT_HEADER + ["channel"]
CLI_ACTOR = "system:cli"


def read_import_file(path):
    """(header, [(line number, [cells])]) of a UTF-8 CSV file (with or without a byte-order
    mark, commas or semicolons), blank lines left out. Raises ParticipantError if it is not
    UTF-8 or has another header.
    """
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            # Danish Excel saves "CSV UTF-8" with semicolons; accept both.
            delimiter = ";" if ";" in f.readline() else ","
            f.seek(0)
            reader = csv.reader(f, delimiter=delimiter)
            header = next(reader, None)
            if header not in (IMPORT_HEADER, IMPORT_HEADER_WITH_CHANNEL):
                raise ParticipantError(
                    f"the first line must be exactly {','.join(IMPORT_HEADER)} "
                    f"or {','.join(IMPORT_HEADER_WITH_CHANNEL)}")
            rows = []
            for cells in reader:
                if not any(cell.strip() for cell in cells):
                    continue  # a blank line, e.g. at the end
                rows.append((reader.line_num, cells))
    except UnicodeDecodeError:
        raise ParticipantError("the file is not UTF-8 text: save it as 'CSV UTF-8' and try "
                               "again") from None
    return header, rows


def row_values(cells):
    """A row's cells as add_participant's arguments; an empty e-mail, phone or channel
    means none (the channel then follows the default rule)."""
    study_id, language, email, phone, *channel = (cell.strip() for cell in cells)
    return {"study_id": study_id, "language": language.lower(), "email": email or None,
            "phone": phone or None, "channel": (channel[0].lower() or None) if channel else None}


@participants_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def import_command(file):
    """Add every participant in FILE, or none if any row has a problem.

    FILE is CSV in UTF-8 whose first line is exactly study_id,language,email,phone
    or study_id,language,email,phone,channel (e-mail, phone and channel may be
    empty; channel is email, sms or letter, and without it: email if there is an
    address, else sms if there is a phone number, else letter). Every row is
    checked first: study ID, language, e-mail address, phone number, channel, and
    study IDs that appear twice or already exist.
    If any row is wrong, the wrong rows are listed by line number and nothing is
    imported. The listing never shows e-mail addresses or phone numbers.
    """
    try:
        header, lines = read_import_file(file)
    except ParticipantError as error:
        raise click.ClickException(f"{click.format_filename(file)}: {error}") from None
    if not lines:
        raise click.ClickException(f"{click.format_filename(file)} has no participants")
    rows, bad = [], []
    for line, cells in lines:
        if len(cells) != len(header):
            bad.append((line, [f"expected {len(header)} cells, found {len(cells)}"]))
        else:
            rows.append((line, row_values(cells)))
    bad = sorted(bad + check_import(rows))
    if bad:
        for line, problems in bad:
            click.echo(f"line {line}: {'; '.join(problems)}", err=True)
        raise click.ClickException(
            f"nothing imported: {len(bad)} of {len(lines)} rows have problems")
    added = import_participants(rows, CLI_ACTOR, os.path.basename(file))
    db.session.commit()
    click.echo(ngettext("Imported %(num)d participant.", "Imported %(num)d participants.",
                        len(added)))


@participants_cli.command("set-status")
@click.argument("study_id")
@click.argument("status", type=click.Choice(["withdrawn", "deceased", "opted-out"]))
@click.option("--date", "on_date", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The date it happened, YYYY-MM-DD (required for withdrawn and deceased).")
@click.option("--reason", required=True, help="Why, for the audit trail.")
def set_status_command(study_id, status, on_date, reason):
    """Record that STUDY_ID withdrew, died, or opted out of reminders (audited).

    Deceased also revokes the participant's open links at once.
    """
    on_date = on_date.date() if on_date else None
    try:
        participant = get_participant(study_id)
        if status == "opted-out":
            record_opt_out(participant, reason, CLI_ACTOR, on_date=on_date)
        elif on_date is None:
            raise ParticipantError(f"--date is required for {status}")
        else:
            set_participant_status(participant, status, on_date, reason, CLI_ACTOR)
        db.session.commit()
    except ParticipantError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    click.echo(f"Participant {study_id}: {status}"
               + (f" as of {on_date.isoformat()}" if on_date else "") + ".")
