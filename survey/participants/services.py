"""Creating and looking up participants, and the changes to one participant's record
(status, channel, opt-out, paper mailed and received, a link revoked). Making and sending
links is above: survey/participant_pages/actions.py."""
import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..audit.services import record_change
from ..codes import LANGUAGES
from ..email_address import normalise_email
from ..extensions import db
from ..timeutil import now_utc, study_today
from ..user_errors import UserError
from .models import Participant, canonical_study_id, find_participant
from .state import CHANNELS, default_channel, has_address, open_invitations

STUDY_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
PHONE_PATTERN = re.compile(r"^\+?[0-9]{8,15}$")


class ParticipantError(ValueError):
    """Input that cannot become a participant; the message says what to fix."""


def normalise_phone(phone):
    """'+45 20 30 40 50' -> '+4520304050'; a Danish 8-digit number gets +45."""
    compact = re.sub(r"[\s-]", "", phone)
    if len(compact) == 8 and compact.isdigit():
        compact = "+45" + compact
    if not (compact.startswith("+") and PHONE_PATTERN.fullmatch(compact)):
        # Not echoed: a phone number is personal data and this may reach a log.
        raise ParticipantError("phone number is not valid: use 8 digits, or + and the "
                               "country code, e.g. +4520304050")
    return compact


#: What a channel needs, for messages: the contact detail it uses.
CONTACT_DETAIL = {"email": "e-mail address", "sms": "phone number"}


def check_channel(channel, email, phone):
    """The channel to use (the default rule when None); ParticipantError if it cannot be used."""
    if channel is None:
        return default_channel(email, phone)
    channel = channel.strip().lower()
    if channel not in CHANNELS:
        raise ParticipantError(f"channel {channel!r} is not valid: use email, sms or letter")
    if channel in CONTACT_DETAIL and not {"email": email, "sms": phone}[channel]:
        raise ParticipantError(f"no {CONTACT_DETAIL[channel]} for channel {channel}")
    return channel


def add_participant(study_id, language, email=None, phone=None, channel=None):
    """Create a participant; raise ParticipantError (and change nothing) on bad input.

    Without a channel: e-mail if there is an address, else SMS if there is a
    phone number, else letter. A channel whose contact detail is missing is refused.
    The study ID is stored in canonical form (see canonical_study_id).
    """
    typed, study_id = study_id, canonical_study_id(study_id)
    if not STUDY_ID_PATTERN.fullmatch(study_id or ""):
        raise ParticipantError(f"study ID {typed!r} is not valid: use 1-32 letters, digits, "
                               "'-' or '_', starting with a letter or digit")
    language = (language or "").strip().lower()
    if language not in LANGUAGES:
        raise ParticipantError(f"language {language!r} is not valid: use da or en")
    if email is not None:
        email = normalise_email(email)
        if email is None:
            raise ParticipantError("e-mail address is not valid")  # not echoed: personal data
    if phone is not None:
        phone = normalise_phone(phone)
    channel = check_channel(channel, email, phone)
    if find_participant(study_id) is not None:
        raise ParticipantError(_("A participant with study ID %(study_id)s already exists "
                                 "(study IDs do not depend on upper or lower case).",
                                 study_id=study_id))
    participant = Participant(study_id=study_id, language=language, email=email, phone=phone,
                              channel=channel)
    db.session.add(participant)
    db.session.flush()
    return participant


def get_participant(study_id):
    """The participant with this study ID, or ParticipantError."""
    participant = find_participant(study_id)
    if participant is None:
        raise ParticipantError(f"no participant with study ID {study_id!r}")
    return participant


# --- follow-up actions: status, opt-out, paper, links ---------------------------------------
#
# Each one checks its input, changes what it must, and writes an audit record per
# changed field with the old and the new value and the reason; the caller commits.


class ParticipantActionError(UserError, ParticipantError):
    """An action that cannot be done; str() says why to a developer, `.message` to a person."""


#: Statuses an action can set (active is where everyone starts).
ACTION_STATUSES = ("withdrawn", "deceased")


def _check_reason(reason):
    reason = (reason or "").strip()
    if not reason:
        raise ParticipantActionError("a reason is required", _l("Give a reason."))
    return reason


def _check_day(on_date, today=None):
    if not isinstance(on_date, date):
        raise ParticipantActionError(f"expected a date, got {on_date!r}",
                                     _l("Give the date as day.month.year, e.g. 26.11.2026."))
    if on_date > (today or study_today()):
        raise ParticipantActionError(f"{on_date.isoformat()} is in the future",
                                     _l("The date cannot be in the future."))
    return on_date


def _audit(actor, action, participant, field, old, new, reason, now=None):
    return record_change(actor, action, "participant", participant.id, field=field, old=old,
                         new=new, reason=reason, participant_id=participant.id, now=now)


def _iso(value):
    return None if value is None else value.isoformat()


def set_participant_status(participant, status, on_date, reason, actor, now=None, today=None):
    """Mark the participant withdrawn or deceased as of `on_date`.

    A deceased participant's open links are revoked at once, so no message or
    reminder can reach the family; withdrawn can still become deceased, not back.
    """
    if status not in ACTION_STATUSES:
        raise ParticipantActionError(
            f"status {status!r} is not valid: use {' or '.join(ACTION_STATUSES)}",
            _l("Choose withdrawn or deceased."))
    reason = _check_reason(reason)
    _check_day(on_date, today)
    if participant.status == status:
        raise ParticipantActionError(f"participant {participant.study_id} is already {status}",
                                     _l("The participant already has this status."))
    if participant.status == "deceased":
        raise ParticipantActionError(f"participant {participant.study_id} is deceased",
                                     _l("The participant is recorded as deceased."))
    now = now or now_utc()
    _audit(actor, "status", participant, "status", participant.status, status, reason, now)
    _audit(actor, "status", participant, "status_date", _iso(participant.status_date),
           on_date.isoformat(), reason, now)
    participant.status, participant.status_date = status, on_date
    if status == "deceased":
        for invitation in open_invitations(participant, now):
            revoke_invitation(invitation, reason, actor, now)


def record_opt_out(participant, reason, actor, on_date=None, now=None, today=None):
    """The participant asked (e.g. by phone) for no more reminders; they may still answer.

    Recorded as of now, or as of the start of `on_date` (study time) when given.
    """
    reason = _check_reason(reason)
    if participant.opted_out_at is not None:
        raise ParticipantActionError(f"participant {participant.study_id} already opted out",
                                     _l("The participant has already opted out of reminders."))
    now = now or now_utc()
    opted_out_at = now
    if on_date is not None:
        _check_day(on_date, today)
        zone = ZoneInfo(current_app.config["SURVEY_TIMEZONE"])
        opted_out_at = datetime.combine(on_date, time(), zone).astimezone(UTC)
    _audit(actor, "update", participant, "opted_out_at", None,
           opted_out_at.isoformat(timespec="seconds"), reason, now)
    participant.opted_out_at = opted_out_at


def set_participant_channel(participant, channel, reason, actor, now=None):
    """Send the participant's invitations and reminders by `channel` from now on.

    Refused when they have no contact detail for it, or it is already theirs.
    """
    reason = _check_reason(reason)
    if channel not in CHANNELS:
        raise ParticipantActionError(
            f"channel {channel!r} is not valid: use email, sms or letter",
            _l("Choose e-mail, SMS or letter."))
    if not has_address(participant, channel):
        raise ParticipantActionError(
            f"participant {participant.study_id} has no {CONTACT_DETAIL[channel]}",
            _l("The participant has no address for this way of sending. Choose another."))
    if participant.channel == channel:
        raise ParticipantActionError(
            f"participant {participant.study_id} is already contacted by {channel}",
            _l("The participant is already contacted this way."))
    _audit(actor, "update", participant, "channel", participant.channel, channel, reason, now)
    participant.channel = channel


def record_paper_mailed(participant, on_date, reason, actor, now=None, today=None):
    """A paper questionnaire was posted to the participant on `on_date`."""
    reason = _check_reason(reason)
    _check_day(on_date, today)
    if participant.status != "active":
        raise ParticipantActionError(
            f"participant {participant.study_id} is {participant.status}",
            _l("Only active participants may be sent a paper questionnaire."))
    _audit(actor, "update", participant, "paper_mailed_on", _iso(participant.paper_mailed_on),
           on_date.isoformat(), reason, now)
    participant.paper_mailed_on = on_date


def record_paper_received(participant, on_date, reason, actor, now=None, today=None):
    """The participant's paper questionnaire came back on `on_date`: no more reminders."""
    reason = _check_reason(reason)
    _check_day(on_date, today)
    if participant.paper_mailed_on is not None and on_date < participant.paper_mailed_on:
        raise ParticipantActionError(
            f"received {on_date.isoformat()} before it was mailed "
            f"({participant.paper_mailed_on.isoformat()})",
            _l("The date received cannot be before the date it was mailed."))
    _audit(actor, "update", participant, "paper_received_on",
           _iso(participant.paper_received_on), on_date.isoformat(), reason, now)
    participant.paper_received_on = on_date


def revoke_invitation(invitation, reason, actor, now=None):
    """Stop a link working at once (it then answers 410)."""
    reason = _check_reason(reason)
    if invitation.revoked_at is not None or invitation.completed_at is not None:
        state = "revoked" if invitation.revoked_at else "answered"
        raise ParticipantActionError(f"invitation {invitation.id} is already {state}",
                                     _l("This link is no longer open."))
    now = now or now_utc()
    record_change(actor, "revoke", "invitation", invitation.id, field="revoked_at",
                  new=now.isoformat(timespec="seconds"), reason=reason,
                  participant_id=invitation.participant_id, now=now)
    invitation.revoked_at = now


# --- importing many participants at once -----------------------------------------------


def check_new_participant(study_id, language, email, phone, channel=None):
    """What is wrong with one would-be participant, as short English phrases ([] if nothing).

    No phrase repeats a value: a cell in the wrong column may hold an e-mail
    address or phone number, and this goes to a terminal or a log.
    """
    problems = []
    if not STUDY_ID_PATTERN.fullmatch(study_id or ""):
        problems.append("study ID is not valid: use 1-32 letters, digits, '-' or '_', "
                        "starting with a letter or digit")
    if language not in LANGUAGES:
        problems.append("language is not valid: use da or en")
    if email and normalise_email(email) is None:
        problems.append("e-mail address is not valid")
    if phone:
        try:
            normalise_phone(phone)
        except ParticipantError as error:
            problems.append(str(error))
    if channel is not None and channel not in CHANNELS:
        problems.append("channel is not valid: use email, sms or letter")
    else:
        try:
            check_channel(channel, email, phone)
        except ParticipantError as error:  # names the channel, never the contact detail
            problems.append(str(error))
    return problems


def existing_study_ids(study_ids, chunk=500):
    """Those of `study_ids` (canonical form) that a participant already has."""
    study_ids, found = sorted({canonical_study_id(s) for s in study_ids}), set()
    for start in range(0, len(study_ids), chunk):
        found.update(db.session.execute(
            db.select(Participant.study_id)
            .where(Participant.study_id.in_(study_ids[start:start + chunk]))).scalars())
    return found


def check_import(rows):
    """[(line number, [problems])] for the rows that cannot be imported.

    `rows` is [(line number, {"study_id", "language", "email", "phone", "channel"})]; a
    study ID twice in the file (in any case: p100 is P100) or already in the database is a
    problem too.
    """
    taken = existing_study_ids(row["study_id"] for _line, row in rows)
    first, bad = {}, []
    for line, row in rows:
        problems = check_new_participant(**row)
        study_id = canonical_study_id(row["study_id"])
        if study_id in first:
            problems.append(f"the same study ID is on line {first[study_id]} (upper and "
                            "lower case count as the same)")
        first.setdefault(study_id, line)
        if study_id in taken:
            problems.append("a participant with this study ID already exists")
        if problems:
            bad.append((line, problems))
    return bad


def import_participants(rows, actor, source):
    """Add every row's participant (audited), or none: raises ParticipantError if any row
    has a problem (see check_import). Returns the participants added; the caller commits."""
    bad = check_import(rows)
    if bad:
        raise ParticipantError(f"{len(bad)} of {len(rows)} rows have problems")
    added = []
    for _line, row in rows:
        participant = add_participant(**row)
        record_participant_added(participant, actor, f"imported from {source}")
        added.append(participant)
    return added


def record_participant_added(participant, actor, reason):
    """The audit record of a new participant (its study ID), as added or imported."""
    _audit(actor, "create", participant, "study_id", None, participant.study_id, reason)
