"""Recording and delivering invitations and reminders by e-mail, SMS and letter.

Every message is recorded ('pending') and committed before anything leaves
the system, then delivered, then its outcome recorded: 'sent' with the
provider's message id, or 'failed' with a reason free of personal data. A
failed message gets a `retry_at` and retry_failed_messages() tries it again
(at most MAX_ATTEMPTS times, within the sending hours). A message that must
not be sent any more (participant withdrawn, opted out of reminders,
invitation answered or closed, no address) is 'failed' with a reason that
starts with "not sent:" and no retry_at: it is never retried.

A retry first claims the message with a conditional UPDATE ('failed' to
'sending'), so two runners never send it twice; a crash mid-send leaves it
'sending' (or 'pending'), for the coordinator to see rather than resend.
"""
import logging
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale

from ..audit.services import record_change, staff_actor
from ..codes import CHANNELS, PURPOSES
from ..extensions import db
from ..invitations.services import (
    create_invitation,
    invitation_state,
    record_invitation_created,
)
from ..invitations.short_codes import assign_short_code
from ..participants.state import has_answered, open_web_links, paper_is_back
from ..schedule.policy import current_policy
from ..timeutil import now_utc
from .content import TEMPLATES, context_for, render_email, sms_text
from .errors import MessagingError, SendError
from .letters import letter_sender, letter_text, letters_pdf
from .mail import build_email, mail_transport
from .models import OutboundMessage
from .optout import optout_link
from .sms import sms_gateway

log = logging.getLogger(__name__)

#: Minutes to wait after the 1st, 2nd, ... failed attempt; after the last, give up.
RETRY_MINUTES = (5, 30, 120, 480)
MAX_ATTEMPTS = len(RETRY_MINUTES) + 1
NOT_SENT = "not sent: "
ADDRESS_NAMES = {"email": "e-mail address", "sms": "phone number"}


def contact_address(participant, channel):
    """The e-mail address or phone number for `channel`, or None if there is none.

    A letter can always be made (the study team holds the postal address, not
    this system): it returns the study ID, which is what the letter carries.
    """
    if channel == "email":
        return participant.email or None
    if channel == "sms":
        return participant.phone or None
    if channel == "letter":
        return participant.study_id
    raise MessagingError(f"channel {channel!r} is not valid: use one of {', '.join(CHANNELS)}")


def record_message(participant, invitation, purpose, channel, template, reminder_number=0,
                   dedupe_key=None, created_by=None, now=None):
    """Add a 'pending' message and flush; the caller commits before delivering it.

    A second message with the same `dedupe_key` raises IntegrityError (on flush).
    `created_by` is the StaffUser who asked for it, if anyone did.
    """
    if purpose not in PURPOSES or channel not in CHANNELS or template not in TEMPLATES:
        raise MessagingError(f"cannot record a message with purpose {purpose!r}, channel "
                             f"{channel!r}, template {template!r}")
    message = OutboundMessage(
        participant=participant, invitation=invitation, purpose=purpose, channel=channel,
        template=template, reminder_number=reminder_number, dedupe_key=dedupe_key,
        status="pending", attempts=0, created_at=now or now_utc(),
        created_by_id=created_by.id if created_by is not None else None)
    db.session.add(message)
    db.session.flush()
    return message


def reason_not_to_send(message, now):
    """Why this message must not be sent now, or None if it may."""
    participant = message.participant
    if participant.status != "active":
        return f"{NOT_SENT}participant is {participant.status}"
    if message.purpose == "reminder" and participant.opted_out_at is not None:
        return f"{NOT_SENT}participant opted out of reminders"
    if message.purpose == "reminder" and paper_is_back(participant):
        return f"{NOT_SENT}paper questionnaire received"
    state = invitation_state(message.invitation, now)
    if state != "open":
        return f"{NOT_SENT}invitation is {state}"
    if message.purpose == "reminder" and has_answered(participant):
        return f"{NOT_SENT}participant has answered"  # e.g. on paper, verified
    if contact_address(participant, message.channel) is None:
        return f"{NOT_SENT}no {ADDRESS_NAMES[message.channel]}"
    return None


def _context(message, short_code=None):
    return context_for(message.participant, message.invitation, message.template, short_code)


def _send_email(message, now):
    subject, text, html = render_email(_context(message))
    email = build_email(message.participant.email, current_app.config["SURVEY_MAIL_FROM"],
                        subject, text, html, optout_link(message.participant), now)
    mail_transport().send(email)
    return email["Message-ID"]


def _send_sms(message, now):
    return sms_gateway().send(message.participant.phone, sms_text(_context(message)))


def _send_letter(message, now):
    code = assign_short_code(message.invitation)
    pdf = letters_pdf([letter_text(_context(message, short_code=code))])
    name = f"{message.participant.study_id}-{message.template}-{message.id}.pdf"
    return letter_sender().send(pdf, name)


SENDERS = {"email": _send_email, "sms": _send_sms, "letter": _send_letter}


def deliver(message, now=None):
    """Send a recorded message through its channel's backend; True if it was sent.

    Records the outcome on the message (the caller commits). Checks again, at
    this moment, that the participant may be contacted (see reason_not_to_send).
    """
    now = now or now_utc()
    if message.status == "sent":
        return True
    reason = reason_not_to_send(message, now)
    if reason is not None:
        message.status, message.last_error, message.retry_at = "failed", reason, None
        log.info("message %s not sent (%s)", message.id, reason.removeprefix(NOT_SENT))
        return False
    message.attempts += 1
    try:
        with force_locale(message.participant.language):
            provider_id = SENDERS[message.channel](message, now)
    except SendError as error:
        _record_failure(message, str(error), now)
        return False
    message.status, message.sent_at, message.provider_message_id = "sent", now, provider_id
    message.last_error = message.retry_at = None
    log.info("message %s sent (%s, %s, attempt %d)", message.id, message.channel,
             message.template, message.attempts)
    return True


def _record_failure(message, error, now):
    message.status, message.last_error = "failed", error
    if message.attempts < MAX_ATTEMPTS:
        message.retry_at = now + timedelta(minutes=RETRY_MINUTES[message.attempts - 1])
    else:
        message.retry_at = None  # given up: stays 'failed' for the coordinator to see
    log.warning("message %s failed (%s, attempt %d%s): %s", message.id, message.channel,
                message.attempts, "" if message.retry_at else ", giving up", error)


def outcome(message):
    """How a message ended, in a word or two: sent, pending, will retry, not sent, failed."""
    if message.status == "failed" and message.retry_at is not None:
        return "failed, will retry"
    if message.status == "failed" and (message.last_error or "").startswith(NOT_SENT):
        return message.last_error
    return message.status


def _claim_for_retry(message_id, now):
    """Take a due failed message for this runner ('sending'), or None if another took it."""
    claimed = db.session.execute(
        db.update(OutboundMessage)
        .where(OutboundMessage.id == message_id, OutboundMessage.status == "failed",
               OutboundMessage.retry_at <= now)
        .values(status="sending", retry_at=None)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    db.session.commit()
    return db.session.get(OutboundMessage, message_id) if claimed else None


def retry_failed_messages(now=None):
    """Send again every failed message whose retry_at has come; returns (sent, failed).

    Only within the sending hours (the reminder schedule: current_policy()), so that a retried SMS
    never arrives at night. Each message is checked again before it is sent
    and committed on its own.
    """
    now = now or now_utc()
    if not current_policy().within_sending_hours(now):
        return 0, 0
    due = db.session.execute(
        db.select(OutboundMessage.id)
        .where(OutboundMessage.status == "failed", OutboundMessage.retry_at <= now,
               OutboundMessage.attempts < MAX_ATTEMPTS)
        .order_by(OutboundMessage.retry_at, OutboundMessage.id)
    ).scalars().all()
    sent = failed = 0
    for message_id in due:
        message = _claim_for_retry(message_id, now)
        if message is None:
            continue
        if deliver(message, now=now):
            sent += 1
        else:
            failed += 1
        db.session.commit()
    return sent, failed


def send_invitation(participant, channel, created_by=None, now=None):
    """Send the participant their link by `channel`, making an invitation if none is open.

    Raises MessagingError (participant not active, no address for the channel)
    or InvitationError (already answered) before anything is recorded.
    Records the message and an audit record, commits, delivers, commits.
    """
    now = now or now_utc()
    if participant.status != "active":
        raise MessagingError(f"participant {participant.study_id} is {participant.status}; "
                             "nothing sent")
    if contact_address(participant, channel) is None:
        raise MessagingError(f"participant {participant.study_id} has no "
                             f"{ADDRESS_NAMES[channel]}")
    actor = staff_actor(created_by) if created_by is not None else "system:messaging"
    still_open = open_web_links(participant, now)
    if still_open:
        invitation = still_open[-1]
    else:
        invitation = create_invitation(participant, now=now)[0]
        record_invitation_created(invitation, actor, now)
    message = record_message(participant, invitation, "invitation", channel, "invitation",
                             created_by=created_by, now=now)
    record_change(actor, "send", "outbound_message", message.id, field="channel", new=channel,
                  participant_id=participant.id, now=now)
    db.session.commit()
    deliver(message, now=now)
    db.session.commit()
    return message
