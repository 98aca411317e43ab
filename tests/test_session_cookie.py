"""The participant's session cookie: signed again at most once a minute, and still
ending after PERMANENT_SESSION_LIFETIME without a request."""
import time

import pytest

from survey.security import SESSION_REFRESH_SECONDS


class Clock:
    """time.time() under the test's control (itsdangerous signs and checks with it)."""

    def __init__(self, monkeypatch):
        self.now = time.time()
        monkeypatch.setattr(time, "time", lambda: self.now)

    def advance(self, seconds):
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def lifetime(app):
    return app.permanent_session_lifetime.total_seconds()


def opened(participant_browser, make_invitation):
    """A participant's client after the link and a first question page (whose CSRF
    token goes into the session, so the cookie was just signed)."""
    assert participant_browser.open(make_invitation()).status_code == 200
    client = participant_browser.client
    assert "survey_session=" in client.get("/q/xq/1").headers["Set-Cookie"]
    return client


def test_an_unchanged_session_is_not_sent_again_within_a_minute(
        clock, participant_browser, make_invitation):
    client = opened(participant_browser, make_invitation)
    clock.advance(SESSION_REFRESH_SECONDS - 1)
    page = client.get("/q/xq/2")
    assert page.status_code == 200
    assert "Set-Cookie" not in page.headers
    assert "Cookie" in page.headers["Vary"]


def test_it_is_signed_again_once_a_minute_old(clock, participant_browser, make_invitation):
    client = opened(participant_browser, make_invitation)
    clock.advance(SESSION_REFRESH_SECONDS)
    page = client.get("/q/xq/2")
    assert "survey_session=" in page.headers["Set-Cookie"]
    assert "Expires=" in page.headers["Set-Cookie"]


def test_a_changed_session_is_sent_at_once(clock, participant_browser, make_invitation):
    client = opened(participant_browser, make_invitation)
    response = client.get("/q/language/en?next=/q/xq/1")
    assert "survey_session=" in response.headers["Set-Cookie"]
    assert client.get("/q/xq/1").headers.get("Set-Cookie") is None


def test_a_session_in_use_lasts_beyond_the_lifetime(
        clock, lifetime, participant_browser, make_invitation):
    client = opened(participant_browser, make_invitation)
    for _ in range(int(2 * lifetime / 50)):  # a request every 50 s for twice the lifetime
        clock.advance(50)
        assert client.get("/q/xq/1").status_code == 200


def test_an_idle_session_ends_at_most_a_minute_early(
        clock, lifetime, participant_browser, make_invitation):
    client = opened(participant_browser, make_invitation)  # signed now
    clock.advance(SESSION_REFRESH_SECONDS - 1)
    last = client.get("/q/xq/1")  # the last request: not signed again
    assert last.status_code == 200 and "Set-Cookie" not in last.headers
    clock.advance(lifetime - SESSION_REFRESH_SECONDS)
    assert client.get("/q/xq/2").status_code == 200


def test_an_idle_session_ends_after_the_lifetime(
        clock, lifetime, participant_browser, make_invitation):
    client = opened(participant_browser, make_invitation)
    clock.advance(SESSION_REFRESH_SECONDS - 1)
    assert client.get("/q/xq/1").status_code == 200
    clock.advance(lifetime - SESSION_REFRESH_SECONDS + 2)  # lifetime + 1 s after signing
    assert client.get("/q/xq/2").status_code == 403


def test_static_files_never_get_a_cookie(clock, participant_browser, make_invitation):
    client = opened(participant_browser, make_invitation)
    clock.advance(10 * SESSION_REFRESH_SECONDS)
    with client.get("/static/survey.css") as response:
        assert response.status_code == 200 and "Set-Cookie" not in response.headers
