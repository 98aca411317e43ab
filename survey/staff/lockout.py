"""Counting wrong passwords and second-factor codes, safe against concurrent requests.

A try is claimed *before* the password or code is checked, by one conditional
UPDATE: it counts the try as wrong and, at the fifth, locks the account, and it
changes nothing once the account is locked. The database applies such UPDATEs
to a row one at a time (a row lock on PostgreSQL, held to the end of the
request's transaction; SQLite has one writer), so however many requests arrive
at once, at most MAX_FAILED_TRIES of them get to check a password or a code per
lockout. A right password or code gives its try back.

Passwords and codes are counted apart, so that the right password does not
reset the count of wrong codes; both lock the same account for the same time.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, literal, or_, update

from ..extensions import db
from ..timeutil import UTCDateTime
from .models import StaffUser

MAX_FAILED_TRIES = 5
LOCKOUT = timedelta(minutes=15)
#: The counters, by what is being tried.
PASSWORD, CODE = "failed_logins", "failed_codes"


@dataclass(frozen=True)
class Try:
    """A claimed try; `locked_until` is set when this try locked the account."""

    counter: str
    locked_until: datetime | None


def _update(user, **where):
    return (update(StaffUser).where(StaffUser.id == user.id, *where.values())
            .execution_options(synchronize_session=False))


def claim_try(user, counter, now):
    """Count one try of `counter` (PASSWORD or CODE) as wrong; None when the account is locked."""
    count = getattr(StaffUser, counter)
    reaches_limit = count + 1 >= MAX_FAILED_TRIES
    statement = (
        _update(user, unlocked=or_(StaffUser.locked_until.is_(None),
                                   StaffUser.locked_until <= now))
        .values({counter: case((reaches_limit, 0), else_=count + 1),
                 "locked_until": case((reaches_limit, literal(now + LOCKOUT, UTCDateTime())),
                                      else_=None)})
        .returning(StaffUser.locked_until)
    )
    claimed = db.session.execute(statement).first()
    db.session.expire(user, [counter, "locked_until"])
    return None if claimed is None else Try(counter, claimed.locked_until)


def give_back(user, tried):
    """The try was right: start its count afresh and lift the lock it set, if any."""
    values = {tried.counter: 0}
    if tried.locked_until is not None:
        values["locked_until"] = None
    db.session.execute(_update(user).values(values))
    db.session.expire(user, list(values))

