"""Writing the audit trail and the access log.

Every record's MAC covers its content and the previous record's MAC (see
chain.py). Appends are serialised (an advisory lock held to the end of the
transaction on PostgreSQL; SQLite serialises writers anyway) so the chain has
exactly one order, and the head is anchored after the commit.
"""
import getpass
import os
from datetime import UTC

from sqlalchemy import event, text
from sqlalchemy.orm import Session, selectinload

from ..csv_export import csv_writer
from ..extensions import db
from ..labels import code_word
from ..participants.models import Participant
from ..staff.models import StaffUser
from ..timeutil import now_utc
from .chain import GENESIS_HASH, anchor_after_commit, forget_head, note_head, sign
from .labels import actor_name, readable_records
from .models import AccessRecord, AuditRecord

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


event.listen(Session, "after_commit", anchor_after_commit)
event.listen(Session, "after_rollback", forget_head)


def _lock_chain():
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})


def _chain_head():
    """(seq, hash, key id) of the newest record, or (0, GENESIS_HASH, None)."""
    last = db.session.execute(
        db.select(AuditRecord.seq, AuditRecord.hash, AuditRecord.key_id)
        .order_by(AuditRecord.seq.desc()).limit(1)
    ).one_or_none()
    return tuple(last) if last else (0, GENESIS_HASH, None)


def record_change(actor, action, entity, entity_id, field=None, old=None, new=None, reason=None,
                  participant_id=None, response_id=None, now=None):
    """Append one audit record (in the caller's transaction) and return it."""
    _lock_chain()
    seq, prev_hash, prev_key_id = _chain_head()
    record = AuditRecord(
        at=(now or now_utc()).astimezone(UTC),
        actor=actor, action=action, entity=entity, entity_id=str(entity_id), field=field,
        old_value=_as_text(old), new_value=_as_text(new), reason=reason,
        participant_id=participant_id, response_id=response_id, seq=seq + 1,
        prev_hash=prev_hash,
    )
    sign(record, prev_key_id)
    db.session.add(record)
    db.session.flush()
    note_head(db.session(), record)
    return record


def _note_access(user_id, participant_id, purpose):
    """An access record, and its twin in the keyed chain (the access log is append-only
    there too: a deleted or edited access record still shows in the chain)."""
    db.session.add(AccessRecord(staff_user_id=user_id, participant_id=participant_id,
                                purpose=purpose))
    # participant_id stays empty, so the participant's own trail lists changes, not views.
    record_change(f"staff:{user_id}", "access", "participant", participant_id,
                  field="purpose", new=purpose)


def record_access(user, participant, purpose):
    """Note that a staff account looked at a participant's data, and why."""
    _note_access(user.id, participant.id, purpose)


def record_session_event(actor, action, user_id):
    """A login, failed login or logout, in the chain (user_id None: no such account)."""
    record_change(actor, action, "staff_user", "unknown" if user_id is None else user_id)


def cli_actor():
    """The command line's actor: the operating-system user who ran the command."""
    try:
        name = getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers
        name = f"uid {os.getuid()}"
    return f"system:cli:{name}"[:60]


def record_export(actor, kind, filter_text, rows, fmt=None):
    """An export (web or command line): who, what, which filter, how many rows.

    With `fmt` (the responses export) the record names the format and keeps the
    whole filter text beside it; without, the filter is the record's entity id."""
    if fmt is None:
        record_change(actor, "export", kind, filter_text[:40] or "all", field="rows", new=rows)
    else:
        record_change(actor, "export", kind, fmt, field="rows", new=rows, reason=filter_text)


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
        _note_access(user.id, participant_id, purpose)


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


def staff_accounts(user_ids):
    """{staff user id: (full name or None, e-mail)}: the one lookup behind staff_emails and
    staff_people, to show people rather than account numbers."""
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    rows = db.session.execute(db.select(StaffUser.id, StaffUser.full_name, StaffUser.email)
                              .where(StaffUser.id.in_(ids)))
    return {i: (name, email) for i, name, email in rows.all()}


def staff_emails(user_ids):
    """{staff user id: e-mail address}."""
    return {i: email for i, (_name, email) in staff_accounts(user_ids).items()}


def staff_people(user_ids):
    """{staff user id: "Full Name <e-mail>"} (the e-mail alone where no name is kept yet),
    so an exported trail names people, not account numbers."""
    return {i: f"{name} <{email}>" if name else email
            for i, (name, email) in staff_accounts(user_ids).items()}


def _staff_id(actor):
    kind, _, number = actor.partition(":")
    return int(number) if kind == "staff" and number.isdigit() else None


def actor_emails(records):
    """{"staff:<id>": e-mail address} for every staff actor among the audit records."""
    ids = {_staff_id(r.actor) for r in records}
    return {f"staff:{i}": email for i, email in staff_emails(ids).items()}  # as staff_actor()


#: The audit trail export; with participant_id and the hashes anyone can re-check the chain.
#: The codes are exported as hashed; the last four columns say them in words for people
#: (in the language of the page, English on the command line).
AUDIT_CSV_COLUMNS = ["id", "at", "actor", "action", "entity", "entity_id", "field", "old_value",
                     "new_value", "reason", "study_id", "participant_id", "response_id",
                     "prev_hash", "hash", "action_text", "what_text", "old_value_text",
                     "new_value_text", "actor_text"]
ACCESS_CSV_COLUMNS = ["study_id", "at", "staff_user_id", "staff_email", "purpose",
                      "purpose_text", "staff_name"]


def write_audit_csv(stream, records, delimiter=","):
    """The records as CSV, times in ISO 8601 UTC exactly as hashed; returns the row count."""
    study_ids = study_ids_by_participant(r.participant_id for r in records)
    people = staff_people(_staff_id(r.actor) for r in records)
    writer = csv_writer(stream, delimiter)
    writer.writerow(AUDIT_CSV_COLUMNS)
    for r, words in zip(records, readable_records(records), strict=True):
        writer.writerow([
            r.id, r.at.isoformat(), r.actor, r.action, r.entity, r.entity_id, r.field,
            r.old_value, r.new_value, r.reason, study_ids.get(r.participant_id),
            r.participant_id, r.response_id, r.prev_hash, r.hash,
            words.action, words.what, words.old, words.new,
            people.get(_staff_id(r.actor)) or actor_name(r.actor),
        ])
    return len(records)


def write_access_csv(stream, study_id, records, delimiter=","):
    """A participant's access report as CSV, times in ISO 8601 UTC; returns the row count."""
    writer = csv_writer(stream, delimiter)
    writer.writerow(ACCESS_CSV_COLUMNS)
    for r in records:
        writer.writerow([study_id, r.at.isoformat(timespec="seconds"), r.staff_user_id,
                         r.staff_user.email, r.purpose, code_word("purpose", r.purpose),
                         r.staff_user.full_name or ""])
    return len(records)
