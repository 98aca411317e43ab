"""The audit trail is append-only and hash-chained: tampering in the database is found."""
import pytest
from sqlalchemy import exc, text

from survey.audit.models import AuditRecord
from survey.audit.services import AuditRecordImmutable, record_change
from survey.audit_reports.trail import audit_history
from survey.extensions import db
from survey.participants.services import get_participant

from ..conftest import BOTH_DATABASES
from .conftest import tamper, verify

pytestmark = BOTH_DATABASES

def test_chain_is_intact_after_realistic_activity(runner, activity):
    assert len(activity) > 30  # accounts, answers, a change, submissions, scores
    result = verify(runner)
    assert result.exit_code == 0, result.output
    assert result.output == f"{len(activity)} records checked: audit trail intact\n"


def test_an_edited_record_is_named(app, runner, activity):
    middle = activity[len(activity) // 2]
    tamper(app, "UPDATE audit_record SET new_value = '0' WHERE id = :id", id=middle)
    result = verify(runner)
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        f"Error: {activity.index(middle)} records checked: audit trail broken at record {middle}")


def test_a_rewritten_hash_does_not_hide_the_edit(app, runner, activity):
    """Without the key a recomputed hash is not the record's MAC: the edited record is named."""
    from survey.audit.chain import record_mac

    middle = activity[len(activity) // 2]
    with app.app_context():
        record = db.session.get(AuditRecord, middle)
        db.session.expunge(record)
        record.new_value = "0"
        forged = record_mac(record, "a guessed key, not SURVEY_AUDIT_KEY " + "x" * 20)
    tamper(app, "UPDATE audit_record SET new_value = '0', hash = :hash WHERE id = :id",
           hash=forged, id=middle)
    result = verify(runner)
    assert result.exit_code == 1
    assert f"broken at record {middle}" in result.output


def test_a_deleted_record_is_found_at_the_next_one(app, runner, activity):
    middle = activity[len(activity) // 2]
    tamper(app, "DELETE FROM audit_record WHERE id = :id", id=middle)
    result = verify(runner)
    checked, following = activity.index(middle), activity[activity.index(middle) + 1]
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        f"Error: {checked} records checked: audit trail broken at record {following}")


def test_the_database_refuses_update_and_delete(app, activity):
    for statement in ("UPDATE audit_record SET new_value = '0' WHERE id = :id",
                      "DELETE FROM audit_record WHERE id = :id"):
        with app.app_context():
            with pytest.raises(exc.DBAPIError, match="append-only"):
                db.session.execute(text(statement), {"id": activity[0]})
            db.session.rollback()


def test_the_orm_refuses_update_and_delete(app, activity):
    with app.app_context():
        record = db.session.get(AuditRecord, activity[0])
        record.new_value = "0"
        with pytest.raises(AuditRecordImmutable):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.get(AuditRecord, activity[0]))
        with pytest.raises(AuditRecordImmutable):
            db.session.flush()
        db.session.rollback()


def test_a_changed_answer_keeps_the_original_value_in_the_trail(app, activity):
    with app.app_context():
        participant = get_participant("P001")
        xq1 = [(r.action, r.old_value, r.new_value, r.actor.split(":")[0])
               for r in audit_history(participant_id=participant.id)
               if r.entity == "answer" and r.field == "xq1"]
        assert xq1 == [("create", None, "9", "participant"), ("update", "9", "3", "participant")]


def test_a_correction_with_a_reason_keeps_the_original_and_the_chain(app, runner, activity):
    reason = "Tastefejl ved indtastning, rettet efter papirskemaet (side 2, spørgsmål 3)"
    with app.app_context():
        participant = get_participant("P001")
        # Not an answer record: verify would rightly report answer 3 as changed behind its back.
        record_change("staff:1", "correct", "paper_form", 3, field="xq3", old="0", new="1",
                      reason=reason, participant_id=participant.id)
        db.session.commit()
        last = audit_history(participant_id=participant.id)[-1]
        assert (last.old_value, last.new_value, last.reason) == ("0", "1", reason)
    result = verify(runner)
    assert result.exit_code == 0 and f"{len(activity) + 1} records checked" in result.output


def test_small_batches_give_the_same_answer(app, activity):
    from survey.audit_reports.verify import verify_chain

    with app.app_context():
        assert verify_chain(batch_size=4) == (len(activity), None)
    tamper(app, "DELETE FROM audit_record WHERE id = :id", id=activity[9])
    with app.app_context():
        assert verify_chain(batch_size=4) == (9, activity[10])
