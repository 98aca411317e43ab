"""What each process remembers to sign less: a session cookie it has verified, and the
signed form of a session's CSRF token. Neither may accept anything it refused before."""
import re
import time

from itsdangerous import URLSafeTimedSerializer


def page_token(client, path="/q/xq/1"):
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_a_session_keeps_one_signed_csrf_token_and_it_still_works(
        app, make_invitation, participant_browser):
    participant_browser.open(make_invitation())
    client = participant_browser.client
    token = page_token(client)
    assert page_token(client, "/q/xq/2") == token  # signed once, not on every page
    assert client.post("/q/xq/1", data={"csrf_token": token, "value": "4",
                                        "action": "next"}).status_code == 302


def test_another_session_gets_another_token_and_cannot_use_this_one(
        app, make_invitation, participant_browser):
    from ..conftest import ParticipantBrowser

    first, second = participant_browser, ParticipantBrowser(app.test_client())
    first.open(make_invitation())
    second.open(make_invitation())
    token = page_token(first.client)
    assert page_token(second.client) != token
    refused = second.client.post("/q/xq/1", data={"csrf_token": token, "value": "4",
                                                  "action": "next"})
    assert refused.status_code == 400


def test_an_answer_without_a_token_is_refused_and_not_stored(
        app, make_invitation, participant_browser):
    """The question page's form leaves the check to CSRFProtect, which checks every POST."""
    from survey.extensions import db
    from survey.responses.models import Answer

    participant_browser.open(make_invitation())
    client = participant_browser.client
    page_token(client)
    for data in ({"value": "4", "action": "next"},
                 {"csrf_token": "", "value": "4", "action": "next"}):
        assert client.post("/q/xq/1", data=data).status_code == 400
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Answer.id))).scalar() == 0


def test_a_token_signed_with_another_key_is_refused(app, make_invitation, participant_browser):
    participant_browser.open(make_invitation())
    client = participant_browser.client
    page_token(client)
    with client.session_transaction() as session:
        raw = session["csrf_token"]
    forged = URLSafeTimedSerializer("not-the-key", salt="wtf-csrf-token").dumps(raw)
    refused = client.post("/q/xq/1", data={"csrf_token": forged, "value": "4",
                                           "action": "next"})
    assert refused.status_code == 400


def test_a_remembered_cookie_still_ends_after_the_lifetime(
        app, monkeypatch, make_invitation, participant_browser):
    participant_browser.open(make_invitation())
    client = participant_browser.client
    assert client.get("/q/xq/1").status_code == 200
    assert client.get("/q/xq/1").status_code == 200  # this cookie is now remembered
    later = time.time() + app.permanent_session_lifetime.total_seconds() + 2
    monkeypatch.setattr(time, "time", lambda: later)
    assert client.get("/q/xq/1").status_code == 403


def test_a_changed_cookie_is_verified_again(app, make_invitation, participant_browser):
    participant_browser.open(make_invitation())
    client = participant_browser.client
    assert client.get("/q/xq/1").status_code == 200
    cookie = client.get_cookie("survey_session")
    payload, stamp, signature = cookie.value.rsplit(".", 2)
    tampered = f"{payload}.{stamp}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    client.set_cookie("survey_session", tampered)
    assert client.get("/q/xq/1").status_code == 403  # no session: as if never opened


def test_a_remembered_session_is_never_shared_between_requests(app):
    """A request that changes its session without saving it (a list changed in place
    is not noticed) cannot change what the next request with the same cookie reads."""
    from flask import session

    @app.get("/test-session/set")
    def set_values():
        session["word"], session["words"] = "first", ["first"]
        return "ok"

    @app.get("/test-session/read")
    def read_and_change_in_place():
        seen = f"{session.get('word')} {session.get('words')}"
        session.get("words", []).append("changed in place")
        return seen

    client = app.test_client()
    assert client.get("/test-session/set").status_code == 200
    for _ in range(3):
        assert client.get("/test-session/read").get_data(as_text=True) == "first ['first']"
