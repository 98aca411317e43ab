"""What a person read from a paper form, how two readings are compared, and what can go wrong."""
from dataclasses import dataclass
from datetime import date

from ..audit.services import answer_text
from ..user_errors import UserError
from .models import ENTRY_CODES

DATE_FIELDS = ("received_on", "completed_on")


class PaperEntryError(UserError):
    """A paper-entry step that cannot be done (see UserError: str() and `.message`)."""


class SameStaffMember(PaperEntryError):
    """The second entry or the check must be done by someone other than the first keyer."""


class ReasonRequired(PaperEntryError):
    pass


class FormNotWaiting(PaperEntryError):
    """The form is not (or no longer) at the step asked for."""


@dataclass(frozen=True)
class Reading:
    """What was read from one paper form.

    `answers` maps every item id to (code, value): code is an answer state
    ("answered", "not_answered", "multiple_marks", "unreadable"), value the
    number for "answered" and None otherwise.
    """

    answers: dict
    received_on: date
    completed_on: date | None = None
    remarks: str | None = None

    def field_text(self, name):
        """An item's or a date's reading as text (for comparing and for the audit trail)."""
        if name in DATE_FIELDS:
            day = getattr(self, name)
            return None if day is None else day.isoformat()
        return answer_text(*self.answers[name])


def reading_of(entry):
    """The Reading stored by one PaperEntry."""
    return Reading(answers=entry.by_item(), received_on=entry.received_on,
                   completed_on=entry.completed_on, remarks=entry.remarks)


def check_reading(instrument, reading):
    """Raise ValueError unless the reading has exactly the instrument's items, each valid."""
    expected = {item.id for item in instrument.items}
    if set(reading.answers) != expected:
        raise ValueError(f"{instrument.key}: expected items {sorted(expected)}, "
                         f"got {sorted(reading.answers)}")
    for item in instrument.items:
        code, value = reading.answers[item.id]
        if code not in ENTRY_CODES or (code == "answered") != (value is not None):
            raise ValueError(f"{instrument.key} {item.id}: code {code!r} with value {value!r}")
        if value is not None and not item.scale.contains(value):
            raise ValueError(f"{instrument.key} {item.id}: {value} outside the scale")
    if reading.received_on is None:
        raise ValueError("a paper form needs the date it was received")


def differences(instrument, first, second):
    """Names of the items (by id) and dates on which two readings disagree, in screen order."""
    names = [*DATE_FIELDS, *(item.id for item in instrument.items)]
    return [name for name in names if first.field_text(name) != second.field_text(name)]
