"""Fixtures for the response tests: the app with a site's own instrument definitions."""
import pytest

from survey import create_app
from survey.database import dispose_engines
from survey.extensions import db
from survey.instruments.loader import BUILT_IN_DIR

from ..conftest import BASE_URL


@pytest.fixture
def make_site_app(database_url, tmp_path):
    """Factory: make_site_app(name, [(old, new), ...]) -> the app with a copy of the built-in
    definition `name` in SURVEY_INSTRUMENTS_DIR, each replacement applied once."""
    apps = []

    def make(name, replacements):
        folder = tmp_path / "site"
        folder.mkdir()
        text = (BUILT_IN_DIR / name).read_text(encoding="utf-8")
        for old, new in replacements:
            assert old in text, old
            text = text.replace(old, new, 1)
        (folder / f"site-{name}").write_text(text, encoding="utf-8")
        app = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key",
                          "SQLALCHEMY_DATABASE_URI": database_url, "SURVEY_BASE_URL": BASE_URL,
                          "SURVEY_INSTRUMENTS_DIR": str(folder),
                          "SURVEY_AUDIT_ANCHOR_FILE": str(tmp_path / "audit_anchor")})
        with app.app_context():
            db.create_all()
        apps.append(app)
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.session.remove()
            dispose_engines(db)
