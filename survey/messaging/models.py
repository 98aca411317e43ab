from sqlalchemy import CheckConstraint

from ..extensions import db
from ..timeutil import UTCDateTime, now_utc


class OutboundMessage(db.Model):
    """One message to a participant: recorded before it is sent, updated with the outcome.

    `dedupe_key` makes a second copy of the same reminder impossible: the
    intent is inserted (unique) before anything leaves the system, so a rerun,
    a second runner or a crash can never send it twice.
    """

    __table_args__ = (
        CheckConstraint("channel IN ('email', 'sms', 'letter')", name="channel"),
        CheckConstraint("purpose IN ('invitation', 'reminder')", name="purpose"),
        CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')", name="status"),
        # "Last contact" per participant on the dashboard, at 100,000 participants.
        db.Index("ix_outbound_message_participant_id_sent_at", "participant_id", "sent_at"),
    )

    id = db.Column(db.Integer, primary_key=True)
    participant_id = db.Column(db.ForeignKey("participant.id"), nullable=False)
    invitation_id = db.Column(db.ForeignKey("invitation.id"), nullable=False, index=True)
    purpose = db.Column(db.String(12), nullable=False)
    #: 1 for the first reminder, 2 for the second, ...; 0 for an invitation.
    reminder_number = db.Column(db.Integer, nullable=False, default=0)
    #: "reminder:<invitation>:<n>" for reminders; empty for invitations and resends.
    dedupe_key = db.Column(db.String(60), unique=True)
    channel = db.Column(db.String(8), nullable=False)
    #: Which template was used, e.g. "reminder_started".
    template = db.Column(db.String(40), nullable=False)
    status = db.Column(db.String(8), nullable=False, default="pending")
    attempts = db.Column(db.Integer, nullable=False, default=0)
    #: The error of the last failed attempt (no personal data).
    last_error = db.Column(db.Text)
    provider_message_id = db.Column(db.String(200))
    created_at = db.Column(UTCDateTime, nullable=False, default=now_utc)
    #: When a failed send may be tried again.
    retry_at = db.Column(UTCDateTime)
    sent_at = db.Column(UTCDateTime)
    #: Staff account that asked for it; empty for scheduled reminders.
    created_by_id = db.Column(db.ForeignKey("staff_user.id"))

    participant = db.relationship("Participant")
    invitation = db.relationship("Invitation")
