"""The coordinators' pages for correcting and erasing a participant's e-mail address and
phone number: their forms and what confirming does (survey/participants/contacts.py)."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..audit.services import staff_actor
from ..labels import CHANNEL_NAMES
from .contacts import CONTACT_FIELDS, correct_contact, erase_contact, normalised_contact
from .forms import ReasonForm
from .services import ParticipantActionError


class ContactDetail:
    """Validator: empty, or an e-mail address / phone number as the import accepts it."""

    def __init__(self, field_name):
        self.field_name = field_name

    def __call__(self, form, field):
        if (field.data or "").strip():
            try:
                normalised_contact(self.field_name, field.data)
            except ParticipantActionError as error:
                raise ValidationError(error.message) from None


class ContactForm(ReasonForm):
    email = StringField(_l("E-mail address"), validators=[ContactDetail("email")])
    phone = StringField(_l("Mobile number"), validators=[ContactDetail("phone")])


class EraseContactForm(ReasonForm):
    erase = SelectMultipleField(
        _l("Erase"), choices=[SelectChoice("email", _l("E-mail address")),
                             SelectChoice("phone", _l("Mobile number"))],
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())


def correct(participant, form, user, now):
    changed = 0
    for field in CONTACT_FIELDS:
        typed = (form[field].data or "").strip()
        if not typed and getattr(participant, field):
            raise ParticipantActionError(f"{field} left empty", _l(
                "To remove an e-mail address or phone number, use “Erase the e-mail address "
                "or phone number”."))
        if typed and normalised_contact(field, typed) != getattr(participant, field):
            correct_contact(participant, field, typed, form.reason.data, staff_actor(user), now)
            changed += 1
    if not changed:
        raise ParticipantActionError("nothing changed", _l(
            "Nothing was changed: correct the e-mail address or the phone number."))
    return _("The contact details of %(study_id)s are corrected.", study_id=participant.study_id)


def erase(participant, form, user, now):
    if not form.erase.data:
        raise ParticipantActionError("nothing chosen", _l("Choose what to erase."))
    erase_contact(participant, form.erase.data, form.reason.data, staff_actor(user), now)
    return _("Erased. From now on %(study_id)s is contacted by: %(channel)s.",
             study_id=participant.study_id, channel=CHANNEL_NAMES[participant.channel])


def has_contact(participant, now):
    return bool(participant.email or participant.phone)
