"""PostgreSQL guards: TRUNCATE refused, and found by the anchor when the owner forces it."""
import pytest
from sqlalchemy import exc, text

from survey.extensions import db

from .conftest import tamper, verify

pytestmark = pytest.mark.parametrize("db_backend", ["postgresql"], indirect=True)


def test_truncate_is_refused_and_found_when_the_owner_forces_it(app, runner, activity):
    with app.app_context():
        with pytest.raises(exc.DBAPIError, match="append-only"):
            db.session.execute(text("TRUNCATE audit_record"))
        db.session.rollback()
    tamper(app, "TRUNCATE audit_record")
    result = verify(runner)
    assert result.exit_code == 1
    assert "the table was emptied" in result.output
