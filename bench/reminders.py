"""How long a reminder run takes with 100,000 participants.

    .venv/bin/python bench/reminders.py [--participants 100000] [--postgres URL]

Builds the same realistic round as bench/dashboard.py (bulk INSERTs into a
throw-away SQLite database, or an empty PostgreSQL database with --postgres),
then times, at two moments: 15 minutes after the population's "now" (a
normal run: the schedule has been kept) and three days later (the first run
after a three-day outage, when many reminders are due at once): finding who
is due (the query alone), a dry run, the real run (every due reminder
recorded, sent to the folder backends and its outcome recorded), and an
immediate second run, which must send nothing. It prints figures only; the
target is a run well under 10 s.
"""
import argparse
import os
import sys
import tempfile
import time
from datetime import timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from dashboard import NOW, Population, make_app  # noqa: E402 (the bench's own helpers)


def seconds(function):
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def run(label, url, participants, folder):
    from survey.extensions import db
    from survey.reminders.services import due_reminders, send_due_reminders

    app = make_app(url)
    app.config.update({"SURVEY_MAIL_BACKEND": "folder", "SURVEY_SMS_BACKEND": "folder",
                       "SURVEY_MAIL_FOLDER": os.path.join(folder, "mail"),
                       "SURVEY_SMS_FOLDER": os.path.join(folder, "sms"),
                       "SURVEY_LETTER_FOLDER": os.path.join(folder, "letters"),
                       "SURVEY_SENDING_HOURS": "0-24"})
    with app.app_context():
        db.create_all()
        built, population = seconds(lambda: Population(participants))
        population.insert(db)
        print(f"\n{label}: {participants:,} participants, "
              f"{len(population.rows['invitation']):,} invitations, "
              f"{len(population.rows['outbound_message']):,} messages (built in {built:.1f} s)")
        for moment, at in (("15 minutes later", NOW + timedelta(minutes=15)),
                           ("after a 3-day outage", NOW + timedelta(days=3))):
            print(f"  {moment}:")
            query_time, due = seconds(lambda at=at: due_reminders(at))
            print(f"    finding who is due (query):    {query_time * 1000:8.0f} ms  "
                  f"({len(due):,} reminders due)")
            dry_time, _ = seconds(lambda at=at: send_due_reminders(at, dry_run=True))
            print(f"    dry run:                       {dry_time * 1000:8.0f} ms")
            run_time, outcomes = seconds(lambda at=at: send_due_reminders(at))
            sent = sum(1 for o in outcomes if o.status == "sent")
            print(f"    real run:                      {run_time * 1000:8.0f} ms  "
                  f"({sent:,} sent, {len(outcomes) - sent:,} not)")
            again_time, again = seconds(lambda at=at: send_due_reminders(at))
            print(f"    second run straight after:     {again_time * 1000:8.0f} ms  "
                  f"({sum(1 for o in again if o.status == 'sent')} sent)")
        db.session.remove()
        db.engine.dispose()


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
