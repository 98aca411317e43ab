from sqlalchemy import CheckConstraint

from ..extensions import db
from ..timeutil import UTCDateTime, now_utc


class Invitation(db.Model):
    """One personal link to answer a set of questionnaires.

    The link carries `key` signed with the app's secret key, so a copy of the
    database alone cannot be turned into working links.
    """

    __table_args__ = (
        CheckConstraint("language IN ('da', 'en')", name="language"),
        CheckConstraint("expires_at > created_at", name="expires_after_creation"),
        CheckConstraint("mode IN ('web', 'clinic')", name="mode"),
        CheckConstraint("who_answered IN ('self', 'helped', 'proxy')", name="who_answered"),
    )

    id = db.Column(db.Integer, primary_key=True)
    participant_id = db.Column(db.ForeignKey("participant.id"), nullable=False, index=True)
    #: 128 random bits, URL-safe; the unsigned part of the link's token.
    key = db.Column(db.String(32), nullable=False, unique=True)
    #: A short code to type on /start, for letters (see invitations/short_codes.py).
    short_code = db.Column(db.String(16), unique=True)
    #: Comma-separated instrument codes in the order they are asked, e.g. "xq,vas".
    instrument_codes = db.Column(db.String(200), nullable=False)
    #: Language the invitation was written in (the participant's choice at the time).
    language = db.Column(db.String(2), nullable=False)
    created_at = db.Column(UTCDateTime, nullable=False, default=now_utc)
    expires_at = db.Column(UTCDateTime, nullable=False)
    #: First time the link was opened.
    opened_at = db.Column(UTCDateTime)
    #: Last time the participant saved anything through this link.
    last_activity_at = db.Column(UTCDateTime)
    #: Set once, when the participant submits; the link then only shows "thank you".
    completed_at = db.Column(UTCDateTime)
    revoked_at = db.Column(UTCDateTime)
    #: web: the participant's own link; clinic: a hand-over session started by staff.
    mode = db.Column(db.String(8), nullable=False, default="web", server_default="web")
    started_by_id = db.Column(db.ForeignKey("staff_user.id"))
    #: Who filled in the questionnaires, as the participant said on the review page:
    #: self, helped (had help) or proxy (someone else answered); empty if not said.
    #: Not part of any instrument and never used in a score.
    who_answered = db.Column(db.String(8))

    participant = db.relationship("Participant", back_populates="invitations")
    responses = db.relationship("Response", back_populates="invitation",
                                order_by="Response.id")

    @property
    def instruments(self):
        return tuple(self.instrument_codes.split(","))

    def is_expired(self, now):
        return now >= self.expires_at

    def __repr__(self):
        return f"<Invitation {self.id} of participant {self.participant_id}>"
