"""When the listed participants' next reminders are due, by the study's reminder policy.

The same rules as the reminder run (survey/reminders/services.py): reminder n
is due on the schedule's n-th day after the invitation was first sent (or
made, if it was never sent), by current_policy() (the schedule saved on the
web, else the settings), only for an active participant who has not opted
out, has an address for their channel, and whose web link is open with
nothing back yet. A reminder that would fall after the link expires is never
sent, so none is shown.
"""
from sqlalchemy import and_, func, or_, select

from ..extensions import db
from ..invitations.models import Invitation
from ..messaging.models import OutboundMessage
from ..participants.models import Participant
from ..reminders.policy import current_policy
from .queries import REMINDABLE


def _first_sent():
    return (select(func.min(OutboundMessage.sent_at))
            .where(OutboundMessage.invitation_id == Invitation.id,
                   OutboundMessage.purpose == "invitation", OutboundMessage.status == "sent")
            .correlate(Invitation).scalar_subquery())


def _reminders_so_far():
    return (select(func.count(OutboundMessage.id))
            .where(OutboundMessage.invitation_id == Invitation.id,
                   OutboundMessage.purpose == "reminder")
            .correlate(Invitation).scalar_subquery())


def _has_address():
    return or_(Participant.channel == "letter",
               and_(Participant.channel == "email", Participant.email.is_not(None)),
               and_(Participant.channel == "sms", Participant.phone.is_not(None)))


def next_reminders(rows, now, policy=None):
    """{participant id: when their next reminder is due} for those of `rows` (ParticipantRow)
    who will still be reminded; the others are left out."""
    ids = [r.id for r in rows
           if r.state in REMINDABLE and r.status == "active" and r.opted_out_at is None]
    if not ids:
        return {}
    policy = policy or current_policy()
    links = db.session.execute(
        select(Invitation.participant_id, Invitation.created_at, Invitation.expires_at,
               _first_sent(), _reminders_so_far())
        .join(Participant, Invitation.participant_id == Participant.id)
        .where(Invitation.participant_id.in_(ids), Invitation.mode == "web",
               Invitation.revoked_at.is_(None), Invitation.completed_at.is_(None),
               Invitation.expires_at > now, _has_address())
    ).all()
    due = {}
    for participant_id, created_at, expires_at, first_sent, so_far in links:
        due_at = policy.due_at(first_sent or created_at, so_far)
        if due_at is not None and due_at < expires_at:
            due[participant_id] = min(due_at, due.get(participant_id, due_at))
    return due
