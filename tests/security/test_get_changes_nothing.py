"""L2: a GET request changes no state; every change is a POST with CSRF.

(Reading is still noted in the access log, and `/opened` marks a link opened:
that is what it is for, see invitations/views.py.)
"""
import pytest

from survey.extensions import db
from survey.invitations.models import Invitation
from survey.staff.models import StaffUser

from ..conftest import CSRF


def invitation_row(app):
    with app.app_context():
        invitation = db.session.execute(db.select(Invitation)).scalar_one()
        return {c.name: getattr(invitation, c.name) for c in Invitation.__table__.columns}


def test_printing_a_letter_changes_no_invitation(app, client, staff_login, make_invitation):
    make_invitation()
    before = invitation_row(app)
    assert before["short_code"] is not None  # the code works from the moment the link is made
    staff_login.as_role("coordinator")
    assert client.get("/staff/letters/participant/P001").status_code == 200
    assert client.get("/staff/letters/participant/P001/pdf").status_code == 200
    assert invitation_row(app) == before


def test_a_link_made_before_codes_gets_no_letter_and_no_code_from_a_get(
        app, client, staff_login, make_invitation):
    make_invitation()
    with app.app_context():
        db.session.execute(db.select(Invitation)).scalar_one().short_code = None
        db.session.commit()
    staff_login.as_role("coordinator")
    html = client.get("/staff/letters/participant/P001").get_data(as_text=True)
    assert "Lav et nyt link" in html and '<article class="letter"' not in html
    assert invitation_row(app)["short_code"] is None


def account_language(app, email):
    with app.app_context():
        return db.session.execute(
            db.select(StaffUser.language).where(StaffUser.email == email)).scalar_one()


def test_a_get_cannot_change_the_account_language(app, client, staff_login):
    email = staff_login.as_role("data_entry")
    saved = account_language(app, email)
    other = "en" if saved == "da" else "da"
    assert client.get(f"/staff/language/{other}").status_code == 302
    assert account_language(app, email) == saved
    assert client.post(f"/staff/language/{other}").status_code == 400  # no CSRF token
    assert account_language(app, email) == saved
    page = client.get("/staff/").get_data(as_text=True)
    assert f'action="/staff/language/{saved}' in page and 'method="post"' in page
    token = CSRF.search(page).group(1)
    assert client.post(f"/staff/language/{other}",
                       data={"csrf_token": token}).status_code == 302
    assert account_language(app, email) == other


@pytest.mark.parametrize("path, prefix", [("/staff/language/en", "/staff/"),
                                          ("/q/language/en", "/q/")])
@pytest.mark.parametrize("bad", ["/staff/\r\nSet-Cookie: x=1", "/q/\nLocation: //evil.example",
                                 "/staff/%0d%0a", "\\\\evil.example/", "/q/\x7f", "/staff/\t"])
def test_control_characters_in_next_go_to_the_default_page(
        client, make_invitation, path, prefix, bad):
    if prefix == "/q/":  # the questionnaire's pages need a participant's session
        client.get(client.get(make_invitation()).location)
    response = client.get(path, query_string={"next": bad})
    assert response.status_code == 302
    assert "\r" not in response.location and "\n" not in response.location
    assert response.location.startswith(prefix) and "evil" not in response.location
