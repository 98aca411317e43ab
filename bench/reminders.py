"""How long a reminder run takes with 100,000 participants.

    .venv/bin/python bench/reminders.py [--participants 100000] [--postgres URL]

Builds the same realistic round as bench/dashboard.py (bulk INSERTs into a
throw-away SQLite database, or an empty PostgreSQL database with --postgres),
then times, at two moments: 15 minutes after the population's "now" (a
normal run: the schedule has been kept) and three days later (the first run
after a three-day outage, when many reminders are due at once): finding who
is due (the query alone), a dry run, the real run (every due reminder
recorded, e-mails sent to a real SMTP server on loopback, SMS and letters
to the folder backends, and its outcome recorded), run after run while the
per-run limit (SURVEY_REMINDERS_PER_RUN) leaves some for the next, and one
more run straight after, which must send nothing. It prints figures only; the
target is a run well under 10 s.
"""
import argparse
import os
import socket
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from dashboard import NOW, Population, make_app  # noqa: E402 (the bench's own helpers)


def seconds(function):
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


class Inbox:
    """A real SMTP server on loopback (aiosmtpd) that only counts what it receives."""

    def __init__(self):
        self.messages, self.connections = 0, set()

    async def handle_DATA(self, server, session, envelope):
        self.messages += 1
        self.connections.add(session.peer)
        return "250 OK"


def run(label, url, participants, folder):
    from aiosmtpd.controller import Controller

    from survey.database import dispose_engines
    from survey.extensions import db
    from survey.reminders.services import LATER, due_reminders, send_due_reminders

    inbox = Inbox()
    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    app = make_app(url)
    app.config.update({"SURVEY_MAIL_BACKEND": "smtp", "SURVEY_SMTP_HOST": "127.0.0.1",
                       "SURVEY_SMTP_PORT": port,
                       "SURVEY_SMTP_TLS": "none", "SURVEY_SMS_BACKEND": "folder",
                       "SURVEY_SMS_FOLDER": os.path.join(folder, "sms"),
                       "SURVEY_LETTER_FOLDER": os.path.join(folder, "letters"),
                       "SURVEY_SENDING_HOURS": "0-24"})
    limit = app.config["SURVEY_REMINDERS_PER_RUN"]
    with app.app_context():
        db.create_all()
        built, population = seconds(lambda: Population(participants))
        population.insert(db)
        print(f"\n{label}: {participants:,} participants, "
              f"{len(population.rows['invitation']):,} invitations, "
              f"{len(population.rows['outbound_message']):,} messages (built in {built:.1f} s); "
              f"at most {limit} reminders per run")
        for moment, at in (("15 minutes later", NOW + timedelta(minutes=15)),
                           ("after a 3-day outage", NOW + timedelta(days=3))):
            print(f"  {moment}:")
            query_time, due = seconds(lambda at=at: due_reminders(at))
            channels = Counter(c.channel for c in due)
            print(f"    finding who is due (query):    {query_time * 1000:8.0f} ms  "
                  f"({len(due):,} reminders due: "
                  f"{', '.join(f'{n:,} {c}' for c, n in sorted(channels.items()))})")
            dry_time, _ = seconds(lambda at=at: send_due_reminders(at, dry_run=True))
            print(f"    dry run:                       {dry_time * 1000:8.0f} ms")
            number = 0
            while True:  # run after run, as the timer would, until nothing is left
                number += 1
                run_time, outcomes = seconds(lambda at=at: send_due_reminders(at))
                sent = sum(1 for o in outcomes if o.status == "sent")
                left = sum(1 for o in outcomes if o.status == LATER)
                each = f", {run_time * 1000 / sent:.1f} ms each" if sent else ""
                print(f"    run {number}:{'':25} {run_time * 1000:8.0f} ms  ({sent:,} sent"
                      f"{each}, {len(outcomes) - sent - left:,} not, {left:,} left)")
                if not left:
                    break
            again_time, again = seconds(lambda at=at: send_due_reminders(at))
            print(f"    one more run straight after:   {again_time * 1000:8.0f} ms  "
                  f"({sum(1 for o in again if o.status == 'sent')} sent)")
        print(f"  e-mails received by the SMTP server: {inbox.messages:,} over "
              f"{len(inbox.connections)} connection(s)")
        db.session.remove()
        dispose_engines(db)
    smtp.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--postgres", metavar="URL", help="an empty PostgreSQL database")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reminders-bench-") as folder:
        run("SQLite", f"sqlite:///{os.path.join(folder, 'bench.sqlite')}", args.participants,
            folder)
        if args.postgres:
            run("PostgreSQL", args.postgres, args.participants, folder)


if __name__ == "__main__":
    main()
