"""Administrators reset someone's two-factor, change a role and reactivate an account, each
with a reason in the audit trail; nobody can lock the administrators out."""
from survey.audit.models import AuditRecord
from survey.extensions import db
from survey.staff.models import RecoveryCode

from ..conftest import StaffLogin
from .test_accounts import account


def post(client, staff_login, path, **data):
    return client.post(path, data={"csrf_token": staff_login.csrf_token(path), **data})


def audit(app, user_id, field):
    with app.app_context():
        return [(r.actor, r.old_value, r.new_value, r.reason) for r in db.session.execute(
            db.select(AuditRecord).where(AuditRecord.entity == "staff_user",
                                         AuditRecord.entity_id == str(user_id),
                                         AuditRecord.field == field,
                                         AuditRecord.reason.is_not(None))
            .order_by(AuditRecord.seq)).scalars()]


def page(response):
    return response.get_data(as_text=True)


def test_reset_two_factor_needs_a_reason_and_ends_the_sessions(app, client, make_staff,
                                                               staff_login):
    victim = make_staff("coordinator")
    other = app.test_client()
    StaffLogin(other, make_staff).login(victim)
    with app.app_context():
        from survey.staff.services import find_staff_user, new_recovery_codes
        new_recovery_codes(find_staff_user(victim))
        db.session.commit()
    admin = staff_login.as_role("admin")
    client.get("/staff/language/en")  # the assertions read the English text
    user = account(app, victim)
    path = f"/staff/accounts/{user.id}/two-factor"
    assert f'href="{path}"' in page(client.get("/staff/accounts/"))
    refused = post(client, staff_login, path, reason="   ")
    assert refused.status_code == 422 and "Give the reason for the change." in page(refused)
    assert account(app, victim).has_2fa

    done = post(client, staff_login, path, reason="Lost phone, asked in person")
    assert done.status_code == 302
    user = account(app, victim)
    assert (user.totp_secret, user.totp_confirmed_at) == (None, None)
    with app.app_context():
        assert db.session.execute(db.select(RecoveryCode).where(
            RecoveryCode.user_id == user.id)).first() is None
    assert other.get("/staff/").status_code == 302  # its sessions ended
    admin_id = account(app, admin).id
    assert audit(app, user.id, "two_factor") == [
        (f"staff:{admin_id}", "on", "off", "Lost phone, asked in person")]


def test_change_role_with_a_reason(app, client, make_staff, staff_login):
    keyer = make_staff("data_entry")
    staff_login.as_role("admin")
    client.get("/staff/language/en")  # the assertions read the English text
    user_id = account(app, keyer).id
    path = f"/staff/accounts/{user_id}/role"
    no_reason = post(client, staff_login, path, role="coordinator", reason="")
    assert no_reason.status_code == 422 and account(app, keyer).role == "data_entry"
    assert 'selected value="coordinator"' in page(no_reason) or (
        '<option selected value="coordinator">' in page(no_reason))
    same = post(client, staff_login, path, role="data_entry", reason="No change")
    assert same.status_code == 409 and "already has this role" in page(same)
    assert post(client, staff_login, path, role="coordinator",
                reason="Now runs the follow-up").status_code == 302
    assert account(app, keyer).role == "coordinator"
    assert [row[1:] for row in audit(app, user_id, "role")] == [
        ("data_entry", "coordinator", "Now runs the follow-up")]


def test_the_last_administrator_keeps_the_role(app, client, make_staff, staff_login):
    admin = staff_login.as_role("admin")
    client.get("/staff/language/en")  # the assertions read the English text
    admin_id = account(app, admin).id
    # Not on one's own account: another administrator must do it.
    own = client.get(f"/staff/accounts/{admin_id}/role")
    assert "You cannot do this to your own account" in page(own)
    assert post(client, staff_login, f"/staff/accounts/{admin_id}/role", role="data_entry",
                reason="Leaving").status_code == 409
    assert account(app, admin).role == "admin"
    assert post(client, staff_login, f"/staff/accounts/{admin_id}/two-factor",
                reason="x").status_code == 409
    assert account(app, admin).has_2fa

    # With a second administrator, one may demote the other, but never the last one.
    second = make_staff("admin")
    second_id = account(app, second).id
    assert post(client, staff_login, f"/staff/accounts/{second_id}/role", role="coordinator",
                reason="Changed job").status_code == 302
    assert account(app, second).role == "coordinator"
    with app.app_context():
        from survey.staff.services import StaffAccountError, change_role, find_staff_user
        last = find_staff_user(admin)
        try:
            change_role(last, "coordinator", "Leaving", "system:cli")
        except StaffAccountError as error:
            assert "last active administrator" in str(error)
        else:
            raise AssertionError("the last administrator was demoted")
        db.session.rollback()
    assert account(app, admin).role == "admin"


def test_reactivate_a_deactivated_account(app, client, make_staff, staff_login):
    keyer = make_staff("data_entry")
    staff_login.as_role("admin")
    client.get("/staff/language/en")  # the assertions read the English text
    user_id = account(app, keyer).id
    assert "Reactivate" not in page(client.get("/staff/accounts/"))
    active = client.get(f"/staff/accounts/{user_id}/reactivate")
    assert "already active" in page(active)
    client.post(f"/staff/accounts/{user_id}/deactivate",
                data={"csrf_token": staff_login.csrf_token("/staff/accounts/")})
    assert account(app, keyer).is_enabled is False
    path = f"/staff/accounts/{user_id}/reactivate"
    assert f'href="{path}"' in page(client.get("/staff/accounts/"))
    assert post(client, staff_login, path, reason="").status_code == 422
    assert account(app, keyer).is_enabled is False
    assert post(client, staff_login, path, reason="Back from leave").status_code == 302
    assert account(app, keyer).is_enabled is True
    assert [row[1:] for row in audit(app, user_id, "is_enabled")] == [
        ("False", "True", "Back from leave")]
    assert StaffLogin(app.test_client(), make_staff).login(keyer).status_code == 302


def test_only_administrators_change_accounts(app, client, make_staff, staff_login):
    keyer = make_staff("data_entry")
    staff_login.as_role("coordinator")
    client.get("/staff/language/en")  # the assertions read the English text
    user_id = account(app, keyer).id
    for action in ("two-factor", "role", "reactivate"):
        assert client.get(f"/staff/accounts/{user_id}/{action}").status_code == 403
