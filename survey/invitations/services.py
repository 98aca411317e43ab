"""The life cycle of an invitation: created, opened, completed, expired or revoked."""
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from ..audit.services import record_change
from ..extensions import db
from ..instruments import instruments
from ..participants.state import has_answered, open_invitations
from ..timeutil import now_utc
from .models import Invitation
from .short_codes import assign_short_code
from .tokens import key_from_token, link_for_key, new_invitation_key


class InvitationError(ValueError):
    """An invitation that cannot be made; the message says why."""


def record_invitation_created(invitation, actor, now):
    """The audit record of a new link (its expiry), however it was made: one wording for
    `invitations create` and the links `invitations send` makes."""
    record_change(actor, "create", "invitation", invitation.id, field="expires_at",
                  new=invitation.expires_at, participant_id=invitation.participant.id, now=now)


def create_invitation(participant, instrument_codes=None, replace=False, now=None):
    """A new personal link for `participant`; returns (invitation, link).

    Refuses a participant who is not active, who has already answered, or who
    has a link still open (unless `replace`, which revokes that link), so that
    no one can end up with two responses to the same round.
    """
    now = now or now_utc()
    instrument_codes = instrument_codes or current_app.config["SURVEY_INSTRUMENTS"]
    if participant.status != "active":
        raise InvitationError(f"participant {participant.study_id} is {participant.status}; "
                              "no invitation made")
    if has_answered(participant):
        raise InvitationError(f"participant {participant.study_id} has already answered")
    for code in instrument_codes:
        instruments().current(code)  # unknown code -> InstrumentDefinitionError
    still_open = open_invitations(participant, now)
    if still_open and not replace:
        raise InvitationError(f"participant {participant.study_id} already has an open link "
                              "(use --replace to revoke it and make a new one)")
    for old in still_open:
        old.revoked_at = now
    invitation = Invitation(
        participant=participant, key=new_invitation_key(),
        instrument_codes=",".join(instrument_codes), language=participant.language,
        created_at=now,
        expires_at=end_of_last_day(now, current_app.config["SURVEY_INVITATION_DAYS"]),
    )
    # Its short code works from now on, so printing a letter later changes nothing.
    assign_short_code(invitation)
    db.session.add(invitation)
    db.session.flush()
    return invitation, link_for_key(invitation.key)


def end_of_last_day(now, days):
    """The last moment of the local date `days` after `now`'s date, in UTC.

    A link works "until and including" the date that the e-mail, letter and
    welcome page name: to 23.59.59 that day where the study is
    (SURVEY_TIMEZONE), whatever the clock time it was made, across
    daylight-saving changes too. Every place shows the date with format_date,
    which turns this moment back into that local date.
    """
    zone = ZoneInfo(current_app.config["SURVEY_TIMEZONE"])
    last_day = now.astimezone(zone).date() + timedelta(days=days)
    return datetime.combine(last_day, time.max, tzinfo=zone).astimezone(UTC)


def last_day_of(invitation):
    """The local date a link works until and including."""
    return invitation.expires_at.astimezone(ZoneInfo(current_app.config["SURVEY_TIMEZONE"])).date()


def find_invitation_by_token(token):
    """The invitation a token names, or None for an unknown or tampered token."""
    key = key_from_token(token)
    if key is None:
        return None
    return db.session.execute(
        db.select(Invitation).where(Invitation.key == key)
    ).scalar_one_or_none()


def invitation_state(invitation, now=None):
    """'open', 'completed', 'expired', 'revoked' or 'closed' (participant not active).

    A completed invitation stays 'completed' after it expires, so the
    participant keeps seeing "thank you" rather than "link expired".
    """
    now = now or now_utc()
    if invitation.completed_at is not None:
        return "completed"
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.participant.status != "active":
        return "closed"
    if invitation.is_expired(now):
        return "expired"
    return "open"


def record_opened(invitation, now=None):
    if invitation.opened_at is None:
        invitation.opened_at = now or now_utc()
