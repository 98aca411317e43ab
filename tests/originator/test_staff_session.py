"""Rule 5: a participant's link in a browser with a staff session is refused, not opened."""
import re

import pytest

from survey.extensions import db
from survey.invitations.models import Invitation


def test_a_participant_link_is_refused_while_staff_are_logged_in(app, client, staff_login,
                                                                 make_invitation):
    link = make_invitation(study_id=None, lang="da")
    staff_login.as_role("data_entry")
    client.get("/staff/language/en")
    page = client.get(link)
    html = page.get_data(as_text=True)
    assert page.status_code == 403
    assert "You are logged in as study staff" in html
    assert re.search(r'href="/staff/clinic/[^"]+"', html)  # clinic mode is the way
    with app.app_context():
        assert db.session.execute(db.select(Invitation.opened_at)).scalar_one() is None
    # The staff session is kept: nothing was handed over.
    assert client.get("/staff/").status_code == 200


@pytest.mark.parametrize("method", ["get", "post"])
def test_start_with_a_code_is_refused_while_staff_are_logged_in(client, staff_login, method):
    staff_login.as_role("coordinator")
    token = staff_login.csrf_token("/staff/")
    page = getattr(client, method)("/start", data={"csrf_token": token, "code": "ABCD-EFGH"})
    assert page.status_code == 403
    assert "/staff/participants/" in page.get_data(as_text=True)
    assert client.get("/staff/").status_code == 200


def test_without_a_staff_session_the_link_opens(client, make_invitation, participant_browser):
    assert participant_browser.open(make_invitation()).status_code == 200
