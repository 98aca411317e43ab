"""Form fields shared by the staff screens of several features."""
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

from .timeutil import parse_typed_date, study_today


class DayText:
    """A date typed as text; after validation `field.day` is a date or None (blank, optional)."""

    def __init__(self, required_message=None):
        self.required_message = required_message

    def __call__(self, form, field):
        raw = (field.data or "").strip()
        field.day = None
        if not raw:
            if self.required_message:
                raise ValidationError(self.required_message)
            return
        day = parse_typed_date(raw)
        if day is None:
            raise ValidationError(_l("Type the date as day.month.year, e.g. 26.11.2026."))
        if day > study_today():
            raise ValidationError(_l("The date cannot be in the future."))
        field.day = day
