"""Real-browser fixtures: the app served over HTTP on 127.0.0.1, and a headless Chromium.

The server and the browser are started once for all the browser tests (starting
Chromium takes a second or two); each test makes its own participants and
invitations and its own browser contexts, so tests do not see each other's
cookies. Both are package-scoped rather than session-scoped: they stop as soon
as the last browser test has run, because while Playwright's sync API is
running, the thread counts as inside a running asyncio loop (asyncio.run()
would fail in any later test) and Chromium would sit in memory for the rest of
the suite.
"""
import itertools
import os
import threading

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from survey import create_app
from survey.extensions import db
from survey.invitations.models import Invitation
from survey.invitations.services import create_invitation
from survey.participants.services import add_participant, get_participant

from ..external import find_chromium, skip_or_fail

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
#: Fail fast: a local page that has not answered in this time will not answer.
TIMEOUT_MS = 10_000

#: A phone held upright, as most participants will answer.
PHONE = {"viewport": {"width": 360, "height": 640}, "has_touch": True, "is_mobile": True,
         "device_scale_factor": 2}


class _QuietHandler(WSGIRequestHandler):
    """No request line on stderr for every page and file."""

    def log_request(self, *args, **kwargs):
        pass


class LiveServer:
    """The app on a free port of 127.0.0.1, served by werkzeug in a background thread."""

    def __init__(self, database_path):
        # Bind first (port 0: the OS picks a free port, no race), then build the app
        # with its real address, so invitation links point at this server.
        self._app = None
        self.server = make_server("127.0.0.1", 0, self._wsgi, threaded=True,
                                  request_handler=_QuietHandler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.app = create_app({
            "TESTING": True,
            "SECRET_KEY": "browser-test-secret-key",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database_path}",
            "SURVEY_BASE_URL": self.url,
            "SESSION_COOKIE_SECURE": False,  # plain http on 127.0.0.1
        })
        with self.app.app_context():
            db.create_all()
        self._app = self.app
        self._study_ids = (f"B{n:03d}" for n in itertools.count(1))
        self._thread = threading.Thread(target=self.server.serve_forever,
                                        kwargs={"poll_interval": 0.05},
                                        name="live-server", daemon=True)

    def _wsgi(self, environ, start_response):
        return self._app(environ, start_response)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self.server.shutdown()  # serve_forever returns and closes the listening socket
        self._thread.join(timeout=5)
        self.server.server_close()
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()

    def invite(self, lang="da"):
        """A new active participant with an open invitation: (study ID, full link URL)."""
        study_id = next(self._study_ids)
        with self.app.app_context():
            participant = add_participant(study_id, lang)
            _, link = create_invitation(participant)
            db.session.commit()
        assert link.startswith(self.url + "/i/"), link
        return study_id, link

    def stored(self, study_id):
        """{instrument: {"status", "mode", "language", "answers": {item: (value, state)},
        "scores": {score: value}}} for the participant's invitation."""
        with self.app.app_context():
            participant = get_participant(study_id)
            invitation = db.session.execute(
                db.select(Invitation).where(Invitation.participant_id == participant.id)
            ).scalar_one()
            return {
                r.instrument_code: {
                    "status": r.status, "mode": r.mode, "language": r.language,
                    "answers": {a.item_id: (a.value, a.state) for a in r.answers},
                    "scores": {s.score_id: s.value for s in r.scores},
                }
                for r in invitation.responses
            }


@pytest.fixture(scope="package")
def live_server(tmp_path_factory):
    server = LiveServer(tmp_path_factory.mktemp("browser-db") / "survey.sqlite").start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium_path():
    path = find_chromium()
    if path is None:
        skip_or_fail("Chromium not found: install the Debian package chromium "
                     "(the browser tests never download a browser)")
    return path


@pytest.fixture(scope="package")
def browser(chromium_path, live_server):
    # live_server is set up first, so it is torn down after the browser has closed
    # its connections to it.
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
    except Exception:
        playwright.stop()
        raise
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def new_context(browser):
    """Factory: new_context(**options) -> a fresh browser context (own cookies and cache),
    closed after the test. Danish browser settings unless `locale` is given."""
    contexts = []

    def make(**options):
        options.setdefault("locale", "da-DK")
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def axe_script_path():
    import axe_playwright_python

    path = os.path.join(os.path.dirname(axe_playwright_python.__file__), "axe.min.js")
    assert os.path.isfile(path), path
    return path
