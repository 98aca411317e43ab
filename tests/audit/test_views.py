"""The coordinator's audit pages and exports, on the web and on the command line."""
import csv
import io
import re

from sqlalchemy import text

from survey.audit.models import AccessRecord, AuditRecord
from survey.audit.services import record_change
from survey.audit_reports.trail import AUDIT_CSV_COLUMNS
from survey.extensions import db
from survey.participants.services import get_participant

from ..conftest import ParticipantBrowser

REASON = "Rettet efter telefonsamtale med deltageren – æøå ÆØÅ"


def log_in(staff_login, role="coordinator"):
    email = staff_login.as_role(role)
    staff_login.client.get("/staff/language/en")
    return email


def answered(app, make_participant, make_invitation, study_id, values):
    make_participant(study_id)
    browser = ParticipantBrowser(app.test_client())
    browser.open(make_invitation(study_id=study_id))
    browser.answer_all({"xq": values})


def rows(data):
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def access_purposes(app):
    with app.app_context():
        query = db.select(AccessRecord.participant_id, AccessRecord.purpose).order_by(
            AccessRecord.id)
        return [tuple(r) for r in db.session.execute(query)]


def test_verify_page_shows_an_intact_chain(app, client, make_participant, make_invitation,
                                           staff_login):
    answered(app, make_participant, make_invitation, "P001", [1, 2])
    log_in(staff_login)
    with app.app_context():
        count = db.session.scalar(db.select(db.func.count(AuditRecord.id)))
    html = client.get("/staff/audit/").get_data(as_text=True)
    assert f"{count} records checked: the audit trail is intact." in html


def test_verify_page_names_the_broken_record(app, client, make_participant, make_invitation,
                                             staff_login):
    answered(app, make_participant, make_invitation, "P001", [1, 2, 3])
    log_in(staff_login)
    with app.app_context():
        db.session.execute(text("DROP TRIGGER audit_record_no_update"))
        db.session.execute(text("UPDATE audit_record SET new_value = '9' WHERE id = 3"))
        db.session.commit()
    html = client.get("/staff/audit/").get_data(as_text=True)
    assert "The audit trail is broken at record 3. 2 records before it are intact." in html
    assert "the audit trail is intact" not in html


def test_response_trail_shows_its_records_and_is_logged(app, client, make_participant,
                                                        make_invitation, staff_login):
    answered(app, make_participant, make_invitation, "P001", [4, 5])
    answered(app, make_participant, make_invitation, "P002", [6])
    coordinator = log_in(staff_login)
    html = client.get("/staff/audit/responses/1").get_data(as_text=True)
    assert "Audit trail of response 1" in html and 'href="/staff/participants/P001"' in html
    assert html.count('<tr id="record-') == 2  # P002's answer is another response
    assert f"<td>{coordinator}</td>" not in html and "<td>The participant</td>" in html
    with app.app_context():
        assert access_purposes(app) == [(get_participant("P001").id, "audit view")]
    assert client.get("/staff/audit/responses/99").status_code == 404


def test_staff_actors_are_shown_by_email(app, client, make_participant, staff_login):
    make_participant("P001")
    coordinator = log_in(staff_login)
    with app.app_context():
        staff_id = db.session.execute(text("SELECT id FROM staff_user")).scalar_one()
        record_change(f"staff:{staff_id}", "correct", "answer", 1, field="xq1", old="2",
                      new="3", reason=REASON, participant_id=get_participant("P001").id)
        db.session.commit()
    html = client.get("/staff/participants/P001").get_data(as_text=True)
    assert f"<td>{coordinator}</td>" in html and f"<td>{REASON}</td>" in html


def test_the_exported_trail_names_people_not_only_accounts(app, client, make_participant,
                                                           staff_login):
    make_participant("P001")
    coordinator = log_in(staff_login)
    with app.app_context():
        staff_id, name = db.session.execute(
            text("SELECT id, full_name FROM staff_user")).one()
        record_change(f"staff:{staff_id}", "correct", "answer", 1, field="xq1", old="2",
                      new="3", reason=REASON, participant_id=get_participant("P001").id)
        record_change("system:messaging", "create", "outbound_message", 1,
                      participant_id=get_participant("P001").id)
        db.session.commit()
    exported = rows(client.get("/staff/audit/export.csv?participant=P001").data)
    by_actor = {r["actor"]: r["actor_text"] for r in exported}
    assert by_actor[f"staff:{staff_id}"] == f"{name} <{coordinator}>"
    assert by_actor["system:messaging"] == "Automatic sending"


def test_export_of_the_whole_trail(app, client, make_participant, make_invitation, staff_login):
    answered(app, make_participant, make_invitation, "P001", [4, 5])
    answered(app, make_participant, make_invitation, "P002", [6])
    make_participant("P003")  # nothing recorded about P003
    log_in(staff_login)
    download = client.get("/staff/audit/export.csv")
    assert download.status_code == 200
    assert download.content_type == "text/csv; charset=utf-8"
    assert re.fullmatch(r'attachment; filename="audit-trail-\d{4}-\d{2}-\d{2}\.csv"',
                        download.headers["Content-Disposition"])
    assert download.data.decode("utf-8").splitlines()[0] == ",".join(AUDIT_CSV_COLUMNS)
    exported = rows(download.data)
    with app.app_context():
        records = db.session.execute(
            db.select(AuditRecord).order_by(AuditRecord.id)).scalars().all()
        assert [(r["id"], r["hash"], r["at"]) for r in exported] == [
            (str(r.id), r.hash, r.at.isoformat()) for r in records[:len(exported)]]
        p1, p2 = get_participant("P001").id, get_participant("P002").id
        # The export itself lands in the chain after it: who, which filter, how many rows,
        # and each participant shown in it.
        assert [(r.action, r.entity, r.entity_id, r.field, r.new_value)
                for r in records[len(exported):]] == [
            ("export", "audit_trail", "all", "rows", str(len(exported))),
            ("access", "participant", str(p1), "purpose", "audit export"),
            ("access", "participant", str(p2), "purpose", "audit export")]
    assert {r["study_id"] for r in exported} == {"P001", "P002", ""}  # "": the staff account
    # An export shows every participant in it: each one's access report says so.
    assert sorted(access_purposes(app)) == [(p1, "audit export"), (p2, "audit export")]


def test_export_of_one_participant(app, client, make_participant, make_invitation, staff_login):
    answered(app, make_participant, make_invitation, "P001", [4, 5])
    answered(app, make_participant, make_invitation, "P002", [6])
    with app.app_context():
        record_change("system:test", "correct", "answer", 1, field="xq1", old="4", new="3",
                      reason=REASON, participant_id=get_participant("P001").id)
        db.session.commit()
    log_in(staff_login)
    download = client.get("/staff/audit/export.csv?participant=P001")
    assert re.fullmatch(r'attachment; filename="audit-trail-P001-\d{4}-\d{2}-\d{2}\.csv"',
                        download.headers["Content-Disposition"])
    exported = rows(download.data)
    assert [(r["field"], r["old_value"], r["new_value"]) for r in exported] == [
        ("xq1", "", "4"), ("xq2", "", "5"), ("xq1", "4", "3")]
    assert exported[-1]["reason"] == REASON and {r["study_id"] for r in exported} == {"P001"}

    excel = client.get("/staff/audit/export.csv?participant=P001&excel=1").data
    assert excel.startswith(b"\xef\xbb\xbf") and REASON in excel.decode("utf-8-sig")
    assert excel.decode("utf-8-sig").splitlines()[0] == ";".join(AUDIT_CSV_COLUMNS)


def test_export_of_an_unknown_participant_says_so(client, staff_login):
    log_in(staff_login)
    response = client.get("/staff/audit/export.csv?participant=NOPE")
    assert response.status_code == 302 and response.location == "/staff/audit/"
    assert "There is no participant with study ID NOPE." in client.get(
        "/staff/audit/").get_data(as_text=True)


def test_cli_export(app, runner, make_participant, make_invitation, tmp_path):
    answered(app, make_participant, make_invitation, "P001", [4, 5])
    answered(app, make_participant, make_invitation, "P002", [6])
    with app.app_context():
        record_change("system:test", "correct", "answer", 1, field="xq1", old="4", new="3",
                      reason=REASON, participant_id=get_participant("P001").id)
        db.session.commit()

    everything = runner.invoke(args=["audit", "export"])
    assert everything.exit_code == 0, everything.output
    assert len(rows(everything.stdout_bytes)) == 4

    output = tmp_path / "trail.csv"
    result = runner.invoke(args=["audit", "export", "--participant", "P001",
                                 "--output", str(output)])
    assert result.exit_code == 0 and f"Wrote 3 audit records to {output}." in result.output
    exported = rows(output.read_bytes())
    assert exported[-1]["reason"] == REASON and {r["study_id"] for r in exported} == {"P001"}

    excel = tmp_path / "excel.csv"
    runner.invoke(args=["audit", "export", "--excel", "--output", str(excel)])
    assert excel.read_bytes().startswith(b"\xef\xbb\xbfid;at;actor;")

    unknown = runner.invoke(args=["audit", "export", "--participant", "NOPE"])
    assert unknown.exit_code == 1
    assert unknown.output == "Error: no participant with study ID 'NOPE'\n"
