"""The participant's way in: the personal link exchanges its token for a session."""
from flask import Blueprint, abort, redirect, render_template, session, url_for

from ..extensions import db
from .services import find_invitation_by_token, invitation_state, record_opened

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


def start_participant_session(invitation):
    """A fresh session for this invitation, in its language (the link, /start and the clinic)."""
    session.clear()
    session.permanent = True
    session["invitation_id"] = invitation.id
    session["lang"] = invitation.language
    record_opened(invitation)


@bp.get("/i/<token>")
def open_link(token):
    invitation = get_invitation_or_abort(token)
    start_participant_session(invitation)
    db.session.commit()
    # `c=1` lets the next page tell "cookies are blocked" from "session ended".
    return redirect(url_for("questionnaire.start", c=1))


@bp.get("/")
def home():
    return render_template("invitations/home.html")
