"""SMS invitations: the development folder and an HTTP gateway on loopback."""
import json
from datetime import timedelta

import pytest

from survey.extensions import db
from survey.messaging.errors import SendError
from survey.messaging.models import OutboundMessage
from survey.messaging.services import retry_failed_messages, send_invitation
from survey.messaging.sms import SMS_LIMIT, HttpSmsGateway, gsm7_length
from survey.participants.services import get_participant
from survey.timeutil import now_utc

from ..conftest import BASE_URL

PHONE = "+4520304050"


def send_sms(app, study_id, now=None):
    with app.app_context():
        message = send_invitation(get_participant(study_id), "sms", now=now)
        db.session.refresh(message)
        db.session.expunge(message)
        return message


@pytest.mark.parametrize("lang, start", [("da", "Rigshospitalet: Vil du svare på spørgsmål"),
                                         ("en", "Rigshospitalet: Please answer questions")])
def test_the_folder_backend_records_the_sms_in_the_participants_language(
        app, client, outboxes, make_contactable, lang, start):
    message = send_sms(app, make_contactable(lang=lang, channel="sms"))
    assert message.status == "sent"
    [line] = (outboxes.sms / "sms.jsonl").read_text(encoding="utf-8").splitlines()
    sms = json.loads(line)
    assert sms["to"] == PHONE and sms["id"] == message.provider_message_id
    assert sms["text"].startswith(start)
    assert gsm7_length(sms["text"]) <= SMS_LIMIT
    link = sms["text"].rsplit(" ", 1)[1]
    assert link.startswith(f"{BASE_URL}/i/")
    assert client.get(link.removeprefix(BASE_URL)).location == "/opened"


def test_the_http_gateway_gets_json_with_the_key_and_its_id_is_kept(
        app, sms_gateway_server, make_contactable):
    message = send_sms(app, make_contactable(lang="da", channel="sms"))
    assert (message.status, message.provider_message_id) == ("sent", "gw-4711")
    [(headers, body)] = sms_gateway_server.received
    assert headers["Authorization"] == "Bearer test-gateway-key"
    assert headers["Content-Type"] == "application/json"
    assert set(body) == {"to", "from", "text"}
    assert (body["to"], body["from"]) == (PHONE, "Mundtoerhed")
    assert body["text"].startswith("Rigshospitalet: Vil du svare på spørgsmål om mundtørhed?")


def test_a_gateway_error_fails_the_message_and_a_retry_sends_it(
        app, sms_gateway_server, make_contactable):
    sms_gateway_server.reply = (503, {"error": f"busy, cannot send to {PHONE}"})
    now = now_utc()
    message = send_sms(app, make_contactable(channel="sms"), now=now)
    assert message.status == "failed"
    assert message.last_error == "SMS gateway answered HTTP 503"
    assert message.retry_at == now + timedelta(minutes=5)

    sms_gateway_server.reply = (200, {"message_id": "gw-2"})
    with app.app_context():
        assert retry_failed_messages(now + timedelta(minutes=5)) == (1, 0)
        message = db.session.get(OutboundMessage, message.id)
        assert (message.status, message.provider_message_id, message.attempts) == (
            "sent", "gw-2", 2)
    assert len(sms_gateway_server.received) == 2


@pytest.mark.parametrize("reply, error", [
    ((200, ["not", "an", "object"]), "SMS gateway's reply is not a JSON object"),
    ((200, {"status": "ok"}), "SMS gateway's reply has no message id"),
])
def test_a_reply_without_a_message_id_is_a_failure(sms_gateway_server, reply, error):
    sms_gateway_server.reply = reply
    gateway = HttpSmsGateway(f"http://127.0.0.1:{sms_gateway_server.server_port}/sms", "k", "S")
    with pytest.raises(SendError, match=error):
        gateway.send(PHONE, "hej")


def test_an_unreachable_gateway_is_a_failure_without_the_number():
    from ..external import free_port

    gateway = HttpSmsGateway(f"http://127.0.0.1:{free_port()}/sms", "k", "S", timeout=2)
    with pytest.raises(SendError, match="SMS gateway not reached") as raised:
        gateway.send(PHONE, "hej")
    assert PHONE not in str(raised.value)


def test_no_sms_without_a_phone_number(app, make_contactable):
    from survey.messaging.errors import MessagingError

    study_id = make_contactable(phone=None, channel="sms")
    with app.app_context(), pytest.raises(MessagingError, match="has no phone number"):
        send_invitation(get_participant(study_id), "sms")
