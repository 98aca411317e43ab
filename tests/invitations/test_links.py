"""Opening a personal link: good, bad and stale links, and what leaks where."""
import logging
from datetime import timedelta

import pytest

from survey.extensions import db
from survey.invitations.models import Invitation
from survey.participants.models import Participant
from survey.timeutil import now_utc

from ..conftest import BOTH_DATABASES

pytestmark = BOTH_DATABASES


def change_invitation(app, **values):
    with app.app_context():
        invitation = db.session.execute(db.select(Invitation)).scalar_one()
        for name, value in values.items():
            setattr(invitation, name, value)
        db.session.commit()


def test_link_is_exchanged_for_a_session_and_the_token_leaves_the_url(client, make_invitation):
    link = make_invitation()
    response = client.get(link)
    assert response.status_code == 302
    assert response.location == "/opened"
    assert link.split("/")[-1] not in response.location
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"


def test_session_cookie_is_secure_over_https(app, client, make_invitation):
    app.config["SESSION_COOKIE_SECURE"] = True
    cookie = client.get(make_invitation()).headers["Set-Cookie"]
    assert "Secure" in cookie


def test_participant_pages_are_not_cached_and_send_no_referrer(client, make_invitation,
                                                               participant_browser):
    participant_browser.open(make_invitation())
    for path in ("/q/", "/q/xq/1", "/q/vas/3", "/q/review"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def tampered(link):
    token = link.rsplit("/", 1)[1]
    last = "A" if token[-1] != "A" else "B"
    return link[:-1] + last


@pytest.mark.parametrize("make_bad_link, status", [
    (lambda link: tampered(link), 404),
    (lambda link: "/i/" + "x" * 22 + ".unknownsignature", 404),
    (lambda link: link.rsplit(".", 1)[0], 404),  # signature cut off
    (lambda link: "/i/%C3%A6%C3%B8%C3%A5", 404),
])
def test_tampered_or_unknown_links_answer_404_calmly(client, make_invitation, make_bad_link,
                                                      status):
    response = client.get(make_bad_link(make_invitation()))
    html = response.get_data(as_text=True)
    assert response.status_code == status
    assert "Linket virker ikke" in html and "This link does not work" in html
    assert "Traceback" not in html and "survey_session" not in response.headers.get(
        "Set-Cookie", "")


def expired():
    return {"created_at": now_utc() - timedelta(days=61), "expires_at": now_utc() - timedelta(1)}


@pytest.mark.parametrize("change", [expired, lambda: {"revoked_at": now_utc()}])
def test_expired_or_revoked_links_answer_410(app, client, make_invitation, change):
    link = make_invitation()
    change_invitation(app, **change())
    response = client.get(link)
    assert response.status_code == 410
    assert "Linket virker ikke" in response.get_data(as_text=True)


@pytest.mark.parametrize("status", ["withdrawn", "deceased"])
def test_links_of_participants_who_left_answer_410(app, client, make_invitation, status):
    link = make_invitation()
    with app.app_context():
        db.session.execute(db.update(Participant).values(status=status))
        db.session.commit()
    assert client.get(link).status_code == 410


def test_bad_link_pages_look_the_same_whoever_exists(client, make_invitation):
    """Unknown and tampered links must not tell a real participant's link apart."""
    real = make_invitation()
    unknown = client.get("/i/" + "x" * 22 + ".unknownsignature").get_data(as_text=True)
    assert client.get(tampered(real)).get_data(as_text=True) == unknown


def test_revoking_stops_an_open_session(app, client, make_invitation, participant_browser):
    participant_browser.open(make_invitation())
    change_invitation(app, revoked_at=now_utc())
    assert client.get("/q/xq/1").status_code == 410


def test_expiry_during_the_questionnaire_answers_410(app, client, make_invitation,
                                                     participant_browser):
    participant_browser.open(make_invitation())
    change_invitation(app, **expired())
    assert client.get("/q/xq/1").status_code == 410


def test_browser_without_cookies_gets_an_explanation(app, make_invitation):
    client = app.test_client(use_cookies=False)
    response = client.get(make_invitation(lang="da"), headers={"Accept-Language": "da"})
    page = client.get(response.location, headers={"Accept-Language": "da"},
                      follow_redirects=True)
    assert page.status_code == 400
    assert "Din browser tager ikke imod cookies" in page.get_data(as_text=True)


def test_questionnaire_without_a_session_explains_how_to_continue(client):
    response = client.get("/q/xq/1", headers={"Accept-Language": "en"})
    html = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "You have been away for a while" in html
    assert "Du har været væk fra spørgeskemaet i et stykke tid" in html


def test_opening_the_link_records_the_first_opening_only(app, client, make_invitation):
    link = make_invitation()
    client.get(link, follow_redirects=True)
    with app.app_context():
        first = db.session.execute(db.select(Invitation)).scalar_one().opened_at
    assert first is not None
    client.get(link, follow_redirects=True)
    with app.app_context():
        assert db.session.execute(db.select(Invitation)).scalar_one().opened_at == first


def test_tokens_are_not_written_to_logs(app, client, make_invitation, caplog):
    from survey.security import redact_tokens_in_logs

    link = make_invitation()
    token = link.rsplit("/", 1)[1]
    redact_tokens_in_logs()
    logger = logging.getLogger("werkzeug")
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logger.info('127.0.0.1 - - "%s %s HTTP/1.1" %s -', "GET", link, "302")
    assert token not in caplog.text and "/i/[token]" in caplog.text


def test_tokens_are_not_written_to_logs_whatever_the_case_of_the_path(make_invitation, caplog):
    from survey.security import redact_tokens_in_logs

    token = make_invitation().rsplit("/", 1)[1]
    redact_tokens_in_logs()
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logging.getLogger("werkzeug").info('"GET /I/%s HTTP/1.1" 404 -', token)
    assert token not in caplog.text


@pytest.mark.parametrize("junk", [".", ",", ")", " "])
def test_a_link_copied_with_a_trailing_full_stop_still_works(client, make_invitation, junk):
    assert client.get(make_invitation() + junk).status_code == 302
