"""The audit tests' shared fixtures: realistic activity, the CLI check, tampering by SQL."""
import pytest
from sqlalchemy import text

from survey.audit.models import AuditRecord
from survey.extensions import db

from ..conftest import ParticipantBrowser

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
    """Run raw SQL on audit_record after switching off the database's append-only triggers,
    as the tables' owner (or anyone with a copy of the database file) can."""
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            db.session.execute(text("DROP TRIGGER IF EXISTS audit_record_no_update"))
            db.session.execute(text("DROP TRIGGER IF EXISTS audit_record_no_delete"))
        else:
            db.session.execute(text("ALTER TABLE audit_record DISABLE TRIGGER USER"))
        db.session.execute(text(statement), params)
        db.session.commit()
