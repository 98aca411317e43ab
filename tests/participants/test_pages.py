"""Participant pages for staff: the list, one participant's page per role, the access report."""
import csv
import io
import re
from datetime import UTC, datetime

import pytest

from survey.audit.models import AccessRecord
from survey.audit.services import record_change
from survey.extensions import db
from survey.participant_pages import views as participant_views
from survey.participants.services import get_participant
from survey.responses.models import Answer, Response
from survey.staff.models import StaffUser
from survey.timeutil import now_utc

from ..conftest import ParticipantBrowser

EMAIL, PHONE = "karen.hansen@example.dk", "+4520304050"
XQ = [3, 5, 0, 10, 7, 8, 2, 4]  # total 48.75
VAS = [10, 20, 90, 40, 50, 60, 70, 80]  # mean 42.5


def log_in(staff_login, role, lang="en", **kwargs):
    email = staff_login.as_role(role, **kwargs)
    staff_login.client.get(f"/staff/language/{lang}")
    return email


def participant_page(client, study_id):
    response = client.get(f"/staff/participants/{study_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def list_rows(html):
    """{study ID: the row's cell texts}."""
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        cells = [re.sub(r"<[^>]+>", "", cell).strip()
                 for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
        if cells:
            rows[cells[0]] = cells[1:]
    return rows


def browser(app):
    return ParticipantBrowser(app.test_client())


def access_records(app, study_id):
    with app.app_context():
        participant = get_participant(study_id)
        records = db.session.execute(
            db.select(AccessRecord.purpose, StaffUser.email)
            .join(StaffUser, AccessRecord.staff_user_id == StaffUser.id)
            .where(AccessRecord.participant_id == participant.id).order_by(AccessRecord.id)
        ).all()
        return [tuple(r) for r in records]


def test_list_shows_how_far_each_participant_got(app, client, make_participant, make_invitation,
                                                 staff_login):
    make_participant("P001", lang="en", email=EMAIL, phone=PHONE)
    make_invitation(study_id=make_participant("P002"))
    browser(app).open(make_invitation(study_id=make_participant("P003")))
    in_progress = browser(app)
    in_progress.open(make_invitation(study_id=make_participant("P004")))
    in_progress.answer("xq", 1, 5)
    done = browser(app)
    done.open(make_invitation(study_id=make_participant("P005", status="active")))
    done.answer_all({"xq": XQ, "vas": VAS})
    assert done.submit().status_code == 302
    make_participant("P006", status="withdrawn")

    log_in(staff_login, "data_entry")
    html = client.get("/staff/participants/").get_data(as_text=True)
    assert list_rows(html) == {
        "P001": ["Active", "English", "Not invited", "0"],
        "P002": ["Active", "Dansk", "Invited", "0"],
        "P003": ["Active", "Dansk", "Link opened", "0"],
        "P004": ["Active", "Dansk", "In progress", "1"],
        "P005": ["Active", "Dansk", "Answered on the web", "2"],
        "P006": ["Withdrawn", "Dansk", "Withdrawn before answering", "0"],
    }
    assert EMAIL not in html and PHONE not in html  # study IDs only


def test_a_revoked_link_counts_as_no_link(app, client, make_participant, staff_login):
    from survey.invitations.services import create_invitation

    make_participant("P001")
    with app.app_context():
        invitation, _ = create_invitation(get_participant("P001"))
        invitation.revoked_at = now_utc()
        db.session.commit()
    log_in(staff_login, "data_entry")
    assert list_rows(client.get("/staff/participants/").get_data(as_text=True))["P001"][2] == (
        "Not invited")


@pytest.mark.parametrize("typed, found", [
    ("p00", ["P001", "P002"]),
    ("A_", ["A_1"]),  # "_" is a letter here, not a LIKE wildcard
    ("%", []),
    ("  AB1 ", ["AB1"]),
])
def test_filter_by_study_id(client, make_participant, staff_login, typed, found):
    for study_id in ("P001", "P002", "A_1", "AB1"):
        make_participant(study_id)
    log_in(staff_login, "data_entry")
    response = client.get("/staff/participants/", query_string={"study_id": typed})
    assert sorted(list_rows(response.get_data(as_text=True))) == sorted(found)


def test_list_is_paginated_and_keeps_the_filter(client, make_participant, staff_login,
                                                monkeypatch):
    monkeypatch.setattr(participant_views, "PER_PAGE", 2)
    for n in range(1, 6):
        make_participant(f"P00{n}")
    make_participant("X001")
    log_in(staff_login, "data_entry")
    first = client.get("/staff/participants/?study_id=P").get_data(as_text=True)
    assert sorted(list_rows(first)) == ["P001", "P002"] and "Page 1 of 3" in first
    assert 'href="/staff/participants/?page=2&amp;study_id=P"' in first
    last = client.get("/staff/participants/?study_id=P&page=3").get_data(as_text=True)
    assert sorted(list_rows(last)) == ["P005"] and 'rel="next"' not in last
    assert client.get("/staff/participants/?page=9").status_code == 404


@pytest.mark.parametrize("role, sees_contact", [
    ("data_entry", False),
    ("coordinator", True),
    ("admin", True),
])
def test_contact_details_only_for_coordinators_and_admins(client, make_participant, staff_login,
                                                          role, sees_contact):
    make_participant("P001", email=EMAIL, phone=PHONE)
    log_in(staff_login, role)
    html = participant_page(client, "P001")
    assert (EMAIL in html) is sees_contact and (PHONE in html) is sees_contact
    assert ("E-mail address" in html) is sees_contact
    # The audit trail and the access report are for coordinators too.
    assert ("/staff/participants/P001/access" in html) is sees_contact
    assert ("<h2>Audit trail</h2>" in html) is sees_contact


def test_page_shows_invitations_responses_items_and_scores(app, client, make_participant,
                                                           make_invitation, staff_login):
    make_participant("P001")
    participant = browser(app)
    participant.open(make_invitation(study_id="P001"))
    participant.answer_all({"xq": XQ, "vas": VAS})
    participant.submit()

    log_in(staff_login, "data_entry")
    html = participant_page(client, "P001")
    assert html.count('<section class="response"') == 2
    assert "Questions about dry mouth" in html
    assert ("<td>1</td><td>How difficult is it for you to talk because your mouth is dry?</td>"
            "<td>3</td>") in html
    assert "48.8" in html  # the XQ total 48.75, as people read it
    assert "42.5" in html  # the VAS mean
    assert "8 of 8" in html
    assert html.count("<dd>Web</dd>") == 2 and html.count("<dd>Submitted</dd>") == 2
    assert html.count("<dd>The only one</dd>") == 2
    assert ">Answered</td>" in html  # the invitation's state


def test_page_shows_source_staff_member_and_paper_codes(app, client, make_participant,
                                                        make_staff, staff_login):
    make_participant("P001")
    nurse = make_staff("data_entry", email="sygeplejerske@example.dk")
    with app.app_context():
        staff_id = db.session.execute(
            db.select(StaffUser.id).where(StaffUser.email == nurse)).scalar_one()
        response = Response(participant_id=get_participant("P001").id, instrument_code="xq",
                            instrument_version="1.0", mode="clinic", language="da",
                            status="submitted", submitted_at=now_utc(), started_by_id=staff_id,
                            duplicate_status="pending")
        db.session.add(response)
        db.session.add_all([
            Answer(response=response, item_id="xq1", value=4, state="answered"),
            Answer(response=response, item_id="xq2", value=None, state="multiple_marks"),
            Answer(response=response, item_id="xq3", value=None, state="unreadable"),
            Answer(response=response, item_id="xq4", value=None, state="not_answered"),
        ])
        db.session.commit()

    log_in(staff_login, "data_entry")
    html = participant_page(client, "P001")
    assert "<dd>Clinic</dd>" in html and f"<dd>{nurse}</dd>" in html
    assert "<dd>Duplicate: decision pending</dd>" in html and "<dd>In progress</dd>" not in html
    for text in ("<td>4</td>", "<td>Several marks</td>", "<td>Unreadable</td>",
                 "<td>Not answered</td>", "<td>Nothing stored</td>"):
        assert text in html, text


def test_each_view_is_recorded_and_shown_in_the_access_report(app, client, make_participant,
                                                             make_staff, staff_login):
    make_participant("P001")
    make_participant("P002")
    reader = make_staff("data_entry", email="søren.ærø@example.dk")
    other_client = app.test_client()
    from ..conftest import StaffLogin

    assert StaffLogin(other_client, make_staff).login(reader).status_code == 302
    for _ in range(2):
        participant_page(other_client, "P001")
    coordinator = log_in(staff_login, "coordinator")
    participant_page(client, "P001")
    client.get("/staff/participants/")  # issue 10: a list page is recorded for everyone shown
    assert access_records(app, "P001") == [
        ("participant page", reader), ("participant page", reader),
        ("participant page", coordinator), ("list page", coordinator)]
    assert access_records(app, "P002") == [("list page", coordinator)]

    report = client.get("/staff/participants/P001/access")
    html = report.get_data(as_text=True)
    assert report.status_code == 200
    assert html.count("søren.ærø@example.dk") == 2 and html.count(coordinator) == 2
    assert html.count("<td>Participant page</td>") == 3
    assert html.count("<td>List of participants</td>") == 1
    make_participant("P003")  # added after the list was seen: no one has seen P003
    empty = client.get("/staff/participants/P003/access").get_data(as_text=True)
    assert "No one on the study team has seen this participant" in empty


def test_access_report_times_are_local_on_the_page_and_iso_in_csv(app, client, make_participant,
                                                                  staff_login):
    make_participant("P001")
    coordinator = log_in(staff_login, "coordinator", lang="da")
    with app.app_context():
        staff_id, staff_name = db.session.execute(
            db.select(StaffUser.id, StaffUser.full_name)
            .where(StaffUser.email == coordinator)).one()
        assert staff_name  # the report names the person, not only the account
        db.session.add(AccessRecord(at=datetime(2026, 7, 1, 12, 0, tzinfo=UTC),
                                    staff_user_id=staff_id, participant_id=get_participant(
                                        "P001").id, purpose="paper entry"))
        db.session.commit()
    html = client.get("/staff/participants/P001/access").get_data(as_text=True)
    assert "1. jul. 2026 14.00.00" in html  # summer time in Copenhagen: UTC + 2

    download = client.get("/staff/participants/P001/access.csv")
    assert download.status_code == 200
    assert download.content_type == "text/csv; charset=utf-8"
    assert re.fullmatch(r'attachment; filename="access-report-P001-\d{4}-\d{2}-\d{2}\.csv"',
                        download.headers["Content-Disposition"])
    rows = list(csv.DictReader(io.StringIO(download.data.decode("utf-8"))))
    assert rows == [{"study_id": "P001", "at": "2026-07-01T12:00:00+00:00",
                     "staff_user_id": str(staff_id), "staff_email": coordinator,
                     "purpose": "paper entry", "purpose_text": "Indtastning af papirspørgeskema",
                     "staff_name": staff_name}]


def test_csv_exports_keep_danish_letters(app, client, make_participant, make_staff,
                                         staff_login):
    make_participant("P001")
    reason = "Rettet efter opkald: svaret på spørgsmål 3 var forkert (æøå ÆØÅ)"
    with app.app_context():
        record_change("staff:1", "correct", "answer", 1, field="xq3", old="3", new="4",
                      reason=reason, participant_id=get_participant("P001").id)
        db.session.commit()
    reader = make_staff("data_entry", email="søren.ærø@example.dk")
    from ..conftest import StaffLogin

    other = app.test_client()
    StaffLogin(other, make_staff).login(reader)
    participant_page(other, "P001")
    log_in(staff_login, "coordinator")

    trail = client.get("/staff/audit/export.csv?participant=P001")
    assert trail.content_type == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(trail.data.decode("utf-8"))))
    assert [(r["study_id"], r["old_value"], r["new_value"], r["reason"]) for r in rows] == [
        ("P001", "3", "4", reason)]
    access = client.get("/staff/participants/P001/access.csv").data.decode("utf-8")
    assert "søren.ærø@example.dk" in access

    excel = client.get("/staff/participants/P001/access.csv?excel=1").data
    assert excel.startswith(b"\xef\xbb\xbf")
    text = excel.decode("utf-8-sig")
    assert text.splitlines()[0] == ("study_id;at;staff_user_id;staff_email;purpose;purpose_text;"
                                    "staff_name")
    assert "søren.ærø@example.dk" in text


def test_unknown_study_id_is_404(client, staff_login):
    log_in(staff_login, "coordinator")
    for path in ("/staff/participants/NOPE", "/staff/participants/NOPE/access",
                 "/staff/participants/NOPE/access.csv"):
        assert client.get(path).status_code == 404, path


def test_idle_staff_session_times_out_here_too(client, make_participant, staff_login):
    make_participant("P001")
    log_in(staff_login, "coordinator")
    with client.session_transaction() as session:
        session["staff_last_seen"] -= 31 * 60
    response = client.get("/staff/participants/P001")
    assert response.status_code == 302 and response.location.startswith("/staff/login")
