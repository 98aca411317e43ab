"""`flask db upgrade` builds the schema the models describe, on SQLite and PostgreSQL."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from survey.extensions import db

from .conftest import BOTH_DATABASES

pytestmark = BOTH_DATABASES


def test_upgrade_matches_the_models(app):
    with app.app_context():
        db.drop_all()
        upgrade()
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert differences == []


def test_upgraded_schema_keeps_audit_records_append_only(app):
    import pytest
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    with app.app_context():
        db.drop_all()
        upgrade()
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO audit_record (at, actor, action, entity, entity_id, prev_hash, hash) "
                "VALUES (CURRENT_TIMESTAMP, 'system:test', 'create', 'x', '1', 'p', 'h')"))
        for statement in ("UPDATE audit_record SET actor = 'someone else'",
                          "DELETE FROM audit_record"):
            with pytest.raises(DBAPIError, match="append-only"):
                with db.engine.begin() as connection:
                    connection.execute(text(statement))
        with db.engine.begin() as connection:
            remaining = connection.execute(text(
                "SELECT count(*) FROM audit_record")).scalar()
        assert remaining == 1
