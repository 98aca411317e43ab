"""Earlier time points of the trial (baseline, 6 months, ...), imported, never collected here.

Kept in their own tables so they can never be counted as answered, reminded
about, or mixed into the responses export's counted rows.
"""
from sqlalchemy import UniqueConstraint

from ..extensions import db
from ..responses.models import ExactDecimal
from ..timeutil import UTCDateTime, now_utc


class HistoricalResponse(db.Model):
    """One participant's values of one instrument at one earlier time point (imported)."""

    __table_args__ = (UniqueConstraint("participant_id", "timepoint", "instrument_code"),)

    id = db.Column(db.Integer, primary_key=True)
    participant_id = db.Column(db.ForeignKey("participant.id"), nullable=False, index=True)
    #: The trial's label for the time point, as in the file, e.g. "baseline" or "12 mdr".
    timepoint = db.Column(db.String(40), nullable=False)
    #: The date the values were collected at that time point.
    collected_on = db.Column(db.Date, nullable=False)
    instrument_code = db.Column(db.String(20), nullable=False)
    #: The definition the values were scored with.
    instrument_version = db.Column(db.String(40), nullable=False)
    imported_at = db.Column(UTCDateTime, nullable=False, default=now_utc)
    #: SHA-256 of the file it came from (the audit trail has who and when).
    source_sha256 = db.Column(db.String(64), nullable=False)

    participant = db.relationship("Participant")
    values = db.relationship("HistoricalValue", back_populates="response",
                             order_by="HistoricalValue.id")
    scores = db.relationship("HistoricalScore", back_populates="response",
                             order_by="HistoricalScore.id")


class HistoricalValue(db.Model):
    """One item's imported value; empty when it was not answered."""

    __table_args__ = (UniqueConstraint("response_id", "item_id"),)

    id = db.Column(db.Integer, primary_key=True)
    response_id = db.Column(db.ForeignKey("historical_response.id"), nullable=False)
    item_id = db.Column(db.String(40), nullable=False)
    value = db.Column(db.Integer)

    response = db.relationship("HistoricalResponse", back_populates="values")


class HistoricalScore(db.Model):
    """A score of imported values, computed here by the instrument's scoring rule."""

    __table_args__ = (UniqueConstraint("response_id", "score_id"),)

    id = db.Column(db.Integer, primary_key=True)
    response_id = db.Column(db.ForeignKey("historical_response.id"), nullable=False)
    score_id = db.Column(db.String(40), nullable=False)
    #: Empty when too few items had a value (the half rule); exact, as collected scores.
    value = db.Column(ExactDecimal)
    #: The half-rule fraction it was computed with.
    min_fraction = db.Column(ExactDecimal)
    n_answered = db.Column(db.Integer, nullable=False)
    n_items = db.Column(db.Integer, nullable=False)
    prorated = db.Column(db.Boolean, nullable=False)

    response = db.relationship("HistoricalResponse", back_populates="scores")
