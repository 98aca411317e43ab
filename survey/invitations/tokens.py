"""Invitation tokens: 128 random bits, signed so forged or altered links fail fast.

A token is `KEY.SIGNATURE` (50 characters): KEY is stored with the invitation,
SIGNATURE is an HMAC with the app's secret key. Expiry and revocation are kept
on the server, so a link can be stopped at any time.
"""
import hashlib
import secrets

from flask import current_app
from itsdangerous import BadSignature, Signer

SALT = "survey.invitation-link"


def new_invitation_key():
    """128 bits from the OS's secure random source, URL-safe (22 characters)."""
    return secrets.token_urlsafe(16)


def _signer():
    return Signer(current_app.config["SECRET_KEY"], salt=SALT)


def token_for_key(key):
    return _signer().sign(key).decode("ascii")


def key_from_token(token):
    """The invitation key inside a token, or None when the token is altered or malformed."""
    try:
        key = _signer().unsign(token).decode("ascii")
    except (BadSignature, UnicodeError):
        return None
    # Base64 has spare bits: several spellings decode to one signature. Accept
    # only the one we issued, so an altered link never works.
    return key if token_for_key(key) == token else None


def link_for_key(key):
    return f"{current_app.config['SURVEY_BASE_URL']}/i/{token_for_key(key)}"


def token_fingerprint(token):
    """A short, non-reversible name for a token, safe to write in a log."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()[:12]
