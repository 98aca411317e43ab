"""The keyed audit chain and its anchor outside the database.

Each audit record's `hash` is an HMAC-SHA-256 with SURVEY_AUDIT_KEY, a key the
database never sees, over the record's content, its place in the chain and the
previous record's `hash`. Whoever can write the table but lacks the key cannot
change a record and recompute the chain. A new key (rotation) starts a new
segment: its first record also carries a MAC with the previous key
(`bridge_mac`), so the old key vouches for the hand-over.

Deleting the newest records, or all of them, keeps a chain intact; the anchor
file catches that. After every commit that added audit records the new head
(record count and last MAC) is appended to SURVEY_AUDIT_ANCHOR_FILE and written
to the application log, for `audit verify` to compare with.
"""
import fcntl
import hashlib
import hmac
import json
import logging
import os
from dataclasses import dataclass

from flask import current_app

from ..timeutil import now_utc

GENESIS_HASH = "0" * 64
#: Each new head is logged here at INFO (the app sets this level outside tests).
log = logging.getLogger("survey.audit")
#: The session.info key under which a transaction keeps the head it appended.
HEAD_INFO = "audit_head"


class AuditKeyError(RuntimeError):
    """A record is signed with a key that is not configured."""


def key_id(key):
    """Names a key without revealing it: the first 16 hex digits of a MAC of a fixed text."""
    return hmac.new(key.encode("utf-8"), b"survey audit key id", hashlib.sha256).hexdigest()[:16]


def configured_keys():
    """(the current key, {key id: key} for the current and every previous key)."""
    current = current_app.config["SURVEY_AUDIT_KEY"]
    keys = [current, *current_app.config["SURVEY_AUDIT_KEY_PREVIOUS"]]
    return current, {key_id(key): key for key in keys}


def _content(record):
    return [
        record.prev_hash, record.at.isoformat(), record.actor, record.action, record.entity,
        record.entity_id, record.field, record.old_value, record.new_value, record.reason,
        record.participant_id, record.response_id,
    ]


def plain_hash(record):
    """The unkeyed SHA-256 of records written before the chain had a key."""
    return hashlib.sha256(
        json.dumps(_content(record), ensure_ascii=False).encode("utf-8")).hexdigest()


def record_mac(record, key):
    """HMAC-SHA-256 of the record's content, place and key id, with `key`."""
    content = [record.seq, record.key_id, *_content(record)]
    message = json.dumps(content, ensure_ascii=False).encode("utf-8")
    return hmac.new(key.encode("utf-8"), message, hashlib.sha256).hexdigest()


def sign(record, previous_key_id):
    """Set key_id, hash (and bridge_mac on the first record under a new key)."""
    current, keys = configured_keys()
    record.key_id = key_id(current)
    record.hash = record_mac(record, current)
    if previous_key_id is not None and previous_key_id != record.key_id:
        if previous_key_id not in keys:
            raise AuditKeyError(
                f"the last audit record was signed with key {previous_key_id}, which is "
                f"neither SURVEY_AUDIT_KEY nor in SURVEY_AUDIT_KEY_PREVIOUS")
        record.bridge_mac = record_mac(record, keys[previous_key_id])


@dataclass(frozen=True)
class Anchor:
    """A head of the chain noted outside the database."""

    count: int
    mac: str
    at: str = ""

    def line(self):
        return f"{self.at} {self.count} {self.mac}\n"

    @classmethod
    def parse(cls, line):
        at, count, mac = line.split()
        return cls(int(count), mac, at)


def latest_anchor(path):
    """The anchor with the highest count in the file, or None when there is no file."""
    try:
        with open(path, "rb") as file:
            file.seek(0, os.SEEK_END)
            file.seek(max(0, file.tell() - 4096))
            lines = file.read().decode("ascii").splitlines()
    except FileNotFoundError:
        return None
    anchors = []
    for line in lines[-20:]:
        try:
            anchors.append(Anchor.parse(line))
        except ValueError:
            continue  # the first line read may be cut off
    return max(anchors, key=lambda a: a.count, default=None)


def append_anchor(path, count, mac):
    """Append the head unless a later one is there already (commits may finish out of order).

    The file is opened append-only and locked against other processes while the
    last head is read and the new one written; it is fsynced after the lock is left
    (so another process's line goes in while this one waits for the disk) and before
    the commit's request goes on.
    """
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        last = latest_anchor(path)
        if last is not None and last.count >= count:
            return False
        anchor = Anchor(count, mac, now_utc().isoformat(timespec="seconds"))
        os.write(descriptor, anchor.line().encode("ascii"))
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        os.fsync(descriptor)
        return True
    finally:
        os.close(descriptor)  # also releases the lock, where it is still held


def note_head(session, record):
    """Remember the newest record of this transaction, to anchor after its commit."""
    session.info[HEAD_INFO] = (record.seq, record.hash)


def anchor_after_commit(session):
    head = session.info.pop(HEAD_INFO, None)
    if head is None:
        return
    count, mac = head
    append_anchor(current_app.config["SURVEY_AUDIT_ANCHOR_FILE"], count, mac)
    log.info("audit head: %d records, last MAC %s", count, mac)


def forget_head(session):
    session.info.pop(HEAD_INFO, None)
