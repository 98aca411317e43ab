"""The participant's opt-out page, and the letters staff print (the messaging pages'
stylesheets are in static/).

Letters: one participant's, or many at once, as a page or a PDF. A letter needs an
open web link; making one (on the participant's follow-up page, or with `flask
invitations send --channel letter`) records the send. These pages only print:
opening one notes the access (the access log), nothing else; the short code has
worked since the link was made.
"""
import logging
import re

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import force_locale

from ..extensions import db
from ..participants.models import participant_or_404
from ..permissions import Permission, permission_required
from .letter_pages import (
    chosen_participants,
    chosen_template,
    letters_for,
    pdf_response,
    render_letters,
)
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


@bp.get("/staff/letters/")
@permission_required(Permission.PRINT_LETTERS)
def batch():
    letters, missing = letters_for(chosen_participants(), chosen_template())
    return render_letters(letters, missing, url_for(".batch_pdf", **request.args.to_dict(False)))


@bp.get("/staff/letters/pdf")
@permission_required(Permission.PRINT_LETTERS)
def batch_pdf():
    letters, _ = letters_for(chosen_participants(), chosen_template())
    return pdf_response(letters, "letters.pdf")


@bp.get("/staff/letters/participant/<study_id>")
@permission_required(Permission.PRINT_LETTERS)
def single(study_id):
    letters, missing = letters_for([participant_or_404(study_id)], chosen_template())
    return render_letters(letters, missing, url_for(".single_pdf", study_id=study_id,
                                                    **request.args.to_dict(False)))


@bp.get("/staff/letters/participant/<study_id>/pdf")
@permission_required(Permission.PRINT_LETTERS)
def single_pdf(study_id):
    letters, _ = letters_for([participant_or_404(study_id)], chosen_template())
    return pdf_response(letters, f"letter-{study_id}.pdf")
