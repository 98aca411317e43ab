"""Creating and looking up participants."""
import re

from ..extensions import db
from .models import LANGUAGES, Participant

STUDY_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
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


def add_participant(study_id, language, email=None, phone=None):
    """Create a participant; raise ParticipantError (and change nothing) on bad input."""
    if not STUDY_ID_PATTERN.fullmatch(study_id or ""):
        raise ParticipantError(f"study ID {study_id!r} is not valid: use 1-32 letters, digits, "
                               "'-' or '_', starting with a letter or digit")
    if language not in LANGUAGES:
        raise ParticipantError(f"language {language!r} is not valid: use da or en")
    if email is not None and not EMAIL_PATTERN.fullmatch(email):
        raise ParticipantError("e-mail address is not valid")  # not echoed: personal data
    if phone is not None:
        phone = normalise_phone(phone)
    if find_participant(study_id) is not None:
        raise ParticipantError(f"study ID {study_id!r} already exists")
    participant = Participant(study_id=study_id, language=language, email=email, phone=phone)
    db.session.add(participant)
    db.session.flush()
    return participant


def find_participant(study_id):
    return db.session.execute(
        db.select(Participant).where(Participant.study_id == study_id)
    ).scalar_one_or_none()


def get_participant(study_id):
    """The participant with this study ID, or ParticipantError."""
    participant = find_participant(study_id)
    if participant is None:
        raise ParticipantError(f"no participant with study ID {study_id!r}")
    return participant
