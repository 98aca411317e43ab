"""How many participants are where in the round: one GROUP BY, kept briefly when slow.

Counting 100,000 participants reads every participant, invitation and paper
form (a few hundred milliseconds). When counting took longer than
SLOW_SECONDS the result is kept for SURVEY_DASHBOARD_COUNTS_SECONDS (default
60) in this process and the page says when it was counted, with a link that
counts again; a small study is always counted afresh. Actions on the
dashboard forget the kept counts.
"""
import time
from collections import Counter
from dataclasses import dataclass, replace

from flask import current_app
from sqlalchemy import case, func, select

from ..extensions import db
from ..participants.models import STATUSES, Participant
from ..timeutil import now_utc
from .queries import ANSWERED, STATE_OF_RANK, STATES, state_rank_aggregated

SLOW_SECONDS = 0.05
CACHE_KEY = "survey.dashboard.counts"


@dataclass(frozen=True)
class RoundCounts:
    """Participants per state and per status; see `response_rate` for the rate's definition."""

    by_state: dict
    by_status: dict
    opted_out: int
    paper_mailed: int
    #: {(state, status, opted out): n}: what a filtered list needs to know its length.
    groups: dict
    counted_at: object = None
    #: True when these counts were kept from an earlier request.
    kept: bool = False

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
    """Count participants per state, status, opt-out and paper mailed, in one query."""
    now = now or now_utc()
    rank, source = state_rank_aggregated(now)
    rank = rank.label("state_rank")
    opted_out = case((Participant.opted_out_at.is_not(None), 1), else_=0).label("opted_out")
    mailed = case((Participant.paper_mailed_on.is_not(None), 1), else_=0).label("mailed")
    rows = db.session.execute(
        select(rank, Participant.status, opted_out, mailed, func.count())
        .select_from(source).group_by(rank, Participant.status, opted_out, mailed)
    ).all()
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
                       opted_out=opted, paper_mailed=paper_mailed, groups=dict(groups),
                       counted_at=now)


def current_counts(refresh=False):
    """The round's counts: kept ones if counting is slow and they are recent enough."""
    kept = current_app.extensions.get(CACHE_KEY)
    max_age = current_app.config.get("SURVEY_DASHBOARD_COUNTS_SECONDS", 60)
    now = now_utc()
    if kept is not None and not refresh and (now - kept.counted_at).total_seconds() < max_age:
        return kept
    start = time.perf_counter()
    counts = round_counts(now)
    if time.perf_counter() - start >= SLOW_SECONDS and max_age > 0:
        current_app.extensions[CACHE_KEY] = replace(counts, kept=True)
    else:
        forget_counts()
    return counts


def forget_counts():
    """Count afresh next time (after an action changed someone's state)."""
    current_app.extensions.pop(CACHE_KEY, None)
