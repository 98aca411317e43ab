"""`responses import-history`: earlier time points, all or nothing, kept apart from responses."""
import csv
import hashlib
import io
from datetime import date

import pytest

from survey.audit.models import AuditRecord
from survey.exports.responses_csv import write_responses_csv
from survey.extensions import db
from survey.history.export import LONG_COLUMNS, imported_history, imported_history_long_rows
from survey.history.models import HistoricalResponse
from survey.instruments import instruments
from survey.participants.services import get_participant
from survey.participants.state import has_answered

HEADER = "study_id,timepoint,date,instrument," + ",".join(
    [f"xq{n}" for n in range(1, 9)] + [f"vas{n}" for n in range(1, 9)])
EMPTY8 = "," * 7
#: P001 baseline XQ: sum 39 -> total 48.75; at 12 months xq8 missing -> prorated.
GOOD = "\n".join([
    HEADER,
    "P001,baseline,2024-01-15,xq,3,5,0,10,7,8,2,4," + EMPTY8,
    "P001,12 mdr,15.01.2025,xq,3,5,0,10,7,8,2,," + EMPTY8,
    "P001,baseline,2024-01-15,vas," + EMPTY8 + ",10,20,90,40,50,60,70,80",
    "P002,baseline,2024-02-01,XQ,1,1,1,1,1,1,1,1," + EMPTY8,
]) + "\n"


@pytest.fixture
def two(make_participant):
    make_participant("P001")
    make_participant("P002")


def write(tmp_path, text, name="history.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return str(path)


def test_rows_are_imported_with_scores_and_audited(app, runner, two, tmp_path):
    path = write(tmp_path, GOOD)
    result = runner.invoke(args=["responses", "import-history", path])
    assert result.exit_code == 0, result.output
    assert "Imported 4 earlier time points." in result.output
    with app.app_context():
        stored = {(h.participant.study_id, h.timepoint, h.instrument_code): h
                  for h in imported_history()}
        assert len(stored) == 4
        baseline = stored[("P001", "baseline", "xq")]
        scores = {s.score_id: (s.value, s.prorated) for s in baseline.scores}
        assert scores["total"] == (pytest.approx(48.75), False)
        later = {s.score_id: s for s in stored[("P001", "12 mdr", "xq")].scores}
        assert later["total"].prorated and later["total"].n_answered == 7
        assert stored[("P001", "12 mdr", "xq")].collected_on.isoformat() == "2025-01-15"
        vas = {s.score_id: s.value for s in stored[("P001", "baseline", "vas")].scores}
        assert vas["mean"] == pytest.approx(42.5)
        with open(path, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        assert baseline.source_sha256 == digest
        file_record = db.session.execute(db.select(AuditRecord).where(
            AuditRecord.entity == "history_file")).scalar_one()
        assert file_record.actor.startswith("system:cli:") and file_record.new_value == "4"
        assert digest in file_record.reason
        per_row = db.session.execute(db.select(AuditRecord).where(
            AuditRecord.entity == "historical_response")).scalars().all()
        assert len(per_row) == 4 and all(r.participant_id for r in per_row)


def test_imported_values_never_count_as_answered_or_exported_responses(app, runner, two,
                                                                       tmp_path):
    assert runner.invoke(args=["responses", "import-history", write(tmp_path, GOOD)]).exit_code == 0
    with app.app_context():
        assert not has_answered(get_participant("P001"))
        stream = io.StringIO()
        assert write_responses_csv(stream, instruments(), ("xq", "vas")) == 0


def test_long_rows_for_the_export(app, runner, two, tmp_path):
    assert runner.invoke(args=["responses", "import-history", write(tmp_path, GOOD)]).exit_code == 0
    with app.app_context():
        rows = list(imported_history_long_rows())
    assert all(list(row) == LONG_COLUMNS for row in rows)
    assert len(rows) == 8 * 4
    active = {"participant_status": "active", "participant_status_date": None}
    assert {"study_id": "P001", "timepoint": "12 mdr", "timepoint_date": date(2025, 1, 15),
            "instrument": "xq", "instrument_version": "1.0", "item": "xq8", "value": None,
            "imported": 1, **active} in rows
    assert {"study_id": "P001", "timepoint": "baseline", "timepoint_date": date(2024, 1, 15),
            "instrument": "vas", "instrument_version": "1.0", "item": "vas3", "value": 90,
            "imported": 1, **active} in rows


def test_a_file_with_any_bad_row_imports_nothing_and_names_each_line(app, runner, two,
                                                                     tmp_path):
    text = "\n".join([
        HEADER,
        "P001,baseline,2024-01-15,xq,3,5,0,10,7,8,2,4," + EMPTY8,        # line 2: fine
        "P404,baseline,2024-01-15,xq,3,5,0,10,7,8,2,4," + EMPTY8,        # 3: unknown ID
        "P001,baseline,2024-01-15,xq,3,5,0,10,7,8,2,4," + EMPTY8,        # 4: twice
        "P002,,32.13.2024,xq,11,5,0,10,7,8,2,4,5" + "," * 7,  # 5: several problems
        "P002,baseline,2024-01-15,sf36,1,1,1,1,1,1,1,1," + EMPTY8,       # 6: instrument
        "P002,6 mdr,2024-07-15,xq,1,2",                                  # 7: cells
        "P002,9 mdr,2024-09-15,xq," + EMPTY8 + "," + EMPTY8,             # 8: no values
    ]) + "\n"
    result = runner.invoke(args=["responses", "import-history", write(tmp_path, text)])
    assert result.exit_code == 1
    out = result.output
    assert "line 2:" not in out
    assert "line 3: no participant has this study ID" in out
    assert "line 4: the same time point and instrument are on line 2" in out
    assert "line 5: the time point must be 1 to 40 characters; the date must be written" in out
    assert "xq1 must be a whole number from 0 to 10, or empty" in out
    assert "vas1 belongs to another instrument: leave it empty" in out
    assert "line 6: the instrument must be one of: " in out
    assert "line 7: expected 20 cells, found 6" in out
    assert "line 8: the row has no values" in out
    assert "nothing imported: 6 of 7 rows have problems" in out
    with app.app_context():
        assert db.session.execute(db.select(HistoricalResponse)).first() is None


def test_the_same_time_point_cannot_be_imported_twice(app, runner, two, tmp_path):
    path = write(tmp_path, GOOD)
    assert runner.invoke(args=["responses", "import-history", path]).exit_code == 0
    again = runner.invoke(args=["responses", "import-history", path])
    assert again.exit_code == 1 and "line 2: this time point was already imported" in again.output


@pytest.mark.parametrize("text, message", [
    ("study_id,timepoint,date\nP001,baseline,2024-01-15\n", "The first line must be"),
    (HEADER.replace("xq2", "xq99") + "\n", "The first line must be"),
    (HEADER + ",xq1\n", "The first line must be"),
    (HEADER + "\n", "has no rows"),
])
def test_a_wrong_header_or_an_empty_file_is_refused(runner, two, tmp_path, text, message):
    result = runner.invoke(args=["responses", "import-history", write(tmp_path, text)])
    assert result.exit_code == 1 and message in result.output


def test_danish_excel_files_with_semicolons_and_a_byte_order_mark(app, runner, two, tmp_path):
    text = "\n".join(line.replace(",", ";") for line in GOOD.splitlines()[:2]) + "\n"
    path = write(tmp_path, text, encoding="utf-8-sig")
    result = runner.invoke(args=["responses", "import-history", path])
    assert result.exit_code == 0, result.output
    latin = write(tmp_path, GOOD.replace("mdr", "måneder"), "latin.csv", encoding="latin-1")
    refused = runner.invoke(args=["responses", "import-history", latin])
    assert refused.exit_code == 1 and "not UTF-8" in refused.output
    assert csv  # the module reads CSV as the test writes it
