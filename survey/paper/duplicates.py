"""Deciding which of a participant's duplicate responses counts.

A participant who answered on the web and also mailed the paper form has two
submitted responses to the same questionnaire. Both are kept and flagged
"pending" (responses.services.flag_duplicates) until a coordinator decides,
with a reason, which one counts; the others are marked as not counting. None is
ever deleted, and the export leaves out every response that does not count.
"""
from flask_babel import lazy_gettext as _l

from ..audit.services import record_change, staff_actor
from ..extensions import db
from ..permissions import Permission, can
from ..responses.models import Response
from ..timeutil import now_utc
from .readings import ReasonRequired


def duplicate_group(participant_id, code):
    """The participant's submitted responses to one instrument, oldest first."""
    return db.session.execute(
        db.select(Response).where(
            Response.participant_id == participant_id, Response.instrument_code == code,
            Response.status == "submitted",
        ).order_by(Response.submitted_at, Response.id)
    ).scalars().all()


def pending_duplicate_groups():
    """[(participant_id, instrument code)] with a duplicate waiting for a decision."""
    rows = db.session.execute(
        db.select(Response.participant_id, Response.instrument_code)
        .where(Response.duplicate_status == "pending").distinct()
        .order_by(Response.participant_id, Response.instrument_code)
    )
    return [tuple(row) for row in rows]


def decide_duplicate(counting, user, reason, now=None):
    """Make `counting` the response that counts; the participant's other submitted
    responses to the same instrument do not count. Each change is audited with the reason."""
    now = now or now_utc()
    reason = (reason or "").strip()
    if not can(user, Permission.DECIDE_DUPLICATES):
        raise PermissionError(f"{user!r} may not decide between duplicates")
    if not reason:
        raise ReasonRequired("deciding needs a reason", _l("Give a reason for the decision."))
    group = duplicate_group(counting.participant_id, counting.instrument_code)
    if counting not in group or len(group) < 2:
        raise ValueError(f"response {counting.id} is not one of several submitted responses")
    for response in group:
        new = "counts" if response is counting else "does_not_count"
        if response.duplicate_status != new:
            old, response.duplicate_status = response.duplicate_status, new
            record_change(staff_actor(user), "decide", "response", response.id,
                          field="duplicate_status", old=old, new=new, reason=reason,
                          participant_id=response.participant_id, response_id=response.id,
                          now=now)
    db.session.flush()
    return group
