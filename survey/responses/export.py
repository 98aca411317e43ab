"""Submitted responses as a flat table for analysis: one row per response.

Columns: identifiers, how and when the answers were collected, every item's
raw value (empty when not answered), every score and whether it was prorated;
then, added later and so at the end to keep earlier columns in place: who
filled in the questionnaire, each answer's language (`xq1_lang`…) and, for
items answered on a line, how each was given (`vas1_input`…: tap, keyboard,
typed); then the participant's status and its date (`participant_status`,
`participant_status_date`: now, not when answered), whether the response is
excluded from analysis and why (`excluded`, `exclusion_reason`), each item's
participant-requested answer (`xq3_requested`: the latest request, empty when
none) and data-clarification notes (`xq3_note`), and each score as submitted
(`xq_total_as_submitted`).

The item columns (`xq3`) always hold the answer as submitted (for paper, as
verified and corrected). The score columns (`xq_total`) use the participant's
requested answer where there is one: the participant is the originator and has
told us their answer. The `_as_submitted` scores use the submitted answers only,
for a sensitivity analysis; they equal the scores when nothing was requested.
Excluded responses are exported, flagged, never dropped. Contact details and
anything about treatment are never part of it.
"""
from flask import current_app
from sqlalchemy.orm import selectinload

from ..csv_export import CsvDictWriter
from ..extensions import db
from ..instruments.scoring import score_response
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
    columns += ["participant_status", "participant_status_date", "excluded", "exclusion_reason"]
    for code in codes:
        instrument = registry.current(code)
        columns += [f"{item.id}_{suffix}" for item in instrument.items
                    for suffix in ("requested", "note")]
        columns += [f"{code}_{rule.id}_as_submitted" for rule in instrument.scores]
    return columns


def format_number(value):
    """Machine-readable: a dot as decimal mark, at most two decimals."""
    return "" if value is None else format(round(value, 2), "g")


def response_row(response, participant, registry=None):
    row = {
        "study_id": participant.study_id, "instrument": response.instrument_code,
        "instrument_version": response.instrument_version, "mode": response.mode,
        "language": response.language, "response_id": response.id,
        "submitted_at": response.submitted_at.isoformat(timespec="seconds"),
        "who_answered": (response.invitation and response.invitation.who_answered) or "",
        "participant_status": participant.status,
        "participant_status_date": (participant.status_date.isoformat()
                                    if participant.status_date else ""),
        "excluded": int(response.excluded), "exclusion_reason": response.exclusion_reason or "",
    }
    for answer in response.answers:
        row[answer.item_id] = "" if answer.value is None else answer.value
        row[f"{answer.item_id}_lang"] = answer.language or ""
        if answer.input_method:
            row[f"{answer.item_id}_input"] = answer.input_method
    for item_id, change in response.latest_requests().items():
        row[f"{item_id}_requested"] = "" if change.value is None else change.value
    notes = {}
    for note in response.notes:
        notes.setdefault(note.item_id, []).append(note.text)
    for item_id, texts in notes.items():
        row[f"{item_id}_note"] = " | ".join(texts)
    for score in response.scores:
        name = f"{response.instrument_code}_{score.score_id}"
        row[name] = format_number(score.value)
        row[f"{name}_prorated"] = "" if score.value is None else int(score.prorated)
        row[f"{name}_as_submitted"] = format_number(score.value)
    if response.requested_changes and registry is not None:
        instrument = registry.get(response.instrument_code, response.instrument_version)
        for result in score_response(instrument, response.answer_values(as_submitted=True),
                                     current_app.config["SURVEY_MIN_ANSWERED_FRACTION"]):
            name = f"{response.instrument_code}_{result.score_id}_as_submitted"
            row[name] = format_number(result.value)
    return row


def submitted_responses():
    """(response, participant) for every submitted response, in a stable order."""
    query = (
        db.select(Response, Participant)
        .join(Participant, Response.participant_id == Participant.id)
        .where(Response.status == "submitted")
        .options(selectinload(Response.answers), selectinload(Response.scores),
                 selectinload(Response.invitation), selectinload(Response.notes),
                 selectinload(Response.requested_changes))
        .order_by(Participant.study_id, Response.submitted_at, Response.id)
    )
    return db.session.execute(query).all()


def write_responses_csv(stream, registry, study_codes=(), delimiter=","):
    writer = CsvDictWriter(stream, export_columns(registry, study_codes), delimiter,
                           restval="")
    writer.writeheader()
    count = 0
    for response, participant in submitted_responses():
        if not response.counts:  # an undecided or rejected duplicate
            continue
        writer.writerow(response_row(response, participant, registry))
        count += 1
    return count
