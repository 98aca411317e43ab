from flask import abort
from sqlalchemy import CheckConstraint
from sqlalchemy.orm import validates

from ..codes import STATUSES  # noqa: F401 (read from here by the exports and the CLI)
from ..extensions import db
from ..timeutil import UTCDateTime, now_utc


def canonical_study_id(study_id):
    """The one stored form of a typed study ID: trimmed and upper case ('p100 ' -> 'P100').

    Study IDs are case-insensitive: every place a study ID comes in (CLI arguments, import
    files, staff pages' fields) looks it up or stores it in this form. None stays None.
    """
    return None if study_id is None else study_id.strip().upper()


class Participant(db.Model):
    """A trial participant. Contact details are the only personal data kept.

    The trial is blinded: no column here or anywhere else records the
    treatment arm, and none must be added.
    """

    __table_args__ = (
        CheckConstraint("language IN ('da', 'en')", name="language"),
        CheckConstraint("status IN ('active', 'withdrawn', 'deceased')", name="status"),
        CheckConstraint("channel IN ('email', 'sms', 'letter')", name="channel"),
        # With the unique constraint: unique in canonical form (see canonical_study_id).
        CheckConstraint("study_id = upper(study_id)", name="study_id_canonical"),
    )

    id = db.Column(db.Integer, primary_key=True)
    study_id = db.Column(db.String(32), nullable=False, unique=True)
    #: Preferred language for invitations and questionnaires.
    language = db.Column(db.String(2), nullable=False)
    #: Only active participants may be contacted or answer.
    status = db.Column(db.String(12), nullable=False, default="active")
    #: When the status changed to withdrawn or deceased (the date given, e.g. from the register).
    status_date = db.Column(db.Date)
    email = db.Column(db.String(254))
    phone = db.Column(db.String(20))
    #: Preferred channel for invitations and reminders: email, sms or letter.
    channel = db.Column(db.String(8), nullable=False, default="email", server_default="email")
    #: Set when the participant asked not to get reminders (they may still answer).
    opted_out_at = db.Column(UTCDateTime)
    #: A paper questionnaire was posted to them on this date.
    paper_mailed_on = db.Column(db.Date)
    #: Their paper questionnaire came back on this date (no more reminders).
    paper_received_on = db.Column(db.Date)
    created_at = db.Column(UTCDateTime, nullable=False, default=now_utc)

    invitations = db.relationship("Invitation", back_populates="participant",
                                  order_by="Invitation.created_at")
    #: Paper questionnaires that came back (read here; written through PaperForm.participant).
    paper_forms = db.relationship("PaperForm", viewonly=True, order_by="PaperForm.id")
    #: Their responses, every mode (read here; written through Response.participant).
    responses = db.relationship("Response", viewonly=True, order_by="Response.id")

    @validates("study_id")
    def _canonical_study_id(self, _key, study_id):
        return canonical_study_id(study_id)

    def __repr__(self):
        return f"<Participant {self.study_id}>"


def related_model(relationship):
    """The model at the other end of one of Participant's relationships (it names the model
    by its name, so the participant entity imports none of the feature packages whose rows
    point at it)."""
    return relationship.property.mapper.class_


def find_participant(study_id):
    """The participant with this study ID in any case ('p100' finds 'P100'), or None."""
    return db.session.execute(
        db.select(Participant).where(Participant.study_id == canonical_study_id(study_id))
    ).scalar_one_or_none()


def participant_or_404(study_id):
    """The participant a staff page's URL names, or 404 Not Found."""
    return find_participant(study_id) or abort(404)
