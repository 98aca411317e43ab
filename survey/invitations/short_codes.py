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
A code works from the moment its invitation is made (an audited action);
printing a letter only shows it.

Why guessing is hopeless
------------------------
There are 32^10 = 2^50, about 1.1 × 10^15, codes. Every wrong code is counted
twice, in the database (so all server processes count together), before the
code is looked up: per client address (SURVEY_START_TRIES_PER_ADDRESS, 10) and
per code prefix, its first PREFIX_LENGTH characters
(SURVEY_START_TRIES_PER_PREFIX, 3), per SURVEY_START_WINDOW_MINUTES (15). A try
past either limit is refused without looking the code up; a right code gives
both tries back. There is no global cap that a stranger could fill to lock
everyone out: to block all codes one would have to fill all 32^2 = 1,024
prefixes. The prefixes also bound guessing from any number of addresses:
1,024 × 3 = 3,072 wrong tries per 15 minutes, about 295,000 a day and
1.1 × 10^8 a year. With at most 100 codes valid at any time (the study has
about 30 participants), a whole year of trying finds any valid code with a
probability of at most 1.1 × 10^8 × 100 / 1.1 × 10^15, about 1 in 100,000,
and one particular participant's code with about 1 in 10 million.
"""
import hashlib
import hmac

from flask import current_app

from ..extensions import db
from ..ratelimit import claim_try, give_back_try, keyed
from .models import Invitation

#: Crockford's base 32: no I, L, O or U.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 10
GROUPS = (4, 4, 2)
#: Letters people type for digits they see, as Crockford's decoding allows.
READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
IGNORED = " -\t\u00a0\u2010\u2011\u2012\u2013\u2014"
DIGEST_LENGTH = 16  # 80 bits, the width of Invitation.short_code
#: Wrong tries are also counted per code prefix of this many characters (32^2 = 1,024 of them).
PREFIX_LENGTH = 2


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


def printed_code(invitation):
    """The invitation's code grouped for a letter, or None if it was never switched on
    (an invitation made before codes came with every link)."""
    code = code_for_invitation(invitation)
    return format_code(code) if invitation.short_code == _stored_digest(code) else None


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


def claim_start_try(code, address, now):
    """Count one try of `code` from `address`; False (refuse unchecked) past either limit."""
    config, minutes = current_app.config, current_app.config["SURVEY_START_WINDOW_MINUTES"]
    for bucket, limit in _buckets(code, address, config):
        if not claim_try(bucket, limit, minutes, now):
            return False
    return True


def give_back_start_try(code, address, now):
    """The code was right: neither its address nor its prefix is charged."""
    minutes = current_app.config["SURVEY_START_WINDOW_MINUTES"]
    for bucket, _ in _buckets(code, address, current_app.config):
        give_back_try(bucket, minutes, now)


def _buckets(code, address, config):
    # Always the address first, then the prefix: one order, so concurrent requests on
    # PostgreSQL take their row locks in the same order and cannot deadlock.
    return (("start-a:" + keyed("start-address", address),
             config["SURVEY_START_TRIES_PER_ADDRESS"]),
            ("start-p:" + code[:PREFIX_LENGTH], config["SURVEY_START_TRIES_PER_PREFIX"]))
