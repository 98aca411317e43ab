"""When the listed participants' next reminders go out, by the study's reminder policy.

The same rules as the reminder run, from the same place
(survey/participants/state.py): who may be reminded, when the next reminder
is due by the schedule (with its spacing after a late one), and the first
moment in the sending hours from then on. A reminder that would go out only
after the link expires is never sent, so none is shown.
"""
from sqlalchemy import select

from ..extensions import db
from ..invitations.models import Invitation
from ..messaging.sending_sql import invited_at_sql, last_reminder_at_sql, reminders_so_far_sql
from ..participants.models import Participant
from ..participants.state import REMINDABLE, may_be_sent_reminder_sql, next_reminder_at
from ..schedule.policy import current_policy


def next_reminders(rows, now, policy=None):
    """{participant id: when their next reminder goes out} for those of `rows`
    (ParticipantRow) who will still be reminded; the others are left out."""
    ids = [r.id for r in rows if r.state in REMINDABLE and r.opted_out_at is None]
    if not ids:
        return {}
    policy = policy or current_policy()
    links = db.session.execute(
        select(Invitation.participant_id, Invitation.created_at, invited_at_sql(),
               reminders_so_far_sql(), last_reminder_at_sql(), Invitation.expires_at)
        .join(Participant, Invitation.participant_id == Participant.id)
        .where(Invitation.participant_id.in_(ids), *may_be_sent_reminder_sql(now))
    ).all()
    due = {}
    for participant_id, created_at, sent_at, so_far, last_at, expires_at in links:
        at = next_reminder_at(policy, sent_at or created_at, so_far, last_at, expires_at, now)
        if at is not None:
            due[participant_id] = min(at, due.get(participant_id, at))
    return due
