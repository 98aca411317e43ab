"""The wide export's issue-11 columns, read back: exactly the stored values and scores."""
from decimal import Decimal

import pytest

from survey.extensions import db
from survey.instruments.scoring import fixed_text
from survey.provenance import package_version
from survey.responses.models import Response

from ..conftest import BOTH_DATABASES
from .conftest import P002_XQ, W001_VAS, W001_XQ, read_csv

pytestmark = BOTH_DATABASES


def rows_by_key(data):
    _, rows = read_csv(data)
    return {(r["study_id"], r["instrument"]): r for r in rows}


def test_counted_responses_only_by_default(study, export):
    assert sorted(rows_by_key(export())) == [("P002", "xq"), ("W001", "vas"), ("W001", "xq")]


def test_scores_are_exact_and_rounded_half_up(study, export):
    rows = rows_by_key(export())
    assert rows["W001", "xq"]["xq_total"] == "41.43"  # 290/7
    assert rows["W001", "xq"]["xq_total_prorated"] == "1"
    assert rows["W001", "vas"]["vas_mean"] == "41.88"  # 335/8 = 41.875, half-up
    stored = db.session.execute(db.select(Response).where(
        Response.instrument_code == "vas")).scalar_one()
    mean = next(s for s in stored.scores if s.score_id == "mean")
    assert mean.value == Decimal("41.875") and mean.min_fraction == Decimal("0.5")


def test_every_stored_value_and_score_reads_back_exactly(study, export):
    rows = rows_by_key(export())
    for response in db.session.execute(db.select(Response).where(
            Response.status == "submitted")).scalars():
        row = rows[response.participant.study_id, response.instrument_code]
        for answer in response.answers:
            assert row[answer.item_id] == ("" if answer.value is None else str(answer.value))
        for score in response.scores:
            assert row[f"{response.instrument_code}_{score.score_id}"] == fixed_text(
                score.value, 2)


def test_missing_reasons_for_paper_codes_and_skipped_items(study, export):
    rows = rows_by_key(export())
    paper = rows["P002", "xq"]
    expected = {1: "", 2: "multiple_marks", 3: "", 4: "", 5: "", 6: "unreadable", 7: "",
                8: "not_answered"}
    assert {n: paper[f"xq{n}_missing"] for n in range(1, 9)} == expected
    assert [paper[f"xq{n}"] for n in range(1, 9)] == [
        "" if isinstance(v, str) else str(v) for v in P002_XQ]
    web = rows["W001", "xq"]
    assert web["xq4_missing"] == "not_answered" and web["xq4"] == ""
    assert {web[f"xq{n}_missing"] for n in (1, 2, 3, 5, 6, 7, 8)} == {""}
    assert web["vas1_missing"] == ""  # another instrument's column stays empty


def test_paper_dates_and_verification(study, export):
    paper = rows_by_key(export())["P002", "xq"]
    assert (paper["paper_completed_on"], paper["paper_received_on"]) == (
        "2026-11-17", "2026-11-20")
    assert (paper["paper_verification_state"], paper["paper_verification_method"]) == (
        "verified", "double_entry")
    assert paper["mode"] == "paper" and paper["language"] == "en"
    web = rows_by_key(export())["W001", "xq"]
    assert web["paper_received_on"] == web["paper_verification_state"] == ""


def test_invitation_reminders_and_days_to_submission(study, export):
    rows = rows_by_key(export())
    web = rows["W001", "vas"]
    assert web["invitation_sent_at"] == "2026-11-02T09:00:00+00:00"
    # Two reminders before submitting, the last by SMS; the third came after.
    assert (web["reminders_before"], web["last_reminder_channel"]) == ("2", "sms")
    assert web["days_to_submission"] == "15"
    assert web["who_answered"] == "helped"
    assert [web[f"vas{n}_input"] for n in range(1, 9)] == ["tap"] * 8
    assert {web[f"vas{n}_lang"] for n in range(1, 9)} == {"da"}
    assert [web[f"vas{n}"] for n in range(1, 9)] == [str(v) for v in W001_VAS]
    paper = rows["P002", "xq"]
    assert paper["invitation_sent_at"] == paper["reminders_before"] == ""
    assert paper["days_to_submission"] == ""


def test_versions_and_fraction(study, export):
    rows = rows_by_key(export())
    for row in rows.values():
        assert row["software_version"] == package_version() != ""
        assert row["instrument_version"] == "1.0"
        assert row["min_fraction"] == "0.50"
        assert row["export_state"] == "counted"
    assert [rows["W001", "xq"][f"xq{n}"] for n in range(1, 9)] == [
        "" if v is None else str(v) for v in W001_XQ]


def test_contact_details_are_never_exported(study, export):
    for options in ([], ["--all"], ["--format", "long", "--all"], ["--excel"],
                    ["--format", "fhir", "--all"], ["--format", "spss", "--all"]):
        text = export(*options).decode("utf-8-sig", errors="replace")
        for secret in ("w001@example.dk", "+4520304050", "20304050", "example.dk"):
            assert secret not in text, options


@pytest.mark.parametrize("setting, expected", [("abc123", "abc123"), ("", None)])
def test_software_commit_from_the_setting_or_git(app, setting, expected, monkeypatch):
    from survey import provenance

    monkeypatch.setitem(app.config, "SURVEY_COMMIT", setting)
    with app.app_context():
        commit = provenance.software_commit()
    if expected is not None:
        assert commit == expected
    else:  # from git when this is a checkout, else empty: never an error
        assert commit is None or len(commit) == 40
