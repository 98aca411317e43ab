"""Invitation e-mails through a real SMTP server on loopback, in Danish and English."""
import logging
import re
from datetime import timedelta

import pytest

from survey.audit.models import AuditRecord
from survey.extensions import db
from survey.messaging.models import OutboundMessage
from survey.messaging.services import deliver, record_message, send_invitation
from survey.participants.services import get_participant
from survey.timeutil import now_utc

from ..conftest import BASE_URL, CSRF
from .conftest import messages

EMAIL = "karen.hansen@example.dk"
SUBJECTS = {"da": "Dit spørgeskema om mundtørhed", "en": "Your questionnaire about dry mouth"}
GREETINGS = {"da": "Kære deltager", "en": "Dear participant,"}
STUDY_NAMES = {"da": "Opfølgning på forsøget med stamceller mod mundtørhed",
               "en": "Follow-up of the stem cell trial for dry mouth"}
CONTACT_PART = {"da": "Forsøgsteamet, Øre-næse-halskirurgisk afdeling",
                "en": "The study team, Ear, Nose and Throat (ENT) Department"}
LINK = re.compile(re.escape(BASE_URL) + r"/i/[A-Za-z0-9_.-]+")
OPTOUT_LINK = re.compile(re.escape(BASE_URL) + r"/optout/[A-Za-z0-9_.-]+")


def send(app, study_id, channel="email", **kwargs):
    with app.app_context():
        message = send_invitation(get_participant(study_id), channel, **kwargs)
        return message.id, message.status


def our_log_lines(caplog):
    """Log lines of everything but the test SMTP server (which logs the envelope)."""
    return "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))


@pytest.mark.parametrize("lang", ["da", "en"])
def test_invitation_email_arrives_in_the_participants_language_and_its_links_work(
        app, client, smtp_server, make_contactable, lang, caplog):
    caplog.set_level(logging.DEBUG)
    study_id = make_contactable(lang=lang, email=EMAIL)
    message_id, status = send(app, study_id)
    assert status == "sent"

    [envelope] = smtp_server.handler.envelopes
    assert envelope.rcpt_tos == [EMAIL]
    [mail] = smtp_server.handler.messages()
    assert mail["To"] == EMAIL
    assert mail["From"].addresses[0].display_name == "Forsøgsteamet"
    assert mail["Subject"] == SUBJECTS[lang]
    raw_subject = re.search(rb"^Subject: ([^\r\n]*)", envelope.content, re.M).group(1)
    assert raw_subject.isascii()
    if lang == "da":
        assert b"=?utf-8?q?sp=C3=B8rgeskema" in raw_subject  # RFC 2047 keeps æøå intact
    assert mail.get_content_type() == "multipart/alternative"
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert f'<html lang="{lang}">' in html
    for part in (text, html):
        assert GREETINGS[lang] in part and STUDY_NAMES[lang] in part
        assert CONTACT_PART[lang] in part

    link = LINK.search(text).group(0)
    assert len(link) == 78
    assert f'href="{link}"' in html
    opened = client.get(link.removeprefix(BASE_URL))
    assert opened.status_code == 302 and opened.location == "/opened"

    optout = OPTOUT_LINK.search(text).group(0)
    assert mail["List-Unsubscribe"].strip() == f"<{optout}>"  # long: folded onto a new line
    assert f'href="{optout}"' in html

    with app.app_context():
        message = db.session.get(OutboundMessage, message_id)
        assert message.provider_message_id == mail["Message-ID"]
        assert (message.channel, message.template, message.attempts) == ("email", "invitation", 1)
        assert message.sent_at is not None and message.last_error is None
        audit = db.session.execute(db.select(AuditRecord).where(
            AuditRecord.entity == "outbound_message")).scalar_one()
        assert (audit.actor, audit.action, audit.new_value) == (
            "system:messaging", "send", "email")

    logged = our_log_lines(caplog)
    assert f"message {message_id} sent" in logged
    token = link.rsplit("/", 1)[1]
    for secret in (token, optout.rsplit("/", 1)[1], EMAIL):
        assert secret not in logged


def test_the_opt_out_link_asks_first_and_opts_out_only_on_the_button(
        app, client, smtp_server, make_contactable):
    study_id = make_contactable(lang="da")
    send(app, study_id)
    [mail] = smtp_server.handler.messages()
    optout = OPTOUT_LINK.search(mail.get_body(("plain",)).get_content()).group(0)
    path = optout.removeprefix(BASE_URL)

    page = client.get(path)  # what a mail scanner does: nothing changes
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Afmeld påmindelser" in html and '<html lang="da">' in html
    with app.app_context():
        assert get_participant(study_id).opted_out_at is None

    done = client.post(path, data={"csrf_token": CSRF.search(html).group(1)})
    assert done.status_code == 200
    assert "Du får ikke flere påmindelser" in done.get_data(as_text=True)
    with app.app_context():
        participant = get_participant(study_id)
        assert participant.opted_out_at is not None
        audit = db.session.execute(db.select(AuditRecord).where(
            AuditRecord.field == "opted_out_at")).scalar_one()
        assert audit.actor == "participant:optout" and audit.participant_id == participant.id


def test_a_failed_send_is_recorded_and_sent_when_the_server_is_back(
        app, stopped_smtp_server, make_contactable):
    from survey.messaging.services import retry_failed_messages

    study_id = make_contactable()
    now = now_utc()
    with app.app_context():
        message = send_invitation(get_participant(study_id), "email", now=now)
        assert (message.status, message.attempts) == ("failed", 1)
        assert message.retry_at == now + timedelta(minutes=5)
        assert message.last_error.startswith("SMTP 127.0.0.1:")
        assert "ConnectionRefusedError" in message.last_error
        assert retry_failed_messages(now + timedelta(minutes=4)) == (0, 0)  # not yet due

    stopped_smtp_server.start()
    with app.app_context():
        assert retry_failed_messages(now + timedelta(minutes=6)) == (1, 0)
    assert messages(app) == [(study_id, "invitation", "email", "invitation", "sent", 2)]
    assert len(stopped_smtp_server.handler.envelopes) == 1


def test_one_connection_carries_every_message_of_a_run_and_a_lost_one_is_replaced(
        app, smtp_server, make_contactable):
    study_ids = [make_contactable(email=f"p{i}@example.dk") for i in range(4)]
    with app.app_context():  # one app context: one command, such as a reminder run
        for study_id in study_ids[:3]:
            assert send_invitation(get_participant(study_id), "email").status == "sent"
        assert len(set(smtp_server.handler.peers)) == 1
        smtp_server.stop()  # the server goes away between two messages ...
        smtp_server.start()  # ... and comes back: the kept connection is dead
        assert send_invitation(get_participant(study_ids[3]), "email").status == "sent"
    assert len(smtp_server.handler.envelopes) == 4
    assert len(set(smtp_server.handler.peers)) == 2
    with app.app_context():  # a new app context (another request) connects afresh
        message = send_invitation(get_participant(study_ids[0]), "email")
        assert message.status == "sent"
    assert len(set(smtp_server.handler.peers)) == 3


def test_a_refused_recipient_is_a_failure_without_the_address_in_the_record(
        app, smtp_server, make_contactable):
    smtp_server.handler.refuse = True
    _, status = send(app, make_contactable(email=EMAIL))
    assert status == "failed"
    with app.app_context():
        message = db.session.execute(db.select(OutboundMessage)).scalar_one()
        assert "550" in message.last_error and "SMTPRecipientsRefused" in message.last_error
        assert EMAIL not in message.last_error and "karen" not in message.last_error
        assert message.retry_at is not None


def test_invitations_still_go_to_participants_who_opted_out_of_reminders(
        app, smtp_server, make_contactable):
    study_id = make_contactable()
    with app.app_context():
        get_participant(study_id).opted_out_at = now_utc()
        db.session.commit()
    assert send(app, study_id)[1] == "sent"


@pytest.mark.parametrize("change, purpose, reason", [
    ({"status": "withdrawn"}, "invitation", "not sent: participant is withdrawn"),
    ({"status": "deceased"}, "reminder", "not sent: participant is deceased"),
    ({"opted_out_at": "now"}, "reminder", "not sent: participant opted out of reminders"),
    ({"email": None}, "invitation", "not sent: no e-mail address"),
])
def test_delivery_checks_again_who_may_be_contacted(app, smtp_server, make_contactable,
                                                    change, purpose, reason):
    """Recorded while allowed, changed before delivery: never sent, never retried."""
    study_id = make_contactable()
    with app.app_context():
        from survey.invitations.services import create_invitation

        participant = get_participant(study_id)
        invitation, _ = create_invitation(participant)
        template = "reminder" if purpose == "reminder" else "invitation"
        message = record_message(participant, invitation, purpose, "email", template,
                                 reminder_number=int(purpose == "reminder"))
        db.session.commit()
        for name, value in change.items():
            setattr(participant, name, now_utc() if value == "now" else value)
        db.session.commit()
        assert deliver(message) is False
        db.session.commit()
        assert (message.status, message.last_error, message.retry_at) == ("failed", reason, None)
        assert message.attempts == 0
    assert smtp_server.handler.envelopes == []


def test_a_completed_invitation_gets_no_reminder(app, smtp_server, make_contactable):
    study_id = make_contactable()
    with app.app_context():
        from survey.invitations.services import create_invitation

        participant = get_participant(study_id)
        invitation, _ = create_invitation(participant)
        message = record_message(participant, invitation, "reminder", "email", "reminder",
                                 reminder_number=1)
        invitation.completed_at = now_utc()
        db.session.commit()
        assert deliver(message) is False
        assert message.last_error == "not sent: invitation is completed"
    assert smtp_server.handler.envelopes == []
