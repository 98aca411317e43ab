"""The long export (one row per item answer) and the codebook that describes both."""
import pytest

from survey.exports.columns import long_columns, wide_columns
from survey.instruments import instruments

from .conftest import read_csv


def test_long_has_one_row_per_item_answer_with_the_identifying_columns(study, export):
    header, rows = read_csv(export("--format", "long"))
    wide_header, wide_rows = read_csv(export())
    assert len(rows) == 8 * len(wide_rows)  # each counted response has all 8 items
    identifying = ["study_id", "instrument", "instrument_version", "mode", "language",
                   "submitted_at", "response_id"]
    assert header[:7] == identifying
    for wide in wide_rows:
        code = wide["instrument"]
        items = [r for r in rows if r["response_id"] == wide["response_id"]]
        assert [r["item"] for r in items] == [f"{code}{n}" for n in range(1, 9)]
        assert [r["item_number"] for r in items] == [str(n) for n in range(1, 9)]
        for row in items:
            assert {c: row[c] for c in identifying} == {c: wide[c] for c in identifying}
            assert row["value"] == wide[row["item"]]
            assert row["value_missing"] == wide[f"{row['item']}_missing"]
            assert row["answer_language"] == wide[f"{row['item']}_lang"]
            assert row["participant_status"] == wide["participant_status"]
    paper = {r["item"]: r["value_missing"] for r in rows if r["study_id"] == "P002"}
    assert (paper["xq2"], paper["xq6"], paper["xq8"]) == (
        "multiple_marks", "unreadable", "not_answered")


def test_every_exported_column_is_in_the_codebook_and_vice_versa(study, export):
    _, entries = read_csv(export("--format", "codebook"))
    for fmt, options in (("wide", []), ("long", ["--format", "long"])):
        header, _ = read_csv(export(*options))
        assert [e["name"] for e in entries if e["format"] == fmt] == header, fmt
    assert {e["format"] for e in entries} == {"wide", "long"}


def test_export_and_codebook_share_one_column_list(app_ctx):
    registry = instruments()
    names = [c.name for c in wide_columns(registry, ("xq", "vas"))]
    assert len(names) == len(set(names))
    assert len({c.name for c in long_columns()}) == len(long_columns())


def test_codebook_describes_items_scores_and_codes_in_both_languages(study, export):
    _, entries = read_csv(export("--format", "codebook"))
    by_name = {e["name"]: e for e in entries if e["format"] == "wide"}
    xq1 = by_name["xq1"]
    assert (xq1["type"], xq1["allowed_values"]) == ("integer", "0-10")
    assert xq1["label_da"].startswith("Hvor svært") and xq1["label_en"].startswith("How")
    assert xq1["value_labels_da"] == "0 = Slet ikke svært | 10 = Ekstremt svært"
    assert "xq1_missing" in xq1["missing_en"]
    total = by_name["xq_total"]
    assert (total["type"], total["decimals"]) == ("decimal", "2")
    assert "xq1, xq2, xq3, xq4, xq5, xq6, xq7, xq8" in total["scoring_rule"]
    assert "half-up to 2 decimals" in total["scoring_rule"]
    assert "vas3 reversed" in by_name["vas_mean"]["scoring_rule"]
    missing = by_name["xq2_missing"]
    assert missing["allowed_values"] == "not_answered, multiple_marks, unreadable"
    assert "multiple_marks = To eller flere markeringer" in missing["value_labels_da"]
    assert "multiple_marks = Two or more marks" in missing["value_labels_en"]
    for entry in entries:
        assert entry["label_da"] and entry["label_en"], entry["name"]
        assert entry["type"] in ("integer", "decimal", "text", "date", "datetime", "code")
        if entry["type"] == "code":
            assert entry["value_labels_da"] and entry["value_labels_en"], entry["name"]


@pytest.mark.parametrize("fmt", ["csv", "long", "codebook"])
def test_excel_opens_numbers_as_numbers_and_keeps_danish_letters(study, export, fmt):
    plain = read_csv(export("--format", fmt))
    data = export("--format", fmt, "--excel")
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\xef\xbb\xbf") == 1
    header, rows = read_csv(data, delimiter=";")
    assert header == plain[0] and len(rows) == len(plain[1])
    text = data.decode("utf-8-sig")
    if fmt == "codebook":
        assert "Slet ikke tør" in text and "Spørgeskema" not in text.split("\r\n")[0]
        return
    _, entries = read_csv(export("--format", "codebook"))
    decimals = {e["name"] for e in entries
                if e["format"] == ("wide" if fmt == "csv" else "long") and e["type"] == "decimal"}
    assert fmt == "long" or {"xq_total", "vas_mean", "min_fraction"} <= decimals
    commas = 0
    for excel_row, plain_row in zip(rows, plain[1], strict=True):
        for name, value in plain_row.items():
            if name in decimals and value:
                assert excel_row[name] == value.replace(".", ","), name
                assert float(excel_row[name].replace(",", ".")) == float(value)
                commas += 1
            else:  # text, codes, whole numbers and dates as in the plain export
                assert excel_row[name] == value, name
    assert fmt == "long" or commas > 0


def test_long_export_adds_imported_earlier_time_points_after_the_collected(
        study, export, runner, tmp_path):
    path = tmp_path / "history.csv"
    path.write_text("study_id,timepoint,date,instrument,xq1,xq2,xq3,xq4,xq5,xq6,xq7,xq8\n"
                    "W001,baseline,2024-01-15,xq,3,5,0,10,7,8,2,\n", encoding="utf-8")
    assert runner.invoke(args=["responses", "import-history", str(path)]).exit_code == 0
    header, rows = read_csv(export("--format", "long"))
    assert header[7:10] == ["timepoint", "timepoint_date", "imported"]
    collected = [r for r in rows if r["imported"] == "0"]
    imported = [r for r in rows if r["imported"] == "1"]
    assert rows[-len(imported):] == imported  # never mixed in among the collected rows
    assert {r["timepoint"] for r in collected} == {"follow-up"}
    w001 = {r["timepoint_date"] for r in collected if r["study_id"] == "W001"}
    assert w001 == {"2026-11-17"}  # submitted 2026-11-17 03:00 UTC: that day in Denmark
    assert [(r["item"], r["item_number"], r["value"]) for r in imported] == [
        (f"xq{n}", str(n), v) for n, v in enumerate("3 5 0 10 7 8 2".split() + [""], 1)]
    assert all(r["study_id"] == "W001" and r["timepoint"] == "baseline"
               and r["timepoint_date"] == "2024-01-15" and r["participant_status"] == "active"
               and r["mode"] == "" and r["response_id"] == "" for r in imported)
    # Imported values are not collected in any mode, and stay out of the wide export.
    _, web_only = read_csv(export("--format", "long", "--mode", "web"))
    assert {r["imported"] for r in web_only} == {"0"}
    _, vas_only = read_csv(export("--format", "long", "--instrument", "vas"))
    assert {r["imported"] for r in vas_only} == {"0"}
    _, since = read_csv(export("--format", "long", "--since", "2025-01-01"))
    assert {r["imported"] for r in since} == {"0"}
    wide_header, wide = read_csv(export())
    assert "timepoint" not in wide_header and len(wide) == 3
