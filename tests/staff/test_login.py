"""Staff login: passwords, lockout, two-factor, sessions that end, roles."""
import re

import pyotp
import pytest

from survey.extensions import db
from survey.staff.models import StaffUser
from survey.staff.services import MAX_FAILED_LOGINS

from ..conftest import STAFF_PASSWORD


def user(app, email):
    with app.app_context():
        query = db.select(StaffUser).where(StaffUser.email == email)
        found = db.session.execute(query).scalar_one()
        db.session.expunge(found)
        return found


def test_data_entry_logs_in_with_password_only(client, staff_login):
    staff_login.as_role("data_entry")
    assert client.get("/staff/").status_code == 200


def test_coordinator_needs_the_second_factor(app, client, make_staff, staff_login):
    email = make_staff("coordinator")
    first = client.post("/staff/login", data={
        "csrf_token": staff_login.csrf_token("/staff/login"), "email": email,
        "password": STAFF_PASSWORD})
    assert first.location.startswith("/staff/login/code")
    assert client.get("/staff/").status_code == 302  # not logged in yet
    wrong = client.post("/staff/login/code", data={
        "csrf_token": staff_login.csrf_token("/staff/login/code"), "code": "000000"})
    assert wrong.status_code == 200 and "Koden er forkert" in wrong.get_data(as_text=True)
    right = client.post("/staff/login/code", data={
        "csrf_token": staff_login.csrf_token("/staff/login/code"),
        "code": pyotp.TOTP(make_staff.secrets[email]).now()})
    assert right.status_code == 302
    assert client.get("/staff/").status_code == 200


def test_coordinator_without_2fa_must_enrol_first(app, client, make_staff, staff_login):
    email = make_staff("coordinator", two_factor=False)
    staff_login.login(email)
    assert client.get("/staff/").location == "/staff/two-factor"
    page = client.get("/staff/two-factor").get_data(as_text=True)
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    reloaded = client.get("/staff/two-factor").get_data(as_text=True)
    assert secret[:4] + " " + secret[4:8] in reloaded  # a reload keeps the same key
    done = client.post("/staff/two-factor", data={
        "csrf_token": staff_login.csrf_token("/staff/two-factor"),
        "code": pyotp.TOTP(secret).now()})
    codes = re.findall(r"<li><code>([0-9a-f-]+)</code></li>", done.get_data(as_text=True))
    assert len(codes) == 10
    assert client.get("/staff/").status_code == 200
    # A recovery code logs in once, then never again.
    staff_login.logout()
    for expected in (302, 200):
        client.post("/staff/login", data={"csrf_token": staff_login.csrf_token("/staff/login"),
                                          "email": email, "password": STAFF_PASSWORD})
        response = client.post("/staff/login/code", data={
            "csrf_token": staff_login.csrf_token("/staff/login/code"), "code": codes[0]})
        assert response.status_code == expected
        if expected == 302:
            staff_login.logout()


@pytest.mark.parametrize("email, password", [
    ("nobody@example.dk", STAFF_PASSWORD),
    ("{known}", "not the right password"),
])
def test_wrong_login_does_not_say_whether_the_account_exists(client, make_staff, staff_login,
                                                             email, password):
    known = make_staff("data_entry")
    response = client.post("/staff/login", data={
        "csrf_token": staff_login.csrf_token("/staff/login"),
        "email": email.format(known=known), "password": password})
    assert response.status_code == 401
    assert "E-mailadressen eller adgangskoden er forkert" in response.get_data(as_text=True)


def test_repeated_failures_lock_the_account_for_a_while(app, client, make_staff, staff_login):
    email = make_staff("data_entry")
    for _ in range(MAX_FAILED_LOGINS):
        staff_login.login(email, "not the right password")
    assert user(app, email).locked_until is not None
    assert staff_login.login(email).status_code == 401  # even the right password, for now


def test_logout_ends_other_sessions_too(app, make_staff, staff_login):
    email = make_staff("data_entry")
    other = app.test_client()
    from ..conftest import StaffLogin

    StaffLogin(other, make_staff).login(email)
    staff_login.login(email)
    assert other.get("/staff/").status_code == 200
    staff_login.logout()
    assert other.get("/staff/").status_code == 302


def test_idle_session_times_out(app, client, staff_login):
    staff_login.as_role("data_entry")
    with client.session_transaction() as session:
        session["staff_last_seen"] -= 31 * 60
    response = client.get("/staff/")
    assert response.status_code == 302 and response.location.startswith("/staff/login")
    assert client.get("/staff/").status_code == 302


def test_session_renewed_at_login(client, make_staff, staff_login):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    staff_login.login(make_staff("data_entry"))
    with client.session_transaction() as session:
        assert "planted" not in session


def test_lower_role_gets_403(client, staff_login):
    staff_login.as_role("data_entry")
    assert client.get("/staff/accounts/").status_code == 403


def test_idle_timeout_covers_every_staff_blueprint(client, staff_login):
    staff_login.as_role("data_entry")
    with client.session_transaction() as session:
        session["staff_last_seen"] -= 31 * 60
    response = client.get("/staff/accounts/password")
    assert response.status_code == 302 and response.location.startswith("/staff/login")
