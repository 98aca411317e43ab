from decimal import Decimal

from sqlalchemy import CheckConstraint, String, TypeDecorator, UniqueConstraint

from ..codes import ANSWER_STATES, DUPLICATE_STATES, MODES  # noqa: F401 (read from here)
from ..extensions import db
from ..instruments.scoring import decimal_text
from ..timeutil import UTCDateTime, now_utc

#: What only a paper form can show: never set on a web or clinic answer.
PAPER_ONLY_STATES = ("multiple_marks", "unreadable")
#: How a VAS answer was given on the web: a tap or click on the line, the line's
#: keyboard control, or the number field (always so without JavaScript).
INPUT_METHODS = ("tap", "keyboard", "typed")
#: How a participant asked to change an answer after submitting it.
REQUEST_CHANNELS = ("phone", "letter", "in_person")


class ExactDecimal(TypeDecorator):
    """A Decimal kept as its plain text ('41.875'), exactly, on SQLite and PostgreSQL alike.

    SQLite has no exact decimal type (SQLAlchemy's Numeric goes through float
    there); as text the value the database holds is the value the audit trail
    recorded, character for character.
    """

    impl = String(24)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(f"expected a Decimal, got {value!r}")
        return decimal_text(value)

    def process_result_value(self, value, dialect):
        return None if value is None else Decimal(value)


class Response(db.Model):
    """One participant's answers to one instrument version."""

    __table_args__ = (
        # One response per instrument per invitation: a second tab or a
        # double click can never start a second one.
        UniqueConstraint("invitation_id", "instrument_code"),
        CheckConstraint("mode IN ('web', 'paper', 'clinic')", name="mode"),
        CheckConstraint("status IN ('in_progress', 'submitted')", name="status"),
        CheckConstraint("(status = 'submitted') = (submitted_at IS NOT NULL)",
                        name="submitted_iff_submitted_at"),
        CheckConstraint("language IN ('da', 'en')", name="language"),
        CheckConstraint("duplicate_status IN ('pending', 'counts', 'does_not_count')",
                        name="duplicate_status"),
        CheckConstraint("(excluded_at IS NULL) = (exclusion_reason IS NULL)",
                        name="excluded_with_reason"),
    )

    id = db.Column(db.Integer, primary_key=True)
    participant_id = db.Column(db.ForeignKey("participant.id"), nullable=False, index=True)
    #: The link it was answered through; empty for paper entered by staff.
    invitation_id = db.Column(db.ForeignKey("invitation.id"), index=True)
    instrument_code = db.Column(db.String(20), nullable=False)
    #: The definition (wording) version the answers were given on.
    instrument_version = db.Column(db.String(40), nullable=False)
    #: How the answers were collected: web, paper (keyed in by staff), clinic.
    mode = db.Column(db.String(8), nullable=False)
    status = db.Column(db.String(12), nullable=False, default="in_progress")
    #: The language the questionnaire was shown in when last answered.
    language = db.Column(db.String(2), nullable=False)
    started_at = db.Column(UTCDateTime, nullable=False, default=now_utc)
    updated_at = db.Column(UTCDateTime, nullable=False, default=now_utc)
    submitted_at = db.Column(UTCDateTime)
    #: Staff member who started a clinic session; the participant gave the answers.
    started_by_id = db.Column(db.ForeignKey("staff_user.id"))
    #: Set when the participant has another submitted response to the same instrument:
    #: pending until a coordinator decides which one counts. Empty: the only one.
    duplicate_status = db.Column(db.String(16))
    #: Excluded from analysis by staff, with a reason (clarifications.py); never deleted:
    #: still exported, flagged. Empty when the response is in the analysis.
    #: Who excluded it is in the audit trail.
    excluded_at = db.Column(UTCDateTime)
    exclusion_reason = db.Column(db.Text)
    #: The software that collected or keyed the answers: the package version, and the
    #: git commit where known (survey/provenance.py). Empty for responses from before 0016.
    software_version = db.Column(db.String(40))
    software_commit = db.Column(db.String(40))

    invitation = db.relationship("Invitation", back_populates="responses")
    participant = db.relationship("Participant")
    answers = db.relationship("Answer", back_populates="response", order_by="Answer.id")
    scores = db.relationship("Score", back_populates="response", order_by="Score.id")
    notes = db.relationship("AnswerNote", back_populates="response", order_by="AnswerNote.id")
    requested_changes = db.relationship("RequestedChange", back_populates="response",
                                        order_by="RequestedChange.id")

    def answer_values(self, as_submitted=False):
        """{item_id: value or None} for every item with a stored answer: the value the
        scores use, i.e. the participant's latest requested change where there is one,
        or (`as_submitted`) exactly what was submitted."""
        values = {a.item_id: a.value for a in self.answers}
        if not as_submitted:
            values.update({item_id: change.value
                           for item_id, change in self.latest_requests().items()})
        return values

    def latest_requests(self):
        """{item_id: the latest RequestedChange} of this response."""
        return {change.item_id: change for change in self.requested_changes}

    @property
    def excluded(self):
        return self.excluded_at is not None

    @property
    def counts(self):
        """Whether this response is used in analyses (not an unresolved or rejected duplicate)."""
        return self.duplicate_status in (None, "counts")


class Answer(db.Model):
    """One item's answer: a value, or an explicit state such as "not answered" (never 0)."""

    __table_args__ = (
        UniqueConstraint("response_id", "item_id"),
        CheckConstraint("state IN ('answered', 'not_answered', 'multiple_marks', 'unreadable')",
                        name="state"),
        CheckConstraint("(state = 'answered') = (value IS NOT NULL)", name="value_iff_answered"),
        CheckConstraint("language IN ('da', 'en')", name="language"),
        CheckConstraint("input_method IN ('tap', 'keyboard', 'typed')", name="input_method"),
    )

    id = db.Column(db.Integer, primary_key=True)
    response_id = db.Column(db.ForeignKey("response.id"), nullable=False)
    item_id = db.Column(db.String(40), nullable=False)
    #: Raw value as answered: XQ 0-10, VAS position 0-100 from the left end.
    value = db.Column(db.Integer)
    state = db.Column(db.String(16), nullable=False)
    answered_at = db.Column(UTCDateTime, nullable=False, default=now_utc)
    #: The language the question was shown in when this answer was saved on the web
    #: (a response begun in Danish may be finished in English); empty for paper.
    language = db.Column(db.String(2))
    #: VAS answers on the web: tap, keyboard or typed (see INPUT_METHODS); else empty.
    input_method = db.Column(db.String(8))

    response = db.relationship("Response", back_populates="answers")


class Score(db.Model):
    """A score computed at submission by the instrument's scoring rule."""

    __table_args__ = (UniqueConstraint("response_id", "score_id"),)

    id = db.Column(db.Integer, primary_key=True)
    response_id = db.Column(db.ForeignKey("response.id"), nullable=False)
    score_id = db.Column(db.String(40), nullable=False)
    #: Empty when too few items were answered (the half rule). Exact: see scoring.py.
    value = db.Column(ExactDecimal)
    n_answered = db.Column(db.Integer, nullable=False)
    n_items = db.Column(db.Integer, nullable=False)
    #: True when computed from fewer than all items.
    prorated = db.Column(db.Boolean, nullable=False)
    #: The half-rule fraction it was computed with (SURVEY_MIN_ANSWERED_FRACTION then);
    #: empty for scores computed before migration 0016, when it was not recorded.
    min_fraction = db.Column(ExactDecimal)
    computed_at = db.Column(UTCDateTime, nullable=False, default=now_utc)

    response = db.relationship("Response", back_populates="scores")


class AnswerNote(db.Model):
    """A data-clarification note on one answer: says something about it, changes nothing."""

    id = db.Column(db.Integer, primary_key=True)
    response_id = db.Column(db.ForeignKey("response.id"), nullable=False, index=True)
    item_id = db.Column(db.String(40), nullable=False)
    text = db.Column(db.Text, nullable=False)
    written_by_id = db.Column(db.ForeignKey("staff_user.id"), nullable=False)
    written_at = db.Column(UTCDateTime, nullable=False, default=now_utc)

    response = db.relationship("Response", back_populates="notes")
    written_by = db.relationship("StaffUser")


class RequestedChange(db.Model):
    """The participant asked, after submitting, for an answer to be changed.

    The submitted Answer stays as it was; this row holds the new answer, how and
    when the participant asked, in their own words, and who on the study team
    took the request. The latest one per item is the value the scores use.
    """

    __table_args__ = (
        CheckConstraint("state IN ('answered', 'not_answered')", name="state"),
        CheckConstraint("(state = 'answered') = (value IS NOT NULL)", name="value_iff_answered"),
        CheckConstraint("channel IN ('phone', 'letter', 'in_person')", name="channel"),
    )

    id = db.Column(db.Integer, primary_key=True)
    response_id = db.Column(db.ForeignKey("response.id"), nullable=False, index=True)
    item_id = db.Column(db.String(40), nullable=False)
    #: Only what a participant can give: a value, or no answer (never a paper-only code).
    state = db.Column(db.String(16), nullable=False)
    value = db.Column(db.Integer)
    #: The day the participant asked, and how.
    requested_on = db.Column(db.Date, nullable=False)
    channel = db.Column(db.String(12), nullable=False)
    participant_words = db.Column(db.Text, nullable=False)
    reason = db.Column(db.Text, nullable=False)
    #: The staff member who took the request (and recorded it).
    taken_by_id = db.Column(db.ForeignKey("staff_user.id"), nullable=False)
    recorded_at = db.Column(UTCDateTime, nullable=False, default=now_utc)

    response = db.relationship("Response", back_populates="requested_changes")
    taken_by = db.relationship("StaffUser")
