"""Forms built from instrument definitions.

One builder serves the participant's question pages and the staff's paper
entry screens, so an item accepts exactly the same values wherever it is
answered. Templates draw the inputs from the item's scale (radio buttons for
a rating, a line with a numeric fallback for a VAS); the fields here parse and
check what comes back.

On paper an item can also hold something that is not a value: no mark, two or
more marks, or a mark that cannot be read (or is off the line). Staff type a
short code for these into the same field as the number (`PAPER_CODES`), so
keying in a form needs nothing but digits, a few letters and Tab.
"""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import ValidationError

#: What staff type for an item that has no value on paper, and the state it is stored as.
PAPER_CODES = {"n": "not_answered", "-": "not_answered", "m": "multiple_marks",
               "u": "unreadable"}
#: The letter shown for each state when a stored reading is put back into a field.
CODE_LETTERS = {"not_answered": "n", "multiple_marks": "m", "unreadable": "u"}


def _typed(data):
    """What was typed, stripped; "" for nothing; "?" for anything that is not text."""
    if data is None:
        return ""
    return data.strip() if isinstance(data, str) else "?"


class ScaleValue:
    """Accepts blank (not answered) or a whole number on the item's scale."""

    def __init__(self, scale):
        self.scale = scale

    def __call__(self, form, field):
        raw = _typed(field.data)
        if raw == "":
            field.value = None
            return
        # ASCII digits only: int() would also take "1_0", "+7" and other scripts' digits.
        value = int(raw) if isinstance(raw, str) and raw.isascii() and raw.isdigit() else None
        if value is None or not self.scale.contains(value):
            field.value = None
            raise ValidationError(_l("Choose a whole number from %(min)d to %(max)d.",
                                     min=self.scale.min, max=self.scale.max))
        field.value = value


class PaperValue(ScaleValue):
    """Accepts a whole number on the item's scale or a paper code; blank is refused.

    After validation `field.code` is the answer state ("answered", "not_answered",
    "multiple_marks", "unreadable") and `field.value` the number or None.
    """

    def __call__(self, form, field):
        raw = _typed(field.data).lower()
        field.code, field.value = None, None
        if raw in PAPER_CODES:
            field.code = PAPER_CODES[raw]
            return
        if raw:
            try:
                super().__call__(form, field)
                field.code = "answered"
                return
            except ValidationError:
                pass
        raise ValidationError(_l("Type a whole number from %(min)d to %(max)d, or one of the "
                                 "codes n, m or u.", min=self.scale.min, max=self.scale.max))


def paper_text(code, value):
    """What to put back in a paper field for a stored reading: the number or the code letter."""
    return str(value) if code == "answered" else CODE_LETTERS[code]


def answer_field(item, paper=False):
    """The form field for one item; after validation its `.value` is an int or None.

    With `paper=True` it also takes the paper codes and sets `.code` (see PaperValue).
    """
    validator = PaperValue(item.scale) if paper else ScaleValue(item.scale)
    return StringField(validators=[validator], filters=[_strip])


def _strip(data):
    return data.strip() if isinstance(data, str) else data


class ItemForm(FlaskForm):
    """Base for a one-question page."""

    #: Set after the page has pointed out an unanswered question once.
    confirm_skip = HiddenField()


#: Built form classes by id(item), each with its item: definitions are frozen data, so one
#: class serves every request (a form *instance*, with its data, is still made per request).
_item_form_classes = {}


def item_form_class(item):
    """A form class with a single `value` field for this item (built once per item)."""
    cached = _item_form_classes.get(id(item))
    if cached is not None and cached[0] is item:  # holding the item keeps its id unique
        return cached[1]
    form_class = type(f"ItemForm_{item.id}", (ItemForm,), {"value": answer_field(item)})
    _item_form_classes[id(item)] = (item, form_class)
    return form_class


def instrument_form_class(instrument, base, paper=False):
    """A subclass of `base` with one answer field per item, named by the item's id.

    This is how a whole questionnaire becomes one screen (paper entry, verification,
    correction): the same fields as the participant's pages, in the printed order.
    """
    fields = {item.id: answer_field(item, paper) for item in instrument.items}
    return type(f"{base.__name__}_{instrument.code}", (base,), fields)
