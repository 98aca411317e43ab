from sqlalchemy import DDL, event

from ..extensions import db
from ..timeutil import UTCDateTime, now_utc


class AuditRecord(db.Model):
    """One create or change of anything that matters, never updated or deleted.

    `hash` covers this record's content and `prev_hash`, the previous record's
    hash, so an edit or deletion made directly in the database breaks the
    chain at that record (`flask audit verify`).
    """

    id = db.Column(db.Integer, primary_key=True)
    at = db.Column(UTCDateTime, nullable=False, default=now_utc)
    #: Who: "staff:<id>", "participant:<invitation id>" or "system:<command>".
    actor = db.Column(db.String(60), nullable=False)
    #: create, update, submit, verify, resolve, correct, status, revoke, ...
    action = db.Column(db.String(30), nullable=False)
    #: What: table name and primary key of the changed row.
    entity = db.Column(db.String(40), nullable=False)
    entity_id = db.Column(db.String(40), nullable=False)
    field = db.Column(db.String(60))
    old_value = db.Column(db.Text)
    new_value = db.Column(db.Text)
    #: Required for any change after submission or verification.
    reason = db.Column(db.Text)
    participant_id = db.Column(db.Integer, index=True)
    response_id = db.Column(db.Integer, index=True)
    prev_hash = db.Column(db.String(64), nullable=False)
    hash = db.Column(db.String(64), nullable=False, unique=True)


class AccessRecord(db.Model):
    """A staff account looked at a participant's data (for GDPR access requests)."""

    id = db.Column(db.Integer, primary_key=True)
    at = db.Column(UTCDateTime, nullable=False, default=now_utc)
    staff_user_id = db.Column(db.ForeignKey("staff_user.id"), nullable=False)
    participant_id = db.Column(db.ForeignKey("participant.id"), nullable=False, index=True)
    #: The page or purpose, e.g. "participant page", "paper entry", "audit view".
    purpose = db.Column(db.String(60), nullable=False)

    staff_user = db.relationship("StaffUser")


# The database itself refuses to change or remove audit records.
APPEND_ONLY_SQLITE = [
    DDL("CREATE TRIGGER audit_record_no_update BEFORE UPDATE ON audit_record "
        "BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END"),
    DDL("CREATE TRIGGER audit_record_no_delete BEFORE DELETE ON audit_record "
        "BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END"),
]
APPEND_ONLY_POSTGRESQL = [
    DDL("CREATE OR REPLACE FUNCTION audit_record_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'audit records are append-only'; END; $$ LANGUAGE plpgsql"),
    DDL("CREATE TRIGGER audit_record_append_only BEFORE UPDATE OR DELETE ON audit_record "
        "FOR EACH ROW EXECUTE FUNCTION audit_record_append_only()"),
]
for statement in APPEND_ONLY_SQLITE:
    event.listen(AuditRecord.__table__, "after_create", statement.execute_if(dialect="sqlite"))
for statement in APPEND_ONLY_POSTGRESQL:
    event.listen(AuditRecord.__table__, "after_create",
                 statement.execute_if(dialect="postgresql"))
