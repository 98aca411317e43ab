import csv
import os

import click
from flask.cli import AppGroup
from flask_babel import ngettext

from ..audit.services import CLI_ACTOR
from ..extensions import db
from .contacts import (
    correct_contact,
    erase_contact,
    matching_contact_records,
    purge_contacts,
)
from .services import (
    ParticipantError,
    add_participant,
    check_import,
    get_participant,
    import_participants,
    record_opt_out,
    record_participant_added,
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
        record_participant_added(participant, CLI_ACTOR, "added with participants add")
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


WITH_REASON = click.option("--reason", required=True, help="Why, for the audit trail.")


def _commit_or_fail(change):
    """change() and commit; a ParticipantError rolls back and becomes the command's error."""
    try:
        result = change()
        db.session.commit()
    except ParticipantError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    return result


def _contact_choice(email, phone):
    """(field, value) of the one of --email / --phone given."""
    given = [(field, value) for field, value in (("email", email), ("phone", phone))
             if value is not None]
    if len(given) != 1:
        raise click.UsageError("give exactly one of --email and --phone")
    return given[0]


@participants_cli.command("set-contact")
@click.argument("study_id")
@click.option("--email", default=None, help="The right e-mail address.")
@click.option("--phone", default=None, help="The right mobile number, e.g. +4520304050.")
@WITH_REASON
def set_contact_command(study_id, email, phone, reason):
    """Correct STUDY_ID's e-mail address or phone number (audited).

    Checked as the import checks it. The audit trail keeps a keyed digest of the
    old and the new value, never the value itself.
    """
    field, value = _contact_choice(email, phone)
    _commit_or_fail(lambda: correct_contact(get_participant(study_id), field, value, reason,
                                            CLI_ACTOR))
    click.echo(f"Participant {study_id}: {CONTACT_NAMES[field]} corrected.")


CONTACT_NAMES = {"email": "e-mail address", "phone": "phone number"}


@participants_cli.command("erase-contact")
@click.argument("study_id")
@click.option("--email", is_flag=True, help="Erase the e-mail address.")
@click.option("--phone", is_flag=True, help="Erase the phone number.")
@WITH_REASON
def erase_contact_command(study_id, email, phone, reason):
    """Erase STUDY_ID's e-mail address and/or phone number (audited, by digest only).

    If the participant's way of contact used an erased detail, it becomes e-mail,
    else SMS, else letter, by what is left (the rule for new participants).
    """
    fields = [field for field, chosen in (("email", email), ("phone", phone)) if chosen]
    if not fields:
        raise click.UsageError("give --email, --phone or both")
    participant = _commit_or_fail(lambda: get_participant(study_id))
    erased = _commit_or_fail(lambda: erase_contact(participant, fields, reason, CLI_ACTOR))
    click.echo(f"Participant {study_id}: {' and '.join(CONTACT_NAMES[f] for f in erased)} "
               f"erased; contacted by {participant.channel}.")


@participants_cli.command("check-contact")
@click.argument("study_id")
@click.option("--email", default=None, help="The e-mail address to look for.")
@click.option("--phone", default=None, help="The phone number to look for.")
def check_contact_command(study_id, email, phone):
    """Was it this e-mail address or phone number? Lists STUDY_ID's audit records whose
    digest is of it (for a monitor; the trail never keeps the value itself)."""
    field, value = _contact_choice(email, phone)
    try:
        records = matching_contact_records(get_participant(study_id), field, value)
    except ParticipantError as error:
        raise click.ClickException(str(error)) from None
    if not records:
        click.echo(f"No audit record of {study_id} has this {CONTACT_NAMES[field]}.")
    for record, side in records:
        click.echo(f"record {record.seq}, {record.at:%Y-%m-%d %H:%M} UTC, {record.action}: "
                   f"the {side} value")


@participants_cli.command("purge-contacts")
@click.option("--ended-before", "day", required=True,
              type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Erase the contact details of participants whose follow-up ended before "
                   "this date, YYYY-MM-DD.")
@click.option("--dry-run", is_flag=True, help="Only list who would be purged.")
def purge_contacts_command(day, dry_run):
    """Erase the e-mail addresses and phone numbers of participants whose follow-up ended
    before a date, for the retention rule of the data-processing agreement.

    Ended: withdrawn or deceased with a status date before the date, or answered
    (web, clinic or verified paper) with the last answer submitted before it.
    Each erasure is audited by digest, plus one summary record. Running it again
    changes nothing more.
    """
    purged = purge_contacts(day.date(), CLI_ACTOR, dry_run=dry_run)
    if not dry_run:
        db.session.commit()
    for study_id, fields in purged:
        click.echo(f"{study_id}: {', '.join(CONTACT_NAMES[f] for f in fields)}")
    verb = "would be erased" if dry_run else "erased"
    click.echo(f"{len(purged)} participants, {sum(len(f) for _, f in purged)} contact details "
               f"{verb}.")
