from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length

from ..permissions import ROLE_CHOICES


def full_name_field():
    return StringField(_l("Full name (printed on electronic signatures)"), validators=[
        InputRequired(_l("Type the full name, as it should be printed on signatures.")),
        Length(max=200, message=_l("Use at most 200 characters."))])


class NewAccountForm(FlaskForm):
    email = StringField(_l("E-mail address"), validators=[
        InputRequired(_l("Type the e-mail address."))])
    full_name = full_name_field()
    role = SelectField(_l("Role"), choices=[SelectChoice(v, label) for v, label in ROLE_CHOICES])
    password = PasswordField(_l("First password (at least 12 characters)"), validators=[
        InputRequired(_l("Type a password."))])


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[
        InputRequired(_l("Type your current password."))])
    new = PasswordField(_l("New password (at least 12 characters)"), validators=[
        InputRequired(_l("Type a new password."))])
    repeat = PasswordField(_l("New password again"), validators=[
        EqualTo("new", _l("The two new passwords are not the same."))])


class FullNameForm(FlaskForm):
    full_name = full_name_field()


def reason_field():
    return TextAreaField(_l("Reason (for the audit trail)"), validators=[
        DataRequired(_l("Give the reason for the change.")),
        Length(max=2000, message=_l("Use at most 2000 characters."))])


class AccountReasonForm(FlaskForm):
    """Resetting two-factor or reactivating an account: only the reason."""

    reason = reason_field()


class ChangeRoleForm(FlaskForm):
    role = SelectField(_l("New role"),
                       choices=[SelectChoice(v, label) for v, label in ROLE_CHOICES])
    reason = reason_field()
