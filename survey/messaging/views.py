"""The participant's opt-out page; the messaging pages' stylesheets are in static/."""
import logging
import re

from flask import Blueprint, abort, render_template, request
from flask_babel import force_locale

from ..extensions import db
from .mail import close_mail_connection
from .optout import PATH, opt_out, participant_from_optout_token

bp = Blueprint("messaging", __name__, static_folder="static",
               static_url_path="/messaging-static")


@bp.record_once
def _close_mail_connection_at_teardown(state):
    state.app.teardown_appcontext(close_mail_connection)

OPTOUT_TOKEN_IN_PATH = re.compile(re.escape(PATH) + r"[^\s/?\"]+")


@bp.route(PATH + "<token>", methods=["GET", "POST"])
def optout(token):
    """GET only asks (mail scanners open links); the button's POST opts out."""
    participant = participant_from_optout_token(token) or abort(404)
    if request.method == "POST":
        opt_out(participant)
        db.session.commit()
    with force_locale(participant.language):
        return render_template("messaging/optout.html", token=token,
                               done=participant.opted_out_at is not None)


class RedactOptoutTokensFilter(logging.Filter):
    """Replaces opt-out tokens in request log lines with a placeholder."""

    def filter(self, record):
        message = record.getMessage()
        if PATH in message:
            record.msg, record.args = OPTOUT_TOKEN_IN_PATH.sub(PATH + "[token]", message), ()
        return True


@bp.record_once
def redact_optout_tokens_in_logs(state):
    for name in ("werkzeug", "gunicorn.access", "gunicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactOptoutTokensFilter) for f in logger.filters):
            logger.addFilter(RedactOptoutTokensFilter())
