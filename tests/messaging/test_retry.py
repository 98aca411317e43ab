"""Failed sends are retried later with growing pauses, never twice at once, never dropped."""
from datetime import timedelta
from zoneinfo import ZoneInfo

from survey.extensions import db
from survey.messaging.models import OutboundMessage
from survey.messaging.services import (
    MAX_ATTEMPTS,
    _claim_for_retry,
    retry_failed_messages,
    send_invitation,
)
from survey.participants.services import get_participant
from survey.timeutil import now_utc

from ..conftest import BOTH_DATABASES

pytestmark = BOTH_DATABASES


def failed_invitation(app, make_contactable, now):
    """An e-mail invitation that failed once: no SMTP server listens."""
    study_id = make_contactable()
    with app.app_context():
        message = send_invitation(get_participant(study_id), "email", now=now)
        assert message.status == "failed"
        return message.id


def load(app, message_id):
    with app.app_context():
        message = db.session.get(OutboundMessage, message_id)
        db.session.expunge(message)
        return message


def test_retries_back_off_and_stop_after_the_last_attempt(app, smtp_port, make_contactable):
    now = now_utc()
    message_id = failed_invitation(app, make_contactable, now)
    pauses = []
    for _ in range(MAX_ATTEMPTS - 1):
        message = load(app, message_id)
        pauses.append(message.retry_at - now)
        now = message.retry_at
        with app.app_context():
            assert retry_failed_messages(now) == (0, 1)
    assert pauses == [timedelta(minutes=m) for m in (5, 30, 120, 480)]
    message = load(app, message_id)
    assert (message.status, message.attempts, message.retry_at) == ("failed", MAX_ATTEMPTS, None)
    assert message.last_error  # kept for the coordinator to see
    with app.app_context():
        assert retry_failed_messages(now + timedelta(days=30)) == (0, 0)


def test_a_message_is_claimed_by_one_runner_only(app, smtp_port, make_contactable):
    now = now_utc()
    message_id = failed_invitation(app, make_contactable, now)
    later = now + timedelta(hours=1)
    with app.app_context():
        first = _claim_for_retry(message_id, later)
        second = _claim_for_retry(message_id, later)
        assert first is not None and first.status == "sending"
        assert second is None


def test_retry_checks_again_that_the_participant_may_be_contacted(
        app, smtp_server, make_contactable):
    smtp_server.handler.refuse = True
    study_id = make_contactable()
    now = now_utc()
    with app.app_context():
        message = send_invitation(get_participant(study_id), "email", now=now)
        message_id = message.id
        assert message.status == "failed"
        get_participant(study_id).status = "withdrawn"
        db.session.commit()
    smtp_server.handler.refuse = False
    with app.app_context():
        assert retry_failed_messages(now + timedelta(hours=1)) == (0, 1)
    message = load(app, message_id)
    assert message.last_error == "not sent: participant is withdrawn"
    assert message.retry_at is None
    assert smtp_server.handler.envelopes == []


def test_no_retries_outside_the_sending_hours(app, smtp_port, make_contactable):
    now = now_utc()
    failed_invitation(app, make_contactable, now)
    later = now + timedelta(hours=1)
    local_hour = later.astimezone(ZoneInfo(app.config["SURVEY_TIMEZONE"])).hour
    app.config["SURVEY_SENDING_HOURS"] = "13-14" if local_hour < 12 else "1-2"
    with app.app_context():
        assert retry_failed_messages(later) == (0, 0)
