"""How fast the follow-up dashboard is with 100,000 participants.

    .venv/bin/python bench/dashboard.py [--participants 100000] [--runs 7]
                                        [--postgres postgresql+psycopg://user@host/db]

Builds a throw-away SQLite database (and, with --postgres, fills the given
PostgreSQL database, which must be empty and is left filled) with a realistic
round: most participants invited by e-mail or SMS, about half answered on the
web, some on paper or at the clinic, reminders sent, some withdrawn, deceased
or opted out. Rows go in with bulk INSERTs, not through the services.

Then it times, over several runs, the queries on their own (the counts, a
first page, pages sorted by last contact and by state, pages filtered by
state, a study ID search) and whole dashboard pages as a coordinator gets
them (GET through the test client, logged in), and prints the median and the
slowest run in milliseconds. Every page counts
afresh from the kept participant states (survey/dashboard/models.py); the
last two rows time a page after 100 or 1,000 participants changed since the
previous one, whose states it works out again before counting. It only
prints figures; the target is a whole page under 300 ms.
"""
import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

NOW = datetime.now(UTC).replace(microsecond=0)
#: (scenario, share of participants)
SCENARIOS = [
    ("not_invited", 0.07), ("invited", 0.14), ("opened", 0.05), ("in_progress", 0.05),
    ("expired", 0.05), ("replaced", 0.03), ("web", 0.42), ("clinic", 0.03),
    ("paper_received", 0.03), ("paper", 0.10), ("web_and_paper", 0.03),
]
CHUNK = 5000


class Population:
    """Rows for every table, built in memory with ids set, then inserted in bulk."""

    def __init__(self, n, seed=20261126):
        self.random = random.Random(seed)
        self.rows = {name: [] for name in ("participant", "invitation", "outbound_message",
                                           "response", "paper_form")}
        self.ids = dict.fromkeys(self.rows, 0)
        names, weights = zip(*SCENARIOS, strict=True)
        for number in range(1, n + 1):
            self.add_participant(number, self.random.choices(names, weights)[0])

    def add(self, table, **row):
        self.ids[table] += 1
        row["id"] = self.ids[table]
        self.rows[table].append(row)
        return row["id"]

    def add_participant(self, number, scenario):
        r = self.random
        status = r.choices(("active", "withdrawn", "deceased"), (0.94, 0.04, 0.02))[0]
        channel = r.choices(("email", "sms", "letter"), (0.7, 0.2, 0.1))[0]
        created = NOW - timedelta(days=120)
        paper = scenario in ("paper", "paper_received", "web_and_paper")
        participant = self.add(
            "participant", study_id=f"FU-{number:06d}", language="da" if r.random() < 0.85
            else "en", status=status, channel=channel, created_at=created,
            status_date=None if status == "active" else (NOW - timedelta(days=5)).date(),
            email=f"p{number}@example.dk" if channel == "email" else None,
            phone=f"+45{20000000 + number}" if channel == "sms" else None,
            opted_out_at=NOW - timedelta(days=3) if r.random() < 0.03 else None,
            paper_mailed_on=(NOW - timedelta(days=30)).date() if paper else None,
            paper_received_on=(NOW - timedelta(days=10)).date() if paper else None)
        if scenario != "not_invited":
            self.add_round(participant, scenario, channel)

    def add_round(self, participant, scenario, channel):
        r = self.random
        age = r.randint(75, 100) if scenario == "expired" else r.randint(1, 55)
        # Any minute of the day, as coordinators send invitations through the day.
        sent = NOW - timedelta(days=age, minutes=r.randrange(24 * 60))
        if scenario == "replaced":
            old = self.invitation(participant, sent - timedelta(days=3), revoked=True)
            self.message(participant, old, 0, channel, sent - timedelta(days=3))
        opened = scenario not in ("invited", "expired", "replaced", "paper_received", "paper")
        done = sent + timedelta(days=r.randint(0, 10))
        answered = scenario in ("web", "web_and_paper")
        active = done if answered else sent if scenario == "in_progress" else None
        invitation = self.invitation(participant, sent, opened=sent if opened else None,
                                     active=active, completed=done if answered else None)
        self.message(participant, invitation, 0, channel, sent)
        for number, days in enumerate((7, 14), start=1):
            if sent + timedelta(days=days) < (done if answered else NOW):
                self.message(participant, invitation, number, channel,
                             sent + timedelta(days=days))
        if scenario == "in_progress":
            self.response(participant, invitation, "xq", "web", None)
        if answered:
            for code in ("xq", "vas"):
                self.response(participant, invitation, code, "web", done,
                              "counts" if scenario == "web_and_paper" else None)
        if scenario == "clinic":
            visit = self.invitation(participant, done, opened=done, active=done, completed=done,
                                    mode="clinic")
            for code in ("xq", "vas"):
                self.response(participant, visit, code, "clinic", done)
        if scenario in ("paper", "web_and_paper"):
            duplicate = "does_not_count" if scenario == "web_and_paper" else None
            for code in ("xq", "vas"):
                response = self.response(participant, None, code, "paper",
                                         NOW - timedelta(days=5), duplicate)
                self.paper_form(participant, code, "verified", response)
        if scenario == "paper_received":
            self.paper_form(participant, "xq", "awaiting_second_entry", None)

    def invitation(self, participant, created, opened=None, active=None, completed=None,
                   revoked=False, mode="web"):
        number = self.ids["invitation"] + 1
        return self.add("invitation", participant_id=participant, key=f"bench{number:027d}",
                        instrument_codes="xq,vas", language="da", created_at=created,
                        expires_at=created + timedelta(days=60 if mode == "web" else 0.5),
                        opened_at=opened, last_activity_at=active, completed_at=completed,
                        revoked_at=created + timedelta(days=3) if revoked else None, mode=mode)

    def message(self, participant, invitation, number, channel, at):
        return self.add("outbound_message", participant_id=participant,
                        invitation_id=invitation, purpose="reminder" if number else "invitation",
                        reminder_number=number, channel=channel,
                        dedupe_key=f"reminder:{invitation}:{number}" if number else None,
                        template="reminder" if number else "invitation", status="sent",
                        attempts=1, created_at=at, sent_at=at + timedelta(seconds=5))

    def response(self, participant, invitation, code, mode, submitted, duplicate=None):
        started = (submitted or NOW) - timedelta(minutes=20)
        return self.add("response", participant_id=participant, invitation_id=invitation,
                        instrument_code=code, instrument_version="1.0", mode=mode,
                        status="submitted" if submitted else "in_progress", language="da",
                        started_at=started, updated_at=submitted or started,
                        submitted_at=submitted, duplicate_status=duplicate)

    def paper_form(self, participant, code, status, response):
        return self.add("paper_form", participant_id=participant, instrument_code=code,
                        instrument_version="1.0", verification="double_entry", status=status,
                        created_at=NOW - timedelta(days=9), response_id=response,
                        verified_at=NOW - timedelta(days=5) if response else None)

    def insert(self, db):
        """Bulk-load every table: COPY on PostgreSQL, executemany on SQLite."""
        connection = db.session.connection()
        postgres = connection.dialect.name == "postgresql"
        for name, rows in self.rows.items():
            columns = list(rows[0])
            values = [tuple(_sqlite_value(row[c]) for c in columns) for row in rows] \
                if not postgres else [tuple(row[c] for c in columns) for row in rows]
            cursor = connection.connection.cursor()
            if postgres:
                with cursor.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in values:
                        copy.write_row(row)
                cursor.execute(f"SELECT setval('{name}_id_seq', {len(rows)})")
            else:
                cursor.executemany(f"INSERT INTO {name} ({', '.join(columns)}) VALUES "
                                   f"({', '.join('?' * len(columns))})", values)
        db.session.commit()
        db.session.execute(db.text("ANALYZE"))  # the planner's statistics, as in production
        db.session.commit()


def _sqlite_value(value):
    """What SQLAlchemy would store in SQLite: UTC timestamps as text without the offset."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def make_app(url):
    from survey import create_app

    return create_app({
        "TESTING": True, "SECRET_KEY": "dashboard-bench", "SQLALCHEMY_DATABASE_URI": url,
        "SURVEY_BASE_URL": "https://survey.example.dk",
        "SURVEY_PASSWORD_HASHING": "fast-for-tests", "WTF_CSRF_ENABLED": False,
        # The bench's audit heads go to a temporary file, never into instance/.
        "SURVEY_AUDIT_ANCHOR_FILE": os.path.join(tempfile.gettempdir(), "dashboard-bench-anchor"),
    })


def coordinator_client(app):
    """A test client with a logged-in coordinator (two-factor done)."""
    from survey.extensions import db
    from survey.staff.services import create_staff_user

    with app.app_context():
        user = create_staff_user("bench-coordinator@example.dk", "coordinator",
                                 "a long and unusual bench passphrase")
        user.totp_secret, user.totp_confirmed_at = "BENCHBENCHBENCHBENCH", NOW
        db.session.commit()
        session_id = user.get_id()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = session_id, True
    return client


def timed(function, runs, setup=None):
    """(median ms, max ms) of `runs` calls after one warm-up call; `setup` runs untimed first."""
    function()
    times = []
    for _ in range(runs):
        if setup is not None:
            setup()
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def measurements(app, client):
    """(name, function, setup) triples: the queries on their own, then whole pages."""
    from survey.dashboard import counts, queries
    from survey.extensions import db

    def in_app(function):
        def run():
            with app.app_context():
                function()
                db.session.rollback()
        return run

    def page_query(filters=None, sort="study_id", descending=False, page=1):
        filters = filters or queries.Filters()

        def run():
            ids = queries.page_ids(filters, sort, descending, 51, (page - 1) * 50, NOW)
            queries.page_rows(ids[:50], NOW)
        return in_app(run)

    def page(url):
        def run():
            response = client.get(url)
            if response.status_code != 200:  # timing an error page would mean nothing
                raise SystemExit(f"{url} answered {response.status_code}")
        return run

    yield "counts query (kept states)", in_app(lambda: counts.round_counts(NOW))
    yield "page query: first page", page_query()
    yield "page query: page 1000", page_query(page=1000)
    yield "page query: sorted by last contact", page_query(sort="last_contact", descending=True)
    yield "page query: sorted by state", page_query(sort="state")
    for state in ("opened", "deceased"):
        yield f"page query: filtered ({state})", page_query(queries.Filters(state=state))
    yield "page query: search '0042' + count", in_app(lambda: (
        page_query(queries.Filters(search="0042"))(),
        queries.count_matching(queries.Filters(search="0042"), NOW)))
    for label, url in PAGES:
        yield f"whole page: {label}", page(url)
    for changed in (100, 1000):
        yield (f"whole page: first, {changed:,} participants changed since the last",
               page(PAGES[0][1]), in_app(lambda n=changed: change_participants(db, n)))


def change_participants(db, n):
    """Give n participants' latest invitation a new activity time (as saving an answer does),
    committed: the kept states of n participants are then out of date."""
    db.session.execute(db.text(
        "UPDATE invitation SET last_activity_at = last_activity_at WHERE id IN "
        "(SELECT max(id) FROM invitation GROUP BY participant_id ORDER BY random() LIMIT :n)"),
        {"n": n})
    db.session.commit()


#: (label, URL) of the whole dashboard pages timed.
PAGES = [
    ("first", "/staff/dashboard/"),
    ("sorted by last contact", "/staff/dashboard/?sort=last_contact&dir=desc"),
    ("sorted by state", "/staff/dashboard/?sort=state"),
    ("filtered (opened)", "/staff/dashboard/?state=opened"),
    ("filtered (deceased)", "/staff/dashboard/?state=deceased"),
    ("page 200", "/staff/dashboard/?page=200"),
]


def run(label, url, participants, runs):
    from survey.dashboard.summary import refresh_participant_states
    from survey.database import dispose_engines
    from survey.extensions import db

    app = make_app(url)
    with app.app_context():
        db.create_all()
        start = time.perf_counter()
        population = Population(participants)
        population.insert(db)
        built = time.perf_counter() - start
        sizes = ", ".join(f"{len(rows):,} {name}" for name, rows in population.rows.items())
        start = time.perf_counter()
        refreshed = refresh_participant_states()
        refresh = time.perf_counter() - start
    print(f"\n{label}: {sizes} (built in {built:.1f} s)")
    print(f"  first refresh of the kept states after the bulk load: {refreshed:,} participants "
          f"in {refresh:.1f} s (once)")
    client = coordinator_client(app)
    print(f"  {'':44} {'median':>9} {'max':>9}")
    for name, function, *setup in measurements(app, client):
        median, slowest = timed(function, runs, *setup)
        print(f"  {name:44} {median:7.1f}ms {slowest:7.1f}ms", flush=True)
    with app.app_context():
        db.session.remove()
        dispose_engines(db)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--postgres", metavar="URL",
                        help="an empty PostgreSQL database, e.g. postgresql+psycopg://u@h/db")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dashboard-bench-") as folder:
        run("SQLite", f"sqlite:///{os.path.join(folder, 'bench.sqlite')}", args.participants,
            args.runs)
    if args.postgres:
        run("PostgreSQL", args.postgres, args.participants, args.runs)


if __name__ == "__main__":
    main()
