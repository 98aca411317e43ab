"""The participant's questionnaire pages: welcome, one question a page, review, submit."""

from flask import Blueprint, abort, g, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm

from ..database import READ_ONLY_METHODS
from ..errors import render_error
from ..extensions import db
from ..i18n import LANGUAGES, current_language
from ..instruments.forms import item_form_class
from ..invitations.models import Invitation
from ..invitations.services import invitation_state
from ..security import local_path
from . import navigation
from .display import init_display
from .page_cache import init_page_cache, render_question
from .services import (
    PAGE_LOAD,
    WHO_ANSWERED,
    InvitationClosed,
    first_unseen_position,
    instrument_for,
    response_for,
    save_answer,
    submit_invitation,
)
from .snapshot import load_invitation_view

bp = Blueprint("responses", __name__, url_prefix="/q")
init_display(bp)
bp.record_once(lambda state: init_page_cache(state.app))
OPEN_AFTER_COMPLETION = ("responses.done", "responses.set_language")


@bp.before_request
def load_invitation():
    invitation_id = session.get("invitation_id")
    if invitation_id is None:
        if request.args.get("c"):
            return render_error("cookies_required", 400)
        return render_error("session_ended", 403)
    # One Core query for the invitation, its participant, responses and answers, into
    # plain objects, read by the page reader (no transaction of this request's): every
    # page here reads them. A save reads what it writes on again, after its claim. The
    # submit works on ORM objects read inside its write transaction.
    if request.endpoint == "responses.submit":
        invitation = db.session.get(Invitation, invitation_id, options=PAGE_LOAD)
    else:
        invitation = load_invitation_view(invitation_id)
    state = invitation_state(invitation) if invitation else "unknown"
    if state in ("unknown", "expired", "revoked", "closed"):
        session.clear()
        abort(410)
    g.invitation = invitation
    if state == "completed" and request.endpoint not in OPEN_AFTER_COMPLETION:
        return redirect(url_for(".done"))
    return None


@bp.get("/")
def start():
    invitation = g.invitation
    resume_at = first_unseen_position(invitation)
    started = any(r.answers for r in invitation.responses)
    return render_template(
        "responses/welcome.html", invitation=invitation, started=started,
        next_url=navigation.position_url(resume_at) if resume_at else url_for(".review"),
        first_url=navigation.position_url(navigation.positions(invitation)[0]),
        instruments=[instrument_for(invitation, c) for c in invitation.instruments],
    )


@bp.route("/<code>/<int:number>", methods=["GET", "POST"])
def item_page(code, number):
    invitation = g.invitation
    if code not in invitation.instruments:
        abort(404)
    instrument = instrument_for(invitation, code)
    item = instrument.item_at(number) or abort(404)
    from_review = request.args.get("from") == "review"
    response = response_for(invitation, code)
    stored = next((a for a in response.answers if a.item_id == item.id), None) if response else None
    if request.method in READ_ONLY_METHODS:  # GET, and HEAD (the GET without a body)
        shown = str(stored.value) if stored is not None and stored.value is not None else None
        return _show_item(invitation, instrument, item, shown, from_review)
    # CSRFProtect has checked this POST's token before any view ran (a POST without a
    # valid one never gets here); the form need not check it a second time.
    form = item_form_class(item)(meta={"csrf": False})
    if not form.validate():
        return _draw_item(invitation, instrument, item, form, from_review), 422
    action = request.form.get("action", "next")
    value = form.value.value
    skipping = value is None and action == "next"
    if skipping and not form.confirm_skip.data and not (stored and stored.state == "not_answered"):
        form.confirm_skip.data = "1"  # point it out once; the next press goes on without it
        return _draw_item(invitation, instrument, item, form, from_review,
                          unanswered_notice=True)
    # Where to go next comes from the page's snapshot, read before the save (and worked
    # out before it, so the save's write lock is held for its statements alone).
    target = _after_item(invitation, (code, number), action, from_review)
    if value is not None or skipping:
        try:
            save_answer(invitation, code, item.id, value, current_language(),
                        input_method=request.form.get("input_method") or None)
            db.session.commit()
        except InvitationClosed:
            db.session.rollback()
            return redirect(url_for(".done"))
    if action == "switch_language" and request.form.get("lang") in LANGUAGES:
        session["lang"] = request.form["lang"]  # after the save: it was shown in the old one
    return redirect(target)


def _after_item(invitation, position, action, from_review):
    """The address a button leads to (changes nothing)."""
    if action == "switch_language":
        return navigation.position_url(position, from_review)
    if action == "back":
        previous = navigation.previous_position(invitation, position)
        return navigation.position_url(previous) if previous else url_for(".start")
    following = navigation.next_position(invitation, position)
    if from_review or following is None:
        return url_for(".review")
    return navigation.position_url(following)


def _show_item(invitation, instrument, item, shown, from_review):
    """A GET's question page, showing the stored answer `shown` (text, or None). It is kept
    per process (page_cache.py): the key is everything the templates get that is not the
    app's settings or the instrument definitions, and a kept page is served without the
    form or anything else the templates would need."""
    def context():
        form = item_form_class(item)(meta={"csrf": False})  # the page writes the token itself
        form.value.data = shown
        return _item_context(invitation, instrument, item, form, from_review)
    key = (current_language(), invitation.instruments, instrument.code, instrument.version,
           item.number, shown)  # from_review comes from the URL, part of every key
    return render_question("responses/item.html", key, context)


def _draw_item(invitation, instrument, item, form, from_review, unanswered_notice=False):
    """A POST's question page, with what was typed and its error or the "not answered"
    notice: drawn every time, never kept."""
    return render_template("responses/item.html", **_item_context(
        invitation, instrument, item, form, from_review, unanswered_notice))


def _item_context(invitation, instrument, item, form, from_review, unanswered_notice=False):
    return {"instrument": instrument, "item": item, "form": form,
            "unanswered_notice": unanswered_notice,
            "progress": navigation.progress(invitation, instrument),
            "from_review": from_review}


@bp.get("/review")
def review():
    invitation = g.invitation
    sections = navigation.review_sections(invitation)
    unanswered = sum(1 for _, rows in sections for row in rows if row.value is None)
    return render_template("responses/review.html", sections=sections, unanswered=unanswered,
                           form=FlaskForm(), who_answered=invitation.who_answered,
                           who_choices=WHO_ANSWERED)


@bp.post("/submit")
def submit():
    form = FlaskForm()
    if not form.validate():
        return redirect(url_for(".review"))
    who = request.form.get("who_answered") or None
    try:
        if submit_invitation(g.invitation, current_language(),
                             who_answered=who if who in WHO_ANSWERED else None):
            session["just_submitted"] = True
        db.session.commit()
    except InvitationClosed:
        db.session.rollback()
        abort(410)
    return redirect(url_for(".done"))


@bp.get("/done")
def done():
    if g.invitation.completed_at is None:
        return redirect(url_for(".review"))
    return render_template("responses/done.html", just_submitted=session.get("just_submitted"))


@bp.get("/language/<lang>")
def set_language(lang):
    if lang in LANGUAGES:
        session["lang"] = lang
    return redirect(local_path(request.args.get("next", ""), "/q/") or url_for(".start"))
