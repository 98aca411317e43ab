from sqlalchemy import CheckConstraint, UniqueConstraint

from ..extensions import db
from ..timeutil import UTCDateTime, now_utc

ENTRY_CODES = ("answered", "not_answered", "multiple_marks", "unreadable")


class PaperForm(db.Model):
    """One paper questionnaire that came back, on its way to a verified response."""

    __table_args__ = (
        CheckConstraint(
            "status IN ('awaiting_second_entry', 'awaiting_verification', 'discrepancy', "
            "'verified')", name="status"),
        CheckConstraint("verification IN ('double_entry', 'visual')", name="verification"),
        CheckConstraint("(status = 'verified') = (response_id IS NOT NULL)",
                        name="verified_iff_response"),
    )

    id = db.Column(db.Integer, primary_key=True)
    participant_id = db.Column(db.ForeignKey("participant.id"), nullable=False, index=True)
    instrument_code = db.Column(db.String(20), nullable=False)
    instrument_version = db.Column(db.String(40), nullable=False)
    #: How it is checked: keyed in twice, or once and looked over by a second person.
    verification = db.Column(db.String(12), nullable=False)
    status = db.Column(db.String(24), nullable=False)
    created_at = db.Column(UTCDateTime, nullable=False, default=now_utc)
    #: The response made from it once verified.
    response_id = db.Column(db.ForeignKey("response.id"), unique=True)
    verified_by_id = db.Column(db.ForeignKey("staff_user.id"))
    verified_at = db.Column(UTCDateTime)

    participant = db.relationship("Participant")
    entries = db.relationship("PaperEntry", back_populates="form",
                              order_by="PaperEntry.entry_number")
    response = db.relationship("Response")
    verified_by = db.relationship("StaffUser")


class PaperEntry(db.Model):
    """One person's keying-in of a paper form."""

    __table_args__ = (
        UniqueConstraint("form_id", "entry_number"),
        # The same person can never be both entries of one form.
        UniqueConstraint("form_id", "entered_by_id"),
        CheckConstraint("entry_number IN (1, 2)", name="entry_number"),
    )

    id = db.Column(db.Integer, primary_key=True)
    form_id = db.Column(db.ForeignKey("paper_form.id"), nullable=False)
    entry_number = db.Column(db.Integer, nullable=False)
    entered_by_id = db.Column(db.ForeignKey("staff_user.id"), nullable=False)
    entered_at = db.Column(UTCDateTime, nullable=False, default=now_utc)
    #: The date the participant wrote on the form, and when the post brought it.
    completed_on = db.Column(db.Date)
    received_on = db.Column(db.Date, nullable=False)
    remarks = db.Column(db.Text)
    #: Keyed in for a participant who had withdrawn or died: their status then, and the
    #: reason the person keying it in gave for using the form. Empty for active participants.
    participant_status = db.Column(db.String(12))
    status_reason = db.Column(db.Text)

    form = db.relationship("PaperForm", back_populates="entries")
    entered_by = db.relationship("StaffUser")
    values = db.relationship("PaperEntryValue", back_populates="entry",
                             order_by="PaperEntryValue.id")

    def by_item(self):
        return {v.item_id: (v.code, v.value) for v in self.values}


class PaperEntryValue(db.Model):
    """What one person read for one item: a value, or a code for what was on paper."""

    __table_args__ = (
        UniqueConstraint("entry_id", "item_id"),
        CheckConstraint("code IN ('answered', 'not_answered', 'multiple_marks', 'unreadable')",
                        name="code"),
        CheckConstraint("(code = 'answered') = (value IS NOT NULL)", name="value_iff_answered"),
    )

    id = db.Column(db.Integer, primary_key=True)
    entry_id = db.Column(db.ForeignKey("paper_entry.id"), nullable=False)
    item_id = db.Column(db.String(40), nullable=False)
    value = db.Column(db.Integer)
    code = db.Column(db.String(16), nullable=False)

    entry = db.relationship("PaperEntry", back_populates="values")
