"""Administrators manage accounts; everyone changes their own password; the CLI does both."""
import pytest

from survey.extensions import db
from survey.staff.models import StaffUser
from survey.staff.passwords import verify_password

from ..conftest import STAFF_PASSWORD, StaffLogin

NEW_PASSWORD = "another quite long passphrase"


def account(app, email):
    with app.app_context():
        user = db.session.execute(
            db.select(StaffUser).where(StaffUser.email == email)).scalar_one_or_none()
        if user is not None:
            db.session.expunge(user)
        return user


def password_ok(app, user, password):
    with app.app_context():
        return verify_password(user.password_hash, password)


def test_admin_creates_an_account(app, client, staff_login):
    staff_login.as_role("admin")
    response = client.post("/staff/accounts/", data={
        "csrf_token": staff_login.csrf_token("/staff/accounts/"), "email": "Ny@Example.dk",
        "full_name": "  Ny  Medarbejder ", "role": "data_entry", "password": NEW_PASSWORD})
    assert response.status_code == 302
    created = account(app, "ny@example.dk")
    assert created.role == "data_entry" and password_ok(app, created, NEW_PASSWORD)
    assert created.full_name == "Ny Medarbejder"
    assert created.password_hash.startswith("$argon2id$")


@pytest.mark.parametrize("password, message", [
    ("short", "Brug mindst 12 tegn."),
    ("passwordpassword", "Adgangskoden er for almindelig."),
    ("aaaaaaaaaaaaaaa", "Adgangskoden er for almindelig."),
])
def test_weak_passwords_are_refused_and_the_form_kept(app, client, staff_login, password, message):
    staff_login.as_role("admin")
    response = client.post("/staff/accounts/", data={
        "csrf_token": staff_login.csrf_token("/staff/accounts/"), "email": "ny@example.dk",
        "full_name": "Ny Medarbejder", "role": "coordinator", "password": password})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and message in html
    assert 'value="ny@example.dk"' in html and 'value="Ny Medarbejder"' in html
    assert account(app, "ny@example.dk") is None


def test_deactivating_ends_the_accounts_sessions(app, client, make_staff, staff_login):
    victim = make_staff("data_entry")
    other = app.test_client()
    StaffLogin(other, make_staff).login(victim)
    assert other.get("/staff/").status_code == 200
    staff_login.as_role("admin")
    victim_id = account(app, victim).id
    client.post(f"/staff/accounts/{victim_id}/deactivate",
                data={"csrf_token": staff_login.csrf_token("/staff/accounts/")})
    assert account(app, victim).is_enabled is False
    assert other.get("/staff/").status_code == 302
    assert StaffLogin(app.test_client(), make_staff).login(victim).status_code == 401


def test_changing_password_ends_other_sessions_but_not_this_one(app, client, make_staff,
                                                                 staff_login):
    email = make_staff("data_entry")
    other = app.test_client()
    StaffLogin(other, make_staff).login(email)
    staff_login.login(email)
    response = client.post("/staff/accounts/password", data={
        "csrf_token": staff_login.csrf_token("/staff/accounts/password"),
        "current": STAFF_PASSWORD, "new": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 200
    assert other.get("/staff/").status_code == 302


def test_data_entry_cannot_manage_accounts(client, staff_login):
    staff_login.as_role("data_entry")
    assert client.get("/staff/accounts/").status_code == 403


def test_cli_adds_an_account_with_the_password_from_standard_input(app, runner):
    result = runner.invoke(args=["users", "add", "cli@example.dk", "--role", "coordinator",
                                 "--name", "Clara Li Jensen"], input=NEW_PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert account(app, "cli@example.dk").role == "coordinator"
    assert account(app, "cli@example.dk").full_name == "Clara Li Jensen"
    again = runner.invoke(args=["users", "add", "cli@example.dk", "--role", "admin",
                                "--name", "Clara Li Jensen"], input=NEW_PASSWORD + "\n")
    assert again.exit_code == 1 and again.output.startswith("Error: ")


def test_cli_refuses_a_weak_password_and_changes_nothing(app, runner):
    result = runner.invoke(args=["users", "add", "x@example.dk", "--role", "admin",
                                 "--name", "X Y"], input="123456789012\n")
    assert result.exit_code == 1 and account(app, "x@example.dk") is None
    assert result.output == "Error: This password is too common. Choose another.\n"


def test_cli_set_password_and_deactivate(app, runner, make_staff):
    email = make_staff("data_entry")
    assert runner.invoke(args=["users", "set-password", email],
                         input=NEW_PASSWORD + "\n").exit_code == 0
    assert password_ok(app, account(app, email), NEW_PASSWORD)
    assert runner.invoke(args=["users", "deactivate", email]).exit_code == 0
    assert account(app, email).is_enabled is False
    missing = runner.invoke(args=["users", "deactivate", "nobody@example.dk"])
    assert missing.exit_code == 1


def test_cli_add_needs_a_full_name_and_set_name_changes_it(app, runner, make_staff):
    nameless = runner.invoke(args=["users", "add", "n@example.dk", "--role", "admin"],
                             input=NEW_PASSWORD + "\n")
    assert nameless.exit_code == 2 and "--name" in nameless.output
    assert account(app, "n@example.dk") is None
    blank = runner.invoke(args=["users", "add", "n@example.dk", "--role", "admin", "--name", " "],
                          input=NEW_PASSWORD + "\n")
    assert blank.exit_code == 1 and account(app, "n@example.dk") is None
    email = make_staff("data_entry", full_name=None)
    assert runner.invoke(args=["users", "set-name", email, "Lis  Lund"]).exit_code == 0
    assert account(app, email).full_name == "Lis Lund"


def test_admin_changes_a_name_on_the_accounts_page_audited(app, client, staff_login,
                                                          make_staff):
    from survey.audit.models import AuditRecord

    other = make_staff("data_entry", full_name=None)
    admin = staff_login.as_role("admin")
    page = client.get("/staff/accounts/").get_data(as_text=True)
    assert "Tester Admin" in page  # each account's name is listed
    user_id = account(app, other).id
    path = f"/staff/accounts/{user_id}/name"
    token = staff_login.csrf_token(path)
    empty = client.post(path, data={"csrf_token": token, "full_name": ""})
    assert empty.status_code == 422
    assert client.post(path, data={"csrf_token": token, "full_name": "Bo Berg"}).status_code == 302
    assert account(app, other).full_name == "Bo Berg"
    admin_id = account(app, admin).id
    with app.app_context():
        record = db.session.execute(db.select(AuditRecord).where(
            AuditRecord.field == "full_name", AuditRecord.entity_id == str(user_id),
            AuditRecord.action == "update")).scalar_one()
        assert record.actor == f"staff:{admin_id}" and record.new_value == "Bo Berg"


def test_only_admins_change_other_peoples_names(client, staff_login, make_staff, app):
    other = make_staff("data_entry")
    staff_login.as_role("coordinator")
    assert client.get(f"/staff/accounts/{account(app, other).id}/name").status_code == 403
    assert client.get("/staff/accounts/name").status_code == 200  # but their own, yes
