"""The participant's way in: the personal link, or a letter's short code at /start.

Mail security scanners fetch every link in an e-mail, without keeping cookies.
So opening the link only sets the session cookie and redirects; the next
address notes the invitation as opened only when that cookie comes back,
which a browser does and a scanner does not.

/start is for anyone who cannot use the link or QR code. A right code does what
the link does (a session, then the questionnaire); a wrong one says so calmly;
too many wrong ones answer 429 for a while (see short_codes.py for the limits
and why they make guessing hopeless).
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
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField

from ..extensions import db
from ..i18n import LANGUAGES
from ..timeutil import now_utc
from .models import Invitation
from .services import find_invitation_by_token, invitation_state, record_opened
from .short_codes import (
    claim_start_try,
    find_invitation_by_short_code,
    give_back_start_try,
    normalise_code,
)

bp = Blueprint("invitations", __name__)


#: What mail programs and people add after a link; a token never ends with these.
TRAILING_JUNK = ".,;:!?)]>'\" "


def get_invitation_or_abort(token):
    """The invitation behind a token that may still be opened.

    Unknown and tampered tokens answer 404 with the same page; expired and
    revoked links, and links of participants who left the study, answer 410.
    """
    invitation = find_invitation_by_token(token.rstrip(TRAILING_JUNK))
    if invitation is None:
        abort(404)
    if invitation_state(invitation) in ("expired", "revoked", "closed"):
        abort(410)
    return invitation


def begin_participant_session(invitation):
    """A fresh session for this invitation, in its language."""
    session.clear()
    session.permanent = True
    session["invitation_id"] = invitation.id
    session["lang"] = invitation.language


def start_participant_session(invitation):
    """A fresh session, and the invitation noted as opened (/start and the clinic).

    Both come from a form in a browser that already holds a session cookie.
    """
    begin_participant_session(invitation)
    record_opened(invitation)


def staff_session_refusal(invitation=None):
    """The refusal page when a staff member is logged in in this browser, else None.

    Opening a participant's link would end the staff session and let its
    holder answer as the participant by accident; answers given with staff
    present go through clinic mode, which records who started the session.
    """
    if not current_user.is_authenticated:
        return None
    participant = invitation.participant if invitation is not None else None
    return render_template("errors/staff_session.html", participant=participant), 403


@bp.get("/i/<token>")
def open_link(token):
    """Sets the session cookie and sends the browser on; nothing is written yet."""
    if current_user.is_authenticated:  # looked up only then: a participant's open is as before
        return staff_session_refusal(find_invitation_by_token(token.rstrip(TRAILING_JUNK)))
    begin_participant_session(get_invitation_or_abort(token))
    return redirect(url_for(".link_opened"))


@bp.get("/opened")
def link_opened():
    """The link's next stop: the session cookie came back, so a browser opened the link."""
    invitation_id = session.get("invitation_id")
    invitation = db.session.get(Invitation, invitation_id) if invitation_id else None
    if invitation is not None and invitation_state(invitation) == "open":
        record_opened(invitation)
        db.session.commit()
    # `c=1` lets the next page tell "cookies are blocked" from "session ended".
    return redirect(url_for("responses.start", c=1))


@bp.get("/")
def home():
    return render_template("invitations/home.html")


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
    return redirect(url_for("responses.start", c=1))
