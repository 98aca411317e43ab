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
                "INSERT INTO audit_record (at, actor, action, entity, entity_id, seq, prev_hash, "
                "hash) VALUES (CURRENT_TIMESTAMP, 'system:test', 'create', 'x', '1', 1, 'p', 'h')"))
        statements = ["UPDATE audit_record SET actor = 'someone else'", "DELETE FROM audit_record"]
        if db.engine.dialect.name == "postgresql":  # 0012: TRUNCATE fires no row trigger
            statements += ["TRUNCATE audit_record", "TRUNCATE access_record CASCADE"]
        for statement in statements:
            with pytest.raises(DBAPIError, match="append-only"):
                with db.engine.begin() as connection:
                    connection.execute(text(statement))
        with db.engine.begin() as connection:
            remaining = connection.execute(text(
                "SELECT count(*) FROM audit_record")).scalar()
        assert remaining == 1


def test_upgraded_schema_keeps_participant_states(app):
    """The migration's triggers note every change, as those made by create_all do."""
    from survey.dashboard.counts import round_counts
    from survey.dashboard.summary import refresh_participant_states
    from survey.participants.services import add_participant

    with app.app_context():
        db.drop_all()
        upgrade()
        participant = add_participant("M01", "da")
        db.session.commit()
        assert refresh_participant_states() == 1
        assert round_counts().by_state["not_invited"] == 1
        participant.status = "withdrawn"
        db.session.commit()
        counts = round_counts()
        assert (counts.by_state["not_invited"], counts.by_state["withdrawn"]) == (0, 1)
        assert refresh_participant_states() == 1


def test_participants_already_there_get_a_kept_state_on_upgrade(app):
    from sqlalchemy import text

    from survey.dashboard.counts import round_counts
    from survey.dashboard.summary import refresh_participant_states

    with app.app_context():
        db.drop_all()
        upgrade(revision="0005")
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO participant (study_id, language, status, channel, created_at) "
                "VALUES ('M02', 'da', 'deceased', 'email', CURRENT_TIMESTAMP)"))
        upgrade()
        assert round_counts().by_state["deceased"] == 1  # before any refresh
        assert refresh_participant_states() == 1
        assert round_counts().by_state["deceased"] == 1
