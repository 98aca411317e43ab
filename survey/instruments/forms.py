"""Forms built from instrument definitions.

One builder serves the participant's question pages and the staff's paper
entry screens, so an item accepts exactly the same values wherever it is
answered. Templates draw the inputs from the item's scale (radio buttons for
a rating, a line with a numeric fallback for a VAS); the fields here parse and
check what comes back.
"""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import ValidationError


class ScaleValue:
    """Accepts blank (not answered) or a whole number on the item's scale."""

    def __init__(self, scale):
        self.scale = scale

    def __call__(self, form, field):
        raw = (field.data or "").strip()
        if raw == "":
            field.value = None
            return
        try:
            value = int(raw)
        except ValueError:
            value = None
        if value is None or not self.scale.contains(value):
            field.value = None
            raise ValidationError(_l("Choose a whole number from %(min)d to %(max)d.",
                                     min=self.scale.min, max=self.scale.max))
        field.value = value


def answer_field(item):
    """The form field for one item; after validation its `.value` is an int or None."""
    return StringField(validators=[ScaleValue(item.scale)], filters=[_strip])


def _strip(data):
    return data.strip() if isinstance(data, str) else data


class ItemForm(FlaskForm):
    """Base for a one-question page."""

    #: Set after the page has pointed out an unanswered question once.
    confirm_skip = HiddenField()


def item_form_class(item):
    """A form class with a single `value` field for this item."""
    return type(f"ItemForm_{item.id}", (ItemForm,), {"value": answer_field(item)})
