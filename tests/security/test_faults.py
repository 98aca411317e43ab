"""Faults: the server is killed (SIGKILL) in the middle of saving an answer and of
submitting; after a restart nothing acknowledged is lost, nothing is doubled, and
the participant goes on where they were.

The server runs as a process of its own (tests/server_process.py) on the
throw-away PostgreSQL and on SQLite. A test-only fault point, set by an
environment variable in that process only, holds the request inside its
transaction (its writes sent, not committed) until the process is killed.
"""
import threading

import pytest

from survey.extensions import db
from survey.invitations.models import Invitation
from survey.responses.models import Answer, Response

from ..conftest import BOTH_DATABASES
from ..server_process import Browser, ServerProcess

pytestmark = BOTH_DATABASES
XQ, VAS = [3, 5, 0, 10, 7, 8, 2, 4], [10, 20, 90, 40, 50, 60, 70, 80]


@pytest.fixture
def start_server(app, database_url):
    config = {"SECRET_KEY": "test-secret-key", "SQLALCHEMY_DATABASE_URI": database_url,
              "SURVEY_BASE_URL": "http://127.0.0.1", "SESSION_COOKIE_SECURE": False,
              # Production mode: the audit key and anchor of the test's own app, so that
              # every process extends the one chain on this database.
              **{name: app.config[name]
                 for name in ("SURVEY_AUDIT_KEY", "SURVEY_AUDIT_ANCHOR_FILE")}}
    started = []

    def start(pause_after=None):
        env = {"SURVEY_TEST_PAUSE_AFTER": pause_after or ""}
        started.append(ServerProcess(config, env=env))
        return started[-1]

    yield start
    for server in started:
        server.stop()


def answer(browser, code, number, value):
    path = f"/q/{code}/{number}"
    return browser.request(path, {"csrf_token": browser.token(path), "value": str(value),
                                  "action": "next"})[0]


def killed_during(server, request):
    """Send `request` in a thread, kill the server once it is inside the transaction."""
    outcome = []

    def send():
        try:
            outcome.append(request())
        except OSError as error:  # the connection died with the server: the expected end
            outcome.append(error)

    thread = threading.Thread(target=send)
    thread.start()
    server.wait_for_pause()
    server.kill()
    thread.join(timeout=60)
    return outcome


def stored(app):
    """{instrument: (status, {item: value})} of the one invitation."""
    with app.app_context():
        invitation = db.session.execute(db.select(Invitation)).scalar_one()
        responses = db.session.execute(
            db.select(Response).where(Response.invitation_id == invitation.id)).scalars()
        return {r.instrument_code: (r.status, {
            a.item_id: a.value for a in db.session.execute(
                db.select(Answer).where(Answer.response_id == r.id)).scalars()})
            for r in responses}


def test_killed_while_saving_and_submitting_loses_and_doubles_nothing(
        app, make_invitation, start_server):
    link = make_invitation()
    server = start_server(pause_after="save_answer")
    browser = Browser(server.url)
    opened = browser.request(link)
    browser.request(opened[2])  # /opened: the session cookie came back
    page = browser.request("/q/xq/1")
    assert page[0] == 200, page
    outcome = killed_during(server, lambda: answer(browser, "xq", 1, XQ[0]))
    assert len(outcome) == 1 and isinstance(outcome[0], OSError)  # never acknowledged
    assert stored(app).get("xq", ("in_progress", {}))[1] == {}  # and not half-stored

    server = start_server()  # restarted; the browser keeps its session cookie
    browser.base_url = server.url
    for code, values in (("xq", XQ), ("vas", VAS)):
        for number, value in enumerate(values, start=1):
            assert answer(browser, code, number, value) == 302
    server.stop()

    server = start_server(pause_after="submit_invitation")
    browser.base_url = server.url
    token = browser.token("/q/review")
    killed_during(server, lambda: browser.request("/q/submit", {"csrf_token": token}))
    assert {code: status for code, (status, _) in stored(app).items()} == {
        "xq": "in_progress", "vas": "in_progress"}

    server = start_server()
    browser.base_url = server.url
    assert browser.request("/q/submit", {"csrf_token": browser.token("/q/review")})[0] == 302
    assert browser.request("/q/submit", {"csrf_token": token})[0] in (302, 303)
    expected = {"xq": ("submitted", {f"xq{n}": v for n, v in enumerate(XQ, start=1)}),
                "vas": ("submitted", {f"vas{n}": v for n, v in enumerate(VAS, start=1)})}
    assert stored(app) == expected
