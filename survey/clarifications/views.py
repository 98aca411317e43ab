"""Coordinator screens for a submitted response: a note on an answer, exclusion from
analysis, a participant-requested change (the rules are in survey/responses/clarifications.py)."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, ValidationError

from ..audit.services import record_access
from ..extensions import db
from ..form_fields import DayText
from ..i18n import localized
from ..instruments import instruments
from ..permissions import Permission, permission_required
from ..responses.clarifications import ClarificationError, add_note
from ..responses.models import Response
from ..responses.signed import signed_exclusion, signed_requested_change
from ..signatures.forms import SignatureFields
from ..signatures.meanings import MEANINGS
from ..signatures.signing import ask_for_name, lacks_name, signer_confirmed

bp = Blueprint("clarifications", __name__, url_prefix="/staff/responses")

#: Why these screens show a participant's data (survey/labels.py PURPOSE_NAMES has the words).
CLARIFICATION = "clarification"

CHANNEL_CHOICES = [SelectChoice("phone", _l("By phone")), SelectChoice("letter", _l("By letter")),
                   SelectChoice("in_person", _l("In person"))]


def confirm_field(text):
    return BooleanField(text, validators=[InputRequired(_l("Tick the box to confirm."))])


REASON = _l("Reason")


def reason_field(label=REASON):
    return TextAreaField(label, validators=[InputRequired(_l("Give a reason.")),
                                            Length(max=2000)])


class ItemForm(FlaskForm):
    item = SelectField(_l("Question"), validate_choice=True)

    def set_items(self, instrument):
        self.item.choices = [SelectChoice(item.id, f"{item.number}. {localized(item.text)}")
                             for item in instrument.items]


class NoteForm(ItemForm):
    text = reason_field(_l("Note (what is known about this answer, and from where)"))
    confirm = confirm_field(_l("I confirm that this note explains the answer and does not "
                               "change it."))


class ExclusionForm(SignatureFields, FlaskForm):
    reason = reason_field()
    confirm = confirm_field(_l("I confirm this decision about the analysis."))


class RequestForm(SignatureFields, ItemForm):
    value = StringField(_l("The answer the participant wants (a number, or n for no answer)"),
                        validators=[InputRequired(_l("Type the number the participant gave, "
                                                     "or n for no answer."))])
    requested_on = StringField(_l("Date the participant asked (e.g. 26.11.2026)"),
                               validators=[DayText(_l("Type the date the participant asked."))])
    channel = RadioField(_l("How the participant asked"), choices=CHANNEL_CHOICES,
                         validators=[InputRequired(_l("Choose how the participant asked."))])
    participant_words = TextAreaField(
        _l("The participant's own words"),
        validators=[InputRequired(_l("Write down what the participant said or wrote.")),
                    Length(max=2000)])
    reason = reason_field()
    confirm = confirm_field(_l("I took this request from the participant myself, and I confirm "
                               "it is recorded as the participant gave it."))

    def validate_value(self, field):
        raw = (field.data or "").strip().lower()
        field.number = None
        if raw in ("n", "-"):
            return
        try:
            field.number = int(raw)
        except ValueError:
            raise ValidationError(_l("Type a whole number, or n for no answer.")) from None


#: action: (form, heading, the meaning of its signature or None when it is not signed)
ACTIONS = {
    "note": (NoteForm, _l("Add a note to an answer"), None),
    "exclude": (ExclusionForm, _l("Exclude this response from analysis"), "exclusion"),
    "include": (ExclusionForm, _l("Take this response back into the analysis"), "inclusion"),
    "request": (RequestForm, _l("Record a change the participant asked for"),
                "participant_request"),
}


def apply(action, response, form, instrument):
    """Run the action's service call with what was typed."""
    if action == "note":
        return add_note(response, form.item.data, form.text.data, current_user)
    if action in ("exclude", "include"):
        return signed_exclusion(response, current_user, form.reason.data,
                                exclude=action == "exclude")
    return signed_requested_change(
        response, form.item.data, form.value.number, form.requested_on.day,
        form.channel.data, form.participant_words.data, current_user, form.reason.data)


@bp.route("/<int:response_id>/<action>", methods=["GET", "POST"])
@permission_required(Permission.ANNOTATE_RESPONSES)
def clarify(response_id, action):
    response = db.session.get(Response, response_id)
    if response is None or response.status != "submitted" or action not in ACTIONS:
        abort(404)
    if action in ("exclude", "include") and (action == "exclude") == response.excluded:
        # the other of the two applies
        return redirect(url_for(".clarify", response_id=response.id,
                                action="include" if response.excluded else "exclude"))
    instrument = instruments().get(response.instrument_code, response.instrument_version)
    form_class, heading, meaning = ACTIONS[action]
    if meaning and lacks_name():
        return ask_for_name()
    form = form_class()
    if isinstance(form, ItemForm):
        form.set_items(instrument)
    status = 200
    if request.method == "GET":
        record_access(current_user, response.participant, CLARIFICATION)
        db.session.commit()
    elif form.validate() and (meaning is None or signer_confirmed(form)):
        try:
            apply(action, response, form, instrument)
        except ClarificationError as error:
            db.session.rollback()
            form.form_errors.append(error.message or _("This cannot be saved."))
            status = 422
        else:
            db.session.commit()
            flash(_("Saved. The audit trail keeps who did it, when and why."), "info")
            return redirect(url_for("participant_pages.detail",
                                    study_id=response.participant.study_id,
                                    _anchor=f"response-{response.id}"))
    else:
        status = 422
    return render_template("participants/clarify.html", response=response, form=form,
                           heading=heading, instrument=instrument, action=action,
                           meaning=meaning and MEANINGS[meaning],
                           focus=next((f.id for f in form if f.errors), None)), status
