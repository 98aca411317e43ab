"""`flask responses export`: one CSV row per submitted response, scores as hand-computed."""
import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from survey.extensions import db
from survey.invitations.services import create_invitation
from survey.participants.services import add_participant

from ..conftest import BASE_URL, BOTH_DATABASES, ParticipantBrowser

pytestmark = BOTH_DATABASES

EMAIL, PHONE = "karen.hansen@example.dk", "+4520304050"
DANISH_VERSION = "1.0-Århus-sjællandsk-ø"
XQ_IDS = [f"xq{n}" for n in range(1, 9)]
VAS_IDS = [f"vas{n}" for n in range(1, 9)]
XQ_SCORES = ["total", "eating", "not_eating"]
VAS_SCORES = [f"item{n}_aligned" for n in range(1, 9)] + ["mean"]
HEADER = (
    ["study_id", "instrument", "instrument_version", "mode", "language", "submitted_at",
     "response_id"]
    + XQ_IDS + [f"xq_{s}{p}" for s in XQ_SCORES for p in ("", "_prorated")]
    + VAS_IDS + [f"vas_{s}{p}" for s in VAS_SCORES for p in ("", "_prorated")]
    + ["who_answered"] + [f"{i}_lang" for i in XQ_IDS]
    + [f"{i}_lang" for i in VAS_IDS] + [f"{i}_input" for i in VAS_IDS]
    # Added for issue 10 (the participant is the originator), after every earlier column.
    + ["participant_status", "participant_status_date", "excluded", "exclusion_reason"]
    + [f"{i}_{s}" for i in XQ_IDS for s in ("requested", "note")]
    + [f"xq_{s}_as_submitted" for s in XQ_SCORES]
    + [f"{i}_{s}" for i in VAS_IDS for s in ("requested", "note")]
    + [f"vas_{s}_as_submitted" for s in VAS_SCORES]
    # Added for issue 11 (analysis-ready exports), after every earlier column.
    + ["export_state", "paper_completed_on", "paper_received_on", "paper_verification_state",
       "paper_verification_method", "invitation_sent_at", "reminders_before",
       "last_reminder_channel", "days_to_submission", "software_version", "software_commit",
       "min_fraction"]
    + [f"{i}_missing" for i in XQ_IDS] + [f"{i}_missing" for i in VAS_IDS]
)

# Scores are written with the two decimals the codebook states (rounded half-up).
# P001 answers everything. XQ: sum 39 x 1.25 = 48.75; eating xq2,3,5,7 = 5+0+7+2 = 14 / 4
# x 10 = 35; not eating xq1,4,6,8 = 3+10+8+4 = 25 / 4 x 10 = 62.5.
# VAS: vas3 raw 90 -> aligned 10; mean (10+20+10+40+50+60+70+80) / 8 = 42.5.
P001_XQ = [3, 5, 0, 10, 7, 8, 2, 4]
P001_VAS = [10, 20, 90, 40, 50, 60, 70, 80]
# P002 leaves items blank. XQ: 3 of 8 -> no total; eating xq3, xq5 = (6+8)/2 x 10 = 70,
# prorated; not eating only xq1 (1 of 4) -> none. VAS 5 of 8: vas3 raw 100 -> aligned 0;
# mean (0+30+0+60+100)/5 = 38; vas2, vas4, vas7 blank.
P002_XQ = [4, None, 6, None, 8, None, None, None]
P002_VAS = [0, None, 100, None, 30, 60, None, 100]


#: Decimal columns (scores and the half-rule fraction): the only ones --excel changes.
DECIMAL_SUFFIXES = tuple(f"_{s}" for s in XQ_SCORES + VAS_SCORES) + tuple(
    f"_{s}_as_submitted" for s in XQ_SCORES + VAS_SCORES) + ("min_fraction",)


def blank(ids):
    return dict.fromkeys(ids, "")


EXPECTED = {
    ("P001", "xq"): {
        **dict(zip(XQ_IDS, map(str, P001_XQ), strict=True)),
        "xq_total": "48.75", "xq_total_prorated": "0",
        "xq_eating": "35.00", "xq_eating_prorated": "0",
        "xq_not_eating": "62.50", "xq_not_eating_prorated": "0",
        **blank(VAS_IDS), **blank(f"vas_{s}{p}" for s in VAS_SCORES for p in ("", "_prorated")),
    },
    ("P001", "vas"): {
        **blank(XQ_IDS), **blank(f"xq_{s}{p}" for s in XQ_SCORES for p in ("", "_prorated")),
        **dict(zip(VAS_IDS, map(str, P001_VAS), strict=True)),
        **{f"vas_item{n}_aligned": f"{v}.00"
           for n, v in enumerate([10, 20, 10, 40, 50, 60, 70, 80], start=1)},
        **{f"vas_item{n}_aligned_prorated": "0" for n in range(1, 9)},
        "vas_mean": "42.50", "vas_mean_prorated": "0",
    },
    ("P002", "xq"): {
        "xq1": "4", "xq2": "", "xq3": "6", "xq4": "", "xq5": "8", "xq6": "", "xq7": "",
        "xq8": "",
        "xq_total": "", "xq_total_prorated": "",
        "xq_eating": "70.00", "xq_eating_prorated": "1",
        "xq_not_eating": "", "xq_not_eating_prorated": "",
        **blank(VAS_IDS), **blank(f"vas_{s}{p}" for s in VAS_SCORES for p in ("", "_prorated")),
    },
    ("P002", "vas"): {
        **blank(XQ_IDS), **blank(f"xq_{s}{p}" for s in XQ_SCORES for p in ("", "_prorated")),
        "vas1": "0", "vas2": "", "vas3": "100", "vas4": "", "vas5": "30", "vas6": "60",
        "vas7": "", "vas8": "100",
        "vas_item1_aligned": "0.00", "vas_item1_aligned_prorated": "0",
        "vas_item2_aligned": "", "vas_item2_aligned_prorated": "",
        "vas_item3_aligned": "0.00", "vas_item3_aligned_prorated": "0",
        "vas_item4_aligned": "", "vas_item4_aligned_prorated": "",
        "vas_item5_aligned": "30.00", "vas_item5_aligned_prorated": "0",
        "vas_item6_aligned": "60.00", "vas_item6_aligned_prorated": "0",
        "vas_item7_aligned": "", "vas_item7_aligned_prorated": "",
        "vas_item8_aligned": "100.00", "vas_item8_aligned_prorated": "0",
        "vas_mean": "38.00", "vas_mean_prorated": "1",
    },
}


@pytest.fixture
def answered(make_participant, make_invitation, participant_browser):
    """Two submitted participants, one half-way, one who never opened the link.

    Returns the (earliest, latest) time the submissions can carry.
    """
    start = datetime.now(UTC).replace(microsecond=0)
    for study_id, lang, xq, vas in (("P001", "da", P001_XQ, P001_VAS),
                                    ("P002", "en", P002_XQ, P002_VAS)):
        make_participant(study_id, lang=lang, email=EMAIL, phone=PHONE)
        participant_browser.open(make_invitation(study_id=study_id))
        participant_browser.answer_all({"xq": xq, "vas": vas})
        assert participant_browser.submit().status_code == 302
    make_participant("P003", lang="da", email="p3@example.dk", phone="+4511223344")
    participant_browser.open(make_invitation(study_id="P003"))
    participant_browser.answer_all({"xq": [1] * 8, "vas": [5, 5]})  # never submitted
    make_participant("P004", lang="en")
    make_invitation(study_id="P004")
    return start, datetime.now(UTC) + timedelta(seconds=1)


def export(runner, *options):
    result = runner.invoke(args=["responses", "export", "--format", "csv", *options])
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def export_file(runner, path, *options):
    """Export with --output and return the file's bytes."""
    result = export(runner, "--output", str(path), *options)
    assert result.stdout == ""
    return path.read_bytes()


def rows_of(text, delimiter=","):
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    return reader.fieldnames, list(reader)


@pytest.fixture
def exported(runner, tmp_path):
    """Factory: the plain export's (header, rows), read from its --output file."""
    def read():
        return rows_of(export_file(runner, tmp_path / "export.csv").decode("utf-8"))
    return read


def test_one_row_per_submitted_response_with_hand_computed_scores(exported, answered):
    header, rows = exported()
    assert header == HEADER
    assert [(r["study_id"], r["instrument"]) for r in rows] == [
        ("P001", "xq"), ("P001", "vas"), ("P002", "xq"), ("P002", "vas")]
    for row in rows:
        key = (row["study_id"], row["instrument"])
        assert {c: row[c] for c in EXPECTED[key]} == EXPECTED[key], key
        assert row["instrument_version"] == "1.0" and row["mode"] == "web"
        lang = {"P001": "da", "P002": "en"}[row["study_id"]]
        assert row["language"] == lang
        ids = XQ_IDS if row["instrument"] == "xq" else VAS_IDS
        assert {row[f"{i}_lang"] for i in ids} == {lang}  # skipped ones were shown too
        other = VAS_IDS if row["instrument"] == "xq" else XQ_IDS
        assert {row[f"{i}_lang"] for i in other} == {""}
        assert row["who_answered"] == ""  # the optional question was not answered
    inputs = {(r["study_id"], r["instrument"]): [r[f"{i}_input"] for i in VAS_IDS] for r in rows}
    # Through a plain form (no JavaScript) a VAS answer is typed; an unanswered one has none.
    assert inputs["P001", "vas"] == ["typed"] * 8
    assert inputs["P002", "vas"] == ["" if v is None else "typed" for v in P002_VAS]
    assert inputs["P001", "xq"] == [""] * 8
    assert len({r["response_id"] for r in rows}) == 4
    assert all(r["response_id"].isdigit() for r in rows)


def test_in_progress_and_unopened_responses_are_not_exported(runner, answered, tmp_path):
    text = export_file(runner, tmp_path / "export.csv").decode("utf-8")
    _, rows = rows_of(text)
    assert {r["study_id"] for r in rows} == {"P001", "P002"}
    assert "P003" not in text and "P004" not in text


def test_submitted_at_is_iso_8601_in_utc(exported, answered):
    earliest, latest = answered
    _, rows = exported()
    for row in rows:
        assert row["submitted_at"].endswith("+00:00"), row["submitted_at"]
        submitted = datetime.fromisoformat(row["submitted_at"])
        assert submitted.tzinfo is not None and submitted.utcoffset() == timedelta(0)
        assert earliest <= submitted <= latest
    by_participant = {(r["study_id"], r["instrument"]): r["submitted_at"] for r in rows}
    assert by_participant["P001", "xq"] == by_participant["P001", "vas"]


@pytest.mark.parametrize("options", [[], ["--excel"]])
def test_no_contact_details_anywhere(runner, answered, tmp_path, options):
    out = tmp_path / "export.csv"
    result = export(runner, "--output", str(out), *options)
    for text in (result.output, out.read_bytes().decode("utf-8-sig")):
        for secret in (EMAIL, PHONE, "20304050", "p3@example.dk", "11223344", "example.dk"):
            assert secret not in text
        assert "mail" not in text.lower() and "phone" not in text.lower()


def test_empty_export_has_the_header_only(exported, make_invitation):
    make_invitation()
    header, rows = exported()
    assert header == HEADER and rows == []


def test_output_file_is_plain_utf8_csv(runner, answered, tmp_path):
    out = tmp_path / "responses.csv"
    result = export(runner, "--output", str(out))
    assert result.stdout == ""
    assert result.stderr == f"Wrote 4 rows to {out}.\n"
    data = out.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8")  # strict: fails on anything but UTF-8
    assert text.splitlines()[0] == ",".join(HEADER)
    header, rows = rows_of(text)
    assert header == HEADER and len(rows) == 4
    assert text.endswith("\r\n") and ";" not in text


def test_output_file_is_replaced_not_appended(runner, answered, tmp_path):
    out = tmp_path / "responses.csv"
    out.write_text("old contents\n", encoding="utf-8")
    first = export_file(runner, out)
    assert export_file(runner, out) == first
    assert b"old contents" not in first


def test_excel_file_has_bom_and_semicolons(exported, runner, answered, tmp_path):
    data = export_file(runner, tmp_path / "responses-excel.csv", "--excel")
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\xef\xbb\xbf") == 1
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == ";".join(HEADER)
    header, rows = rows_of(text, delimiter=";")
    assert header == HEADER
    # The same values, with a decimal comma in the decimal columns (Danish Excel reads
    # 27.5 as 27 May); whole numbers, codes and dates as in the plain export.
    plain = exported()[1]
    assert rows == [{name: (value.replace(".", ",") if name.endswith(DECIMAL_SUFFIXES)
                            else value) for name, value in row.items()} for row in plain]
    assert rows[0]["xq_total"] == "48,75" and rows[0]["min_fraction"] == "0,50"
    assert rows[0]["xq1"] == "3" and "T" in rows[0]["submitted_at"]


def test_standard_output_is_the_same_csv_as_the_file(runner, answered, tmp_path):
    file_bytes = export_file(runner, tmp_path / "export.csv")
    assert export(runner).stdout_bytes == file_bytes


def test_excel_to_standard_output_is_the_same_as_the_excel_file(runner, answered, tmp_path):
    file_bytes = export_file(runner, tmp_path / "export.csv", "--excel")
    data = export(runner, "--excel").stdout_bytes
    assert data.startswith(b"\xef\xbb\xbf")
    assert data == file_bytes


@pytest.fixture
def danish_site_app(make_site_app):
    """The app with a site's own XQ wording whose version name has Danish letters."""
    return make_site_app("xq-1.0.toml", [('version = "1.0"', f'version = "{DANISH_VERSION}"')])


def test_danish_characters_survive_in_both_encodings(danish_site_app, tmp_path):
    app = danish_site_app
    with app.app_context():
        _, link = create_invitation(add_participant("P001", "da"))
        db.session.commit()
    browser = ParticipantBrowser(app.test_client())
    browser.open(link.removeprefix(BASE_URL))
    browser.answer_all({"xq": P001_XQ, "vas": P001_VAS})
    browser.submit()
    runner = app.test_cli_runner()

    plain = export_file(runner, tmp_path / "plain.csv").decode("utf-8")  # strict UTF-8
    _, rows = rows_of(plain)
    assert [r["instrument_version"] for r in rows] == [DANISH_VERSION, "1.0"]
    assert rows[0]["xq_total"] == "48.75"

    excel = export_file(runner, tmp_path / "excel.csv", "--excel").decode("utf-8-sig")
    _, rows = rows_of(excel, delimiter=";")
    assert [r["instrument_version"] for r in rows] == [DANISH_VERSION, "1.0"]
