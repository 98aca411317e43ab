"""Writing the audit trail and the access log (the pages and exports that read them
are in survey/audit_reports).

Every record's MAC covers its content and the previous record's MAC (see
chain.py). A transaction's records are appended to the chain just before it commits,
after its own row changes are flushed: the chain's lock (an advisory lock held to the
end of the transaction on PostgreSQL; SQLite serialises writers anyway) is always the
last lock a transaction takes, and is held only for its commit. So the chain has exactly
one order, and no two transactions can each hold a lock the other waits for (a
participant's save holds its invitation's row before it appends; a coordinator revoking
that invitation at the same moment used to take the chain first). The head is anchored
after the commit.
"""
import getpass
import os
from datetime import UTC

from sqlalchemy import event, text
from sqlalchemy.orm import Session

from ..extensions import db
from ..timeutil import now_utc
from .chain import GENESIS_HASH, anchor_after_commit, forget_head, note_head, sign
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


#: The session.info key under which a transaction keeps its records until its commit.
PENDING_INFO = "audit_pending"


def _lock_chain(session):
    if session.get_bind().dialect.name == "postgresql":
        session.connection().execute(_LOCK, {"key": CHAIN_LOCK_KEY})


# Plain Core statements on the table, built once: a record is appended on every change
# (every answer a participant saves), so the ORM's unit of work is not worth its cost here.
_records = AuditRecord.__table__
_HEAD = db.select(_records.c.seq, _records.c.hash, _records.c.key_id) \
    .order_by(_records.c.seq.desc()).limit(1)
_APPEND = _records.insert().returning(_records.c.id)
_RECORD_COLUMNS = tuple(column.key for column in _records.c if column.key != "id")
_LOCK = text("SELECT pg_advisory_xact_lock(:key)")


def _chain_head(session):
    """(seq, hash, key id) of the newest record, or (0, GENESIS_HASH, None)."""
    last = session.connection().execute(_HEAD).first()
    return tuple(last) if last else (0, GENESIS_HASH, None)


def _append_pending(session):
    """Before the commit: flush the transaction's own changes (their row locks come
    first), then lock the chain, sign each record kept by record_change() in order, and
    insert it. The records are only their signed content; they never join the session
    (nothing may change a record after it is signed)."""
    pending = session.info.pop(PENDING_INFO, None)
    if not pending:
        return
    session.flush()
    _lock_chain(session)
    seq, prev_hash, prev_key_id = _chain_head(session)
    connection = session.connection()
    for record in pending:
        record.seq, record.prev_hash = seq + 1, prev_hash
        sign(record, prev_key_id)
        # A column left empty on the record takes its default (a column added later).
        record.id = connection.execute(_APPEND, {
            name: value for name in _RECORD_COLUMNS
            if (value := getattr(record, name)) is not None}).scalar_one()
        seq, prev_hash, prev_key_id = record.seq, record.hash, record.key_id
    note_head(session, pending[-1])


def _drop_unappended(session, transaction):
    """However a transaction ends without its commit (rolled back, the session closed),
    the records it kept are dropped with it, never appended by a later commit."""
    if transaction.parent is None:
        session.info.pop(PENDING_INFO, None)


event.listen(Session, "before_commit", _append_pending)
event.listen(Session, "after_commit", anchor_after_commit)
event.listen(Session, "after_rollback", forget_head)
event.listen(Session, "after_transaction_end", _drop_unappended)


def record_change(actor, action, entity, entity_id, field=None, old=None, new=None, reason=None,
                  participant_id=None, response_id=None, now=None):
    """Keep one audit record for this transaction and return it; it is signed and
    appended to the chain just before the transaction commits (its `seq`, `hash` and
    `id` are set then), and dropped if the transaction rolls back."""
    record = AuditRecord(
        at=(now or now_utc()).astimezone(UTC),
        actor=actor, action=action, entity=entity, entity_id=str(entity_id), field=field,
        old_value=_as_text(old), new_value=_as_text(new), reason=reason,
        participant_id=participant_id, response_id=response_id,
    )
    db.session.connection()  # the record belongs to the transaction: begin it if need be
    db.session.info.setdefault(PENDING_INFO, []).append(record)
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


#: The actor of the participant and invitation commands (cli_actor() names the user too).
CLI_ACTOR = "system:cli"


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


def _participant_ids_known(participant_ids):
    """The ids given that name a participant. The participant table is the one that
    AccessRecord.participant_id refers to, so the write API needs no participant model."""
    ids = {i for i in participant_ids if i is not None}
    if not ids:
        return set()
    participant_id = next(iter(AccessRecord.__table__.c.participant_id.foreign_keys)).column
    return set(db.session.execute(db.select(participant_id).where(participant_id.in_(ids)))
               .scalars())


def record_access_to_many(user, participant_ids, purpose):
    """Note one access per participant, e.g. for an export that holds several participants."""
    for participant_id in sorted(_participant_ids_known(participant_ids)):
        _note_access(user.id, participant_id, purpose)
