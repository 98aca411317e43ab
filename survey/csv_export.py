"""CSV files that spreadsheets open as data, never as formulas.

Excel, LibreOffice and Google Sheets read a cell that starts with =, +, -, @, a
tab or a carriage return as a formula, which can run commands or send the sheet's
contents elsewhere. As OWASP recommends ("CSV Injection"), such text is written
with a leading apostrophe, which the spreadsheet shows as text. Every CSV the
system writes goes through `csv_writer` or `CsvDictWriter`.

Text that already starts with an apostrophe gets one more, so a program reads
every value back exactly by dropping one leading apostrophe where there is one
(the audit trail's hashes are re-checked from the original values).

Numbers are left as they are, so analysis files stay numeric: Python numbers,
and text that is only a plain decimal number such as "-5" or "-2.5" (a
spreadsheet reads it as that number; no formula fits in it).
"""
import csv
import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
APOSTROPHE = "'"
PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def neutralise(value):
    """`value`, with an apostrophe in front if it is text a spreadsheet would run
    (or text that starts with an apostrophe itself)."""
    if (isinstance(value, str) and value.startswith(FORMULA_START + (APOSTROPHE,))
            and not PLAIN_NUMBER.fullmatch(value)):
        return APOSTROPHE + value
    return value


class _NeutralisingWriter:
    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        return self._writer.writerow([neutralise(value) for value in row])


def csv_writer(stream, delimiter=","):
    """A csv.writer for `stream` (CRLF line ends) whose rows are neutralised."""
    return _NeutralisingWriter(csv.writer(stream, delimiter=delimiter, lineterminator="\r\n"))


class CsvDictWriter(csv.DictWriter):
    """csv.DictWriter (CRLF line ends) whose rows are neutralised."""

    def __init__(self, stream, fieldnames, delimiter=",", **kwargs):
        super().__init__(stream, fieldnames, delimiter=delimiter, lineterminator="\r\n",
                         **kwargs)

    def writerow(self, rowdict):
        return super().writerow({key: neutralise(value) for key, value in rowdict.items()})
