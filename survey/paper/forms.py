"""Forms of the paper-entry screens. The item fields come from the instrument's definition."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from ..form_fields import DayText
from ..i18n import localized
from ..instruments.forms import instrument_form_class, paper_text
from ..signatures.forms import SignatureFields
from ..timeutil import parse_typed_date
from .readings import Reading

#: Kept under this name for the paper screens and their tests.
parse_day = parse_typed_date


def format_day(day):
    return "" if day is None else day.strftime("%d.%m.%Y")


class FindParticipantForm(FlaskForm):
    """Which participant's paper form, and which questionnaire (sent by GET: no CSRF)."""

    class Meta:
        csrf = False

    study_id = StringField(_l("Study ID"), validators=[
        InputRequired(_l("Type the study ID written on the paper form."))])
    #: Only the study's instruments are offered; the view checks what comes back.
    instrument = SelectField(_l("Questionnaire"), validate_choice=False)

    def set_instruments(self, instruments):
        self.instrument.choices = [SelectChoice(i.code, localized(i.title)) for i in instruments]


class PaperDatesForm(FlaskForm):
    """The dates of one paper form; the item fields are added per instrument."""

    received_on = StringField(_l("Date received"), validators=[
        DayText(_l("Type the date the form came back to the study team."))])
    completed_on = StringField(_l("Date filled in (as written on the form; may be empty)"),
                               validators=[DayText()])

    def validate_completed_on(self, field):
        received = getattr(self.received_on, "day", None)
        day = getattr(field, "day", None)
        if day and received and day > received:
            raise ValidationError(_l("The date filled in cannot be after the date received."))

    def reading(self, instrument, remarks=None):
        """What was typed, as a Reading (call after validate())."""
        answers = {item.id: (self[item.id].code, self[item.id].value)
                   for item in instrument.items}
        return Reading(answers=answers, received_on=self.received_on.day,
                       completed_on=self.completed_on.day, remarks=remarks)

    def fill(self, reading):
        """Put a stored reading into the fields, as if it had been typed."""
        fill_answers(self, reading.answers)
        self.received_on.data = format_day(reading.received_on)
        self.completed_on.data = format_day(reading.completed_on)


class PaperEntryForm(PaperDatesForm):
    remarks = TextAreaField(_l("Remarks (e.g. a comment written on the form)"),
                            validators=[Length(max=2000)])
    #: Needed only for a participant who has withdrawn or died (the view checks).
    status_confirmed = BooleanField(_l("I know the participant's status, and the study team "
                                       "has decided that this form is used."))
    status_reason = TextAreaField(_l("Reason for keying in this form all the same"),
                                  validators=[Length(max=2000)])

    def check_status(self, participant):
        """For a participant no longer active: the box ticked and a reason (call after
        validate()); True when all is well."""
        if participant.status == "active":
            return True
        if not self.status_confirmed.data:
            self.status_confirmed.errors = [_l("Tick the box to confirm that this form is used "
                                               "although the participant is no longer active.")]
        if not (self.status_reason.data or "").strip():
            self.status_reason.errors = [_l("Give the reason for keying in this form.")]
        return not (self.status_confirmed.errors or self.status_reason.errors)


class VisualCheckForm(SignatureFields, PaperDatesForm):
    reason = TextAreaField(_l("Reason for any change (needed only if you changed something)"),
                           validators=[Length(max=2000)])


class ResolveForm(SignatureFields, PaperDatesForm):
    reason = TextAreaField(_l("Reason (what the paper shows and why these values are right)"),
                           validators=[DataRequired(_l("Give a reason for the values chosen.")),
                                       Length(max=2000)])


class CorrectionForm(SignatureFields, FlaskForm):
    reason = TextAreaField(_l("Reason for the correction"), validators=[
        DataRequired(_l("Give a reason for the correction.")), Length(max=2000)])


class DuplicateDecisionForm(SignatureFields, FlaskForm):
    counting = RadioField(_l("The response that counts"), coerce=int, validate_choice=True)
    reason = TextAreaField(_l("Reason for the decision"), validators=[
        DataRequired(_l("Give a reason for the decision.")), Length(max=2000)])

    def set_responses(self, responses, label):
        self.counting.choices = [SelectChoice(r.id, label(r)) for r in responses]


def fill_answers(form, answers):
    """Put {item_id: (code, value)} into the item fields, as if it had been typed."""
    for item_id, (code, value) in answers.items():
        form[item_id].data = paper_text(code, value)


def entry_form(instrument, base=PaperEntryForm, **kwargs):
    """The paper screen's form for this instrument: `base`'s fields plus one per item."""
    return instrument_form_class(instrument, base, paper=True)(**kwargs)


def typed_field_ids(instrument, form):
    """Field ids in screen order, to focus the first one with an error."""
    ids = [name for name in ("status_confirmed", "status_reason") if name in form]
    ids += ["received_on", "completed_on"] if "received_on" in form else []
    ids += [item.id for item in instrument.items]
    ids += [name for name in ("remarks", "reason", "counting", "password", "code")
            if name in form]
    return ids


def first_error(instrument, form, default=None):
    for field_id in typed_field_ids(instrument, form):
        if form[field_id].errors:
            return field_id
    return default

