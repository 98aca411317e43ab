"""Writing and checking the audit trail.

Every record's hash covers its content and the previous record's hash. Appends
are serialised (an advisory lock on PostgreSQL; SQLite serialises writers
anyway) so the chain has exactly one order.
"""
import hashlib
import json
from datetime import UTC

from sqlalchemy import event, text
from sqlalchemy.orm import selectinload

from ..csv_export import csv_writer
from ..extensions import db
from ..participants.models import Participant
from ..staff.models import StaffUser
from ..timeutil import now_utc
from .labels import code_word, readable_records
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
        for record in batch:  # keep memory flat; other objects (the logged-in user) stay
            db.session.expunge(record)


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


def record_access_to_many(user, participant_ids, purpose):
    """Note one access per participant, e.g. for an export that holds several participants."""
    for participant_id in sorted(study_ids_by_participant(participant_ids)):
        db.session.add(AccessRecord(staff_user_id=user.id, participant_id=participant_id,
                                    purpose=purpose))


def access_history(participant_id):
    """Every recorded staff access to one participant's data, oldest first."""
    return db.session.execute(
        db.select(AccessRecord).where(AccessRecord.participant_id == participant_id)
        .options(selectinload(AccessRecord.staff_user))
        .order_by(AccessRecord.at, AccessRecord.id)
    ).scalars().all()


def study_ids_by_participant(participant_ids):
    """{participant id: study ID} for the ids given that name a participant."""
    ids = {i for i in participant_ids if i is not None}
    if not ids:
        return {}
    rows = db.session.execute(
        db.select(Participant.id, Participant.study_id).where(Participant.id.in_(ids)))
    return dict(rows.all())


def staff_emails(user_ids):
    """{staff user id: e-mail address}, to show people rather than numbers."""
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    rows = db.session.execute(db.select(StaffUser.id, StaffUser.email).where(StaffUser.id.in_(ids)))
    return dict(rows.all())


def actor_emails(records):
    """{"staff:<id>": e-mail address} for every staff actor among the audit records."""
    ids = {int(number) for kind, _, number in (r.actor.partition(":") for r in records)
           if kind == "staff" and number.isdigit()}
    return {f"staff:{i}": email for i, email in staff_emails(ids).items()}  # as staff_actor()


#: The audit trail export; with participant_id and the hashes anyone can re-check the chain.
#: The codes are exported as hashed; the last four columns say them in words for people
#: (in the language of the page, English on the command line).
AUDIT_CSV_COLUMNS = ["id", "at", "actor", "action", "entity", "entity_id", "field", "old_value",
                     "new_value", "reason", "study_id", "participant_id", "response_id",
                     "prev_hash", "hash", "action_text", "what_text", "old_value_text",
                     "new_value_text"]
ACCESS_CSV_COLUMNS = ["study_id", "at", "staff_user_id", "staff_email", "purpose",
                      "purpose_text"]


def write_audit_csv(stream, records, delimiter=","):
    """The records as CSV, times in ISO 8601 UTC exactly as hashed; returns the row count."""
    study_ids = study_ids_by_participant(r.participant_id for r in records)
    writer = csv_writer(stream, delimiter)
    writer.writerow(AUDIT_CSV_COLUMNS)
    for r, words in zip(records, readable_records(records), strict=True):
        writer.writerow([
            r.id, r.at.isoformat(), r.actor, r.action, r.entity, r.entity_id, r.field,
            r.old_value, r.new_value, r.reason, study_ids.get(r.participant_id),
            r.participant_id, r.response_id, r.prev_hash, r.hash,
            words.action, words.what, words.old, words.new,
        ])
    return len(records)


def write_access_csv(stream, study_id, records, delimiter=","):
    """A participant's access report as CSV, times in ISO 8601 UTC; returns the row count."""
    writer = csv_writer(stream, delimiter)
    writer.writerow(ACCESS_CSV_COLUMNS)
    for r in records:
        writer.writerow([study_id, r.at.isoformat(timespec="seconds"), r.staff_user_id,
                         r.staff_user.email, r.purpose, code_word("purpose", r.purpose)])
    return len(records)
