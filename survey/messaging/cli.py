"""`flask invitations send` and `flask invitations retry-failed`."""
import click
from flask.cli import with_appcontext

from ..extensions import db
from ..invitations.services import InvitationError
from ..participants.models import Participant
from ..participants.services import ParticipantError, get_participant
from ..participants.state import RANK, has_answered, state_rank_sql
from ..timeutil import now_utc
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


def check_can_send(participant, channel):
    """Raise MessagingError unless `participant` can be sent a link by `channel`."""
    if participant.status != "active":
        raise MessagingError(f"participant {participant.study_id} is {participant.status}; "
                             "nothing sent")
    if has_answered(participant):
        raise MessagingError(f"participant {participant.study_id} has already answered; "
                             "nothing sent")
    if contact_address(participant, channel) is None:
        raise MessagingError(f"participant {participant.study_id} has no "
                             f"{ADDRESS_NAMES[channel]}; nothing sent")


def pending_participants(channel=None, now=None):
    """Active participants who were never sent an invitation and have nothing back (no
    answer, no paper form); only those whose own channel is `channel`, if given."""
    invited = db.select(OutboundMessage.participant_id).where(
        OutboundMessage.purpose == "invitation")
    query = (db.select(Participant)
             .where(Participant.status == "active", Participant.id.not_in(invited),
                    state_rank_sql(now or now_utc()) < RANK["withdrawn"])
             .order_by(Participant.study_id))
    if channel is not None:
        query = query.where(Participant.channel == channel)
    return db.session.execute(query).scalars().all()


def chosen_participants(channel, all_pending, study_ids):
    """[(participant, channel, reason not to send or None)]; raises on bad input, before
    any send. Without `channel`, each participant is sent to on their own channel."""
    if channel is not None and channel not in CHANNELS:
        raise MessagingError(f"channel {channel!r} is not valid: use email, sms or letter")
    if all_pending == bool(study_ids):
        raise MessagingError("give either study IDs or --all-pending")
    if all_pending:
        chosen = []
        for participant in pending_participants(channel):
            try:
                check_can_send(participant, participant.channel)
                chosen.append((participant, participant.channel, None))
            except MessagingError as error:
                chosen.append((participant, participant.channel, str(error)))
        return chosen
    # One participant once, however its ID was typed (P1 and p1 are the same).
    participants = list(dict.fromkeys(get_participant(s) for s in study_ids))
    for participant in participants:
        check_can_send(participant, channel or participant.channel)
    return [(participant, channel or participant.channel, None) for participant in participants]


def send_one(participant, channel):
    """('sent', 'failed' or 'skipped', the outcome to print)."""
    try:
        message = send_invitation(participant, channel)
    except (MessagingError, InvitationError) as error:
        db.session.rollback()
        return "skipped", f"skipped: {error}"
    return ("sent" if message.status == "sent" else "failed"), outcome(message)


@click.command("send")
@click.option("--channel", default=None,
              help="email, sms or letter. With STUDY_IDs: send this way instead of each "
                   "participant's own channel. With --all-pending: only those whose own "
                   "channel it is.")
@click.option("--all-pending", is_flag=True,
              help="Every active participant who has not been sent an invitation yet and "
                   "has not answered, each on their own channel.")
@click.argument("study_ids", nargs=-1, metavar="[STUDY_ID]...")
@with_appcontext
def send_command(channel, all_pending, study_ids):
    """Send personal links by e-mail, SMS or letter; one line per participant.

    Sends to each STUDY_ID given (again, if they had one before), or with
    --all-pending to every active participant who was never sent an
    invitation and has nothing back, each on their own channel (see
    `participants set-channel`). Uses the participant's open link or makes one.
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
    for participant, way, reason in chosen:
        study_id = participant.study_id
        kind, text = ("skipped", f"skipped: {reason}") if reason else send_one(participant, way)
        counts[kind] += 1
        click.echo(f"{study_id}\t{way}\t{text}")
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
