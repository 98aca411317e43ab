"""Where each participant is in the round, worked out by the database.

The states and their ranking are defined in survey/participants/state.py
(in Python and in SQL, proven to agree). Here they are put to work on the
participant list: the 50 rows of a page are ranked with correlated
subqueries; a count, filter or sort over 100,000 participants reads the
states the database keeps (survey/dashboard/models.py) instead, working out
afresh only those that may be out of date.
"""
from dataclasses import dataclass

from sqlalchemy import case, func, select

from ..codes import STATES  # noqa: F401 (the dashboard's modules read it from here)
from ..extensions import db
from ..messaging.models import OutboundMessage
from ..participants.models import Participant
from ..participants.state import (  # noqa: F401  (re-exported for the dashboard's modules)
    ANSWER_MODE,
    ANSWERED,
    CHANNELS,
    RANK,
    REMINDABLE,
    STATE_OF_RANK,
    state_rank_sql,
)
from ..timeutil import now_utc
from .models import ParticipantState, kept_state_is_current

#: The status filter: the participant statuses, and opted out of reminders.
STATUS_FILTERS = ("active", "withdrawn", "deceased", "opted_out")
SORT_COLUMNS = ("study_id", "language", "status", "state", "last_contact", "channel")


#: The state rank of the enclosing query's Participant row (for a few rows).
state_rank_correlated = state_rank_sql

def state_rank_kept(now):
    """(state rank, the FROM clause it needs): the kept state (survey/dashboard/models.py),
    or, for a participant whose kept state may be out of date, worked out afresh."""
    rank = case((kept_state_is_current(now), ParticipantState.state_rank),
                else_=state_rank_correlated(now))
    source = Participant.__table__.join(
        ParticipantState, ParticipantState.participant_id == Participant.id)
    return rank, source


# --- one page of the participant list ----------------------------------------------------


@dataclass(frozen=True)
class Filters:
    state: str = ""
    status: str = ""
    search: str = ""
    channel: str = ""


def _where(query, filters):
    if filters.status == "opted_out":
        query = query.where(Participant.opted_out_at.is_not(None))
    elif filters.status:
        query = query.where(Participant.status == filters.status)
    if filters.channel:
        query = query.where(Participant.channel == filters.channel)
    if filters.search:
        query = query.where(Participant.study_id.icontains(filters.search, autoescape=True))
    return query


def page_ids(filters, sort="study_id", descending=False, limit=50, offset=0, now=None):
    """The ids of one page of participants, in order.

    Sorted by study ID without a state filter, the study ID index is walked and
    nothing else is read. Filtered or sorted by state, everyone's kept state is
    read (see state_rank_kept).
    """
    now = now or now_utc()
    query = select(Participant.id)
    rank = None
    if filters.state or sort == "state":
        rank, source = state_rank_kept(now)
        query = query.select_from(source)
        if filters.state:
            query = query.where(rank == RANK[filters.state])
    if sort == "last_contact":
        # One index probe per participant: fast with an index on
        # outbound_message (participant_id, sent_at), see bench/dashboard.py.
        key = last_contact_correlated()
    else:
        key = {"study_id": Participant.study_id, "language": Participant.language,
               "status": Participant.status, "state": rank,
               "channel": Participant.channel}[sort]
    key = key.desc() if descending else key.asc()
    if sort == "last_contact":
        key = key.nulls_last()  # never contacted: at the end either way
    order = [key] if sort == "study_id" else [
        key, Participant.study_id.desc() if descending else Participant.study_id]
    query = _where(query, filters).order_by(*order).limit(limit).offset(offset)
    return db.session.execute(query).scalars().all()


@dataclass(frozen=True)
class ParticipantRow:
    id: int
    study_id: str
    language: str
    status: str
    opted_out_at: object
    channel: str
    state: str
    last_contact: object

    @property
    def answer_mode(self):
        """web, clinic or paper for those who answered; None for the others."""
        return ANSWER_MODE.get(self.state)


def last_contact_correlated():
    """When the enclosing query's participant was last sent a message (None: never)."""
    return (select(func.max(OutboundMessage.sent_at))
            .where(OutboundMessage.participant_id == Participant.id).scalar_subquery())


def page_rows(ids, now=None):
    """[ParticipantRow] for these participant ids, in the same order."""
    if not ids:
        return []
    now = now or now_utc()
    rows = db.session.execute(
        select(Participant.id, Participant.study_id, Participant.language,
               Participant.status, Participant.opted_out_at, Participant.channel,
               state_rank_correlated(now), last_contact_correlated())
        .where(Participant.id.in_(ids))
    ).all()
    by_id = {row[0]: ParticipantRow(*row[:6], STATE_OF_RANK[row[6]], row[7]) for row in rows}
    return [by_id[i] for i in ids if i in by_id]


def count_matching(filters, now=None):
    """How many participants the filters let through (used for a study ID search)."""
    now = now or now_utc()
    query = select(func.count()).select_from(Participant)
    if filters.state:
        query = query.where(state_rank_correlated(now) == RANK[filters.state])
    return db.session.execute(_where(query, filters)).scalar_one()
