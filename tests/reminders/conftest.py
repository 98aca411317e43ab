"""A participant population at a chosen moment, and outboxes in a temporary folder."""
from datetime import UTC, datetime, timedelta

import pytest

from survey.extensions import db
from survey.messaging.models import OutboundMessage
from survey.participants.services import get_participant

#: A Tuesday at 10.00 Copenhagen time (winter time, UTC+1): inside the default sending hours.
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def outboxes(app, tmp_path):
    app.config.update({
        "SURVEY_MAIL_BACKEND": "folder", "SURVEY_MAIL_FOLDER": str(tmp_path / "mail"),
        "SURVEY_SMS_BACKEND": "folder", "SURVEY_SMS_FOLDER": str(tmp_path / "sms"),
        "SURVEY_LETTER_FOLDER": str(tmp_path / "letters"),
        "SURVEY_MAIL_FROM": "Forsøgsteamet <mundtoerhed@example.dk>",
    })
    return tmp_path


@pytest.fixture
def invited(app, make_participant):
    """Factory: invited(days_ago=8, **participant) -> study ID, invited by e-mail days_ago days."""
    from survey.messaging.services import send_invitation

    def make(days_ago=8, **kwargs):
        kwargs.setdefault("email", "deltager@example.dk")
        study_id = make_participant(**kwargs)
        with app.app_context():
            send_invitation(get_participant(study_id), "email",
                            now=NOW - timedelta(days=days_ago))
        return study_id

    return make


def reminders_of(app, study_id=None):
    """[(study ID, reminder number, template, status)] of every reminder recorded."""
    from survey.participants.models import Participant

    with app.app_context():
        query = (db.select(Participant.study_id, OutboundMessage.reminder_number,
                           OutboundMessage.template, OutboundMessage.status)
                 .join(Participant, OutboundMessage.participant_id == Participant.id)
                 .where(OutboundMessage.purpose == "reminder")
                 .order_by(Participant.study_id, OutboundMessage.reminder_number))
        if study_id:
            query = query.where(Participant.study_id == study_id)
        return [tuple(row) for row in db.session.execute(query)]
