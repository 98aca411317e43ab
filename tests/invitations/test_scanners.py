"""Mail and link scanners open links too: only a browser's visit counts as opened."""
import pytest

from survey.dashboard.counts import round_counts
from survey.dashboard.summary import refresh_participant_states
from survey.extensions import db
from survey.invitations.models import Invitation
from survey.invitations.short_codes import assign_short_code

from ..conftest import BOTH_DATABASES, CSRF

pytestmark = BOTH_DATABASES


def opened_at_and_state(app):
    """The invitation's opened_at and the follow-up page's state of its participant."""
    with app.app_context():
        opened_at = db.session.execute(db.select(Invitation.opened_at)).scalar_one()
        refresh_participant_states()
        by_state = round_counts().by_state
        [state] = [s for s, n in by_state.items() if n]
        return opened_at, state


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_a_cookieless_visit_does_not_mark_the_link_opened(app, make_invitation, method):
    scanner = app.test_client(use_cookies=False)
    link = make_invitation()
    first = scanner.open(link, method=method)
    assert first.status_code == 302 and "survey_session" in first.headers["Set-Cookie"]
    final = scanner.open(link, method=method, follow_redirects=True)
    assert final.status_code == 400  # the "cookies are blocked" page
    assert opened_at_and_state(app) == (None, "invited")


def test_a_browser_that_keeps_its_cookie_marks_it_opened(app, client, make_invitation):
    link = make_invitation()
    response = client.get(link)
    assert response.location == "/opened"
    assert opened_at_and_state(app) == (None, "invited")  # not yet: the cookie must come back
    arrived = client.get(response.location)
    assert arrived.location == "/q/?c=1"
    opened_at, state = opened_at_and_state(app)
    assert opened_at is not None and state == "opened"
    assert client.get(arrived.location).status_code == 200


def test_the_landing_address_without_a_session_marks_nothing(app, client, make_invitation):
    make_invitation()
    response = client.get("/opened")
    assert response.location == "/q/?c=1"
    assert opened_at_and_state(app) == (None, "invited")


def test_a_short_code_on_start_marks_it_opened(app, client, make_invitation):
    make_invitation()
    with app.app_context():
        code = assign_short_code(db.session.execute(db.select(Invitation)).scalar_one())
        db.session.commit()
    token = CSRF.search(client.get("/start").get_data(as_text=True)).group(1)
    response = client.post("/start", data={"csrf_token": token, "code": code})
    assert response.status_code == 302
    opened_at, state = opened_at_and_state(app)
    assert opened_at is not None and state == "opened"


def test_a_clinic_session_marks_its_invitation_opened(app, client, make_participant,
                                                     staff_login):
    study_id = make_participant()
    staff_login.as_role("data_entry")
    client.post(f"/staff/clinic/{study_id}",
                data={"csrf_token": staff_login.csrf_token(f"/staff/clinic/{study_id}")})
    with app.app_context():
        invitation = db.session.execute(db.select(Invitation)).scalar_one()
        assert invitation.mode == "clinic" and invitation.opened_at is not None
