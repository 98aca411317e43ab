"""Finding who is due a reminder, and sending each reminder exactly once.

Never to the wrong person: the candidates are read at run time, inside the
transaction that records the reminder, so a status change made a second
before the run counts. Nobody is reminded who has submitted (web, clinic or
paper), whose paper questionnaire was received or keyed in, who withdrew,
opted out or died, or whose invitation was revoked or has expired.

Never twice: each reminder's intent is inserted with a unique dedupe key and
committed *before* it is sent. A second run, a parallel runner or a crash
after that point can never send it again (a crash leaves it 'pending', which
the coordinator sees). On PostgreSQL each candidate invitation is locked with
FOR UPDATE SKIP LOCKED, so parallel runners share the work instead of queueing.
"""
from collections import namedtuple

from flask import current_app
from sqlalchemy import exists, func
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..invitations.models import Invitation
from ..messaging.models import OutboundMessage
from ..messaging.services import deliver, record_message
from ..paper.models import PaperForm
from ..participants.models import Participant
from ..responses.models import Answer, Response
from ..timeutil import now_utc
from .policy import current_policy

LATER = "left for the next run"
Candidate = namedtuple("Candidate", "invitation_id study_id channel reminder_number template")
Outcome = namedtuple("Outcome", "candidate status")


def _first_sent_invitation():
    return (
        db.select(func.min(OutboundMessage.sent_at))
        .where(OutboundMessage.invitation_id == Invitation.id,
               OutboundMessage.purpose == "invitation", OutboundMessage.status == "sent")
        .correlate(Invitation).scalar_subquery()
    )


def _reminders(aggregate):
    return (
        db.select(aggregate)
        .where(OutboundMessage.invitation_id == Invitation.id,
               OutboundMessage.purpose == "reminder")
        .correlate(Invitation).scalar_subquery()
    )


def _reminders_so_far():
    return _reminders(func.count(OutboundMessage.id))


def _may_be_reminded(now):
    """Conditions on Invitation and Participant for anyone who may get a reminder at `now`."""
    return (
        Invitation.mode == "web", Invitation.completed_at.is_(None),
        Invitation.revoked_at.is_(None), Invitation.expires_at > now,
        Participant.status == "active", Participant.opted_out_at.is_(None),
        Participant.paper_received_on.is_(None),
        ~exists().where(Response.participant_id == Participant.id,
                        Response.status == "submitted"),
        ~exists().where(PaperForm.participant_id == Participant.id),
    )


def _has_address():
    return db.or_(Participant.channel == "letter",
                  db.and_(Participant.channel == "email", Participant.email.is_not(None)),
                  db.and_(Participant.channel == "sms", Participant.phone.is_not(None)))


def due_reminders(now=None, policy=None):
    """Every reminder due at `now`, one per invitation (the next one in the schedule)."""
    now, policy = now or now_utc(), policy or current_policy()
    invited_at = func.coalesce(_first_sent_invitation(), Invitation.created_at)
    rows = db.session.execute(
        db.select(Invitation.id, Invitation.created_at, _first_sent_invitation(),
                  Participant.study_id, Participant.channel, _reminders_so_far(),
                  _reminders(func.max(OutboundMessage.created_at)))
        .join(Participant, Invitation.participant_id == Participant.id)
        .where(*_may_be_reminded(now), _has_address(),
               _reminders_so_far() < policy.max_reminders)
        .order_by(invited_at, Invitation.id)
    ).all()
    due = []
    for invitation_id, created_at, sent_at, study_id, channel, so_far, last_at in rows:
        due_at = policy.due_at(sent_at or created_at, so_far, last_at)
        if due_at is not None and due_at <= now:
            due.append(Candidate(invitation_id, study_id, channel, so_far + 1,
                                 _template_for(invitation_id)))
    return due


def _template_for(invitation_id):
    """Worded for someone who started but did not finish, or for someone who did not start."""
    started = db.session.execute(
        db.select(exists().where(Answer.response_id == Response.id,
                                 Response.invitation_id == invitation_id))
    ).scalar()
    return "reminder_started" if started else "reminder"


def _lock_if_still_due(candidate, now):
    """Re-read the candidate under a row lock; the invitation, or None if no longer due."""
    query = (
        db.select(Invitation)
        .join(Participant, Invitation.participant_id == Participant.id)
        .where(Invitation.id == candidate.invitation_id, *_may_be_reminded(now), _has_address(),
               _reminders_so_far() == candidate.reminder_number - 1)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=Invitation, skip_locked=True)
    return db.session.execute(query).scalar_one_or_none()


def claim_reminder(candidate, now):
    """Record the intent to send (committed), or None if it is no longer due or already claimed."""
    invitation = _lock_if_still_due(candidate, now)
    if invitation is None:
        db.session.rollback()
        return None
    try:
        message = record_message(
            invitation.participant, invitation, "reminder", invitation.participant.channel,
            candidate.template, reminder_number=candidate.reminder_number,
            dedupe_key=f"reminder:{invitation.id}:{candidate.reminder_number}", now=now)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # another runner recorded it first
        return None
    return message


def send_due_reminders(now=None, dry_run=False):
    """Send every due reminder once; returns [Outcome]. Outside sending hours, sends nothing.

    At most SURVEY_REMINDERS_PER_RUN (0: no limit) are sent, those invited
    first; the others are 'left for the next run'. A normal run has far fewer
    due; the limit keeps the first run after a long stop short, and spreads
    its messages out for the mail server and the SMS gateway.
    """
    now, policy = now or now_utc(), current_policy()
    candidates = due_reminders(now, policy)
    db.session.rollback()  # end the read; each reminder gets its own short transaction
    limit = current_app.config["SURVEY_REMINDERS_PER_RUN"] or len(candidates)
    candidates, later = candidates[:limit], [Outcome(c, LATER) for c in candidates[limit:]]
    if dry_run:
        return [Outcome(c, "would send") for c in candidates] + later
    if not policy.within_sending_hours(now):
        return [Outcome(c, "outside sending hours") for c in candidates] + later
    outcomes = []
    for candidate in candidates:
        message = claim_reminder(candidate, now)
        if message is None:
            outcomes.append(Outcome(candidate, "skipped"))
            continue
        sent = deliver(message, now=now)
        db.session.commit()
        outcomes.append(Outcome(candidate, "sent" if sent else "failed"))
    return outcomes + later
