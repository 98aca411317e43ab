"""When a link's invitation and reminders went out, as SQL on the enclosing Invitation row:
read by the reminder run and the follow-up page beside the state rules
(survey/participants/state.py) to say when a participant's next reminder is due."""
from sqlalchemy import func, select

from ..invitations.models import Invitation
from .models import OutboundMessage


def invited_at_sql():
    """When the enclosing Invitation row was first sent (None: never sent)."""
    return (select(func.min(OutboundMessage.sent_at))
            .where(OutboundMessage.invitation_id == Invitation.id,
                   OutboundMessage.purpose == "invitation", OutboundMessage.status == "sent")
            .correlate(Invitation).scalar_subquery())


def _reminders(aggregate):
    return (select(aggregate)
            .where(OutboundMessage.invitation_id == Invitation.id,
                   OutboundMessage.purpose == "reminder")
            .correlate(Invitation).scalar_subquery())


def reminders_so_far_sql():
    """How many reminders the enclosing Invitation row has had (recorded, whatever came of them)."""
    return _reminders(func.count(OutboundMessage.id))


def last_reminder_at_sql():
    """When the enclosing Invitation row's latest reminder was recorded (None: none yet)."""
    return _reminders(func.max(OutboundMessage.created_at))
