"""How many participants are where in the round: one statement, an index walk.

The states are kept per participant by the database (survey/dashboard/models.py),
so counting 100,000 participants reads one index rather than three tables,
and the dashboard always shows counts as of the moment it was opened.
"""
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select, union_all

from ..extensions import db
from ..participants.models import STATUSES, Participant
from ..timeutil import now_utc
from .models import ParticipantState, kept_state_is_current
from .queries import ANSWERED, STATE_OF_RANK, STATES, state_rank_correlated
from .summary import refresh_participant_states, stale_participant_ids


@dataclass(frozen=True)
class RoundCounts:
    """Participants per state and per status; see `response_rate` for the rate's definition."""

    by_state: dict
    by_status: dict
    opted_out: int
    paper_mailed: int
    #: {(state, status, opted out): n}: what a filtered list needs to know its length.
    groups: dict

    @property
    def total(self):
        return sum(self.by_status.values())

    @property
    def answered(self):
        """Participants with a submitted response (web, clinic or verified paper)."""
        return sum(self.by_state[s] for s in ANSWERED)

    @property
    def eligible(self):
        """Everyone except those who died before answering: the response rate's denominator.

        Withdrawn participants who did not answer stay in it, as non-responders.
        """
        return self.total - self.by_state["deceased"]

    @property
    def response_rate(self):
        return self.answered / self.eligible if self.eligible else None

    def matching(self, state="", status=""):
        """How many participants a state and status filter let through."""
        return sum(n for (s, st, opted_out), n in self.groups.items()
                   if (not state or s == state)
                   and (not status or st == status or (status == "opted_out" and opted_out)))


def round_counts(now=None):
    """Count participants per state, status, opt-out and paper mailed, in one statement.

    Kept states (survey/dashboard/models.py) are counted by walking an index;
    participants whose kept state may be stale are worked out afresh, in the
    same statement, so the counts are right whether or not a refresh has run.
    """
    now = now or now_utc()
    stale = stale_participant_ids(now)
    kept = (
        select(ParticipantState.state_rank, ParticipantState.status,
               ParticipantState.opted_out, ParticipantState.paper_mailed, func.count())
        .where(kept_state_is_current(now))
        .group_by(ParticipantState.state_rank, ParticipantState.status,
                  ParticipantState.opted_out, ParticipantState.paper_mailed)
    )
    rank = state_rank_correlated(now)
    opted_out = Participant.opted_out_at.is_not(None)
    mailed = Participant.paper_mailed_on.is_not(None)
    afresh = (
        select(rank, Participant.status, opted_out, mailed, func.count())
        .where(Participant.id.in_(stale))
        .group_by(rank, Participant.status, opted_out, mailed)
    )
    rows = db.session.execute(union_all(kept, afresh)).all()
    by_state, by_status, groups = Counter(), Counter(), Counter()
    opted = paper_mailed = 0
    for state_rank, status, is_opted_out, is_mailed, n in rows:
        state = STATE_OF_RANK[state_rank]
        by_state[state] += n
        by_status[status] += n
        groups[(state, status, bool(is_opted_out))] += n
        opted += n if is_opted_out else 0
        paper_mailed += n if is_mailed else 0
    return RoundCounts(by_state={s: by_state[s] for s in STATES},
                       by_status={s: by_status[s] for s in STATUSES},
                       opted_out=opted, paper_mailed=paper_mailed, groups=dict(groups))


def current_counts(now=None):
    """The round's counts now, after bringing the kept states up to date."""
    now = now or now_utc()
    refresh_participant_states(now)
    return round_counts(now)
