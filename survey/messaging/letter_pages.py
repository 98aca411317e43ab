"""The letter pages' parts: which participants and template, their letters, page or PDF.

The pages themselves (survey/messaging/views.py) print one participant's
letter, or many at once.
"""
from flask import abort, render_template, request
from flask_babel import force_locale
from flask_login import current_user
from markupsafe import Markup

from ..audit.services import record_access
from ..extensions import db
from ..invitations.short_codes import printed_code
from ..participants.models import Participant, participant_or_404
from ..participants.state import open_web_links
from ..timeutil import now_utc
from .content import TEMPLATES, context_for
from .letters import letter_text, letters_pdf, qr_svg


def chosen_participants():
    """?study_id=…&study_id=…, or every active participant who prefers letters."""
    study_ids = request.args.getlist("study_id")
    if study_ids:
        return [participant_or_404(s) for s in study_ids]
    return db.session.execute(
        db.select(Participant).where(Participant.status == "active",
                                     Participant.channel == "letter")
        .order_by(Participant.study_id)).scalars().all()


def chosen_template():
    template = request.args.get("template", "invitation")
    return template if template in TEMPLATES else abort(404)


def letters_for(participants, template):
    """([LetterText], [study IDs without an open link]); notes each access, commits."""
    now, letters, missing = now_utc(), [], []
    for participant in participants:
        still_open = open_web_links(participant, now)
        code = printed_code(still_open[-1]) if still_open else None
        if participant.status != "active" or code is None:
            missing.append(participant.study_id)
            continue
        with force_locale(participant.language):
            letters.append(letter_text(context_for(participant, still_open[-1], template, code)))
        record_access(current_user, participant, "letter")
    db.session.commit()
    return letters, missing


def render_letters(letters, missing, pdf_url):
    pages = []
    for letter in letters:
        with force_locale(letter.language):
            pages.append(Markup(render_template("messages/letter.html", letter=letter,
                                                qr=qr_svg(letter.link))))
    return render_template("letters/page.html", pages=pages, missing=missing, pdf_url=pdf_url)


def pdf_response(letters, name):
    if not letters:
        abort(404)
    return letters_pdf(letters), 200, {
        "Content-Type": "application/pdf",
        "Content-Disposition": f'attachment; filename="{name}"'}
