"""Coordinator screens on submitted responses: which duplicate counts, and corrections.

The routes are registered on the paper blueprint in views.py.
"""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..audit.services import record_access
from ..extensions import db
from ..i18n import localized, staff_time
from ..instruments import instruments
from ..labels import MODE_NAMES
from ..participants.models import Participant, participant_or_404
from ..permissions import Permission, permission_required
from ..responses.models import Response
from ..signatures.meanings import MEANINGS
from ..signatures.signing import name_required, signer_confirmed
from .duplicates import duplicate_group, pending_duplicate_groups
from .forms import CorrectionForm, DuplicateDecisionForm, entry_form, fill_answers, first_error
from .signed import signed_correction, signed_duplicate_decision

#: Why these screens show a participant's data (survey/labels.py PURPOSE_NAMES has the words).
PAPER_ENTRY, DUPLICATE_DECISION, CORRECTION = "paper entry", "duplicate decision", "correction"


def seen(participant, purpose=PAPER_ENTRY):
    """Note that this account saw the participant's data; end the read-only transaction."""
    record_access(current_user, participant, purpose)
    db.session.commit()


def response_label(response):
    return _("%(mode)s, submitted %(when)s (response %(id)d)",
             mode=MODE_NAMES[response.mode], when=staff_time(response.submitted_at),
             id=response.id)


@permission_required(Permission.DECIDE_DUPLICATES)
def duplicates():
    groups = [(db.session.get(Participant, participant_id), instruments().current(code))
              for participant_id, code in pending_duplicate_groups()]
    return render_template("paper/duplicates.html", groups=groups)


@permission_required(Permission.DECIDE_DUPLICATES)
@name_required
def decide(study_id, code):
    participant = participant_or_404(study_id)
    group = duplicate_group(participant.id, code)
    if len(group) < 2:
        abort(404)
    form = DuplicateDecisionForm()
    form.set_responses(group, response_label)
    status = 200
    if request.method == "GET":
        form.counting.data = next((r.id for r in group if r.duplicate_status == "counts"), None)
        seen(participant, DUPLICATE_DECISION)
    elif form.validate() and signer_confirmed(form):
        counting = next(r for r in group if r.id == form.counting.data)
        signed_duplicate_decision(counting, current_user, form.reason.data)
        db.session.commit()
        flash(_("Saved: response %(id)d counts for %(study_id)s.", id=counting.id,
                study_id=participant.study_id), "info")
        return redirect(url_for(".duplicates"))
    else:
        status = 422
    instrument = instruments().current(code)
    return render_template("paper/decide.html", participant=participant, group=group,
                           instrument=instrument, form=form, meaning=MEANINGS["counting_response"],
                           focus=next((f.id for f in form if f.errors), None),
                           answers=[{a.item_id: a for a in r.answers} for r in group]), status


@permission_required(Permission.CORRECT_ANSWERS)
@name_required
def correct(response_id):
    """Correct one or more answers of a verified paper response, with a reason."""
    response = db.session.get(Response, response_id)
    if response is None or response.status != "submitted":
        abort(404)
    if response.mode != "paper":
        # The participant's own answers: refused before any form is read (corrections.py
        # refuses too, whoever calls it).
        return render_template("paper/not_correctable.html", response=response), 403
    instrument = instruments().get(response.instrument_code, response.instrument_version)
    stored = {a.item_id: (a.state, a.value) for a in response.answers}
    form = entry_form(instrument, CorrectionForm)
    status = 200
    if request.method == "GET":
        fill_answers(form, stored)
        seen(response.participant, CORRECTION)
    elif form.validate():
        changed = [item.id for item in instrument.items
                   if (form[item.id].code, form[item.id].value) != stored.get(item.id)]
        if not changed:
            form.reason.errors.append(_("Nothing was changed. Change the answer that is wrong, "
                                        "then save."))
            status = 422
        elif not signer_confirmed(form):
            status = 422
        else:
            signed_correction(response, {item_id: (form[item_id].code, form[item_id].value)
                                         for item_id in changed},
                              current_user, form.reason.data)
            db.session.commit()
            flash(_("The correction is saved and the scores are recomputed."), "info")
            return redirect(url_for(".correct", response_id=response.id))
    else:
        status = 422
    return _correction_page(response, instrument, form), status


def _correction_page(response, instrument, form):
    return render_template(
        "paper/correct.html", response=response, instrument=instrument, form=form,
        title=localized(instrument.title), meaning=MEANINGS["paper_correction"],
        focus=first_error(instrument, form, instrument.items[0].id))
