"""The coordinators' export form: format, filters and the Excel option."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from ..i18n import localized
from ..timeutil import parse_typed_date

FORMAT_CHOICES = [SelectChoice(value, label) for value, label in [
    ("csv", _l("Wide table (CSV): one row per response")),
    ("long", _l("Long table (CSV): one row per answer")),
    ("codebook", _l("Codebook (CSV): every column described")),
    ("stata", _l("Stata file (.dta) with labels")),
    ("spss", _l("SPSS file (.sav) with labels")),
    ("redcap-dictionary", _l("REDCap data dictionary (CSV) of the questionnaires")),
    ("fhir", _l("FHIR R4 Bundle (JSON)")),
]]
MODE_CHOICES = [SelectChoice(value, label) for value, label in [
    ("", _l("All")), ("web", _l("On the web")), ("clinic", _l("At the clinic")),
    ("paper", _l("On paper"))]]
STATUS_CHOICES = [SelectChoice(value, label) for value, label in [
    ("", _l("All")), ("active", _l("Active")), ("withdrawn", _l("Withdrawn")),
    ("deceased", _l("Deceased"))]]


def typed_day(form, field):
    """A day typed as day.month.year, or blank; after validation `field.day`."""
    raw = (field.data or "").strip()
    field.day = parse_typed_date(raw) if raw else None
    if raw and field.day is None:
        raise ValidationError(_l("Type the date as day.month.year, e.g. 26.11.2026."))


class ExportForm(FlaskForm):
    fmt = SelectField(_l("Format"), choices=FORMAT_CHOICES)
    instrument = SelectField(_l("Questionnaire"), validate_choice=True)
    mode = SelectField(_l("Collected"), choices=MODE_CHOICES)
    since = StringField(_l("Submitted on or after (day.month.year, may be empty)"),
                        validators=[typed_day])
    until = StringField(_l("Submitted on or before (day.month.year, may be empty)"),
                        validators=[typed_day])
    status = SelectField(_l("Participant's status now"), choices=STATUS_CHOICES)
    include_all = BooleanField(_l("Also responses not counted (begun, duplicates, paper not "
                                  "yet verified), with their state"))
    excel = BooleanField(_l("For Danish Excel (semicolons, decimal comma; CSV formats only)"))

    def set_instruments(self, instruments):
        self.instrument.choices = [SelectChoice("", _l("All"))] + [
            SelectChoice(i.code, localized(i.title)) for i in instruments]

    def validate_until(self, field):
        since = getattr(self.since, "day", None)
        if field.day is not None and since is not None and field.day < since:
            raise ValidationError(_l("The last day cannot be before the first."))
