"""/start: the way in with a letter's short code, for anyone who cannot use the link or QR code.

A right code does what the link does (a session, then the questionnaire); a
wrong one says so calmly; too many wrong ones answer 429 for a while (see
short_codes.py for the limits and why they make guessing hopeless).
"""
from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField

from ..extensions import db
from ..i18n import LANGUAGES
from ..timeutil import now_utc
from .services import invitation_state
from .short_codes import (
    claim_start_try,
    find_invitation_by_short_code,
    give_back_start_try,
    normalise_code,
)
from .views import staff_session_refusal, start_participant_session

bp = Blueprint("start", __name__)


class StartForm(FlaskForm):
    code = StringField(_l("Your code"))


def render_start(form, problem=None):
    return render_template("messaging/start.html", form=form, problem=problem,
                           wait_minutes=current_app.config["SURVEY_START_WINDOW_MINUTES"])


@bp.route("/start", methods=["GET", "POST"])
def start():
    lang = request.args.get("lang")
    if lang in LANGUAGES:
        session["lang"] = lang
        return redirect(url_for(".start"))
    refusal = staff_session_refusal()
    if refusal is not None:
        return refusal
    form = StartForm()
    if request.method == "GET":
        return render_start(form)
    code = normalise_code(form.code.data)
    if code is None:  # cannot be a code, so it tests none: not counted
        return render_start(form, "format"), 422
    address, now = request.remote_addr or "", now_utc()
    if not claim_start_try(code, address, now):
        db.session.commit()
        return render_start(form, "wait"), 429
    invitation = find_invitation_by_short_code(code)
    if invitation is None:
        db.session.commit()  # the wrong try stays counted
        return render_start(form, "unknown"), 422
    give_back_start_try(code, address, now)
    if invitation_state(invitation) in ("expired", "revoked", "closed"):
        abort(410)
    start_participant_session(invitation)
    db.session.commit()
    # `c=1` lets the next page tell "cookies are blocked" from "session ended".
    return redirect(url_for("questionnaire.start", c=1))
