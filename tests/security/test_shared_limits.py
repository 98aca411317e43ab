"""L1: /start's counts live in the database, so separate server processes count together.

Two real server processes (each its own Python, its own connection pool) serve
one database; every request below arrives over HTTP from 127.0.0.1.
"""
import pytest

from survey.extensions import db
from survey.invitations.models import Invitation
from survey.invitations.short_codes import assign_short_code

from ..conftest import BOTH_DATABASES
from ..server_process import Browser, ServerProcess
from ..staff.test_login_races import at_once

pytestmark = BOTH_DATABASES
PER_ADDRESS = 7


@pytest.fixture
def servers(app, database_url):
    config = {"SECRET_KEY": "test-secret-key", "SQLALCHEMY_DATABASE_URI": database_url,
              "SURVEY_BASE_URL": "http://127.0.0.1", "SESSION_COOKIE_SECURE": False,
              # Production mode: the audit key and anchor of the test's own app, so that
              # every process extends the one chain on this database.
              **{name: app.config[name]
                 for name in ("SURVEY_AUDIT_KEY", "SURVEY_AUDIT_ANCHOR_FILE")},
              "SURVEY_START_TRIES_PER_ADDRESS": PER_ADDRESS,
              "SURVEY_START_TRIES_PER_PREFIX": 1000}
    started = []
    try:
        for _ in range(2):
            started.append(ServerProcess(config))
        yield started
    finally:
        for server in started:
            server.stop()


@pytest.fixture
def code(app, make_invitation):
    make_invitation(lang="da")
    with app.app_context():
        printed = assign_short_code(db.session.execute(db.select(Invitation)).scalar_one())
        db.session.commit()
    return printed


def poster(server):
    browser = Browser(server.url)
    token = browser.token("/start")
    return lambda typed: browser.request("/start", {"csrf_token": token, "code": typed})[0]


def wrong(n):
    return f"Z{n % 10}ZZ-ZZZZ-{n // 10}0"


def test_two_server_processes_count_wrong_codes_together(servers, code):
    posts = [poster(server) for server in servers]
    statuses = [posts[n % 2](wrong(n)) for n in range(PER_ADDRESS + 2)]
    assert statuses == [422] * PER_ADDRESS + [429, 429]
    assert [post(code) for post in posts] == [429, 429]  # the address waits, on both servers


def test_requests_at_once_across_processes_let_exactly_the_limit_through(servers, code):
    posts = [poster(servers[n % 2]) for n in range(30)]
    statuses = at_once([lambda post=post, n=n: post(wrong(n)) for n, post in enumerate(posts)])
    assert sorted(statuses) == [422] * PER_ADDRESS + [429] * (30 - PER_ADDRESS)
