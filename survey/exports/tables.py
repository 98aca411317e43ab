"""The wide and long CSV exports and the codebook, written from the column registry.

Values are machine-readable: ISO 8601 dates and times, a dot as decimal mark,
scores rounded half-up to the decimals the codebook states. `excel` is for Danish
Excel: semicolons between columns, a decimal comma in decimal columns, and a
byte-order mark (added by the caller's encoding) so æøå stay intact.
"""
from datetime import date
from itertools import chain

from ..csv_export import CsvDictWriter
from ..instruments.scoring import decimal_text, fixed_text
from .columns import LANGUAGES, in_both_languages, long_columns, long_rows, wide_columns


def cell(column, value, excel=False):
    """One value as the CSV writes it."""
    if value is None:
        return ""
    if column.kind == "decimal":
        text = (decimal_text(value) if column.decimals is None
                else fixed_text(value, column.decimals))
        return text.replace(".", ",") if excel else text
    if isinstance(value, date):
        return value.isoformat()
    return value


def write_rows(stream, columns, rows, delimiter=",", excel=False):
    """A header and one line per row; returns the number of rows written."""
    writer = CsvDictWriter(stream, [c.name for c in columns], delimiter, restval="")
    writer.writeheader()
    count = 0
    for row in rows:
        if isinstance(row, dict):  # an imported earlier time point: the columns it has
            values = {c.name: cell(c, row.get(c.name), excel) for c in columns}
        else:
            values = {c.name: cell(c, c.get(row), excel) for c in columns}
        writer.writerow(values)
        count += 1
    return count


def write_wide(stream, registry, records, study_codes=(), delimiter=",", excel=False):
    return write_rows(stream, wide_columns(registry, study_codes), records, delimiter, excel)


def write_long(stream, registry, records, study_codes=(), delimiter=",", excel=False,
               imported=()):
    """The collected answers, then `imported` rows (dicts of the earlier time points)."""
    rows = chain((row for record in records for row in long_rows(record, registry)), imported)
    return write_rows(stream, long_columns(), rows, delimiter, excel)


CODEBOOK_FIELDS = (["format", "name", "type"] + [f"label_{lang}" for lang in LANGUAGES]
                   + ["allowed_values"] + [f"value_labels_{lang}" for lang in LANGUAGES]
                   + [f"missing_{lang}" for lang in LANGUAGES] + ["decimals", "scoring_rule"])


def codebook_entries(registry, study_codes=()):
    """(format, Column) for every column of the wide and the long export."""
    return ([("wide", c) for c in wide_columns(registry, study_codes)]
            + [("long", c) for c in long_columns()])


def codebook_row(fmt, column):
    labels = in_both_languages(column.label)
    value_labels = column.value_labels()
    missing = in_both_languages(column.missing) if column.missing else {}
    row = {"format": fmt, "name": column.name, "type": column.kind,
           "allowed_values": column.allowed_text(),
           "decimals": "" if column.decimals is None else column.decimals,
           "scoring_rule": column.rule}
    for lang in LANGUAGES:
        row[f"label_{lang}"] = labels[lang]
        row[f"value_labels_{lang}"] = " | ".join(
            f"{value} = {texts[lang]}" for value, texts in value_labels.items())
        row[f"missing_{lang}"] = missing.get(lang, "")
    return row


def write_codebook(stream, registry, study_codes=(), delimiter=","):
    """Every column of the wide and long exports described; returns the number of rows."""
    writer = CsvDictWriter(stream, CODEBOOK_FIELDS, delimiter, restval="")
    writer.writeheader()
    entries = codebook_entries(registry, study_codes)
    for fmt, column in entries:
        writer.writerow(codebook_row(fmt, column))
    return len(entries)
