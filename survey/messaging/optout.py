"""Opting out of reminders: a signed link in every e-mail, confirmed with a button.

The link names the participant (signed with its own salt); opening it changes
nothing, because mail scanners open links. Only the button (a POST) opts out.
Opting out stops reminders only: the participant may still answer.
"""
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from ..audit.services import record_change
from ..extensions import db
from ..participants.models import Participant
from ..timeutil import now_utc

SALT = "survey.optout"
PATH = "/optout/"
ACTOR = "participant:optout"


def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def optout_token(participant):
    return _serializer().dumps(participant.id)


def optout_link(participant):
    return f"{current_app.config['SURVEY_BASE_URL']}{PATH}{optout_token(participant)}"


def participant_from_optout_token(token):
    """The participant a token names, or None for a tampered or unknown token."""
    try:
        participant_id = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(participant_id, int):
        return None
    return db.session.get(Participant, participant_id)


def opt_out(participant, now=None):
    """Record that the participant wants no more reminders; False if they already said so."""
    if participant.opted_out_at is not None:
        return False
    now = now or now_utc()
    participant.opted_out_at = now
    record_change(ACTOR, "update", "participant", participant.id, field="opted_out_at",
                  new=now.isoformat(timespec="seconds"), participant_id=participant.id, now=now)
    return True
