"""Short codes for letters: typed on /start by someone who cannot use the long link.

A code is 10 characters of Crockford's base 32 (the digits and the capital
letters without I, L, O and U, which are easily read as 1, 1, 0 and V), shown
in groups for reading aloud and typing: ``K7QM-3XHD-92``. Typing is forgiving:
small letters, spaces and dashes are ignored, and O, I and L are read as 0, 1
and 1.

A code is derived from the invitation's key with an HMAC under the secret key,
and the invitation stores only a keyed digest of it (``Invitation.short_code``).
So, as with links, a copy of the database alone cannot be turned into codes;
every print of a letter shows the same code; and the code stops working
whenever the invitation does (expired, revoked, participant no longer active).
Only invitations that a letter was made for have a working code.

Why guessing is hopeless
------------------------
There are 32^10 = 2^50, about 1.1 × 10^15, codes. /start accepts at most 5
wrong codes per client address and 100 in all per 15 minutes (settings
SURVEY_START_TRIES_PER_ADDRESS, SURVEY_START_TRIES_TOTAL,
SURVEY_START_WINDOW_MINUTES). The counts are kept in each server process, so
with gunicorn's 3 workers an attacker with any number of addresses gets at
most 3 × 100 = 300 wrong tries per 15 minutes: 28,800 a day, about 10.5
million a year. With at most 100 codes valid at any time (the study has about
30 participants), a whole year of trying finds any valid code with a
probability of at most 10.5 × 10^6 × 100 / 1.1 × 10^15, about 1 in a million,
and one particular participant's code with about 1 in 100 million.
"""
import hashlib
import hmac
import threading
from collections import deque

from flask import current_app

from ..extensions import db
from .models import Invitation

#: Crockford's base 32: no I, L, O or U.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 10
GROUPS = (4, 4, 2)
#: Letters people type for digits they see, as Crockford's decoding allows.
READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
IGNORED = " -\t\u00a0\u2010\u2011\u2012\u2013\u2014"
DIGEST_LENGTH = 16  # 80 bits, the width of Invitation.short_code


def _keyed(purpose, value, length):
    """`length` base-32 characters of an HMAC-SHA256 of `value` under the app's secret key."""
    key = current_app.config["SECRET_KEY"].encode("utf-8")
    digest = hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest, "big")
    return "".join(ALPHABET[(number >> (5 * i)) & 31] for i in range(length))


def code_for_invitation(invitation):
    """The invitation's code, compact (10 characters, no dashes)."""
    return _keyed("survey.short-code", invitation.key, LENGTH)


def _stored_digest(code):
    return _keyed("survey.short-code-digest", code, DIGEST_LENGTH)


def assign_short_code(invitation):
    """Make the invitation's code work on /start; returns it grouped for printing."""
    code = code_for_invitation(invitation)
    invitation.short_code = _stored_digest(code)
    return format_code(code)


def format_code(code):
    """'K7QM3XHD92' -> 'K7QM-3XHD-92'."""
    parts, start = [], 0
    for size in GROUPS:
        parts.append(code[start:start + size])
        start += size
    return "-".join(parts)


def normalise_code(text):
    """What someone typed, as a compact code; None if it cannot be a code at all."""
    compact = "".join(c for c in (text or "") if c not in IGNORED).upper().translate(READ_AS)
    if len(compact) != LENGTH or any(c not in ALPHABET for c in compact):
        return None
    return compact


def find_invitation_by_short_code(code):
    """The invitation whose (compact, normalised) code this is, or None."""
    return db.session.execute(
        db.select(Invitation).where(Invitation.short_code == _stored_digest(code))
    ).scalar_one_or_none()


class StartAttempts:
    """Wrong codes within a sliding window, per client address and in all.

    Kept in the process rather than the database: it needs no table, costs
    nothing per request, and the arithmetic above already counts every
    worker. A restart forgets the counts, which an attacker cannot cause. The
    total cap also bounds memory: at most `total` entries are ever held.
    """

    def __init__(self, per_address, total, window_seconds):
        self.per_address, self.total, self.window = per_address, total, window_seconds
        self._failures = deque()  # (monotonic time, address), oldest first
        self._lock = threading.Lock()

    def _forget_old(self, now):
        while self._failures and self._failures[0][0] <= now - self.window:
            self._failures.popleft()

    def blocked(self, address, now):
        with self._lock:
            self._forget_old(now)
            if len(self._failures) >= self.total:
                return True
            return sum(1 for _, a in self._failures if a == address) >= self.per_address

    def record_failure(self, address, now):
        with self._lock:
            self._failures.append((now, address))


def start_attempts():
    """This app's counter of wrong codes, made from its settings on first use."""
    if "survey.start_attempts" not in current_app.extensions:
        config = current_app.config
        current_app.extensions.setdefault("survey.start_attempts", StartAttempts(
            config["SURVEY_START_TRIES_PER_ADDRESS"], config["SURVEY_START_TRIES_TOTAL"],
            60 * config["SURVEY_START_WINDOW_MINUTES"]))
    return current_app.extensions["survey.start_attempts"]
