"""Two-factor authentication is required for every staff role by default.

SURVEY_2FA_OPTIONAL_FOR_DATA_ENTRY relaxes it for the data-entry role only.
"""
import pytest

from survey.staff.models import ROLES

from ..conftest import CSRF, STAFF_PASSWORD


def password_login(client, email):
    token = CSRF.search(client.get("/staff/login").get_data(as_text=True)).group(1)
    return client.post("/staff/login?next=/staff/participants/",
                       data={"csrf_token": token, "email": email, "password": STAFF_PASSWORD})


@pytest.mark.parametrize("role", ROLES)
def test_every_role_without_2fa_is_sent_to_enrol_before_anything_else(client, make_staff,
                                                                       role):
    email = make_staff(role, two_factor=False)
    assert password_login(client, email).location == "/staff/two-factor"
    for path in ("/staff/", "/staff/participants/", "/staff/paper/"):
        assert client.get(path).location == "/staff/two-factor"
    page = client.get("/staff/two-factor").get_data(as_text=True)
    assert "Din rolle kræver totrinsbekræftelse" in page
    assert "/staff/participants/" not in page  # no menu before enrolment


@pytest.mark.parametrize("role", ROLES)
def test_every_role_with_2fa_is_asked_for_the_code(client, make_staff, role):
    email = make_staff(role)
    assert password_login(client, email).location.startswith("/staff/login/code")
    assert client.get("/staff/").location.startswith("/staff/login")


def test_the_setting_relaxes_data_entry_only(app, client, make_staff):
    app.config["SURVEY_2FA_OPTIONAL_FOR_DATA_ENTRY"] = True
    data_entry = make_staff("data_entry")
    assert password_login(client, data_entry).location == "/staff/participants/"
    assert client.get("/staff/participants/").status_code == 200
    other = app.test_client()
    coordinator = make_staff("coordinator", two_factor=False)
    assert password_login(other, coordinator).location == "/staff/two-factor"
    assert other.get("/staff/participants/").location == "/staff/two-factor"
