"""Imported earlier time points in the long export's row shape, for the export to include.

`imported_history_long_rows()` yields one dict per imported item value:
study_id, timepoint, date, instrument, instrument_version, item, value (empty:
not answered), and imported = 1; collected responses have no such rows here.
"""
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..participants.models import Participant
from .models import HistoricalResponse

LONG_COLUMNS = ["study_id", "timepoint", "date", "instrument", "instrument_version", "item",
                "value", "imported"]


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


def imported_history_long_rows():
    """One row per imported item value, in the long export's shape (LONG_COLUMNS)."""
    for stored in imported_history():
        for value in stored.values:
            yield {"study_id": stored.participant.study_id, "timepoint": stored.timepoint,
                   "date": stored.collected_on.isoformat(), "instrument": stored.instrument_code,
                   "instrument_version": stored.instrument_version, "item": value.item_id,
                   "value": "" if value.value is None else value.value, "imported": 1}
