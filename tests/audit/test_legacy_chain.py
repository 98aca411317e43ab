"""Migration 0012 on a trail written before keys: the old records become the chain's prefix."""
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from alembic import command
from flask_migrate import upgrade

from survey.audit.chain import GENESIS_HASH, plain_hash
from survey.audit.models import AuditRecord
from survey.audit.services import record_change
from survey.audit_reports.verify import verify_trail
from survey.extensions import db

from ..conftest import BOTH_DATABASES

pytestmark = BOTH_DATABASES


def legacy_record(prev_hash, number):
    """A record as main wrote it before 0012: plain SHA-256 over content and prev_hash."""
    record = SimpleNamespace(
        prev_hash=prev_hash, at=datetime(2026, 1, number, tzinfo=UTC), actor="system:cli",
        action="create", entity="participant", entity_id=str(number), field="study_id",
        old_value=None, new_value=f"P00{number}", reason=None, participant_id=None,
        response_id=None)
    record.hash = plain_hash(record)
    return record


def test_old_records_stay_checkable_and_the_keyed_chain_follows(app, runner):
    with app.app_context():
        db.drop_all()
        upgrade(revision="0011")
        prev = GENESIS_HASH
        for number in (1, 2, 3):
            record = legacy_record(prev, number)
            db.session.execute(AuditRecord.__table__.insert().values(vars(record)))
            prev = record.hash
        db.session.commit()
        upgrade()
        assert verify_trail().checked == 3
        keyed = record_change("system:test", "update", "paper_form", 1, field="status")
        db.session.commit()
        assert (keyed.seq, keyed.prev_hash, keyed.key_id is not None) == (4, prev, True)
        report = verify_trail()
        assert report.intact and report.checked == 4, report.problems
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    with app.app_context():  # going back would drop or strip the trail: refused
        config = app.extensions["migrate"].migrate.get_config()
        with pytest.raises(RuntimeError, match="0012 cannot be undone"):
            command.downgrade(config, "0011")
