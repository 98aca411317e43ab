from sqlalchemy import DDL, event

from ..extensions import db
from ..timeutil import UTCDateTime, now_utc


class AuditRecord(db.Model):
    """One create or change of anything that matters, never updated or deleted.

    `hash` is an HMAC-SHA-256, with a key kept outside the database, of this
    record's content, its place in the chain (`seq`) and `prev_hash`, the
    previous record's `hash`: an edit or deletion made directly in the database
    breaks the chain at that record, and without the key it cannot be
    recomputed (`flask audit verify`; survey/audit/chain.py). Records written
    before keys existed have no `key_id` and a plain SHA-256 `hash`.
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
    #: Place in the chain, 1, 2, 3, ... without gaps (ids may have gaps).
    seq = db.Column(db.Integer, nullable=False, unique=True)
    prev_hash = db.Column(db.String(64), nullable=False)
    hash = db.Column(db.String(64), nullable=False, unique=True)
    #: Names the key that signed `hash` (a digest of the key, not the key).
    key_id = db.Column(db.String(16))
    #: On the first record signed with a new key: its MAC with the previous key.
    bridge_mac = db.Column(db.String(64))


class AccessRecord(db.Model):
    """A staff account looked at a participant's data (for GDPR access requests)."""

    id = db.Column(db.Integer, primary_key=True)
    at = db.Column(UTCDateTime, nullable=False, default=now_utc)
    staff_user_id = db.Column(db.ForeignKey("staff_user.id"), nullable=False)
    participant_id = db.Column(db.ForeignKey("participant.id"), nullable=False, index=True)
    #: The page or purpose, e.g. "participant page", "paper entry", "audit view".
    purpose = db.Column(db.String(60), nullable=False)

    staff_user = db.relationship("StaffUser")


# The database itself refuses to change or remove audit and access records, and on
# PostgreSQL to empty their tables (TRUNCATE fires no row trigger).
APPEND_ONLY_TABLES = ("audit_record", "access_record")


def append_only_sqlite(table):
    return [DDL(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} rows are append-only'); END")
            for verb in ("UPDATE", "DELETE")]


def append_only_postgresql(table):
    return [
        DDL(f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{table} rows are append-only'; END; $$ LANGUAGE plpgsql"),
        DDL(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"),
        DDL(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()"),
    ]


for model in (AuditRecord, AccessRecord):
    for statement in append_only_sqlite(model.__tablename__):
        event.listen(model.__table__, "after_create", statement.execute_if(dialect="sqlite"))
    for statement in append_only_postgresql(model.__tablename__):
        event.listen(model.__table__, "after_create",
                     statement.execute_if(dialect="postgresql"))
