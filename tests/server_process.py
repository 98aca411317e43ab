"""The app in a server process of its own, as a deployment runs it: for tests that need
two processes on one database, or a server that is killed mid-request.

Run as ``python -m tests.server_process '<json config>'``: prints the port on its
first line, then serves on 127.0.0.1 until killed.
"""
import http.cookiejar
import json
import os
import re
import select
import signal
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')
ROOT = Path(__file__).resolve().parent.parent


class ServerProcess:
    """`python -m tests.server_process` started with `config`; stop() or kill() it."""

    def __init__(self, config, env=None):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.server_process", json.dumps(config)],
            cwd=ROOT, stdout=subprocess.PIPE, env={**os.environ, **(env or {})}, text=True)
        line = self.process.stdout.readline()
        if not line.strip().isdigit():
            self.process.kill()
            self.process.wait(timeout=30)
            self.process.stdout.close()  # else an unclosed pipe warns in a later test
            raise RuntimeError(f"the server process did not start: {line!r}")
        self.url = f"http://127.0.0.1:{int(line)}"

    def wait_for_pause(self, timeout=60):
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        line = self.process.stdout.readline() if ready else ""
        assert line.strip() == "paused", f"the server did not reach its fault point: {line!r}"

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process.stdout.close()


class Browser:
    """Cookies kept, redirects not followed: (status, body, location) for every request."""

    def __init__(self, base_url):
        self.base_url = base_url
        handler = urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(handler, NoRedirect)

    def request(self, path, data=None):
        url = path if path.startswith("http") else self.base_url + path
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(url, body, timeout=60) as answer:
                return answer.status, answer.read().decode(), answer.headers.get("Location")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), error.headers.get("Location")

    def token(self, path):
        return CSRF.search(self.request(path)[1]).group(1)


def pause_after(name):
    """Test-only fault point: after the questionnaire view's call of `name` (e.g.
    save_answer), inside its transaction and before the commit, say "paused" and hang,
    so that the test can kill the process at exactly that point."""
    import time

    import survey.responses.views as views
    from survey.extensions import db

    real = getattr(views, name)

    def paused(*args, **kwargs):
        result = real(*args, **kwargs)
        db.session.flush()  # the writes are sent to the database, not committed
        print("paused", flush=True)
        time.sleep(600)
        return result

    setattr(views, name, paused)


def main():
    from werkzeug.serving import make_server

    from survey import create_app
    from tests.live_server import _QuietHandler

    if os.environ.get("SURVEY_TEST_PAUSE_AFTER"):
        pause_after(os.environ["SURVEY_TEST_PAUSE_AFTER"])
    app = create_app(json.loads(sys.argv[1]))
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    print(server.server_port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
