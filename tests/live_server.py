"""The app served for real over HTTP on 127.0.0.1, for browser tests and benchmarks."""
import itertools
import threading

from werkzeug.serving import WSGIRequestHandler, make_server

from survey import create_app
from survey.database import dispose_engines
from survey.extensions import db
from survey.invitations.models import Invitation
from survey.invitations.services import create_invitation
from survey.participants.services import add_participant, get_participant

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


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
            "SECRET_KEY": "live-server-secret-key",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database_path}",
            "SURVEY_BASE_URL": self.url,
            "SESSION_COOKIE_SECURE": False,  # plain http on 127.0.0.1
            "SURVEY_AUDIT_ANCHOR_FILE": f"{database_path}.audit_anchor",  # not in instance/
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
            dispose_engines(db)

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

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
