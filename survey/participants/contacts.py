"""Correcting and erasing a participant's e-mail address and phone number, and the retention
purge of contact details once a participant's follow-up has ended.

The audit trail never holds a contact detail: a correction or erasure keeps a keyed
digest of the old (and new) value instead, an HMAC-SHA-256 with the audit key
(survey/audit/chain.py), written "hmac-sha256:<key id>:<hex>". Whoever holds the key
can later check "was it this address?" (`participants check-contact`), no one can
read the address back from the trail.

Erasing the detail the participant's channel uses moves them to the channel the
import's default rule gives for what is left (e-mail, else SMS, else letter: a
letter can always be made, the study team holds the postal address outside this
system), recorded as a channel change with the same reason. Nothing is sent to an
erased detail afterwards: every message is checked against the participant's
current details before it leaves (survey/messaging/services.reason_not_to_send).
Callers commit.
"""
import hashlib
import hmac
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l

from ..audit.chain import configured_keys, key_id
from ..audit.models import AuditRecord
from ..audit.services import record_change
from ..email_address import normalise_email
from ..extensions import db
from ..timeutil import now_utc
from .models import Participant, related_model
from .services import (
    ParticipantActionError,
    ParticipantError,
    _check_reason,
    normalise_phone,
)
from .state import default_channel, has_address

#: The contact details kept on a participant (the postal address is not stored here).
CONTACT_FIELDS = ("email", "phone")
DIGEST_PREFIX = "hmac-sha256"
#: Statuses that end the follow-up as of their date.
ENDING_STATUSES = ("withdrawn", "deceased")
PURGE_ACTOR_REASON = "retention: follow-up ended before {day}"


def contact_digest(field, value, key=None):
    """The keyed digest of a contact detail as the audit trail keeps it, under `key`
    (default: the current audit key)."""
    key = key or configured_keys()[0]
    mac = hmac.new(key.encode("utf-8"), f"contact:{field}:{value}".encode(), hashlib.sha256)
    return f"{DIGEST_PREFIX}:{key_id(key)}:{mac.hexdigest()}"


def _digest_or_none(field, value):
    return None if not value else contact_digest(field, value)


def normalised_contact(field, typed):
    """The value to store for `typed`, or ParticipantActionError (the value is never echoed)."""
    typed = (typed or "").strip()
    if field == "email":
        email = normalise_email(typed)
        if email is None:
            raise ParticipantActionError("e-mail address is not valid", _l(
                "The e-mail address is not valid. Write it as name@example.dk."))
        return email
    try:
        return normalise_phone(typed)
    except ParticipantError as error:
        raise ParticipantActionError(str(error), _l(
            "The phone number is not valid. Use 8 digits, or + and the country code, e.g. "
            "+4520304050.")) from None


def _keep_channel_rule(participant, reason, actor, now):
    """After an erasure: if the channel's detail is gone, use the default rule's channel."""
    if not has_address(participant):
        channel = default_channel(participant.email, participant.phone)
        record_change(actor, "update", "participant", participant.id, field="channel",
                      old=participant.channel, new=channel, reason=reason,
                      participant_id=participant.id, now=now)
        participant.channel = channel


def correct_contact(participant, field, typed, reason, actor, now=None):
    """Set the participant's e-mail address or phone number to `typed` (checked as the
    import checks it); audited with digests of the old and new value."""
    if field not in CONTACT_FIELDS:
        raise ValueError(f"field must be one of {CONTACT_FIELDS}, got {field!r}")
    reason = _check_reason(reason)
    value = normalised_contact(field, typed)
    old = getattr(participant, field)
    if value == old:
        raise ParticipantActionError(f"participant {participant.study_id} already has it",
                                     _l("The participant already has exactly this one."))
    record_change(actor, "correct", "participant", participant.id, field=field,
                  old=_digest_or_none(field, old), new=contact_digest(field, value),
                  reason=reason, participant_id=participant.id, now=now)
    setattr(participant, field, value)


def erase_contact(participant, fields, reason, actor, now=None):
    """Erase the given contact details (a list of CONTACT_FIELDS); audited with a digest of
    each old value. Returns the fields erased (those that were set)."""
    reason = _check_reason(reason)
    if not fields or any(field not in CONTACT_FIELDS for field in fields):
        raise ParticipantActionError(f"fields must be some of {CONTACT_FIELDS}, got {fields!r}",
                                     _l("Choose what to erase."))
    now = now or now_utc()
    erased = [field for field in CONTACT_FIELDS if field in fields and getattr(participant, field)]
    if not erased:
        raise ParticipantActionError(f"participant {participant.study_id} has none of them",
                                     _l("The participant has no such contact detail."))
    for field in erased:
        record_change(actor, "erase", "participant", participant.id, field=field,
                      old=contact_digest(field, getattr(participant, field)), reason=reason,
                      participant_id=participant.id, now=now)
        setattr(participant, field, None)
    _keep_channel_rule(participant, reason, actor, now)
    return erased


def matching_contact_records(participant, field, typed):
    """The audit records of this participant whose digest is of `typed` (under whichever
    configured key made it), each with "old" or "new" (which side of the change it was):
    the answer to "was it this address?"."""
    value = normalised_contact(field, typed)
    _current, keys = configured_keys()
    digests = {contact_digest(field, value, key) for key in keys.values()}
    records = db.session.execute(
        db.select(AuditRecord).where(AuditRecord.participant_id == participant.id,
                                     AuditRecord.field == field)
        .order_by(AuditRecord.seq)).scalars()
    return [(r, "old" if r.old_value in digests else "new") for r in records
            if r.old_value in digests or r.new_value in digests]


# --- retention ---------------------------------------------------------------------------


def _start_of(day):
    zone = ZoneInfo(current_app.config["SURVEY_TIMEZONE"])
    return datetime.combine(day, time(), zone).astimezone(UTC)


def ended_before(day):
    """Participants whose follow-up ended before `day` and who still have a contact detail.

    Ended means: withdrawn or deceased with a status date before `day`, or answered
    (a response submitted on the web, at the clinic or verified from paper) with the
    last answer submitted before `day` (study time). A participant who never
    answered and is still active has not ended, even if their link expired: they
    may still be invited again.
    """
    Response = related_model(Participant.responses)
    has_contact = db.or_(Participant.email.is_not(None), Participant.phone.is_not(None))
    by_status = db.select(Participant.id).where(
        Participant.status.in_(ENDING_STATUSES), Participant.status_date < day)
    last_answer = (db.select(Response.participant_id)
                   .where(Response.status == "submitted")
                   .group_by(Response.participant_id)
                   .having(db.func.max(Response.submitted_at) < _start_of(day)))
    return db.session.execute(
        db.select(Participant).where(has_contact, db.or_(
            Participant.id.in_(by_status), Participant.id.in_(last_answer)))
        .order_by(Participant.study_id)).scalars().all()


def purge_contacts(day, actor, dry_run=False, now=None):
    """Erase every contact detail of the participants whose follow-up ended before `day`.

    Returns [(study ID, [fields erased])]; with `dry_run` nothing changes and nothing is
    audited. Otherwise each participant's erasure is audited (digests only) and one
    summary record counts them. Running it again finds no one: it is idempotent.
    """
    now = now or now_utc()
    reason = PURGE_ACTOR_REASON.format(day=day.isoformat())
    found = [(p, [f for f in CONTACT_FIELDS if getattr(p, f)]) for p in ended_before(day)]
    if dry_run:
        return [(p.study_id, fields) for p, fields in found]
    for participant, fields in found:
        erase_contact(participant, fields, reason, actor, now)
    record_change(actor, "purge_contacts", "participants", "all", field="ended_before",
                  new=day.isoformat(), reason=f"{len(found)} participants", now=now)
    return [(p.study_id, fields) for p, fields in found]
