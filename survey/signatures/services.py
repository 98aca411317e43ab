"""Signing: re-authenticating the signer, making the signature, checking it later.

A signed action runs in two steps. `check_signer` re-authenticates the person
with their password, and a fresh TOTP code when their account uses one; it
counts wrong tries towards the same lockout as a login and commits that count
(as login does) before anything else is saved. Then the action and `sign` run in
one transaction: the signature row and its audit records are committed with the
action or not at all.
"""
import hashlib
import hmac
import json

from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from ..audit.chain import configured_keys, key_id
from ..audit.models import AuditRecord
from ..audit.services import record_change, staff_actor
from ..extensions import db
from ..staff.services import CodeOutcome, recheck_password, verify_totp
from ..timeutil import now_utc
from ..user_errors import UserError
from .meanings import MEANINGS
from .models import Signature

LOCKED = _l("Too many wrong passwords or codes: your account is locked for a while. Try again "
            "later, or ask an administrator.")


class SignatureRefused(UserError):
    """The signature cannot be made; `.field` names the form field the `.message` belongs to."""

    def __init__(self, field, message):
        super().__init__(f"{field}: {message}", message, field)


def check_signer(user, password, code, now=None):
    """Re-authenticate `user` to sign; raises SignatureRefused, else returns None.

    Wrong passwords and codes count towards the login lockout and are committed
    whatever becomes of the request; nothing else is saved by this step.
    """
    now = now or now_utc()
    if not password:
        raise SignatureRefused("password", _l("Type your password to sign. Nothing was saved."))
    if user.has_2fa and not (code or "").strip():
        raise SignatureRefused("code", _l("Type the 6-digit code your app shows now."))
    if not recheck_password(user, password, now):
        raise SignatureRefused("password", LOCKED if _locked(user, now) else
                               _l("The password is wrong. Nothing was saved: type your "
                                  "password again to sign."))
    if user.has_2fa:
        outcome = verify_totp(user, code, now)
        db.session.commit()
        if outcome is CodeOutcome.LOCKED:
            raise SignatureRefused("code", LOCKED)
        if outcome is not CodeOutcome.RIGHT:
            raise SignatureRefused("code", _l("The code is wrong or has already been used. "
                                              "Nothing was saved: type the newest code from "
                                              "your app."))
    db.session.commit()


def _locked(user, now):
    return user.locked_until is not None and user.locked_until > now


def _canonical(content):
    return json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)


def _digest(key, signature, entity, entity_id, content_json):
    message = json.dumps(
        ["survey signature", signature.signer_id, signature.printed_name, signature.meaning,
         signature.meaning_text, signature.language, signature.signed_at.isoformat(),
         signature.time_zone, entity, str(entity_id), content_json],
        ensure_ascii=False).encode("utf-8")
    return hmac.new(key.encode("utf-8"), message, hashlib.sha256).hexdigest()


def sign(user, meaning, entity, entity_id, content, participant_id=None, response_id=None,
         now=None):
    """Sign record (`entity`, `entity_id`) with `content`, the values it decides; returns the
    Signature. Written with its audit records in the caller's transaction (callers commit)."""
    if not (user.full_name or "").strip():
        raise SignatureRefused("password", _l("Your account has no full name. Add it on the "
                                              "page for your account, then sign."))
    key = configured_keys()[0]
    signature = Signature(
        signer_id=user.id, printed_name=user.full_name.strip(), meaning=meaning,
        meaning_text=str(MEANINGS[meaning]), language=str(get_locale() or "da")[:2],
        signed_at=now or now_utc(), time_zone=current_app.config["SURVEY_TIMEZONE"],
        entity=entity, entity_id=str(entity_id), participant_id=participant_id,
        response_id=response_id, content=_canonical(content), key_id=key_id(key))
    signature.digest = _digest(key, signature, entity, entity_id, signature.content)
    db.session.add(signature)
    db.session.flush()
    audit = {"participant_id": participant_id, "response_id": response_id,
             "now": signature.signed_at}
    actor = staff_actor(user)
    record_change(actor, "sign", "signature", signature.id, field="meaning", new=meaning,
                  reason=signature.meaning_text, **audit)
    record_change(actor, "sign", "signature", signature.id, field="printed_name",
                  new=signature.printed_name, **audit)
    record_change(actor, "sign", "signature", signature.id, field="signs",
                  new=f"{entity} {entity_id}", **audit)
    record_change(actor, "sign", "signature", signature.id, field="digest",
                  new=signature.digest, **audit)
    return signature


def verify_signature(signature, entity, entity_id, content):
    """True when `signature` signs exactly this record with exactly these values."""
    keys = configured_keys()[1]
    key = keys.get(signature.key_id)
    if key is None:
        return False
    expected = _digest(key, signature, entity, entity_id, _canonical(content))
    return hmac.compare_digest(expected, signature.digest)


def _chain_digests():
    """{signature id as text: digest} as the audit chain holds them."""
    rows = db.session.execute(
        db.select(AuditRecord.entity_id, AuditRecord.new_value).where(
            AuditRecord.action == "sign", AuditRecord.entity == "signature",
            AuditRecord.field == "digest"))
    return dict(rows.all())


def _matches(signature, digests):
    return digests.get(str(signature.id)) == signature.digest and verify_signature(
        signature, signature.entity, signature.entity_id, json.loads(signature.content))


def signature_intact(signature):
    """True when the stored signature still verifies against what it says it signs, and the
    audit chain holds the same digest for it."""
    return _matches(signature, _chain_digests())


def signature_problems():
    """(ids of signatures that no longer match what they sign or their audit record,
    ids the audit chain names whose signature is gone), for `audit verify`."""
    digests = _chain_digests()
    signatures = db.session.execute(db.select(Signature).order_by(Signature.id)).scalars().all()
    broken = [s.id for s in signatures if not _matches(s, digests)]
    missing = sorted(set(digests) - {str(s.id) for s in signatures}, key=int)
    return broken, missing


def signatures_of_response(response_id):
    """Every signature on a response or on a record of it, oldest first."""
    return db.session.execute(
        db.select(Signature).where(Signature.response_id == response_id)
        .order_by(Signature.signed_at, Signature.id)
    ).scalars().all()
