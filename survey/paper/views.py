"""Paper-entry screens (staff): key in, verify, resolve discrepancies; then, on submitted
responses, which duplicate counts and corrections of verified paper answers."""
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..audit.services import record_access
from ..extensions import db
from ..i18n import localized, staff_time
from ..instruments import instruments
from ..labels import MODE_NAMES
from ..participants.models import Participant, find_participant, participant_or_404
from ..participants.state import has_answered
from ..permissions import Permission, can, permission_required
from ..responses.models import Response
from ..signatures.meanings import MEANINGS
from ..signatures.signing import name_required, signer_confirmed
from ..timeutil import study_today
from ..user_errors import show_user_error
from .duplicates import duplicate_group, pending_duplicate_groups
from .forms import (
    CorrectionForm,
    DuplicateDecisionForm,
    FindParticipantForm,
    ResolveForm,
    VisualCheckForm,
    entry_form,
    fill_answers,
    first_error,
    format_day,
)
from .models import PaperForm
from .readings import FormNotWaiting, PaperEntryError, SameStaffMember, differences, reading_of
from .services import (
    awaiting_second_entry,
    form_instrument,
    forms_for,
    forms_with_status,
    instrument_for_entry,
    keyed_by,
    paper_instruments,
    save_entry,
    verification_mode,
)
from .signed import (
    signed_correction,
    signed_duplicate_decision,
    signed_resolution,
    signed_visual_check,
)

bp = Blueprint("paper", __name__, url_prefix="/staff/paper")
#: The received date of the batch being keyed in, once changed from today (session).
BATCH_DAY = "paper_received_on"


def paper_form_or_404(form_id):
    return db.session.get(PaperForm, form_id) or abort(404)


@bp.get("/")
@permission_required(Permission.KEY_PAPER)
def index():
    form = FindParticipantForm(formdata=request.args or None)
    form.set_instruments(paper_instruments())
    if request.args and form.validate():
        typed = "".join(form.study_id.data.split())  # study IDs have no spaces
        participant = find_participant(typed)  # study IDs are case-insensitive
        if participant is not None and form.instrument.data in current_app.config[
                "SURVEY_INSTRUMENTS"]:
            return redirect(url_for(".entry", study_id=participant.study_id,
                                    code=form.instrument.data))
        form.study_id.errors.append(_("No participant has this study ID. Check the ID on the "
                                      "paper form."))
    may_decide = can(current_user, Permission.DECIDE_DUPLICATES)
    duplicates = pending_duplicate_groups() if may_decide else []
    return render_template(
        "paper/index.html", form=form, awaiting_second=forms_with_status("awaiting_second_entry"),
        awaiting_check=forms_with_status("awaiting_verification"),
        discrepancies=forms_with_status("discrepancy"), duplicates=len(duplicates),
        mode=verification_mode(),
    ), 200 if not form.errors else 422


@bp.route("/participants/<study_id>/<code>", methods=["GET", "POST"])
@permission_required(Permission.KEY_PAPER)
def entry(study_id, code):
    participant = participant_or_404(study_id)
    if code not in current_app.config["SURVEY_INSTRUMENTS"]:
        abort(404)
    instrument = instrument_for_entry(participant, code)
    open_form = awaiting_second_entry(participant, code)
    form = entry_form(instrument)
    status = 200
    if request.method == "GET":
        form.received_on.data = batch_day()
        seen(participant)
    elif form.validate() & form.check_status(participant):
        reading = form.reading(instrument, remarks=(form.remarks.data or "").strip())
        try:
            saved = save_entry(participant, instrument, reading, current_user,
                               status_reason=form.status_reason.data)
        except (SameStaffMember, FormNotWaiting) as error:
            db.session.rollback()
            show_user_error(error)
            status = 409
        else:
            db.session.commit()
            remember_batch_day(form.received_on.day)
            flash(entry_outcome(saved.form, participant, instrument), "info")
            return redirect(url_for(".index"))
    else:
        status = 422
    return render_template(
        "paper/entry.html", participant=participant, instrument=instrument, form=form,
        second_entry=open_form is not None,
        blocked=open_form is not None and keyed_by(open_form, current_user),
        forms=forms_for(participant, code), focus=first_error(instrument, form, "received_on"),
        answered_elsewhere=answered_elsewhere(participant, code),
    ), status


def batch_day():
    """The received date to offer: the batch's (this session's) when changed, else today."""
    return session.get(BATCH_DAY) or format_day(study_today())


def remember_batch_day(day):
    """A received date other than today is kept for the next sheets of the batch."""
    if day == study_today():
        session.pop(BATCH_DAY, None)
    else:
        session[BATCH_DAY] = format_day(day)


def answered_elsewhere(participant, code):
    """Whether the participant has already answered this questionnaire on the web or at the
    clinic (a submitted response that is not from paper)."""
    if not has_answered(participant):
        return False
    return db.session.execute(db.select(Response.id).where(
        Response.participant_id == participant.id, Response.instrument_code == code,
        Response.mode != "paper", Response.status == "submitted").limit(1)).first() is not None


def entry_outcome(paper_form, participant, instrument):
    names = {"study_id": participant.study_id, "instrument": localized(instrument.title)}
    if paper_form.status == "awaiting_second_entry":
        return _("The first entry of %(instrument)s for %(study_id)s is saved. Someone else "
                 "must now key in the same paper form.", **names)
    if paper_form.status == "awaiting_verification":
        return _("The entry of %(instrument)s for %(study_id)s is saved. Someone else must now "
                 "check it against the paper form.", **names)
    if paper_form.status == "verified":
        return _("Both entries agree: %(instrument)s for %(study_id)s is verified and saved.",
                 **names)
    first, second = (reading_of(e) for e in paper_form.entries)
    n = len(differences(instrument, first, second))
    return ngettext("The two entries of %(instrument)s for %(study_id)s differ in %(num)d "
                    "place. A coordinator will compare them with the paper form.",
                    "The two entries of %(instrument)s for %(study_id)s differ in %(num)d "
                    "places. A coordinator will compare them with the paper form.", n, **names)


def settle(form, action):
    """Run a verifying service call and commit; None when done, else the HTTP status with
    the service's message on the reason field (409: the person keyed this form in)."""
    try:
        action()
    except PaperEntryError as error:
        db.session.rollback()
        show_user_error(error, form, field="reason")
        return 409 if isinstance(error, SameStaffMember) else 422
    db.session.commit()
    return None


@bp.route("/forms/<int:form_id>/check", methods=["GET", "POST"])
@permission_required(Permission.VERIFY_PAPER)
@name_required
def check(form_id):
    """Visual verification: a second person compares the single entry with the paper."""
    paper_form = paper_form_or_404(form_id)
    if paper_form.status != "awaiting_verification":
        flash(_("This form is not waiting for a check."), "info")
        return redirect(url_for(".index"))
    instrument = form_instrument(paper_form)
    keyed = reading_of(paper_form.entries[0])
    form = entry_form(instrument, VisualCheckForm)
    status = 200
    if request.method == "GET":
        form.fill(keyed)
        seen(paper_form.participant)
    elif form.validate() and signer_confirmed(form):
        status = settle(form, lambda: signed_visual_check(
            paper_form, form.reading(instrument), current_user, form.reason.data))
        if status is None:
            flash(_("%(instrument)s for %(study_id)s is verified and saved.",
                    instrument=localized(instrument.title),
                    study_id=paper_form.participant.study_id), "info")
            return redirect(url_for(".index"))
    else:
        status = 422
    return render_template(
        "paper/check.html", paper_form=paper_form, instrument=instrument, form=form,
        keyed=keyed, blocked=keyed_by(paper_form, current_user), meaning=MEANINGS["paper_values"],
        focus=first_error(instrument, form, "received_on"),
    ), status


@bp.route("/forms/<int:form_id>/resolve", methods=["GET", "POST"])
@permission_required(Permission.RESOLVE_DIFFERENCES)
@name_required
def resolve(form_id):
    """The coordinator decides every difference between the two entries, with the paper."""
    paper_form = paper_form_or_404(form_id)
    if paper_form.status != "discrepancy":
        flash(_("This form has no differences waiting to be resolved."), "info")
        return redirect(url_for(".index"))
    instrument = form_instrument(paper_form)
    first, second = (reading_of(e) for e in paper_form.entries)
    differing = differences(instrument, first, second)
    form = entry_form(instrument, ResolveForm)
    status = 200
    if request.method == "GET":
        form.fill(first)
        for name in differing:  # nothing suggested where the entries disagree
            form[name].data = ""
        seen(paper_form.participant)
    elif form.validate() and signer_confirmed(form):
        status = settle(form, lambda: signed_resolution(
            paper_form, form.reading(instrument), current_user, form.reason.data))
        if status is None:
            flash(_("The differences are resolved: %(instrument)s for %(study_id)s is verified "
                    "and saved.", instrument=localized(instrument.title),
                    study_id=paper_form.participant.study_id), "info")
            return redirect(url_for(".index"))
    else:
        status = 422
    return render_template(
        "paper/resolve.html", paper_form=paper_form, instrument=instrument, form=form,
        first=first, second=second, differing=set(differing),
        blocked=keyed_by(paper_form, current_user), meaning=MEANINGS["paper_values"],
        focus=first_error(instrument, form, differing[0] if differing else "reason"),
    ), status


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


@bp.get("/duplicates")
@permission_required(Permission.DECIDE_DUPLICATES)
def duplicates():
    groups = [(db.session.get(Participant, participant_id), instruments().current(code))
              for participant_id, code in pending_duplicate_groups()]
    return render_template("paper/duplicates.html", groups=groups)


@bp.route("/duplicates/<study_id>/<code>", methods=["GET", "POST"])
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


@bp.route("/responses/<int:response_id>/correct", methods=["GET", "POST"])
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
