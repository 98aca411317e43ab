"""Every signed action's screen: the password (and a fresh code) typed at that moment, or
nothing is saved; a signature in the audit chain when it is."""
import re
import time
from html import unescape

import pyotp
import pytest

from survey.audit.models import AuditRecord
from survey.extensions import db
from survey.signatures.models import Signature
from survey.staff.models import StaffUser

from ..conftest import CSRF
from .conftest import SIGNED_ACTIONS

WRONG_PASSWORD = "not my password at all, sorry"


def post(client, path, data):
    token = CSRF.search(client.get(path).get_data(as_text=True)).group(1)
    return client.post(path, data={"csrf_token": token, **data})


def nothing_saved(app, record):
    with app.app_context():
        return (not record.done() and db.session.execute(db.select(Signature)).first() is None
                and db.session.execute(db.select(AuditRecord).where(
                    AuditRecord.action == "sign")).first() is None)


def error_beside(html, field):
    """The error message tied to `field` (its -error paragraph), or None."""
    found = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', html)
    return found and found.group(1)


def signer(staff_login, record, two_factor=None):
    email = staff_login.make_staff(record.role, two_factor=two_factor)
    assert staff_login.login(email).status_code == 302
    staff_login.client.get("/staff/language/en")
    return email


@pytest.mark.parametrize("action", SIGNED_ACTIONS)
def test_refused_without_or_with_a_wrong_password_and_the_form_kept(
        app, client, staff_login, waiting, action):
    record = waiting(action)
    email = signer(staff_login, record)  # every role has two-factor authentication by default
    page = client.get(record.path).get_data(as_text=True)
    assert 'name="password"' in page
    assert ('name="code"' in page) == (email in staff_login.make_staff.secrets)  # no app: no code
    code = {key: value for key, value in staff_login.signing(email).items() if key == "code"}
    without = post(client, record.path, {**record.data, **code})
    assert without.status_code == 422
    html = unescape(without.get_data(as_text=True))
    assert error_beside(html, "password") == "Type your password to sign. Nothing was saved."
    assert record.data["reason"] in html  # what was typed is kept
    wrong = post(client, record.path, {**record.data, **code, "password": WRONG_PASSWORD})
    assert wrong.status_code == 422
    html = unescape(wrong.get_data(as_text=True))
    assert error_beside(html, "password").startswith("The password is wrong. Nothing was saved")
    assert record.data["reason"] in html and WRONG_PASSWORD not in html
    assert nothing_saved(app, record)
    with app.app_context():
        user = db.session.execute(db.select(StaffUser).where(StaffUser.email == email)).scalar_one()
        assert user.failed_logins == 1  # counts towards the login lockout
    signed = post(client, record.path, {**record.data, **staff_login.signing(email)})
    assert signed.status_code == 302, signed.get_data(as_text=True)
    with app.app_context():
        assert record.done()
        [signature] = db.session.execute(db.select(Signature)).scalars().all()
        assert signature.signer.email == email and signature.printed_name.startswith("Tester")
        assert (signature.entity, signature.language) == (record.entity[0], "en")
        if record.entity[1] is not None:
            assert signature.entity_id == str(record.entity[1])


@pytest.mark.parametrize("action", SIGNED_ACTIONS)
def test_a_totp_account_signs_with_a_fresh_code_only(app, client, staff_login, runner, waiting,
                                                      action):
    record = waiting(action)
    email = signer(staff_login, record, two_factor=True)
    secret = staff_login.make_staff.secrets[email]
    assert 'name="code"' in client.get(record.path).get_data(as_text=True)
    password = {**record.data, **staff_login.signing(email)}
    del password["code"]
    missing = post(client, record.path, password)
    assert missing.status_code == 422
    assert error_beside(missing.get_data(as_text=True), "code") == (
        "Type the 6-digit code your app shows now.")
    with app.app_context():
        login_step = db.session.execute(db.select(StaffUser.totp_last_step).where(
            StaffUser.email == email)).scalar_one()
    used_at_login = pyotp.TOTP(secret).generate_otp(login_step)
    wrong_code = "000000" if used_at_login != "000000" else "111111"
    for code in (wrong_code, used_at_login):  # a wrong code; a replayed one
        refused = post(client, record.path, {**password, "code": code})
        assert refused.status_code == 422
        html = unescape(refused.get_data(as_text=True))
        assert error_beside(html, "code").startswith("The code is wrong or has already been used")
        assert record.data["reason"] in html
    assert nothing_saved(app, record)
    assert post(client, record.path, {**record.data, **staff_login.signing(email)}
                ).status_code == 302
    with app.app_context():
        assert record.done()
        records = db.session.execute(db.select(AuditRecord).where(
            AuditRecord.action == "sign")).scalars().all()
        assert {r.field for r in records} == {"meaning", "printed_name", "signs", "digest"}
    verified = runner.invoke(args=["audit", "verify"])
    assert verified.exit_code == 0 and "audit trail intact" in verified.output


def test_wrong_signature_passwords_lock_the_account_as_logins_do(app, client, staff_login,
                                                                  waiting):
    record = waiting("exclude")
    email = signer(staff_login, record)
    for _ in range(5):
        refused = post(client, record.path, {**record.data, **staff_login.signing(email),
                                             "password": WRONG_PASSWORD})
        assert refused.status_code == 422
    assert "locked for a while" in error_beside(refused.get_data(as_text=True), "password")
    # Locked: even the right password signs nothing now, and logging in is refused.
    again = post(client, record.path, {**record.data, **staff_login.signing(email)})
    assert again.status_code == 422 and nothing_saved(app, record)
    staff_login.logout()
    assert staff_login.login(email).status_code == 401


def test_an_account_without_a_name_gives_one_before_signing(app, client, staff_login,
                                                            waiting):
    record = waiting("resolve")
    email = staff_login.make_staff("coordinator", full_name=None)
    staff_login.login(email)
    client.get("/staff/language/en")
    sent = client.get(record.path)
    assert sent.status_code == 302
    assert sent.location == f"/staff/accounts/name?next={record.path}"
    name_page = client.get(sent.location)
    assert "Type it here before you sign." in name_page.get_data(as_text=True)
    token = CSRF.search(name_page.get_data(as_text=True)).group(1)
    empty = client.post(sent.location, data={"csrf_token": token, "full_name": "  "})
    assert empty.status_code == 422
    named = client.post(sent.location, data={"csrf_token": token, "full_name": "Kim  Holm"})
    assert named.status_code == 302 and named.location == record.path
    assert post(client, record.path, {**record.data, **staff_login.signing(email)}
                ).status_code == 302
    with app.app_context():
        assert db.session.execute(db.select(Signature.printed_name)).scalar_one() == "Kim Holm"
        [audited] = db.session.execute(db.select(AuditRecord).where(
            AuditRecord.field == "full_name", AuditRecord.action == "update")).scalars().all()
        assert (audited.old_value, audited.new_value) == (None, "Kim Holm")


def test_the_response_page_and_the_audit_export_show_the_signature(app, client, staff_login,
                                                                   waiting):
    record = waiting("exclude")
    email = signer(staff_login, record)
    staff_login.client.get("/staff/language/da")
    assert post(client, record.path, {**record.data, **staff_login.signing(email)}
                ).status_code == 302
    with app.app_context():
        signature = db.session.execute(db.select(Signature)).scalar_one()
        name, meaning = signature.printed_name, signature.meaning_text
    assert meaning == ("Jeg bekræfter, at denne besvarelse er udelukket fra analysen af den "
                       "angivne grund.")
    page = client.get(f"/staff/audit/responses/{record.entity[1]}").get_data(as_text=True)
    section = page[page.index('id="signatures"'):]
    assert name in section and meaning in section and "(dansk tid)" in section
    assert "intakt" in section
    export = client.get("/staff/audit/export.csv").get_data(as_text=True)
    signed_rows = [line for line in export.splitlines() if ",sign,signature," in line]
    assert len(signed_rows) == 4
    assert any("Underskrevet elektronisk" in row and meaning in row for row in signed_rows)
    assert any(name in row for row in signed_rows) and any(signature.digest in row
                                                           for row in signed_rows)


def test_a_page_left_open_signs_only_with_the_code_of_now(app, client, staff_login, waiting,
                                                          monkeypatch):
    """A code from two minutes ago is refused: the code must be current."""
    record = waiting("exclude")
    email = signer(staff_login, record, two_factor=True)
    secret = staff_login.make_staff.secrets[email]
    old = pyotp.TOTP(secret).at(time.time() - 120)
    refused = post(client, record.path, {**record.data, **staff_login.signing(email),
                                         "code": old})
    assert refused.status_code == 422 and nothing_saved(app, record)
