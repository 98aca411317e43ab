"""Imported earlier time points in the long export's row shape, for the export to include.

`imported_history_long_rows()` yields one dict per imported item value:
study_id, timepoint, timepoint_date, instrument, instrument_version, item, value
(None: not answered), imported = 1, and the participant's status; the long
export writes them after the collected answers (survey/exports/tables.py).
"""
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..participants.models import Participant
from .models import HistoricalResponse

LONG_COLUMNS = ["study_id", "timepoint", "timepoint_date", "instrument", "instrument_version",
                "item", "value", "imported", "participant_status", "participant_status_date"]


def imported_history(participant_id=None):
    """Every imported time point (with values and scores), by study ID, date, instrument."""
    query = (db.select(HistoricalResponse).join(Participant)
             .options(selectinload(HistoricalResponse.values),
                      selectinload(HistoricalResponse.scores),
                      selectinload(HistoricalResponse.participant))
             .order_by(Participant.study_id, HistoricalResponse.collected_on,
                       HistoricalResponse.instrument_code))
    if participant_id is not None:
        query = query.where(HistoricalResponse.participant_id == participant_id)
    return db.session.execute(query).scalars().all()


def imported_history_long_rows(keep=lambda stored: True):
    """One row per imported item value, in the long export's shape (LONG_COLUMNS), of
    the time points `keep` accepts (the export's filter)."""
    for stored in imported_history():
        if not keep(stored):
            continue
        participant = stored.participant
        for value in stored.values:
            yield {"study_id": participant.study_id, "timepoint": stored.timepoint,
                   "timepoint_date": stored.collected_on, "instrument": stored.instrument_code,
                   "instrument_version": stored.instrument_version, "item": value.item_id,
                   "value": value.value, "imported": 1,
                   "participant_status": participant.status,
                   "participant_status_date": participant.status_date}
