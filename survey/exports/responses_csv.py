"""The wide export of counted responses, for callers that write to their own stream.

The columns, the records and every other format are in survey/exports/.
"""
from .records import COUNTED, export_records
from .tables import write_wide


def write_responses_csv(stream, registry, study_codes=(), delimiter=",",
                        export_filter=COUNTED):
    """One row per counted response (see exports.columns.wide_columns); returns the count."""
    return write_wide(stream, registry, export_records(export_filter), study_codes, delimiter,
                      excel=delimiter == ";")
