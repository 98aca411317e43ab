"""The keyed chain, its anchor outside the database, and the clinical data it covers.

Each test plays someone who can write the database (triggers dropped, SQL by
hand) but holds neither SURVEY_AUDIT_KEY nor the anchor file.
"""
import threading

import pytest
from sqlalchemy import text

from survey.audit.chain import latest_anchor, plain_hash
from survey.audit.models import AuditRecord
from survey.audit.services import record_change
from survey.audit_reports.verify import verify_trail
from survey.extensions import db

from ..conftest import BOTH_DATABASES
from .conftest import tamper, verify

pytestmark = BOTH_DATABASES


def anchor_of(app):
    return latest_anchor(app.config["SURVEY_AUDIT_ANCHOR_FILE"])


def test_every_commit_anchors_the_new_head(app, runner, activity):
    anchor = anchor_of(app)
    with app.app_context():
        last = db.session.execute(
            db.select(AuditRecord).order_by(AuditRecord.seq.desc()).limit(1)).scalar_one()
        assert (anchor.count, anchor.mac) == (len(activity), last.hash) == (last.seq, last.hash)
    result = runner.invoke(args=["audit", "anchor"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{len(activity)} records; last MAC {last.hash}; ")


def test_deleted_tail_records_are_found(app, runner, activity):
    tamper(app, "DELETE FROM audit_record WHERE id >= :id", id=activity[-3])
    result = verify(runner)
    assert result.exit_code == 1
    assert (f"Records are missing at the end of the audit trail: the anchor names "
            f"{len(activity)} records, the database has {len(activity) - 3}.") in result.output


def test_an_emptied_table_is_found(app, runner, activity):
    tamper(app, "DELETE FROM audit_record")
    result = verify(runner)
    assert result.exit_code == 1
    assert (f"The audit trail is empty, but the anchor file names {len(activity)} records: "
            f"the table was emptied.") in result.output


def test_an_edit_with_the_unkeyed_chain_recomputed_is_found(app, runner, activity):
    """The whole chain rewritten as plain SHA-256 (as before keys) from the first record on."""
    with app.app_context():
        records = db.session.execute(
            db.select(AuditRecord).order_by(AuditRecord.seq)).scalars().all()
        rewritten, prev = [], "0" * 64
        for record in records:
            db.session.expunge(record)
            if record.id == activity[5]:
                record.reason = "inserted later"
            record.prev_hash, record.key_id, record.bridge_mac = prev, None, None
            record.hash = prev = plain_hash(record)
            rewritten.append({"id": record.id, "prev": record.prev_hash, "hash": record.hash,
                              "reason": record.reason})
    tamper(app, "UPDATE audit_record SET hash = 'x' || id, key_id = NULL, bridge_mac = NULL")
    for row in rewritten:
        tamper(app, "UPDATE audit_record SET prev_hash = :prev, hash = :hash, reason = :reason "
               "WHERE id = :id", **row)
    result = verify(runner)
    assert result.exit_code == 1
    assert (f"Record number {len(activity)} in the audit trail differs from the anchor: the "
            f"chain was rewritten.") in result.output


def test_an_answer_changed_in_sql_is_reported(app, runner, activity):
    with app.app_context():
        record = db.session.execute(
            db.select(AuditRecord).where(AuditRecord.entity == "answer",
                                         AuditRecord.field == "xq2",
                                         AuditRecord.new_value == "5")
            .order_by(AuditRecord.seq.desc()).limit(1)).scalar_one()
        answer_id, response_id, audited = record.entity_id, record.response_id, record.new_value
        last_record = record.id
    with app.app_context():
        db.session.execute(text("UPDATE answer SET value = 9 WHERE id = :id"), {"id": answer_id})
        db.session.commit()
    result = verify(runner)
    assert result.exit_code == 1
    assert (f"Answer {answer_id} (response {response_id}, xq2) was changed outside the "
            f"application: audited value {audited} (record {last_record}), value now 9."
            ) in result.output


def test_a_score_changed_in_sql_is_reported(app, runner, activity):
    with app.app_context():
        db.session.execute(text("UPDATE score SET value = 1.5"))
        db.session.commit()
    result = verify(runner)
    assert result.exit_code == 1
    assert "was changed outside the application" in result.output
    assert "value now 1.5." in result.output


def test_a_missing_anchor_file_fails_when_there_are_records(app, runner, activity):
    import os

    os.unlink(app.config["SURVEY_AUDIT_ANCHOR_FILE"])
    result = verify(runner)
    assert result.exit_code == 1
    assert "is missing: records deleted at the end" in result.output


def test_key_rotation_starts_a_segment_signed_with_both(app, runner, activity):
    old_key = app.config["SURVEY_AUDIT_KEY"]
    app.config["SURVEY_AUDIT_KEY"] = "the new audit key, rotated " + "n" * 20
    app.config["SURVEY_AUDIT_KEY_PREVIOUS"] = (old_key,)
    with app.app_context():
        first = record_change("system:test", "update", "paper_form", 1, field="status")
        second = record_change("system:test", "update", "paper_form", 1, field="status")
        db.session.commit()
        assert first.bridge_mac is not None and second.bridge_mac is None
        assert verify_trail().intact
    result = verify(runner)
    assert result.exit_code == 0, result.output
    app.config["SURVEY_AUDIT_KEY_PREVIOUS"] = ()  # the old segment can no longer be checked
    with app.app_context():
        assert verify_trail().broken_at == activity[0]


def test_writing_refuses_an_unknown_previous_key(app, activity):
    from survey.audit.chain import AuditKeyError

    app.config["SURVEY_AUDIT_KEY"] = "another key, the old one forgotten " + "z" * 20
    with app.app_context():
        before = db.session.execute(db.select(db.func.count(AuditRecord.id))).scalar()
        record_change("system:test", "update", "paper_form", 1, field="status")
        with pytest.raises(AuditKeyError, match="neither SURVEY_AUDIT_KEY"):
            db.session.commit()  # records are signed as the transaction commits
        db.session.rollback()
        assert db.session.execute(db.select(db.func.count(AuditRecord.id))).scalar() == before


def test_concurrent_commits_anchor_the_right_head(app, db_backend):
    """Many writers at once: every head in the file is a real one, in order, ending at the last."""
    def write(n):
        with app.app_context():
            for _ in range(5):
                record_change("system:test", "update", "paper_form", n, field="status")
                db.session.commit()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with open(app.config["SURVEY_AUDIT_ANCHOR_FILE"]) as file:
        counts = [int(line.split()[1]) for line in file]
    assert counts == sorted(set(counts)) and counts[-1] == 30
    with app.app_context():
        macs = dict(db.session.execute(db.select(AuditRecord.seq, AuditRecord.hash)).all())
        assert anchor_of(app).mac == macs[30]
        assert verify_trail().intact


def test_answers_never_shown_are_audited_at_submission(app, runner, activity):
    """P002 stopped half-way; submitting records the rest as not answered, in the trail."""
    from survey.invitations.models import Invitation
    from survey.participants.services import get_participant
    from survey.responses.services import submit_invitation

    with app.app_context():
        invitation = db.session.execute(db.select(Invitation).where(
            Invitation.participant_id == get_participant("P002").id)).scalar_one()
        assert submit_invitation(invitation, "da")
        db.session.commit()
        report = verify_trail()
        assert report.intact, report.problems
