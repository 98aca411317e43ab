"""Checking the audit trail: its chain, its anchor, and the clinical data it covers.

`verify_trail()` finds (1) the first record whose MAC, place or link to the
previous record is wrong, (2) a chain shorter than, or different from, the
latest head in the anchor file (newest records deleted, the table emptied, the
chain recomputed), and (3) every stored answer and score that differs from its
last audited value (changed behind the application's back), and (4) every
electronic signature that no longer verifies against what it signs or is gone.
"""
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from ..audit.chain import GENESIS_HASH, configured_keys, latest_anchor, plain_hash, record_mac
from ..audit.models import AuditRecord
from ..extensions import db
from ..instruments.scoring import decimal_text, legacy_float_score
from ..labels import ENTITY_NAMES, label
from ..responses.models import Answer, Score
from ..signatures.services import signature_problems


def _record_is_sound(record, expected_prev, expected_seq, keyed_before, keys):
    """Whether one record fits after the previous one; keyed_before: that one's key id."""
    if record.prev_hash != expected_prev or record.seq != expected_seq:
        return False
    if record.key_id is None:  # written before the chain had a key: only as a prefix
        return keyed_before is None and plain_hash(record) == record.hash
    key = keys.get(record.key_id)
    if key is None or record_mac(record, key) != record.hash:
        return False
    if keyed_before is not None and keyed_before != record.key_id:
        previous = keys.get(keyed_before)  # a new key: the old one vouches for the hand-over
        return previous is not None and record.bridge_mac == record_mac(record, previous)
    return record.bridge_mac is None


def verify_chain(batch_size=1000):
    """(number of records checked, id of the first record where the chain breaks or None)."""
    _, keys = configured_keys()
    expected_prev, checked, last_seq, key_before = GENESIS_HASH, 0, 0, None
    while True:
        batch = db.session.execute(
            db.select(AuditRecord).where(AuditRecord.seq > last_seq)
            .order_by(AuditRecord.seq).limit(batch_size)
        ).scalars().all()
        if not batch:
            return checked, None
        for record in batch:
            if not _record_is_sound(record, expected_prev, checked + 1, key_before, keys):
                return checked, record.id
            expected_prev, last_seq, checked = record.hash, record.seq, checked + 1
            key_before = record.key_id or key_before
        for record in batch:  # keep memory flat; other objects (the logged-in user) stay
            db.session.expunge(record)


def anchor_problems(checked):
    """What is wrong with an intact chain of `checked` records, measured against the anchor."""
    anchor = latest_anchor(current_app.config["SURVEY_AUDIT_ANCHOR_FILE"])
    if anchor is None:
        if checked == 0:
            return []
        return [_("The anchor file %(path)s is missing: records deleted at the end of the "
                  "audit trail cannot be detected.",
                  path=current_app.config["SURVEY_AUDIT_ANCHOR_FILE"])]
    if checked == 0:
        return [ngettext("The audit trail is empty, but the anchor file names %(num)d record: "
                         "the table was emptied.",
                         "The audit trail is empty, but the anchor file names %(num)d records: "
                         "the table was emptied.", anchor.count)]
    if checked < anchor.count:
        return [ngettext("Records are missing at the end of the audit trail: the anchor names "
                         "%(num)d record, the database has %(count)d.",
                         "Records are missing at the end of the audit trail: the anchor names "
                         "%(num)d records, the database has %(count)d.",
                         anchor.count, count=checked)]
    mac = db.session.execute(
        db.select(AuditRecord.hash).where(AuditRecord.seq == anchor.count)).scalar_one()
    if mac != anchor.mac:
        return [_("Record number %(count)d in the audit trail differs from the anchor: the "
                  "chain was rewritten.", count=anchor.count)]
    return []


def last_audited_values():
    """{(entity, entity id): (record id, new value)} of the newest answer and score records."""
    rows = db.session.execute(
        db.select(AuditRecord.entity, AuditRecord.entity_id, AuditRecord.id,
                  AuditRecord.new_value)
        .where(AuditRecord.entity.in_(("answer", "score"))).order_by(AuditRecord.seq))
    return {(entity, entity_id): (record_id, value) for entity, entity_id, record_id, value in rows}


def stored_clinical_values():
    """[(entity, id, response id, field, value as audited)] of every answer and score."""
    answers = db.session.execute(db.select(Answer.id, Answer.response_id, Answer.item_id,
                                           Answer.state, Answer.value))
    # A score's text as the database holds it, not parsed: whatever was written there.
    scores = db.session.execute(db.select(Score.id, Score.response_id, Score.score_id,
                                          db.type_coerce(Score.value, db.String)))
    return ([("answer", i, r, item, str(v) if state == "answered" else state)
             for i, r, item, state, v in answers]
            + [("score", i, r, name, v) for i, r, name, v in scores])


def audited_score_text(value):
    """A score's audited text as stored now. Scores audited before migration 0016 were
    floats ('64.99999999999999'); that migration stored each as the exact decimal it
    stood for, by the one rule in scoring.legacy_float_score, applied here alike."""
    try:
        return decimal_text(legacy_float_score(value))
    except (ValueError, ArithmeticError):  # not a number: compared as it is, and reported
        return value


def clinical_data_problems():
    """Every answer and score whose stored value is not its last audited value."""
    audited, problems = last_audited_values(), []
    for entity, entity_id, response_id, name, now in stored_clinical_values():
        record_id, value = audited.get((entity, str(entity_id)), (None, None))
        if entity == "score":
            value = audited_score_text(value)
        words = {"entity": label(ENTITY_NAMES, entity), "id": entity_id,
                 "response": response_id, "field": name, "record": record_id,
                 "audited": value or "-", "now": now or "-"}
        if record_id is None:
            problems.append(_("%(entity)s %(id)s (response %(response)s, %(field)s) has no "
                              "audit record; its value now: %(now)s.", **words))
        elif value != now:
            problems.append(_("%(entity)s %(id)s (response %(response)s, %(field)s) was changed "
                              "outside the application: audited value %(audited)s (record "
                              "%(record)s), value now %(now)s.", **words))
    return problems


def signature_messages():
    """Every electronic signature that no longer matches, or that the chain names but is gone."""
    broken, missing = signature_problems()
    return ([_("Electronic signature %(id)s no longer matches the record and values it signs, "
               "or its audit record.", id=i) for i in broken]
            + [_("Electronic signature %(id)s is in the audit trail but missing from the "
                 "signature table.", id=i) for i in missing])


@dataclass
class TrailReport:
    checked: int
    broken_at: int | None
    problems: list = field(default_factory=list)

    @property
    def intact(self):
        return self.broken_at is None and not self.problems


def verify_trail():
    """The chain, the anchor and the clinical data, checked together."""
    checked, broken_at = verify_chain()
    problems = [] if broken_at is not None else anchor_problems(checked)
    return TrailReport(checked, broken_at,
                       problems + clinical_data_problems() + signature_messages())
