"""What the screens of signed actions share: the printed name first, then re-authentication."""
from functools import wraps

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..user_errors import show_user_error
from .services import SignatureRefused, check_signer


def lacks_name():
    return not (current_user.full_name or "").strip()


def ask_for_name():
    """Send the person to type their full name, and back here afterwards."""
    flash(_("Your electronic signature shows your full name. Type it here before you sign."),
          "info")
    return redirect(url_for("accounts.own_name", next=request.full_path.rstrip("?")))


def name_required(view):
    """Staff whose account has no full name are sent to give one before they can sign."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        return ask_for_name() if lacks_name() else view(*args, **kwargs)

    return wrapped


def signer_confirmed(form):
    """Re-authenticate the person signing with what they typed in `form`; on a refusal the
    message goes beside its field and the answer is False (nothing else is saved)."""
    try:
        check_signer(current_user, form.password.data, form.code.data)
    except SignatureRefused as refused:
        return show_user_error(refused, form)
    return True
