"""One export, in any format, as bytes with its row count; audited by the caller's actor.

The command line and the coordinators' page both call `make_export` and then
`record_export_done`, so every export is in the audit trail the same way: who, the
format, the filter and the number of rows.
"""
import io
from dataclasses import dataclass

from flask import current_app

from ..audit.services import record_export
from ..history.export import imported_history_long_rows
from ..instruments import instruments
from .fhir import write_fhir_bundle
from .records import COUNTED, export_records
from .redcap import write_redcap_dictionary
from .statistics import write_statistics_file
from .tables import write_codebook, write_long, write_wide

#: name -> (file suffix, media type, whether it is text that --excel applies to)
FORMATS = {
    "csv": ("csv", "text/csv", True),
    "long": ("csv", "text/csv", True),
    "codebook": ("csv", "text/csv", True),
    "stata": ("dta", "application/x-stata-dta", False),
    "spss": ("sav", "application/x-spss-sav", False),
    "redcap-dictionary": ("csv", "text/csv", False),
    "fhir": ("json", "application/fhir+json", False),
}
#: Formats that describe the instruments, not the responses: no filter applies.
DESCRIPTIONS = ("codebook", "redcap-dictionary")


@dataclass(frozen=True)
class ExportFile:
    data: bytes
    rows: int
    filename: str
    mimetype: str
    #: Whose data is in it (participant ids), for the access log.
    participant_ids: tuple = ()


def _imported_rows(export_filter, registry):
    """The long export's rows of imported earlier time points the filter lets through:
    none when it asks for one way of answering (they were not collected here)."""
    def keep(stored):
        day = stored.collected_on
        return (export_filter.mode is None
                and export_filter.instrument in (None, stored.instrument_code)
                and export_filter.status in (None, stored.participant.status)
                and (export_filter.since is None or day >= export_filter.since)
                and (export_filter.until is None or day <= export_filter.until))

    for row in imported_history_long_rows(keep):
        items = registry.get(row["instrument"], row["instrument_version"]).items
        row["item_number"] = next(i.number for i in items if i.id == row["item"])
        yield row


def _file_data(fmt, records, excel, export_filter=COUNTED):
    """(bytes, rows) of one format; `excel` only for the CSV tables."""
    registry, codes = instruments(), current_app.config["SURVEY_INSTRUMENTS"]
    if fmt in ("stata", "spss"):
        return write_statistics_file(fmt, registry, records, codes)
    if fmt == "fhir":
        return write_fhir_bundle(registry, records)
    stream, delimiter = io.StringIO(newline=""), ";" if excel else ","
    if fmt == "csv":
        rows = write_wide(stream, registry, records, codes, delimiter, excel)
    elif fmt == "long":
        rows = write_long(stream, registry, records, codes, delimiter, excel,
                          _imported_rows(export_filter, registry))
    elif fmt == "codebook":
        rows = write_codebook(stream, registry, codes, delimiter)
    else:
        rows = write_redcap_dictionary(stream, registry, codes)
    return stream.getvalue().encode("utf-8-sig" if excel else "utf-8"), rows


def make_export(fmt, export_filter=COUNTED, excel=False):
    """The export file of `fmt` for the records `export_filter` selects."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}, expected one of {list(FORMATS)}")
    suffix, mimetype, is_text = FORMATS[fmt]
    excel = excel and is_text
    records = [] if fmt in DESCRIPTIONS else export_records(export_filter)
    data, rows = _file_data(fmt, records, excel, export_filter)
    name = f"responses-{fmt}{'-excel' if excel else ''}.{suffix}"
    return ExportFile(data, rows, name, mimetype,
                      tuple(sorted({r.participant.id for r in records})))


def record_export_done(actor, fmt, export_filter, excel, rows):
    """The export in the audit trail: who, which format and filter, how many rows."""
    record_export(actor, "responses", export_filter.describe(), rows,
                  fmt=f"{fmt}-excel" if excel and FORMATS[fmt][2] else fmt)
