"""The access log in the keyed chain: logins, failed logins, logouts, list pages, exports."""
import getpass

from survey.audit.models import AuditRecord
from survey.audit_reports.verify import verify_trail
from survey.extensions import db
from survey.participants.services import get_participant
from survey.staff.models import StaffUser


def chain(app, action=None):
    """(actor, action, entity, entity_id, field, new_value) of the chain's records."""
    with app.app_context():
        query = db.select(AuditRecord).order_by(AuditRecord.seq)
        if action is not None:
            query = query.where(AuditRecord.action == action)
        return [(r.actor, r.action, r.entity, r.entity_id, r.field, r.new_value)
                for r in db.session.execute(query).scalars()]


def account_id(app, email):
    with app.app_context():
        return db.session.execute(
            db.select(StaffUser.id).where(StaffUser.email == email)).scalar_one()


def test_logins_failed_logins_and_logouts_are_in_the_chain(app, client, staff_login):
    email = staff_login.as_role("data_entry")
    staff_login.logout()
    staff_login.login(email, password="a wrong password, typed by mistake")
    staff_login.login("nobody@example.dk")
    me = account_id(app, email)
    assert [row[:4] for row in chain(app) if row[1].startswith("log")] == [
        (f"staff:{me}", "login", "staff_user", str(me)),
        (f"staff:{me}", "logout", "staff_user", str(me)),
        ("system:login", "login_failed", "staff_user", str(me)),
        ("system:login", "login_failed", "staff_user", "unknown"),
    ]
    with app.app_context():
        assert verify_trail().intact


def test_list_pages_record_each_participant_shown(app, client, staff_login, make_participant):
    for study_id in ("P001", "P002"):
        make_participant(study_id)
    me = account_id(app, staff_login.as_role("coordinator"))
    assert client.get("/staff/dashboard/").status_code == 200
    assert client.get("/staff/participants/").status_code == 200
    with app.app_context():
        ids = sorted(str(get_participant(s).id) for s in ("P001", "P002"))
    seen = [(actor, entity_id, new) for actor, _, _, entity_id, _, new in chain(app, "access")]
    assert seen == [(f"staff:{me}", i, "list page") for i in ids] * 2


def test_web_exports_record_who_which_filter_and_how_many_rows(app, client, staff_login,
                                                               make_participant):
    make_participant("P001")
    me = account_id(app, staff_login.as_role("coordinator"))
    client.get("/staff/participants/P001")
    assert client.get("/staff/participants/P001/access.csv").status_code == 200
    assert client.get("/staff/audit/export.csv?participant=P001").status_code == 200
    exports = [(actor, entity, entity_id, new) for actor, _, entity, entity_id, _, new
               in chain(app, "export")]
    assert exports[0] == (f"staff:{me}", "access_report", "participant=P001", "1")
    assert exports[1][:3] == (f"staff:{me}", "audit_trail", "participant=P001")


def test_command_line_exports_record_the_operating_system_user(app, runner, make_participant):
    make_participant("P001")
    assert runner.invoke(args=["responses", "export"]).exit_code == 0
    result = runner.invoke(args=["audit", "export", "--participant", "P001"])
    assert result.exit_code == 0
    actor = f"system:cli:{getpass.getuser()}"
    assert [(a, entity, entity_id, new) for a, _, entity, entity_id, _, new
            in chain(app, "export")] == [
        (actor, "responses", "csv", "0"),  # the format; the filter is in the reason
        (actor, "audit_trail", "participant=P001", str(result.output.count("\n") - 1)),
    ]
