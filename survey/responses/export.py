"""Submitted responses as a flat table for analysis: one row per response.

Columns: identifiers, how and when the answers were collected, every item's
raw value (empty when not answered), every score and whether it was prorated;
then, added later and so at the end to keep earlier columns in place: who
filled in the questionnaire, each answer's language (`xq1_lang`…) and, for
items answered on a line, how each was given (`vas1_input`…: tap, keyboard,
typed). Contact details and anything about treatment are never part of it.
"""
from sqlalchemy.orm import selectinload

from ..csv_export import CsvDictWriter
from ..extensions import db
from ..participants.models import Participant
from .models import Response

FIXED_COLUMNS = ["study_id", "instrument", "instrument_version", "mode", "language",
                 "submitted_at", "response_id"]


def export_columns(registry, study_codes=()):
    """Column names for every item and score of every known instrument, the study's first,
    then the answer context columns."""
    codes = list(study_codes) + [c for c in registry.codes if c not in study_codes]
    columns = list(FIXED_COLUMNS)
    for code in codes:
        instrument = registry.current(code)
        columns += [item.id for item in instrument.items]
        for rule in instrument.scores:
            columns += [f"{code}_{rule.id}", f"{code}_{rule.id}_prorated"]
    columns.append("who_answered")
    for code in codes:
        items = registry.current(code).items
        columns += [f"{item.id}_lang" for item in items]
        columns += [f"{item.id}_input" for item in items if item.scale.kind == "vas"]
    return columns


def format_number(value):
    """Machine-readable: a dot as decimal mark, at most two decimals."""
    return "" if value is None else format(round(value, 2), "g")


def response_row(response, study_id):
    row = {
        "study_id": study_id, "instrument": response.instrument_code,
        "instrument_version": response.instrument_version, "mode": response.mode,
        "language": response.language, "response_id": response.id,
        "submitted_at": response.submitted_at.isoformat(timespec="seconds"),
        "who_answered": (response.invitation and response.invitation.who_answered) or "",
    }
    for answer in response.answers:
        row[answer.item_id] = "" if answer.value is None else answer.value
        row[f"{answer.item_id}_lang"] = answer.language or ""
        if answer.input_method:
            row[f"{answer.item_id}_input"] = answer.input_method
    for score in response.scores:
        name = f"{response.instrument_code}_{score.score_id}"
        row[name] = format_number(score.value)
        row[f"{name}_prorated"] = "" if score.value is None else int(score.prorated)
    return row


def submitted_responses():
    """(response, study_id) for every submitted response, in a stable order."""
    query = (
        db.select(Response, Participant.study_id)
        .join(Participant, Response.participant_id == Participant.id)
        .where(Response.status == "submitted")
        .options(selectinload(Response.answers), selectinload(Response.scores),
                 selectinload(Response.invitation))
        .order_by(Participant.study_id, Response.submitted_at, Response.id)
    )
    return db.session.execute(query).all()


def write_responses_csv(stream, registry, study_codes=(), delimiter=","):
    writer = CsvDictWriter(stream, export_columns(registry, study_codes), delimiter,
                           restval="")
    writer.writeheader()
    count = 0
    for response, study_id in submitted_responses():
        if not response.counts:  # an undecided or rejected duplicate
            continue
        writer.writerow(response_row(response, study_id))
        count += 1
    return count
