"""A small round with every state in it, outboxes for sending, and a logged-in coordinator."""
from datetime import timedelta

import pytest

from survey.extensions import db
from survey.invitations.models import Invitation
from survey.invitations.services import create_invitation
from survey.messaging.models import OutboundMessage
from survey.paper.models import PaperForm
from survey.participants.services import add_participant
from survey.responses.models import Response
from survey.timeutil import now_utc

DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def outboxes(app, tmp_path):
    """Messages go to folders under tmp_path, at any hour."""
    app.config.update({
        "SURVEY_MAIL_BACKEND": "folder", "SURVEY_MAIL_FOLDER": str(tmp_path / "mail"),
        "SURVEY_SMS_BACKEND": "folder", "SURVEY_SMS_FOLDER": str(tmp_path / "sms"),
        "SURVEY_LETTER_FOLDER": str(tmp_path / "letters"), "SURVEY_SENDING_HOURS": "0-24",
        "SURVEY_REMINDER_DAYS": "7,14",
    })
    return tmp_path


@pytest.fixture
def coordinator(staff_login):
    """Log the test client in as a coordinator, English pages; returns the e-mail address."""
    email = staff_login.as_role("coordinator")
    staff_login.client.get("/staff/language/en")
    return email


def _response(participant, invitation, code, mode, submitted_at=None, duplicate=None):
    response = Response(participant=participant, invitation=invitation, instrument_code=code,
                        instrument_version="1.0", mode=mode, language="da",
                        status="submitted" if submitted_at else "in_progress",
                        submitted_at=submitted_at, duplicate_status=duplicate)
    db.session.add(response)
    return response


def _message(invitation, sent_at, number=0):
    db.session.add(OutboundMessage(
        participant=invitation.participant, invitation=invitation,
        purpose="reminder" if number else "invitation", reminder_number=number,
        channel="email", template="reminder" if number else "invitation", status="sent",
        attempts=1, created_at=sent_at, sent_at=sent_at))


def build_round(now):
    """Participants in every state (call in an app context); returns {study ID: state}."""
    def person(study_id, **kwargs):
        return add_participant(study_id, "da", email=f"{study_id.lower()}@example.dk",
                               **kwargs)

    def link(participant, days_ago=3, **columns):
        invitation, _ = create_invitation(participant, now=now - days_ago * DAY)
        for name, value in columns.items():
            setattr(invitation, name, value)
        return invitation

    expected = {"A01": "not_invited"}
    person("A01")

    invitation = link(person("A02"))
    _message(invitation, now - 3 * DAY)
    expected["A02"] = "invited"

    link(person("A03"), opened_at=now - DAY)
    expected["A03"] = "opened"

    a04 = person("A04")
    invitation = link(a04, opened_at=now - DAY, last_activity_at=now - DAY)
    _response(a04, invitation, "xq", "web")
    expected["A04"] = "in_progress"

    link(person("A05"), days_ago=90)  # 60 days to answer
    expected["A05"] = "expired"

    a06 = person("A06")
    a06.paper_mailed_on, a06.paper_received_on = (now - 20 * DAY).date(), (now - DAY).date()
    expected["A06"] = "paper_received"

    a07 = person("A07")
    invitation = link(a07, opened_at=now - 2 * DAY, last_activity_at=now - DAY,
                      completed_at=now - DAY)
    _message(invitation, now - 3 * DAY)
    for code in ("xq", "vas"):
        _response(a07, invitation, code, "web", now - DAY)
    expected["A07"] = "submitted_web"

    a08 = person("A08")
    visit = Invitation(participant=a08, key="clinic-visit-a08", instrument_codes="xq,vas",
                       language="da", mode="clinic", created_at=now - DAY,
                       expires_at=now + DAY, opened_at=now - DAY,
                       last_activity_at=now - DAY, completed_at=now - DAY)
    db.session.add(visit)
    for code in ("xq", "vas"):
        _response(a08, visit, code, "clinic", now - DAY)
    expected["A08"] = "submitted_clinic"

    a09 = person("A09")
    a09.paper_mailed_on, a09.paper_received_on = (now - 30 * DAY).date(), (now - 9 * DAY).date()
    for code in ("xq", "vas"):
        response = _response(a09, None, code, "paper", now - 5 * DAY)
        db.session.add(PaperForm(participant=a09, instrument_code=code,
                                 instrument_version="1.0", verification="double_entry",
                                 status="verified", response=response))
    expected["A09"] = "submitted_paper"

    a10 = person("A10")
    link(a10)
    a10.status, a10.status_date = "withdrawn", (now - DAY).date()
    expected["A10"] = "withdrawn"

    a11 = person("A11")
    a11.status, a11.status_date = "deceased", (now - DAY).date()
    expected["A11"] = "deceased"

    link(person("A12"), revoked_at=now - DAY)  # only a revoked link: not invited
    expected["A12"] = "not_invited"

    a13 = person("A13")
    a13.opted_out_at = now - DAY
    invitation = link(a13, days_ago=10)
    _message(invitation, now - 10 * DAY)
    expected["A13"] = "invited"

    a14 = person("A14")  # answered, then withdrew: still answered
    invitation = link(a14, completed_at=now - 2 * DAY)
    for code in ("xq", "vas"):
        _response(a14, invitation, code, "web", now - 2 * DAY)
    a14.status, a14.status_date = "withdrawn", (now - DAY).date()
    expected["A14"] = "submitted_web"
    db.session.commit()
    return expected


@pytest.fixture
def round_states(app):
    """The crafted round in the test database: {study ID: expected state}."""
    with app.app_context():
        return build_round(now_utc())
