"""Outboxes in a temporary folder, a real SMTP server on loopback, and small helpers."""
import email
import email.policy
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import pytest
from aiosmtpd.controller import Controller

from survey.extensions import db
from survey.messaging.models import OutboundMessage
from survey.participants.services import get_participant

from ..external import free_port

SNAPSHOTS = Path(__file__).parent / "snapshots"
#: Set to 1 to rewrite the snapshot files from the current output (then review the diff).
UPDATE_SNAPSHOTS = os.environ.get("SURVEY_UPDATE_SNAPSHOTS") == "1"


def snapshot(name, actual):
    """The reviewed snapshot file `name`; with SURVEY_UPDATE_SNAPSHOTS=1 written from `actual`."""
    path = SNAPSHOTS / name
    if UPDATE_SNAPSHOTS:
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"no snapshot {name}: run with SURVEY_UPDATE_SNAPSHOTS=1 and review it"
    return path.read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def outboxes(app, tmp_path):
    """Every backend writes under tmp_path; retries may run at any hour."""
    folders = SimpleNamespace(mail=tmp_path / "mail", sms=tmp_path / "sms",
                              letters=tmp_path / "letters")
    app.config.update({
        "SURVEY_MAIL_BACKEND": "folder", "SURVEY_MAIL_FOLDER": str(folders.mail),
        "SURVEY_SMS_BACKEND": "folder", "SURVEY_SMS_FOLDER": str(folders.sms),
        "SURVEY_LETTER_FOLDER": str(folders.letters), "SURVEY_SENDING_HOURS": "0-24",
        "SURVEY_MAIL_FROM": "Forsøgsteamet <mundtoerhed@example.dk>",
    })
    return folders


class Collector:
    """An aiosmtpd handler that keeps every envelope; `refuse` makes it refuse recipients."""

    def __init__(self):
        self.envelopes, self.refuse, self.peers = [], False, []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        self.peers.append(session.peer)  # one (address, port) per connection
        return "250 OK"

    def messages(self):
        return [email.message_from_bytes(e.content, policy=email.policy.default)
                for e in self.envelopes]


class SmtpServer:
    """A real SMTP server on 127.0.0.1 that can be started and stopped on one port."""

    def __init__(self, port):
        self.port, self.handler, self.controller = port, Collector(), None

    def start(self):
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_port(app):
    """A free loopback port the app sends mail to (nothing listens there yet)."""
    port = free_port()
    app.config.update({"SURVEY_MAIL_BACKEND": "smtp", "SURVEY_SMTP_HOST": "127.0.0.1",
                       "SURVEY_SMTP_PORT": port, "SURVEY_SMTP_TLS": "none"})
    return port


@pytest.fixture
def smtp_server(smtp_port):
    server = SmtpServer(smtp_port).start()
    yield server
    server.stop()


@pytest.fixture
def stopped_smtp_server(smtp_port):
    """Not started: the test starts it when it wants the server up."""
    server = SmtpServer(smtp_port)
    yield server
    server.stop()


class SmsGatewayHandler(BaseHTTPRequestHandler):
    """Receives the gateway's POSTs; replies as `server.reply` says."""

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((dict(self.headers), json.loads(body)))
        status, reply = self.server.reply
        data = json.dumps(reply).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):  # keep test output clean
        pass


@pytest.fixture
def sms_gateway_server(app):
    """A tiny HTTP SMS gateway on loopback, in a thread; the app is set to use it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), SmsGatewayHandler)
    server.received, server.reply = [], (200, {"id": "gw-4711"})
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    app.config.update({"SURVEY_SMS_BACKEND": "http", "SURVEY_SMS_KEY": "test-gateway-key",
                       "SURVEY_SMS_URL": f"http://127.0.0.1:{server.server_port}/sms",
                       "SURVEY_SMS_FROM": "Mundtoerhed"})
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def make_contactable(app, make_participant):
    """Factory: a participant with e-mail, phone and a preferred channel -> study ID."""

    def make(lang="da", channel="email", email="karen.hansen@example.dk", phone="20304050",
             **kwargs):
        study_id = make_participant(lang=lang, email=email, phone=phone, **kwargs)
        with app.app_context():
            get_participant(study_id).channel = channel
            db.session.commit()
        return study_id

    return make


def messages(app):
    """[(study ID, purpose, channel, template, status, attempts)] in the order recorded."""
    with app.app_context():
        rows = db.session.execute(db.select(OutboundMessage).order_by(OutboundMessage.id))
        return [(m.participant.study_id, m.purpose, m.channel, m.template, m.status, m.attempts)
                for m in rows.scalars()]
