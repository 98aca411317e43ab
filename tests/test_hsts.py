"""Strict-Transport-Security: browsers keep to HTTPS once the site is served over it."""
import pytest

from survey import create_app
from survey.database import dispose_engines
from survey.extensions import db

HSTS = "max-age=31536000; includeSubDomains"


@pytest.fixture
def client_at(tmp_path):
    """client_at(base_url): a test client of the app configured with that address."""
    apps = []

    def make(base_url):
        app = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key",
                          "SURVEY_BASE_URL": base_url,
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'h.sqlite'}",
                          "SURVEY_AUDIT_ANCHOR_FILE": str(tmp_path / "audit_anchor")})
        apps.append(app)
        return app.test_client()

    yield make
    for app in apps:
        with app.app_context():
            dispose_engines(db)


@pytest.mark.parametrize("path", ["/staff/login", "/start", "/i/not-a-token", "/static/survey.css"])
def test_sent_on_every_answer_when_the_site_is_https(client_at, path):
    with client_at("https://survey.example.dk").get(path) as response:  # closes a static file
        assert response.headers.get("Strict-Transport-Security") == HSTS


def test_not_sent_over_plain_http(client_at):
    assert "Strict-Transport-Security" not in client_at("http://127.0.0.1:5000").get(
        "/staff/login").headers
