"""A reminder runner killed in the middle of a batch never causes a second copy."""
import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from aiosmtpd.controller import Controller

from survey.extensions import db
from survey.messaging.models import OutboundMessage

from ..conftest import BOTH_DATABASES
from ..external import free_port
from .conftest import NOW

pytestmark = BOTH_DATABASES
ROOT = Path(__file__).resolve().parents[2]


class SlowInbox:
    """An SMTP server that takes its time over each message, so a runner can be killed mid-batch."""

    def __init__(self):
        self.recipients, self.delay = [], 0.6

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        self.recipients.extend(envelope.rcpt_tos)
        return "250 OK"


def test_killed_runner_then_rerun_sends_every_reminder_at_most_once(app, invited, database_url):
    study_ids = [invited(email=f"p{i}@example.dk") for i in range(6)]
    inbox = SlowInbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        env = {**os.environ, "SURVEY_DATABASE_URL": database_url, "SURVEY_SECRET_KEY": "k",
               "SURVEY_AUDIT_KEY": app.config["SURVEY_AUDIT_KEY"],
               "SURVEY_AUDIT_ANCHOR_FILE": app.config["SURVEY_AUDIT_ANCHOR_FILE"],
               "SURVEY_MAIL_BACKEND": "smtp", "SURVEY_SMTP_HOST": "127.0.0.1",
               "SURVEY_SMTP_PORT": str(port), "SURVEY_SMTP_TLS": "none",
               "SURVEY_MAIL_FROM": "studie@example.dk", "SURVEY_SENDING_HOURS": "0-24"}
        command = [sys.executable, "-m", "flask", "--app", "wsgi", "reminders", "send",
                   "--now", NOW.isoformat()]
        runner = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while len(inbox.recipients) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        runner.send_signal(signal.SIGKILL)
        runner.wait()
        killed_after = len(inbox.recipients)
        assert 2 <= killed_after < 6

        inbox.delay = 0
        rerun = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                               timeout=120)
        assert rerun.returncode == 0, rerun.stderr
    finally:
        controller.stop()

    reminders = Counter(r for r in inbox.recipients if r.startswith("p"))
    assert all(count == 1 for count in reminders.values()), reminders
    with app.app_context():
        statuses = Counter(db.session.execute(
            db.select(OutboundMessage.status).where(OutboundMessage.purpose == "reminder")
        ).scalars())
    # At most one reminder's outcome is unknown (the one being sent when it was killed):
    # it stays 'pending' for the coordinator to see and is never sent again.
    assert statuses["sent"] + statuses["pending"] == len(study_ids)
    assert statuses["pending"] <= 1
    assert len(reminders) >= statuses["sent"]
