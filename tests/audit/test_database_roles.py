"""The README's two database roles, made as it says on the throw-away PostgreSQL: the
application role cannot disable triggers, truncate, update or delete the trail, and the
app works under it."""
from pathlib import Path

import psycopg
import pytest
from flask_migrate import upgrade

from survey import create_app
from survey.database import dispose_engines
from survey.extensions import db

from ..conftest import app_settings
from .conftest import verify


def readme_sql(marker):
    """The SQL block after `<!-- marker -->` in the README, as the operator runs it."""
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    block = readme.split(f"<!-- {marker} -->", 1)[1].split("```sql\n", 1)[1].split("```", 1)[0]
    return [s.strip() for s in block.split(";") if s.strip() and not s.strip().startswith("--")]


def run_sql(url, statements):
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"),
                         autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)


class Roles:
    """URLs of the README's two roles on a database `survey` of the throw-away server."""

    def __init__(self, server):
        self.superuser = server.url("postgres")
        self.owner = server.url("survey").replace("survey@", "survey_owner@")
        self.application = server.url("survey").replace("survey@", "survey_app@")
        self.superuser_in_survey = server.url("survey")


@pytest.fixture
def roles(postgres_server):
    """The README's roles made, the schema migrated by the owner and the rights granted."""
    roles = Roles(postgres_server)
    run_sql(roles.superuser, ["DROP DATABASE IF EXISTS survey", "DROP ROLE IF EXISTS survey_app",
                              "DROP ROLE IF EXISTS survey_owner"])
    run_sql(roles.superuser, readme_sql("database-roles"))
    run_sql(roles.superuser_in_survey, readme_sql("database-schema"))
    owner_app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": roles.owner,
                            "SURVEY_AUDIT_ANCHOR_FILE": "/dev/null"})
    with owner_app.app_context():
        upgrade()
        dispose_engines(db)
    run_sql(roles.owner, readme_sql("database-grants"))
    return roles


@pytest.fixture
def app(roles, tmp_path):
    """The app of the other fixtures, connected as the application role (no create_all)."""
    app = create_app(app_settings(roles.application, tmp_path))
    yield app
    with app.app_context():
        db.session.remove()
        dispose_engines(db)


REFUSED = [
    "ALTER TABLE audit_record DISABLE TRIGGER USER",
    "ALTER TABLE access_record DISABLE TRIGGER USER",
    "DROP TRIGGER audit_record_append_only ON audit_record",
    "TRUNCATE audit_record", "TRUNCATE access_record",
    "UPDATE audit_record SET actor = 'someone else'", "DELETE FROM audit_record",
    "UPDATE access_record SET purpose = 'x'", "DELETE FROM access_record",
    "DROP TABLE audit_record", "ALTER TABLE audit_record ADD COLUMN x integer",
]


def test_the_application_role_cannot_touch_the_trail(app, roles, activity):
    for statement in REFUSED:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            run_sql(roles.application, [statement])
            pytest.fail(f"the application role may run {statement!r}")


def test_the_app_works_under_the_application_role(app, runner, roles, activity):
    """Answers, submissions, scores and staff accounts written; the trail checks out."""
    assert len(activity) > 30
    result = verify(runner)
    assert result.exit_code == 0, result.output
