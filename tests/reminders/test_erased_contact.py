"""Nothing is sent to an e-mail address or phone number after it was erased."""
from datetime import timedelta

import pytest

from survey.extensions import db
from survey.messaging.errors import MessagingError
from survey.messaging.models import OutboundMessage
from survey.messaging.services import retry_failed_messages, send_invitation
from survey.participants.contacts import erase_contact
from survey.participants.services import get_participant

from .conftest import NOW
from .test_send import run

ADDRESS, PHONE = "deltager@example.dk", "+4520304050"


def erase(app, study_id, fields):
    with app.app_context():
        erase_contact(get_participant(study_id), fields, "asked to be forgotten", "system:cli",
                      now=NOW)
        db.session.commit()


def test_a_reminder_goes_by_sms_after_the_email_is_erased_and_never_to_the_address(
        app, invited, outboxes):
    study_id = invited(phone=PHONE)
    erase(app, study_id, ["email"])
    assert run(app) == [(study_id, 1, "sent")]
    assert len(list((outboxes / "mail").glob("*"))) == 1  # the invitation, before the erasure
    sms_files = list((outboxes / "sms").glob("*"))
    assert sms_files and PHONE in "".join(p.read_text(encoding="utf-8") for p in sms_files)
    with app.app_context():
        assert get_participant(study_id).channel == "sms"


def test_after_erasing_every_detail_reminders_go_by_letter(app, invited, outboxes):
    study_id = invited(phone=PHONE)
    erase(app, study_id, ["email", "phone"])
    assert run(app) == [(study_id, 1, "sent")]
    assert len(list((outboxes / "mail").glob("*"))) == 1
    assert not list((outboxes / "sms").glob("*"))
    assert len(list((outboxes / "letters").glob("*.pdf"))) == 1


def test_a_failed_email_is_not_retried_to_an_erased_address(app, invited, outboxes):
    study_id = invited()
    with app.app_context():
        message = db.session.execute(db.select(OutboundMessage)).scalar_one()
        message.status, message.retry_at = "failed", NOW - timedelta(minutes=1)
        db.session.commit()
    erase(app, study_id, ["email"])
    with app.app_context():
        retry_failed_messages(NOW)
        message = db.session.execute(db.select(OutboundMessage)).scalar_one()
        assert message.status == "failed" and message.last_error.startswith("not sent:")
        participant = get_participant(study_id)
        assert participant.channel == "letter"
        with pytest.raises(MessagingError, match="no e-mail address"):
            send_invitation(participant, "email", now=NOW)
    assert len(list((outboxes / "mail").glob("*"))) == 1
