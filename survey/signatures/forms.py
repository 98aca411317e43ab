from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField


class SignatureFields:
    """Mixed into the form of each signed action: the signer types their password (and a
    current code when their account uses two-factor authentication) when saving.

    Both are checked by services.check_signer once the rest of the form is valid,
    so the form's own messages come first and a password is never typed in vain."""

    password = PasswordField(_l("Your password (to sign)"))
    code = StringField(_l("Code from your authenticator app"))
