"""Clinic hand-over: a staff member starts a participant's questionnaire on a clinic tablet.

The browser then holds only the participant's session: the staff login is
ended, so the staff pages stay locked until someone logs in again with their
own password. Answers are the participant's (audited as such); the response
records which staff member started the session.
"""
from datetime import timedelta

from flask import current_app

from ..audit.services import record_change, staff_actor
from ..extensions import db
from ..invitations.models import Invitation
from ..invitations.services import InvitationError
from ..invitations.tokens import new_invitation_key
from ..participants.state import has_answered
from ..timeutil import now_utc

CLINIC_SESSION_HOURS = 12


class AlreadyAnswered(InvitationError):
    """The participant has answered this round already (web, clinic or verified paper)."""


def start_clinic_invitation(participant, staff_user, now=None):
    """A short-lived invitation answered at the clinic (mode 'clinic')."""
    now = now or now_utc()
    if participant.status != "active":
        raise InvitationError(f"participant {participant.study_id} is {participant.status}")
    if has_answered(participant):
        raise AlreadyAnswered(f"participant {participant.study_id} has already answered")
    invitation = Invitation(
        participant=participant, key=new_invitation_key(), mode="clinic",
        instrument_codes=",".join(current_app.config["SURVEY_INSTRUMENTS"]),
        language=participant.language, created_at=now, started_by_id=staff_user.id,
        expires_at=now + timedelta(hours=CLINIC_SESSION_HOURS),
    )
    db.session.add(invitation)
    db.session.flush()
    record_change(staff_actor(staff_user), "create", "invitation", invitation.id, field="mode",
                  new="clinic", participant_id=participant.id, now=now)
    return invitation
