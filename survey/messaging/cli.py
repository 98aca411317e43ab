"""`flask invitations send` and `flask invitations retry-failed`."""
import click
from flask.cli import with_appcontext

from ..extensions import db
from ..invitations.services import InvitationError
from ..participants.models import Participant
from ..participants.services import ParticipantError, get_participant
from .errors import MessagingError
from .models import OutboundMessage
from .services import (
    ADDRESS_NAMES,
    CHANNELS,
    contact_address,
    outcome,
    retry_failed_messages,
    send_invitation,
)


def register_send_command(invitations_cli):
    invitations_cli.add_command(send_command)
    invitations_cli.add_command(retry_command)


def check_can_send(participant, channel):
    """Raise MessagingError unless `participant` can be sent a link by `channel`."""
    if participant.status != "active":
        raise MessagingError(f"participant {participant.study_id} is {participant.status}; "
                             "nothing sent")
    if any(i.completed_at for i in participant.invitations):
        raise MessagingError(f"participant {participant.study_id} has already answered; "
                             "nothing sent")
    if contact_address(participant, channel) is None:
        raise MessagingError(f"participant {participant.study_id} has no "
                             f"{ADDRESS_NAMES[channel]}; nothing sent")


def pending_participants(channel):
    """Active participants who prefer `channel` and were never sent an invitation."""
    invited = db.select(OutboundMessage.participant_id).where(
        OutboundMessage.purpose == "invitation")
    return db.session.execute(
        db.select(Participant)
        .where(Participant.status == "active", Participant.channel == channel,
               Participant.paper_received_on.is_(None), Participant.id.not_in(invited))
        .order_by(Participant.study_id)).scalars().all()


def chosen_participants(channel, all_pending, study_ids):
    """[(participant, reason not to send or None)]; raises on bad input, before any send."""
    if channel not in CHANNELS:
        raise MessagingError(f"channel {channel!r} is not valid: use email, sms or letter")
    if all_pending == bool(study_ids):
        raise MessagingError("give either study IDs or --all-pending")
    if all_pending:
        chosen = []
        for participant in pending_participants(channel):
            try:
                check_can_send(participant, channel)
                chosen.append((participant, None))
            except MessagingError as error:
                chosen.append((participant, str(error)))
        return chosen
    participants = [get_participant(s) for s in dict.fromkeys(study_ids)]
    for participant in participants:
        check_can_send(participant, channel)
    return [(participant, None) for participant in participants]


def send_one(participant, channel):
    """('sent', 'failed' or 'skipped', the outcome to print)."""
    try:
        message = send_invitation(participant, channel)
    except (MessagingError, InvitationError) as error:
        db.session.rollback()
        return "skipped", f"skipped: {error}"
    return ("sent" if message.status == "sent" else "failed"), outcome(message)


@click.command("send")
@click.option("--channel", required=True, help="email, sms or letter.")
@click.option("--all-pending", is_flag=True,
              help="Every active participant who prefers this channel and has not been sent "
                   "an invitation yet.")
@click.argument("study_ids", nargs=-1, metavar="[STUDY_ID]...")
@with_appcontext
def send_command(channel, all_pending, study_ids):
    """Send personal links by e-mail, SMS or letter; one line per participant.

    Sends to each STUDY_ID given (again, if they had one before), or with
    --all-pending to every active participant who prefers the channel and was
    never sent an invitation. Uses the participant's open link or makes one.
    A letter is a PDF in SURVEY_LETTER_FOLDER. Prints study ID, channel and
    outcome, never an address; a failed send is tried again by
    `invitations retry-failed`.
    """
    try:
        chosen = chosen_participants(channel, all_pending, study_ids)
    except (MessagingError, ParticipantError) as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    for participant, reason in chosen:
        study_id = participant.study_id
        kind, text = ("skipped", f"skipped: {reason}") if reason else send_one(participant, channel)
        counts[kind] += 1
        click.echo(f"{study_id}\t{channel}\t{text}")
    click.echo("{sent} sent, {failed} failed, {skipped} skipped.".format(**counts))


@click.command("retry-failed")
@with_appcontext
def retry_command():
    """Send again every failed message that is due another try.

    Run it often, e.g. every 15 minutes from cron with the reminders; it sends
    only within the sending hours of the reminder schedule, and each message at most 5 times.
    """
    sent, failed = retry_failed_messages()
    click.echo(f"{sent} sent, {failed} failed again.")
