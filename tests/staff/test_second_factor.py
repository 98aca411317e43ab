"""The second factor: wrong codes lock the account like wrong passwords, every try is audited,
and a half-done login (right password, no code yet) ends after a few minutes."""
import re

import pyotp

from survey.audit.models import AuditRecord
from survey.extensions import db
from survey.staff.auth import PENDING_2FA_MINUTES
from survey.staff.services import MAX_FAILED_LOGINS

from ..conftest import STAFF_PASSWORD
from .test_login import user as account

LOCKED_MESSAGE = "E-mailadressen eller adgangskoden er forkert"




def code_attempts(app, user_id):
    """(actor, new value) of every audited second-factor attempt of the account, in order."""
    with app.app_context():
        records = db.session.execute(
            db.select(AuditRecord).where(AuditRecord.entity == "staff_user",
                                         AuditRecord.entity_id == str(user_id),
                                         AuditRecord.field == "second_factor")
            .order_by(AuditRecord.id)).scalars()
        return [(r.actor, r.new_value) for r in records]


def password_step(client, staff_login, email):
    response = client.post("/staff/login", data={
        "csrf_token": staff_login.csrf_token("/staff/login"), "email": email,
        "password": STAFF_PASSWORD})
    assert response.location.startswith("/staff/login/code"), response.location


def send_code(client, staff_login, code):
    return client.post("/staff/login/code", data={
        "csrf_token": staff_login.csrf_token("/staff/login/code"), "code": code})


def test_wrong_codes_lock_the_account_as_wrong_passwords_do(app, client, make_staff,
                                                            staff_login):
    email = make_staff("coordinator")
    password_step(client, staff_login, email)
    for _ in range(MAX_FAILED_LOGINS - 1):
        wrong = send_code(client, staff_login, "000000")
        assert wrong.status_code == 200 and "Koden er forkert" in wrong.get_data(as_text=True)
    locked = send_code(client, staff_login, "000000")
    # The fifth wrong code locks the account and ends the half-done login, shown like a
    # locked password login.
    assert locked.status_code == 401 and LOCKED_MESSAGE in locked.get_data(as_text=True)
    assert account(app, email).locked_until is not None
    assert client.get("/staff/login/code").location.startswith("/staff/login")
    # Even the right password and then the right code do not get in while it is locked.
    refused = client.post("/staff/login", data={
        "csrf_token": staff_login.csrf_token("/staff/login"), "email": email,
        "password": STAFF_PASSWORD})
    assert refused.status_code == 401
    assert client.get("/staff/").status_code == 302


def test_a_stale_half_login_cannot_keep_guessing_while_locked(app, client, make_staff,
                                                              staff_login):
    email = make_staff("coordinator")
    password_step(client, staff_login, email)
    replay = app.test_client()  # a copy of the half-logged-in cookie, kept by an attacker
    replay.set_cookie("survey_session", client.get_cookie("survey_session").value)
    for _ in range(MAX_FAILED_LOGINS):
        send_code(client, staff_login, "000000")
    right = pyotp.TOTP(make_staff.secrets[email]).now()
    token = re.search(r'name="csrf_token"[^>]*?value="([^"]+)"',
                      replay.get("/staff/login/code").get_data(as_text=True)).group(1)
    response = replay.post("/staff/login/code", data={"csrf_token": token, "code": right})
    assert response.status_code == 401
    assert replay.get("/staff/").status_code == 302


def test_a_new_password_login_does_not_reset_the_code_count(app, client, make_staff,
                                                            staff_login):
    email = make_staff("coordinator")
    for _ in range(MAX_FAILED_LOGINS - 1):
        password_step(client, staff_login, email)
        send_code(client, staff_login, "000000")
    password_step(client, staff_login, email)
    assert send_code(client, staff_login, "000000").status_code == 401
    assert account(app, email).locked_until is not None


def test_the_right_code_resets_the_count(app, client, make_staff, staff_login):
    email = make_staff("coordinator")
    password_step(client, staff_login, email)
    for _ in range(MAX_FAILED_LOGINS - 1):
        send_code(client, staff_login, "000000")
    assert send_code(client, staff_login,
                     pyotp.TOTP(make_staff.secrets[email]).now()).status_code == 302
    staff_login.logout()
    password_step(client, staff_login, email)
    assert send_code(client, staff_login, "000000").status_code == 200
    assert account(app, email).locked_until is None


def test_every_code_attempt_is_audited(app, client, make_staff, staff_login):
    email = make_staff("coordinator")
    user_id = account(app, email).id
    password_step(client, staff_login, email)
    send_code(client, staff_login, "123456")
    send_code(client, staff_login, pyotp.TOTP(make_staff.secrets[email]).now())
    actor = f"staff:{user_id}"
    assert code_attempts(app, user_id) == [(actor, "wrong"), (actor, "right")]


def test_a_half_done_login_ends_after_a_few_minutes(app, client, make_staff, staff_login):
    email = make_staff("coordinator")
    password_step(client, staff_login, email)
    token = staff_login.csrf_token("/staff/login/code")
    with client.session_transaction() as session:
        session["staff_pending_2fa_at"] -= PENDING_2FA_MINUTES * 60 + 1
    late = client.post("/staff/login/code", data={
        "csrf_token": token, "code": pyotp.TOTP(make_staff.secrets[email]).now()})
    assert late.status_code == 302 and late.location.startswith("/staff/login")
    assert "/code" not in late.location
    assert client.get("/staff/").status_code == 302
    page = client.get("/staff/login").get_data(as_text=True)
    assert "Log ind igen" in page


def test_wrong_codes_at_enrolment_lock_the_account_too(app, client, make_staff, staff_login):
    email = make_staff("coordinator", two_factor=False)
    user_id = account(app, email).id
    staff_login.login(email)
    client.get("/staff/two-factor")
    for attempt in range(1, MAX_FAILED_LOGINS + 1):
        response = client.post("/staff/two-factor", data={
            "csrf_token": staff_login.csrf_token("/staff/two-factor"), "code": "000000"})
        if attempt < MAX_FAILED_LOGINS:
            assert response.status_code == 200
    assert response.status_code == 401 and LOCKED_MESSAGE in response.get_data(as_text=True)
    assert account(app, email).locked_until is not None
    assert client.get("/staff/two-factor").status_code == 302  # logged out
    actor = f"staff:{user_id}"
    assert code_attempts(app, user_id) == [(actor, "wrong")] * MAX_FAILED_LOGINS
