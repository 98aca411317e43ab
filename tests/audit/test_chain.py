"""The audit trail is append-only and hash-chained: tampering in the database is found."""
import pytest
from sqlalchemy import exc, text

from survey.audit.models import AuditRecord
from survey.audit.services import AuditRecordImmutable, audit_history, record_change
from survey.extensions import db
from survey.participants.services import get_participant

from ..conftest import BOTH_DATABASES, ParticipantBrowser

pytestmark = BOTH_DATABASES

XQ = [3, 5, 0, 10, 7, 8, 2, 4]
VAS = [10, 20, 90, 40, 50, 60, 70, 80]


@pytest.fixture
def activity(app, make_participant, make_invitation, make_staff):
    """Realistic use: staff accounts, one participant submits, one stops half-way."""
    make_staff("coordinator")
    make_participant("P001")
    make_participant("P002")
    done = ParticipantBrowser(app.test_client())
    done.open(make_invitation(study_id="P001"))
    done.answer("xq", 1, 9)
    done.answer_all({"xq": XQ, "vas": VAS})  # xq1 changed from 9 to 3
    assert done.submit().status_code == 302
    halfway = ParticipantBrowser(app.test_client())
    halfway.open(make_invitation(study_id="P002"))
    halfway.answer_all({"xq": [1, None, 4]})
    with app.app_context():
        ids = db.session.execute(db.select(AuditRecord.id).order_by(AuditRecord.id)).scalars()
        return list(ids)


def verify(runner):
    return runner.invoke(args=["audit", "verify"])


def tamper(app, statement, **params):
    """Run raw SQL on audit_record after switching off the database's append-only triggers."""
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            db.session.execute(text("DROP TRIGGER audit_record_no_update"))
            db.session.execute(text("DROP TRIGGER audit_record_no_delete"))
        else:
            db.session.execute(text(
                "ALTER TABLE audit_record DISABLE TRIGGER audit_record_append_only"))
        db.session.execute(text(statement), params)
        db.session.commit()


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
    assert result.output.splitlines() == [
        f"Error: {activity.index(middle)} records checked: audit trail broken at record {middle}"]


def test_a_rewritten_hash_does_not_hide_the_edit(app, runner, activity):
    """Whoever edits a record and recomputes its hash breaks the link to the next record."""
    from survey.audit.services import record_hash

    middle = activity[len(activity) // 2]
    with app.app_context():
        record = db.session.get(AuditRecord, middle)
        db.session.expunge(record)
        record.new_value = "0"
        forged = record_hash(record)
    tamper(app, "UPDATE audit_record SET new_value = '0', hash = :hash WHERE id = :id",
           hash=forged, id=middle)
    result = verify(runner)
    assert result.exit_code == 1
    assert f"broken at record {activity[activity.index(middle) + 1]}" in result.output


def test_a_deleted_record_is_found_at_the_next_one(app, runner, activity):
    middle = activity[len(activity) // 2]
    tamper(app, "DELETE FROM audit_record WHERE id = :id", id=middle)
    result = verify(runner)
    checked, following = activity.index(middle), activity[activity.index(middle) + 1]
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"Error: {checked} records checked: audit trail broken at record {following}"]


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
        record_change("staff:1", "correct", "answer", 3, field="xq3", old="0", new="1",
                      reason=reason, participant_id=participant.id)
        db.session.commit()
        last = audit_history(participant_id=participant.id)[-1]
        assert (last.old_value, last.new_value, last.reason) == ("0", "1", reason)
    result = verify(runner)
    assert result.exit_code == 0 and f"{len(activity) + 1} records checked" in result.output


def test_small_batches_give_the_same_answer(app, activity):
    from survey.audit.services import verify_chain

    with app.app_context():
        assert verify_chain(batch_size=4) == (len(activity), None)
    tamper(app, "DELETE FROM audit_record WHERE id = :id", id=activity[9])
    with app.app_context():
        assert verify_chain(batch_size=4) == (9, activity[10])
