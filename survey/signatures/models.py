from sqlalchemy import CheckConstraint, event

from ..audit.models import append_only_postgresql, append_only_sqlite
from ..extensions import db
from ..timeutil import UTCDateTime, now_utc


class Signature(db.Model):
    """One electronic signature of a staff member on one record (21 CFR Part 11 §11.50).

    It keeps who signed (and the name printed under it at that moment), what the
    signature means (a code and the exact words shown, in the language shown),
    when (UTC, and the zone it was shown in) and what it signs: the record
    (`entity`, `entity_id`) and `content`, the values decided or changed as JSON.
    `digest` is an HMAC-SHA-256 with the audit key over all of these, so a
    signature does not verify against any other record or other values; it is
    also written into the audit chain in the transaction of the signed action.
    """

    __table_args__ = (CheckConstraint("language IN ('da', 'en')", name="language"),)

    id = db.Column(db.Integer, primary_key=True)
    signer_id = db.Column(db.ForeignKey("staff_user.id"), nullable=False)
    printed_name = db.Column(db.String(200), nullable=False)
    #: A code from signatures.services.MEANINGS, and its words as the signer saw them.
    meaning = db.Column(db.String(40), nullable=False)
    meaning_text = db.Column(db.Text, nullable=False)
    language = db.Column(db.String(2), nullable=False)
    signed_at = db.Column(UTCDateTime, nullable=False, default=now_utc)
    #: The zone the time was shown in, e.g. Europe/Copenhagen.
    time_zone = db.Column(db.String(60), nullable=False)
    #: The signed record: table name and primary key, as in the audit trail.
    entity = db.Column(db.String(40), nullable=False)
    entity_id = db.Column(db.String(40), nullable=False)
    participant_id = db.Column(db.Integer, index=True)
    response_id = db.Column(db.Integer, index=True)
    content = db.Column(db.Text, nullable=False)
    #: Names the audit key the digest was made with (chain.key_id).
    key_id = db.Column(db.String(16), nullable=False)
    digest = db.Column(db.String(64), nullable=False, unique=True)

    signer = db.relationship("StaffUser")


# A signature is never changed or removed, by the application or directly in the database.
for statement in append_only_sqlite(Signature.__tablename__):
    event.listen(Signature.__table__, "after_create", statement.execute_if(dialect="sqlite"))
for statement in append_only_postgresql(Signature.__tablename__):
    event.listen(Signature.__table__, "after_create", statement.execute_if(dialect="postgresql"))
