"""Password hashing (Argon2id) and the password policy.

argon2-cffi's defaults (t=3, m=64 MiB, p=4) are above OWASP's minimum for
Argon2id (m=19 MiB, t=2, p=1). Werkzeug's scrypt default is below it, so it is
not used. The policy follows NIST SP 800-63B: at least 12 characters, no
composition rules, and not one of the commonly used passwords.
"""
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 12
MAX_LENGTH = 256
_hasher = PasswordHasher()


class PasswordPolicyError(ValueError):
    """The password is not acceptable; str() is a translated sentence saying why."""


@cache
def _common_passwords():
    return frozenset(FREQUENCY_LISTS["passwords"])


def check_password_policy(password, email=None):
    if len(password) < MIN_LENGTH:
        raise PasswordPolicyError(_l("Use at least %(n)d characters.", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        raise PasswordPolicyError(_l("Use at most %(n)d characters.", n=MAX_LENGTH))
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(lowered)) < 4:
        raise PasswordPolicyError(_l("This password is too common. Choose another."))
    if email and lowered in (email.lower(), email.lower().split("@")[0]):
        raise PasswordPolicyError(_l("Do not use your e-mail address as password."))


def hash_password(password):
    return _hasher.hash(password)


def verify_password(password_hash, password):
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash):
    return _hasher.check_needs_rehash(password_hash)


@cache
def dummy_hash():
    """Verified against for unknown e-mail addresses, so the answer takes as long either way."""
    return _hasher.hash("not a real password, only for timing")
