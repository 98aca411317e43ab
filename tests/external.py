"""Finding the real outside parts the suite uses: PostgreSQL and Chromium.

Where one is missing, only the tests that need it skip, with the reason; under
CI (CI=true) a missing part fails those tests instead, so CI always runs them.
"""
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def skip_or_fail(reason):
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: this must not be skipped)", pytrace=False)
    pytest.skip(reason)


def find_program(name):
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def find_chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """A private, throw-away PostgreSQL cluster on a temporary directory and free port."""

    def __init__(self):
        self.initdb, self.pg_ctl = find_program("initdb"), find_program("pg_ctl")
        self.dir = tempfile.mkdtemp(prefix="survey-pg-")
        self.data = os.path.join(self.dir, "data")
        self.port = free_port()
        # initdb refuses to run as root: run the server as an unprivileged user.
        self.run_as = []
        if os.geteuid() == 0:
            user = "postgres" if _user_exists("postgres") else "nobody"
            shutil.chown(self.dir, user)
            self.run_as = ["runuser", "-u", user, "--"]

    def _run(self, *args):
        subprocess.run(self.run_as + list(args), check=True, capture_output=True, cwd=self.dir)

    def start(self):
        self._run(self.initdb, "-D", self.data, "-U", "survey", "--auth=trust", "-E", "UTF8",
                  "--no-locale", "--no-sync")
        options = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                   # no autovacuum worker connected to the schema each test's database
                   # is copied from (CREATE DATABASE ... TEMPLATE needs it unused)
                   "-c autovacuum=off")
        self._run(self.pg_ctl, "-D", self.data, "-o", options, "-l",
                  os.path.join(self.dir, "server.log"), "-w", "-t", "60", "start")
        return self

    def url(self, database="postgres"):
        return f"postgresql+psycopg://survey@127.0.0.1:{self.port}/{database}"

    def create_database(self, name, template=None):
        """A new, empty database (or a copy of `template`, which nobody may be connected to)."""
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=survey dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            copy = f' TEMPLATE "{template}"' if template else ""
            conn.execute(f'CREATE DATABASE "{name}"{copy}')
        return self.url(name)

    def stop(self):
        try:
            self._run(self.pg_ctl, "-D", self.data, "-m", "immediate", "stop")
        except subprocess.CalledProcessError:
            pass
        time.sleep(0.1)
        shutil.rmtree(self.dir, ignore_errors=True)


def _user_exists(name):
    import pwd

    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False
