"""`participants add` is audited as `participants import` is."""
from survey.audit.models import AuditRecord
from survey.extensions import db
from survey.participants.services import get_participant

from ..test_cli import invoke


def records(app, entity):
    with app.app_context():
        return [(r.actor, r.action, r.entity_id, r.field, r.new_value, r.reason,
                 r.participant_id) for r in db.session.execute(
            db.select(AuditRecord).where(AuditRecord.entity == entity)
            .order_by(AuditRecord.id)).scalars()]


def test_participants_add_writes_an_audit_record(app, runner):
    result = invoke(runner, "participants", "add", "P001", "--lang", "da")
    assert result.exit_code == 0, result.output
    with app.app_context():
        participant_id = get_participant("P001").id
    assert records(app, "participant") == [
        ("system:cli", "create", str(participant_id), "study_id", "P001",
         "added with participants add", participant_id)]


def test_a_refused_add_writes_no_audit_record(app, runner, make_participant):
    make_participant("P001")
    assert invoke(runner, "participants", "add", "p001", "--lang", "da").exit_code == 1
    assert records(app, "participant") == []
