"""Stata (.dta) and SPSS (.sav) files of the wide export, with variable and value labels.

The values are those of the wide CSV: numbers as numbers (scores rounded half-up to
the codebook's decimals), codes, dates and times as the CSV's text. Variable labels
are the codebook's English labels; numeric columns carry value labels (an item's scale
anchors, 0 = No / 1 = Yes). Written with pyreadstat.
"""
import os
import tempfile

import pandas
import pyreadstat

from ..instruments.scoring import fixed_text
from .columns import in_both_languages, wide_columns
from .tables import cell

NUMERIC_KINDS = ("integer", "decimal")
#: Stata's limit on a variable label; SPSS allows more, one label serves both.
LABEL_LENGTH = 80


def is_numeric(column):
    return column.kind in NUMERIC_KINDS or (
        column.kind == "code" and all(isinstance(c, int) for c in column.codes))


def number(column, value):
    if value is None:
        return float("nan")
    if column.kind == "decimal":
        return float(fixed_text(value, column.decimals)) if column.decimals is not None \
            else float(value)
    return float(value)


def data_frame(columns, records):
    data = {}
    for column in columns:
        values = [column.get(record) for record in records]
        if is_numeric(column):
            data[column.name] = pandas.Series([number(column, v) for v in values],
                                              dtype="float64")
        else:
            data[column.name] = pandas.Series([str(cell(column, v)) for v in values],
                                              dtype="object")
    return pandas.DataFrame(data, columns=[c.name for c in columns])


def labels(columns):
    variable = [in_both_languages(c.label)["en"][:LABEL_LENGTH] for c in columns]
    values = {c.name: {int(value): texts["en"] for value, texts in c.value_labels().items()}
              for c in columns if is_numeric(c) and c.value_labels()}
    return variable, values


def write_statistics_file(fmt, registry, records, study_codes=()):
    """The .dta ("stata") or .sav ("spss") file as bytes, and its number of rows."""
    columns = wide_columns(registry, study_codes)
    frame = data_frame(columns, records)
    variable_labels, value_labels = labels(columns)
    handle, path = tempfile.mkstemp(suffix=".dta" if fmt == "stata" else ".sav")
    os.close(handle)
    try:
        if fmt == "stata":
            pyreadstat.write_dta(frame, path, column_labels=variable_labels,
                                 variable_value_labels=value_labels)
        else:
            pyreadstat.write_sav(frame, path, column_labels=variable_labels,
                                 variable_value_labels=value_labels)
        with open(path, "rb") as stream:
            return stream.read(), len(records)
    finally:
        os.unlink(path)
