"""Where each participant is in the round, worked out by the database.

Every participant is in exactly one *state*: the highest-ranked of these that
applies to them, so that one number per participant says it all and the
counts are one GROUP BY over that number:

    submitted_web > submitted_clinic > submitted_paper   (answered: link submitted, or
                                                          a paper form verified)
    > paper_received                                      (paper back, not yet verified)
    > deceased > withdrawn                                (and had not answered)
    > in_progress > opened > invited > expired            (their web link)
    > not_invited                                         (no link, or only revoked ones)

The invitation row alone tells how far a link got (submitting sets
completed_at, saving an answer sets last_activity_at), and a paper form is a
paper response once verified, so the ranking reads three tables: participant,
invitation and paper_form, with correlated subqueries, cheap for the 50 rows of
a page. A count, filter or sort over 100,000 participants reads the states the
database keeps (survey/dashboard/models.py) instead, working out afresh only
those that may be out of date.
"""
from dataclasses import dataclass

from sqlalchemy import Integer, and_, case, func, literal_column, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from ..extensions import db
from ..invitations.models import Invitation
from ..messaging.models import OutboundMessage
from ..paper.models import PaperForm
from ..participants.models import Participant
from ..timeutil import now_utc
from .models import ParticipantState, kept_state_is_current

#: Lowest to highest: a participant's state is the highest one that applies.
RANKED_STATES = ("not_invited", "expired", "invited", "opened", "in_progress", "withdrawn",
                 "deceased", "paper_received", "submitted_paper", "submitted_clinic",
                 "submitted_web")
RANK = {state: rank for rank, state in enumerate(RANKED_STATES, start=1)}
STATE_OF_RANK = {rank: state for state, rank in RANK.items()}
#: The order the dashboard lists them in: the way through the round.
STATES = ("not_invited", "invited", "opened", "in_progress", "expired", "paper_received",
          "submitted_web", "submitted_clinic", "submitted_paper", "withdrawn", "deceased")
ANSWERED = ("submitted_web", "submitted_clinic", "submitted_paper")
#: How a participant in an answered state answered.
ANSWER_MODE = {"submitted_web": "web", "submitted_clinic": "clinic",
               "submitted_paper": "paper"}
#: States in which a reminder may still be due (an open web link, nothing back yet).
REMINDABLE = ("invited", "opened", "in_progress")
#: The status filter: the participant statuses, and opted out of reminders.
STATUS_FILTERS = ("active", "withdrawn", "deceased", "opted_out")
SORT_COLUMNS = ("study_id", "language", "status", "state", "last_contact")


class Greatest(FunctionElement):
    """GREATEST(a, b, ...); SQLite spells it max(a, b, ...). No argument may be NULL."""

    type = Integer()
    name = "greatest"
    inherit_cache = True


@compiles(Greatest)
def _compile_greatest(element, compiler, **kw):
    return f"greatest({compiler.process(element.clauses, **kw)})"


@compiles(Greatest, "sqlite")
def _compile_greatest_sqlite(element, compiler, **kw):
    return f"max({compiler.process(element.clauses, **kw)})"


# --- the ranking: one piece per table ----------------------------------------------------


def _link_rank(now):
    """Per invitation row. Only web links make someone invited, opened or expired (a
    clinic session is not an invitation); a revoked link counts for nothing."""
    kept = Invitation.revoked_at.is_(None)
    done = and_(kept, Invitation.completed_at.is_not(None))
    still_open = and_(kept, Invitation.completed_at.is_(None), Invitation.expires_at > now)
    web = Invitation.mode == "web"
    return case((and_(done, web), RANK["submitted_web"]),
                (done, RANK["submitted_clinic"]),
                (and_(still_open, Invitation.last_activity_at.is_not(None)),
                 RANK["in_progress"]),
                (and_(still_open, web, Invitation.opened_at.is_not(None)), RANK["opened"]),
                (and_(still_open, web), RANK["invited"]),
                (and_(kept, web, Invitation.completed_at.is_(None)), RANK["expired"]),
                else_=0)


def _paper_rank():
    """Per paper form row: a verified form is a submitted paper response."""
    return case((PaperForm.status == "verified", RANK["submitted_paper"]),
                else_=RANK["paper_received"])


def _participant_rank():
    return case((Participant.paper_received_on.is_not(None), RANK["paper_received"]),
                (Participant.status == "deceased", RANK["deceased"]),
                (Participant.status == "withdrawn", RANK["withdrawn"]), else_=0)


def _state_rank(link_rank, paper_rank):
    return Greatest(literal_column("1"), func.coalesce(link_rank, 0),
                    func.coalesce(paper_rank, 0), _participant_rank())


def state_rank_correlated(now):
    """The state rank of the enclosing query's Participant row (for a few rows)."""
    link = (select(func.max(_link_rank(now)))
            .where(Invitation.participant_id == Participant.id).scalar_subquery())
    paper = (select(func.max(_paper_rank()))
             .where(PaperForm.participant_id == Participant.id).scalar_subquery())
    return _state_rank(link, paper)


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


def _where(query, filters):
    if filters.status == "opted_out":
        query = query.where(Participant.opted_out_at.is_not(None))
    elif filters.status:
        query = query.where(Participant.status == filters.status)
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
               "status": Participant.status, "state": rank}[sort]
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
               Participant.status, Participant.opted_out_at,
               state_rank_correlated(now), last_contact_correlated())
        .where(Participant.id.in_(ids))
    ).all()
    by_id = {row[0]: ParticipantRow(*row[:5], STATE_OF_RANK[row[5]], row[6]) for row in rows}
    return [by_id[i] for i in ids if i in by_id]


def count_matching(filters, now=None):
    """How many participants the filters let through (used for a study ID search)."""
    now = now or now_utc()
    query = select(func.count()).select_from(Participant)
    if filters.state:
        query = query.where(state_rank_correlated(now) == RANK[filters.state])
    return db.session.execute(_where(query, filters)).scalar_one()
