"""Password hashing (Argon2id) and the password policy.

argon2-cffi's defaults (t=3, m=64 MiB, p=4) are above OWASP's minimum for
Argon2id (m=19 MiB, t=2, p=1). Werkzeug's scrypt default is below it, so it is
not used. The policy follows NIST SP 800-63B: at least 12 characters, no
composition rules, and not a commonly used or easily guessed password
(zxcvbn's list of 30,000 common passwords and its guess estimate, which also
catches repeats and sequences such as "passwordpassword" or "123456789012").
"""
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from ..user_errors import UserError

MIN_LENGTH = 12
MAX_LENGTH = 256
#: zxcvbn's estimate: 10^8 guesses and more is "safely unguessable" online.
MIN_GUESSES_LOG10 = 8
#: Cheap parameters, for the test suite only (SURVEY_PASSWORD_HASHING = "fast-for-tests").
FAST_FOR_TESTS = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


class PasswordPolicyError(UserError, ValueError):
    """The password is not acceptable; str() and `.message` are a translated sentence."""

    def __init__(self, message):
        super().__init__(message, message)


@cache
def _common_passwords():
    return frozenset(FREQUENCY_LISTS["passwords"])


def check_password_policy(password, email=None):
    if len(password) < MIN_LENGTH:
        raise PasswordPolicyError(_l("Use at least %(n)d characters.", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        raise PasswordPolicyError(_l("Use at most %(n)d characters.", n=MAX_LENGTH))
    lowered = password.lower()
    if email and lowered in (email.lower(), email.lower().split("@")[0]):
        raise PasswordPolicyError(_l("Do not use your e-mail address as password."))
    user_inputs = [email, email.split("@")[0]] if email else []
    if (lowered in _common_passwords()
            or zxcvbn(password, user_inputs=user_inputs)["guesses_log10"] < MIN_GUESSES_LOG10):
        raise PasswordPolicyError(_l("This password is too common. Choose another."))


def init_password_hashing(app):
    fast = app.config.get("SURVEY_PASSWORD_HASHING") == "fast-for-tests"
    hasher = PasswordHasher(**FAST_FOR_TESTS) if fast else PasswordHasher()
    app.extensions["survey.password_hasher"] = hasher
    # Verified against for unknown e-mail addresses, so the answer takes as long either way.
    app.extensions["survey.dummy_hash"] = None


def _hasher():
    return current_app.extensions["survey.password_hasher"]


def hash_password(password):
    return _hasher().hash(password)


def verify_password(password_hash, password):
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash):
    return _hasher().check_needs_rehash(password_hash)


def dummy_hash():
    """A hash to verify against when the account is unknown, made on first use."""
    if current_app.extensions["survey.dummy_hash"] is None:
        current_app.extensions["survey.dummy_hash"] = hash_password("not a real password")
    return current_app.extensions["survey.dummy_hash"]
