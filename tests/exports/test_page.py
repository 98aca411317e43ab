"""The coordinators' export page: every format and filter, downloaded, audited."""
import pytest

from survey.audit.models import AccessRecord, AuditRecord
from survey.extensions import db
from survey.staff.models import StaffUser

from .conftest import read_csv

PAGE = "/staff/exports/"


def form_data(staff_login, **fields):
    data = {"csrf_token": staff_login.csrf_token(PAGE), "fmt": "csv", "instrument": "",
            "mode": "", "since": "", "until": "", "status": ""}
    data.update(fields)
    return data


@pytest.mark.parametrize("role, status", [("data_entry", 403), ("coordinator", 200),
                                          ("admin", 200)])
def test_coordinators_and_admins_only(client, staff_login, role, status):
    staff_login.as_role(role)
    assert client.get(PAGE).status_code == status


def test_page_offers_every_format_and_filter_in_danish(client, staff_login):
    staff_login.as_role("coordinator")
    html = client.get(PAGE, headers={"Accept-Language": "da"}).get_data(as_text=True)
    for value in ("csv", "long", "codebook", "stata", "spss", "redcap-dictionary", "fhir"):
        assert f'value="{value}"' in html
    for name in ("instrument", "mode", "since", "until", "status", "include_all", "excel"):
        assert f'name="{name}"' in html
    assert "<h1>Eksport</h1>" in html and "Hvilke svar" in html


@pytest.mark.parametrize("fmt", ["csv", "long", "codebook", "stata", "spss",
                                 "redcap-dictionary", "fhir"])
def test_download_is_the_same_file_as_the_command_line(study_for_pages, client, staff_login, export,
                                                       fmt):
    staff_login.as_role("coordinator")
    response = client.post(PAGE, data=form_data(staff_login, fmt=fmt, mode="web"))
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    if fmt in ("stata", "spss"):  # binary files carry their time of writing
        assert len(response.data) > 1000
    else:
        assert response.data == export("--format", fmt, "--mode", "web")


def test_excel_and_filters_from_the_page(study_for_pages, client, staff_login):
    staff_login.as_role("coordinator")
    response = client.post(PAGE, data=form_data(
        staff_login, fmt="csv", instrument="xq", excel="y", since="01.11.2026",
        until="30.11.2026"))
    assert response.data.startswith(b"\xef\xbb\xbf")
    _, rows = read_csv(response.data, delimiter=";")
    assert sorted(r["study_id"] for r in rows) == ["P002", "W001"]
    assert next(r for r in rows if r["study_id"] == "W001")["xq_total"] == "41,43"


def test_a_wrong_date_is_refused_and_what_was_typed_is_kept(app, study_for_pages, client,
                                                           staff_login):
    staff_login.as_role("coordinator")
    response = client.post(PAGE, data=form_data(staff_login, since="31.02.2026",
                                                until="1.1.2026"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Skriv datoen som dag.måned.år" in html  # staff pages are in Danish
    assert 'value="31.02.2026"' in html
    with app.app_context():
        assert db.session.execute(db.select(AuditRecord).where(
            AuditRecord.action == "export")).first() is None


def test_every_download_is_audited_with_who_format_filter_rows_and_whose_data(
        app, study_for_pages, client, staff_login):
    email = staff_login.as_role("coordinator")
    client.post(PAGE, data=form_data(staff_login, fmt="long", mode="paper", excel="y"))
    client.post(PAGE, data=form_data(staff_login, fmt="codebook"))
    with app.app_context():
        me = db.session.execute(db.select(StaffUser).where(
            StaffUser.email == email)).scalar_one()
        records = db.session.execute(db.select(AuditRecord).where(
            AuditRecord.action == "export").order_by(AuditRecord.seq)).scalars().all()
        seen = db.session.execute(db.select(AccessRecord.participant_id, AccessRecord.purpose)
                                  .where(AccessRecord.purpose == "responses export")).all()
    assert [(r.actor, r.entity_id, r.new_value, r.reason) for r in records] == [
        (f"staff:{me.id}", "long-excel", "8", "mode=paper; counted"),
        (f"staff:{me.id}", "codebook", records[1].new_value, "counted"),
    ]
    assert int(records[1].new_value) > 100  # every column of both tables
    assert seen == [(study_for_pages.paper_id, "responses export")]
