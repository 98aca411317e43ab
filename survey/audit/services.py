"""Writing and checking the audit trail.

Every record's hash covers its content and the previous record's hash. Appends
are serialised (an advisory lock on PostgreSQL; SQLite serialises writers
anyway) so the chain has exactly one order.
"""
import hashlib
import json
from datetime import UTC

from sqlalchemy import event, text

from ..extensions import db
from ..timeutil import now_utc
from .models import AccessRecord, AuditRecord

GENESIS_HASH = "0" * 64
CHAIN_LOCK_KEY = 7_412_001  # any constant; names the advisory lock of the audit chain


class AuditRecordImmutable(RuntimeError):
    """Something tried to change or delete an audit record."""


@event.listens_for(AuditRecord, "before_update")
@event.listens_for(AuditRecord, "before_delete")
def _refuse_changes(mapper, connection, target):
    raise AuditRecordImmutable(f"audit record {target.id} is append-only")


def staff_actor(user):
    return f"staff:{user.id}"


def participant_actor(invitation):
    return f"participant:{invitation.id}"


def _as_text(value):
    return None if value is None else str(value)


def answer_text(state, value):
    """How an answer reads in the trail: its value, or its state when it has none."""
    return str(value) if state == "answered" else state


def record_hash(record):
    content = [
        record.prev_hash, record.at.isoformat(), record.actor, record.action, record.entity,
        record.entity_id, record.field, record.old_value, record.new_value, record.reason,
        record.participant_id, record.response_id,
    ]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode("utf-8")).hexdigest()


def _lock_chain():
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})


def _last_hash():
    last = db.session.execute(
        db.select(AuditRecord.hash).order_by(AuditRecord.id.desc()).limit(1)
    ).scalar_one_or_none()
    return last or GENESIS_HASH


def record_change(actor, action, entity, entity_id, field=None, old=None, new=None, reason=None,
                  participant_id=None, response_id=None, now=None):
    """Append one audit record (in the caller's transaction) and return it."""
    _lock_chain()
    record = AuditRecord(
        at=(now or now_utc()).astimezone(UTC),
        actor=actor, action=action, entity=entity, entity_id=str(entity_id), field=field,
        old_value=_as_text(old), new_value=_as_text(new), reason=reason,
        participant_id=participant_id, response_id=response_id, prev_hash=_last_hash(),
    )
    record.hash = record_hash(record)
    db.session.add(record)
    db.session.flush()
    return record


def verify_chain(batch_size=1000):
    """(number of records checked, id of the first record where the chain breaks or None)."""
    expected_prev, checked, last_id = GENESIS_HASH, 0, 0
    while True:
        batch = db.session.execute(
            db.select(AuditRecord).where(AuditRecord.id > last_id)
            .order_by(AuditRecord.id).limit(batch_size)
        ).scalars().all()
        if not batch:
            return checked, None
        for record in batch:
            if record.prev_hash != expected_prev or record_hash(record) != record.hash:
                return checked, record.id
            expected_prev, last_id, checked = record.hash, record.id, checked + 1
        db.session.expunge_all()


def record_access(user, participant, purpose):
    """Note that a staff account looked at a participant's data, and why."""
    db.session.add(AccessRecord(staff_user_id=user.id, participant_id=participant.id,
                                purpose=purpose))


def audit_history(participant_id=None, response_id=None):
    query = db.select(AuditRecord).order_by(AuditRecord.id)
    if participant_id is not None:
        query = query.where(AuditRecord.participant_id == participant_id)
    if response_id is not None:
        query = query.where(AuditRecord.response_id == response_id)
    return db.session.execute(query).scalars().all()
