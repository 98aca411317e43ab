"""Importing the trial's earlier values: every row checked first, then all or nothing.

The file: UTF-8 CSV (commas or semicolons, as Danish Excel saves it) whose first
line is `study_id,timepoint,date,instrument` followed by item columns named as
the export names them (`xq1` … `xq8`, `vas1` … `vas8`; any subset, in any
order). Each row holds one instrument's values at one time point; cells of the
other instruments' items stay empty, and an empty cell of its own is "not
answered". Scores are computed here with the instrument's scoring rule.
"""
import csv
import hashlib
from collections import namedtuple

from flask import current_app
from flask_babel import gettext as _

from ..audit.services import record_change
from ..extensions import db
from ..instruments import instruments
from ..instruments.scoring import score_response
from ..participants.models import Participant, canonical_study_id
from ..timeutil import parse_typed_date
from .models import HistoricalResponse, HistoricalScore, HistoricalValue

FIXED_COLUMNS = ["study_id", "timepoint", "date", "instrument"]
TIMEPOINT_LENGTH = 40

#: One checked row: participant, time point, date, instrument definition, {item id: value}.
HistoryRow = namedtuple("HistoryRow", "line participant timepoint collected_on instrument values")


class HistoryImportError(ValueError):
    """The file as a whole cannot be read; the message says what to fix."""


def item_columns():
    """{item id: instrument code} for every item of the current instruments."""
    registry = instruments()
    return {item.id: code for code in registry.codes for item in registry.current(code).items}


def read_history_file(path):
    """(header, [(line number, {column: cell})], SHA-256 of the file); blank lines left out."""
    with open(path, "rb") as f:
        content = f.read()
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise HistoryImportError(_("The file is not UTF-8 text: save it as CSV UTF-8 and try "
                                   "again.")) from None
    lines = text.splitlines()
    delimiter = ";" if lines and ";" in lines[0] else ","
    reader = csv.reader(lines, delimiter=delimiter)
    header = [cell.strip() for cell in next(reader, [])]
    known = item_columns()
    unknown = [c for c in header[4:] if c not in known]
    if header[:4] != FIXED_COLUMNS or unknown or len(set(header)) != len(header):
        raise HistoryImportError(_(
            "The first line must be %(fixed)s followed by item columns such as xq1 or vas1, "
            "each once.", fixed=",".join(FIXED_COLUMNS)))
    rows = []
    for cells in reader:
        if any(cell.strip() for cell in cells):
            rows.append((reader.line_num, cells))
    return header, rows, hashlib.sha256(content).hexdigest()


def check_value(item, cell):
    """(value or None, problem or None) for one item's cell."""
    if cell == "":
        return None, None
    scale = item.scale
    if cell.isdigit() and scale.contains(int(cell)):
        return int(cell), None
    return None, _("%(item)s must be a whole number from %(low)d to %(high)d, or empty",
                   item=item.id, low=scale.min, high=scale.max)


def check_row(cells, header, participants):
    """(HistoryRow or None, [problems]) for one row's cells, without echoing its values."""
    if len(cells) != len(header):
        return None, [_("expected %(n)d cells, found %(found)d", n=len(header),
                        found=len(cells))]
    cell = dict(zip(header, (c.strip() for c in cells), strict=True))
    problems = []
    participant = participants.get(canonical_study_id(cell["study_id"]))
    if participant is None:
        problems.append(_("no participant has this study ID"))
    timepoint = cell["timepoint"]
    if not timepoint or len(timepoint) > TIMEPOINT_LENGTH:
        problems.append(_("the time point must be 1 to %(n)d characters", n=TIMEPOINT_LENGTH))
    collected_on = parse_typed_date(cell["date"])
    if collected_on is None:
        problems.append(_("the date must be written as 2025-03-31 or 31.03.2025"))
    registry = instruments()
    code = cell["instrument"].lower()
    if code not in registry.codes:
        problems.append(_("the instrument must be one of: %(codes)s",
                          codes=", ".join(registry.codes)))
        return None, problems
    instrument = registry.current(code)
    own = {item.id: item for item in instrument.items}
    values = {}
    for column in header[4:]:
        if column in own:
            values[column], problem = check_value(own[column], cell[column])
            if problem:
                problems.append(problem)
        elif cell[column]:
            problems.append(_("%(item)s belongs to another instrument: leave it empty",
                              item=column))
    if not any(v is not None for v in values.values()) and not problems:
        problems.append(_("the row has no values"))
    if problems:
        return None, problems
    return HistoryRow(None, participant, timepoint, collected_on, instrument, values), []


def check_history(header, lines):
    """([HistoryRow], [(line number, [problems])]): every row checked, also for a time point
    given twice in the file or already imported."""
    study_ids = {canonical_study_id(cells[0]) for _line, cells in lines if cells}
    participants = {p.study_id: p for p in db.session.execute(
        db.select(Participant).where(Participant.study_id.in_(study_ids))).scalars()}
    taken = {tuple(row) for row in db.session.execute(db.select(
        HistoricalResponse.participant_id, HistoricalResponse.timepoint,
        HistoricalResponse.instrument_code))}
    rows, bad, first_line = [], [], {}
    for line, cells in lines:
        row, problems = check_row(cells, header, participants)
        if row is not None:
            key = (row.participant.id, row.timepoint, row.instrument.code)
            if key in first_line:
                problems.append(_("the same time point and instrument are on line %(line)d",
                                  line=first_line[key]))
            elif key in taken:
                problems.append(_("this time point was already imported"))
            first_line.setdefault(key, line)
            rows.append(row._replace(line=line))
        if problems:
            bad.append((line, problems))
    return rows, bad


def import_history(rows, digest, source, actor):
    """Store every checked row with its scores (audited: who, the file's digest, the rows).
    The caller checked them (check_history) and commits."""
    fraction = current_app.config["SURVEY_MIN_ANSWERED_FRACTION"]
    for row in rows:
        stored = HistoricalResponse(
            participant=row.participant, timepoint=row.timepoint, collected_on=row.collected_on,
            instrument_code=row.instrument.code, instrument_version=row.instrument.version,
            source_sha256=digest)
        db.session.add(stored)
        for item_id, value in row.values.items():
            db.session.add(HistoricalValue(response=stored, item_id=item_id, value=value))
        for result in score_response(row.instrument, row.values, fraction):
            db.session.add(HistoricalScore(
                response=stored, score_id=result.score_id, value=result.value,
                n_answered=result.n_answered, n_items=result.n_items,
                prorated=result.prorated, min_fraction=result.min_fraction))
        db.session.flush()
        record_change(actor, "import", "historical_response", stored.id, field="timepoint",
                      new=f"{row.timepoint} {row.instrument.code} {row.collected_on}",
                      reason=f"imported from {source}", participant_id=row.participant.id)
    record_change(actor, "import", "history_file", digest[:40], field="rows", new=len(rows),
                  reason=f"{source}, SHA-256 {digest}")
    return len(rows)
