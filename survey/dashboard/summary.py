"""Bringing the kept participant states (survey/dashboard/models.py) up to date.

Only participants whose rows changed (the triggers' change list) or whose
kept state has run out (an open link expired) are worked out again, in
batches. Counting never depends on this having run: it works out stale
participants itself. Running it keeps that part small, so the dashboard runs
it before counting, and the reminder run after sending.

Only the changes this refresh read are removed from the list; a change made
meanwhile stays for the next one. On PostgreSQL refreshes take turns (an
advisory lock), so an older picture can never overwrite a newer one.
"""
from sqlalchemy import delete, func, select, text, update

from ..extensions import db
from ..invitations.models import Invitation
from ..participants.models import Participant
from ..participants.state import open_link_sql
from ..timeutil import now_utc
from .models import ParticipantState, ParticipantStateChange
from .queries import state_rank_correlated

BATCH = 1000
#: pg_advisory_xact_lock key: "refresh participant states".
LOCK_KEY = 7_260_001


def valid_until_correlated(now):
    """When the enclosing query's participant's state changes by time alone: the first
    moment one of their open links expires (None: no open link)."""
    return (select(func.min(Invitation.expires_at))
            .where(Invitation.participant_id == Participant.id, open_link_sql(now))
            .scalar_subquery())


def stale_participant_ids(now):
    """A query for the ids of participants whose kept state may not be right at `now`."""
    return select(ParticipantStateChange.participant_id).union(
        select(ParticipantState.participant_id).where(ParticipantState.valid_until <= now))


def refresh_participant_states(now=None):
    """Work out again every stale kept state and commit; returns how many were refreshed."""
    now = now or now_utc()
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    changes = db.session.execute(
        select(ParticipantStateChange.id, ParticipantStateChange.participant_id)).all()
    expired = db.session.execute(
        select(ParticipantState.participant_id).where(ParticipantState.valid_until <= now)
    ).scalars().all()
    participant_ids = sorted({participant_id for _, participant_id in changes} | set(expired))
    for start in range(0, len(participant_ids), BATCH):
        rows = db.session.execute(
            select(Participant.id, state_rank_correlated(now), Participant.status,
                   Participant.opted_out_at.is_not(None), Participant.paper_mailed_on.is_not(None),
                   valid_until_correlated(now))
            .where(Participant.id.in_(participant_ids[start:start + BATCH]))
        ).all()
        if rows:
            db.session.execute(update(ParticipantState), [
                {"participant_id": pid, "state_rank": rank, "status": status,
                 "opted_out": bool(opted_out), "paper_mailed": bool(mailed),
                 "valid_until": valid_until}
                for pid, rank, status, opted_out, mailed, valid_until in rows])
    change_ids = [change_id for change_id, _ in changes]
    for start in range(0, len(change_ids), BATCH):
        db.session.execute(delete(ParticipantStateChange).where(
            ParticipantStateChange.id.in_(change_ids[start:start + BATCH])))
    db.session.commit()
    return len(participant_ids)
