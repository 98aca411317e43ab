"""Throughput of the participant's pages under load, beside a bare Flask "hello world".

    .venv/bin/python bench/load.py [--clients 1,10,50] [--duration 5] [--workers 2]
                                   [--repeat 1] [--postgres] [--profile]

Needs `wrk` (Debian package: `apt-get install wrk`); the script says so and stops
if it is missing. For each database (SQLite, and with --postgres also a throw-away
PostgreSQL cluster started as the tests start one) it

1. creates the schema and a prepared set of participants, each with a link;
2. starts gunicorn with the documented settings (`--workers 2` on this 2-core
   machine, sync workers) on the app, and the same gunicorn on a bare Flask app;
3. opens every link once over HTTP to get each participant's session cookie and
   CSRF token;
4. drives both servers with wrk at 1, 10 and 50 concurrent clients, each request
   of a scenario rotating over the participants, and prints requests/s, p50, p95
   and p99 latency and the ratio of requests/s to the bare Flask app's, measured
   just before the row (its requests/s are printed beside it):

   open link   GET /i/<token>        (writes: the link was opened)
   item page   GET /q/xq/<n>         (read-only; nothing answered yet, so after the
                                      first of each page, pages kept per process)
   save answer POST /q/xq/<n>        (writes the answer and its audit record)
   review      GET /q/review         (read-only)
   submit      POST /q/submit        (writes 16 'not answered', scores, audit);
               each participant submits once, so this row stops when every
               participant kept for it has submitted (at most --duration)

wrk runs on the same two cores as the servers, as does anything else running on
the machine, so the figures are for comparing one run's rows with each other. On a
shared (virtual) machine bare Flask itself served 1,100 requests/s one minute and
3,300 the next; hence bare Flask before every row, and --repeat N, which
measures each number of clients N times and prints each row's median ratio with
its lowest and highest.
With --profile it also times the item page in-process (test client, no HTTP),
counts the Python function calls it makes and prints the functions that take
the most time. Not a test: it prints figures.
"""
import argparse
import cProfile
import http.client
import io
import os
import pstats
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlencode

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from tests.external import PostgresServer, free_port  # noqa: E402

CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')
HELLO_APP = '''from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
'''
#: Lua for wrk: rotate over the prepared requests, each thread its own share;
#: with `once`, stop a thread when its share is used up.
WRK_SCRIPT = '''
local requests = {%(requests)s}
local once = %(once)s
local threads, next_id = %(threads)d, 0
function setup(thread) thread:set("id", next_id); next_id = next_id + 1 end
function init(args) counter = id; finished = false end
function request()
  if counter >= #requests then
    if once then finished = true end
    counter = counter %% #requests
  end
  local r = requests[counter + 1]
  counter = counter + threads
  return wrk.format(r[1], r[2], r[3], r[4])
end
function response(status, headers, body)
  if finished then wrk.thread:stop() end
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%d\\n", summary.requests,
    summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.connect + e.read + e.write + e.status + e.timeout))
end
'''


def lua_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def lua_request(method, path, cookie, body=None):
    headers = "{Cookie = " + lua_string(cookie)
    if body is not None:
        headers += ', ["Content-Type"] = "application/x-www-form-urlencoded"'
    headers += "}"
    body = lua_string(body) if body is not None else "nil"
    return "{" + ", ".join((lua_string(method), lua_string(path), headers, body)) + "}"


def prepare_database(url, participants, anchor_file):
    """Schema and participants, each with a link; returns the links' paths."""
    from survey import create_app
    from survey.database import dispose_engines
    from survey.extensions import db
    from survey.invitations.services import create_invitation
    from survey.participants.services import add_participant

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET,
                      "SURVEY_AUDIT_KEY": AUDIT_KEY, "SURVEY_AUDIT_ANCHOR_FILE": anchor_file,
                      "SURVEY_BASE_URL": BASE_URL})
    links = []
    with app.app_context():
        db.create_all()
        for number in range(1, participants + 1):
            participant = add_participant(f"L{number:05d}", "da")
            links.append(create_invitation(participant)[1].removeprefix(BASE_URL))
            if number % 200 == 0:
                db.session.commit()
        db.session.commit()
        dispose_engines(db)
    return links


SECRET = "bench-secret-key-" + "x" * 40
AUDIT_KEY = "bench-audit-key-" + "y" * 40
BASE_URL = "http://127.0.0.1"


class Server:
    """gunicorn with the documented settings, on a free port."""

    def __init__(self, app_spec, workers, env=None, chdir=ROOT, threads=1):
        self.port = free_port()
        threaded = ["--worker-class", "gthread", "--threads", str(threads)] if threads > 1 else []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(workers), *threaded, "--bind",
             f"127.0.0.1:{self.port}", "--chdir", chdir, "--log-level", "warning", app_spec],
            env={**os.environ, **(env or {})}, cwd=chdir)
        for _ in range(300):
            try:
                self.get("/")
                return
            except OSError:
                time.sleep(0.1)
        raise SystemExit(f"gunicorn for {app_spec} did not start")

    def get(self, path, cookie=None, method="GET", body=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": cookie} if cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode()
        set_cookie = response.getheader("Set-Cookie")
        connection.close()
        return response.status, text, set_cookie

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def session_of(server, link):
    """Open a link like a browser: the session cookie and the page's CSRF token."""
    status, _, set_cookie = server.get(link)
    assert status == 302, (link, status)
    cookie = set_cookie.split(";", 1)[0]
    status, page, set_cookie = server.get("/q/xq/1", cookie)
    assert status == 200, status
    if set_cookie:  # the CSRF token went into the session
        cookie = set_cookie.split(";", 1)[0]
    return cookie, CSRF.search(page).group(1)


def wrk(port, requests, clients, duration, once=False):
    threads = min(clients, 2)
    script = WRK_SCRIPT % {"requests": ",\n".join(requests), "threads": threads,
                           "once": "true" if once else "false"}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        out = subprocess.run(
            ["wrk", "-t", str(threads), "-c", str(clients), "-d", f"{duration}s",
             "--timeout", "30s", "-s", f.name, f"http://127.0.0.1:{port}"],
            capture_output=True, text=True)
    finally:
        os.unlink(f.name)
    if out.returncode != 0 or "RESULT" not in out.stdout:
        raise SystemExit(f"wrk failed: {out.stderr or out.stdout}")
    out = out.stdout
    n, micros, p50, p95, p99, errors = map(int, out.split("RESULT", 1)[1].split())
    return {"rps": n / (micros / 1e6), "p50": p50 / 1000, "p95": p95 / 1000,
            "p99": p99 / 1000, "requests": n, "errors": errors}


def ratio(result, hello_rps):
    """Requests/s as a percentage of bare Flask's; None when bare Flask served nothing."""
    return 100 * result["rps"] / hello_rps if hello_rps else None


def print_row(name, clients, result, hello_rps):
    share = ratio(result, hello_rps)
    share = f"{share:5.1f} %" if share is not None else "      -"
    errors = f"  {result['errors']} errors" if result["errors"] else ""
    if result.get("ran_out"):
        errors += "  (every kept participant submitted before the end: a lower bound)"
    print(f"  {name:<12} {clients:>3}  {result['rps']:8.0f}  {result['p50']:7.1f}  "
          f"{result['p95']:7.1f}  {result['p99']:7.1f}  {hello_rps:8.0f}  "
          f"{share}  {result['requests']:>7}{errors}",
          flush=True)


def run_database(label, url, args, workdir):
    per_run = args.submitters
    runs = len(args.clients) * args.repeat
    anchor_file = os.path.join(workdir, "audit_anchor")
    links = prepare_database(url, args.participants + per_run * runs, anchor_file)
    env = {"SURVEY_SECRET_KEY": SECRET, "SURVEY_AUDIT_KEY": AUDIT_KEY,
           "SURVEY_AUDIT_ANCHOR_FILE": anchor_file,
           "SURVEY_DATABASE_URL": url, "SURVEY_BASE_URL": BASE_URL,
           "FLASK_DEBUG": "0"}
    hello_dir = os.path.join(workdir, "hello")
    os.makedirs(hello_dir, exist_ok=True)
    with open(os.path.join(hello_dir, "hello.py"), "w") as f:
        f.write(HELLO_APP)
    app_server = Server("wsgi:app", args.workers, env, threads=args.threads)
    hello_server = Server("hello:app", args.workers, chdir=hello_dir, threads=args.threads)
    try:
        browsing = links[:args.participants]
        sessions = [session_of(app_server, link) for link in browsing]
        opening = [lua_request("GET", link, "") for link in browsing]
        items = [lua_request("GET", f"/q/xq/{1 + i % 8}", cookie)
                 for i, (cookie, _) in enumerate(sessions)]
        # Two passes with different values: each participant's next save changes the
        # answer, so every save writes the answer and an audit record, as a real one does.
        saves = [lua_request("POST", f"/q/xq/{1 + i % 8}", cookie,
                             urlencode({"csrf_token": token, "value": str((i + shift) % 11),
                                        "action": "next"}))
                 for shift in (0, 5) for i, (cookie, token) in enumerate(sessions)]
        reviews = [lua_request("GET", "/q/review", cookie) for cookie, _ in sessions]
        threads = f" --threads {args.threads} (gthread)" if args.threads > 1 else " (sync)"
        print(f"\n{label}: gunicorn --workers {args.workers}{threads}, "
              f"{len(browsing)} participants, {args.duration} s a row")
        print(f"  {'':<12} {'clients':>3}  {'req/s':>8}  {'p50 ms':>7}  {'p95 ms':>7}  "
              f"{'p99 ms':>7}  {'bare/s':>8}  {'ratio':>7}  {'requests':>7}")

        def submits(run):
            """The submits of the participants kept for this run: each submits once."""
            start = args.participants + run * per_run
            kept = []
            for link in links[start:start + per_run]:
                cookie, token = session_of(app_server, link)
                kept.append(lua_request("POST", "/q/submit", cookie,
                                        urlencode({"csrf_token": token})))
            return kept

        for level, clients in enumerate(args.clients):
            ratios = {}
            for repeat in range(args.repeat):
                for name, requests, once in (("open link", opening, False),
                                             ("item page", items, False),
                                             ("save answer", saves, False),
                                             ("review", reviews, False),
                                             ("submit", submits(level * args.repeat + repeat),
                                              True)):
                    # Bare Flask is measured again just before each row: on a shared
                    # machine the speed of both moves from minute to minute, and a
                    # ratio compares one moment.
                    hello = wrk(hello_server.port, ['{"GET", "/", {}, nil}'], clients,
                                args.duration)
                    result = wrk(app_server.port, requests, clients, args.duration, once=once)
                    result["ran_out"] = once and result["requests"] >= len(requests)
                    print_row(name, clients, result, hello["rps"])
                    if (share := ratio(result, hello["rps"])) is not None:
                        ratios.setdefault(name, []).append(share)
            if args.repeat > 1:
                print(f"  ratio to bare Flask at {clients} clients over {args.repeat} repeats: "
                      "median (lowest-highest)")
                for name, values in ratios.items():
                    print(f"  {name:<12} {statistics.median(values):5.1f} % "
                          f"({min(values):.1f}-{max(values):.1f})")
    finally:
        app_server.stop()
        hello_server.stop()


def profile_item_page(workdir, pages=300):
    """The item page in-process: mean time and where it goes."""
    url = f"sqlite:///{os.path.join(workdir, 'profile.sqlite')}"
    anchor_file = os.path.join(workdir, "profile_anchor")
    link = prepare_database(url, 1, anchor_file)[0]
    from survey import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET,
                      "SURVEY_AUDIT_KEY": AUDIT_KEY, "SURVEY_AUDIT_ANCHOR_FILE": anchor_file,
                      "SURVEY_BASE_URL": BASE_URL})
    client = app.test_client()
    client.get(link)
    for _ in range(20):
        client.get("/q/xq/3")
    started = time.perf_counter()
    for _ in range(pages):
        assert client.get("/q/xq/3").status_code == 200
    mean = (time.perf_counter() - started) / pages * 1000
    print(f"\nItem page in-process (test client, SQLite): {mean:.2f} ms each over {pages}")
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(pages):
        client.get("/q/xq/3")
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    # Unlike the time, the count does not move with the machine's load: it compares
    # two versions of the code even on a busy machine.
    print(f"Python function calls per item page: {stats.total_calls / pages:,.0f}")
    stats.sort_stats("cumulative").print_stats(25)
    print(out.getvalue())


def disk_sync_cost(workdir, commits=200):
    """What one durable commit costs on this disk: SQLite commits one writer at a time and
    each waits for fsync (WAL, synchronous=FULL, as the app runs it), so this bounds the
    saves a second on SQLite whatever the CPU does. The audit anchor's fsync comes on top,
    in the request but outside the write lock."""
    import sqlite3

    connection = sqlite3.connect(os.path.join(workdir, "sync.sqlite"), isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("CREATE TABLE t (x)")
    started = time.perf_counter()
    for number in range(commits):
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT INTO t VALUES (?)", (number,))
        connection.execute("COMMIT")
    commit_ms = (time.perf_counter() - started) / commits * 1000
    connection.close()
    descriptor = os.open(os.path.join(workdir, "sync.anchor"), os.O_WRONLY | os.O_CREAT, 0o600)
    started = time.perf_counter()
    for _ in range(commits):
        os.write(descriptor, b"anchor line\n")
        os.fsync(descriptor)
    anchor_ms = (time.perf_counter() - started) / commits * 1000
    os.close(descriptor)
    print(f"\nDisk: one SQLite commit {commit_ms:.2f} ms (at most {1000 / commit_ms:,.0f} "
          f"commits/s one writer at a time), one anchor append {anchor_ms:.2f} ms")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", default="1,10,50",
                        type=lambda s: [int(c) for c in s.split(",")])
    parser.add_argument("--duration", type=int, default=5, help="seconds a row")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1,
                        help="threads a worker (gunicorn's gthread workers when more than 1)")
    parser.add_argument("--participants", type=int, default=200,
                        help="participants the browsing rows rotate over")
    parser.add_argument("--repeat", type=int, default=1,
                        help="measure each number of clients this many times, bare Flask "
                             "again each time, and print each row's median ratio")
    parser.add_argument("--submitters", type=int, default=300,
                        help="participants kept to submit, for each number of clients "
                             "and repeat")
    parser.add_argument("--postgres", action="store_true", help="also on PostgreSQL")
    parser.add_argument("--profile", action="store_true", help="also profile the item page")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk (Debian package)")
    workdir = tempfile.mkdtemp(prefix="survey-load-")
    try:
        if args.profile:
            profile_item_page(workdir)
        disk_sync_cost(workdir)
        run_database("SQLite", f"sqlite:///{os.path.join(workdir, 'load.sqlite')}", args,
                     workdir)
        if args.postgres:
            server = PostgresServer().start()
            try:
                run_database("PostgreSQL", server.create_database("survey_load"), args, workdir)
            finally:
                server.stop()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
