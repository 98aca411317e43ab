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
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import exists, func
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..invitations.models import Invitation
from ..messaging.sending_sql import invited_at_sql, last_reminder_at_sql, reminders_so_far_sql
from ..messaging.services import deliver, record_message
from ..participants.models import Participant
from ..participants.state import may_be_sent_reminder_sql, scheduled_reminder_at
from ..responses.models import Answer, Response
from ..schedule.policy import current_policy
from ..timeutil import now_utc

LATER = "left for the next run"
Candidate = namedtuple("Candidate", "invitation_id study_id channel reminder_number template")
Outcome = namedtuple("Outcome", "candidate status")


def due_reminders(now=None, policy=None):
    """Every reminder the schedule makes due by `now`, one per invitation (the next one),
    whether or not `now` is inside the sending hours (see send_due_reminders)."""
    now, policy = now or now_utc(), policy or current_policy()
    invited_at = func.coalesce(invited_at_sql(), Invitation.created_at)
    rows = db.session.execute(
        db.select(Invitation.id, Invitation.created_at, invited_at_sql(),
                  Participant.study_id, Participant.channel, reminders_so_far_sql(),
                  last_reminder_at_sql(), Invitation.expires_at)
        .join(Participant, Invitation.participant_id == Participant.id)
        .where(*may_be_sent_reminder_sql(now), reminders_so_far_sql() < policy.max_reminders)
        .order_by(invited_at, Invitation.id)
    ).all()
    due = []
    for invitation_id, created_at, sent_at, study_id, channel, so_far, last_at, expires_at \
            in rows:
        # Due by the schedule; the sending hours are the run's to check, for all at once.
        due_at = scheduled_reminder_at(policy, sent_at or created_at, so_far, last_at,
                                       expires_at)
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
        .where(Invitation.id == candidate.invitation_id, *may_be_sent_reminder_sql(now),
               reminders_so_far_sql() == candidate.reminder_number - 1)
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


def outside_sending_hours(policy, now):
    """What a run outside the sending hours says about each due reminder: not sent, and when."""
    at = policy.next_sending_time(now).astimezone(ZoneInfo(policy.timezone))
    return f"outside sending hours: not before {at:%Y-%m-%d %H:%M}"


def send_due_reminders(now=None, dry_run=False):
    """Send every due reminder once; returns [Outcome]. Outside sending hours, sends nothing,
    and a dry run says so in the same words.

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
    if not policy.within_sending_hours(now):
        return [Outcome(c, outside_sending_hours(policy, now)) for c in candidates] + later
    if dry_run:
        return [Outcome(c, "would send") for c in candidates] + later
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
