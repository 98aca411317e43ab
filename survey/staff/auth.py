"""Staff sessions: loading the account, inactivity timeout, the second factor's time limit.

What each role may open is in survey/permissions.py.

A session names the account *and* its session_version; changing the password,
deactivating the account or logging out everywhere raises the version, which
ends every other session at its next request.
"""
from datetime import timedelta

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, logout_user

from ..extensions import db, login_manager
from ..security import is_static_file
from ..timeutil import now_utc
from .models import StaffUser
from .passwords import init_password_hashing

LAST_SEEN = "staff_last_seen"
PENDING_2FA_AT = "staff_pending_2fa_at"
#: A login whose password was right ends if the code does not follow within this time.
PENDING_2FA_MINUTES = 5


@login_manager.user_loader
def load_staff_user(session_id):
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(StaffUser, int(user_id))
    if user is None or not user.is_enabled or user.session_version != int(version):
        return None
    return user


def init_login(app):
    login_manager.init_app(app)
    login_manager.login_view = "staff.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.session_protection = "basic"
    init_password_hashing(app)
    # One hook for every /staff/ page, so a new staff blueprint cannot forget it.
    app.before_request(check_idle_timeout)


def idle_limit():
    return timedelta(minutes=current_app.config["SURVEY_STAFF_IDLE_MINUTES"])


def check_idle_timeout():
    """Log out a staff session left idle too long (before every request to /staff/)."""
    if (not request.path.startswith("/staff/") or is_static_file()
            or not current_user.is_authenticated):
        return None
    now = now_utc().timestamp()
    last_seen = session.get(LAST_SEEN)
    if last_seen is not None and now - last_seen > idle_limit().total_seconds():
        logout_user()
        session.pop(LAST_SEEN, None)
        flash(ngettext("You were logged out after %(num)d minute without activity.",
                       "You were logged out after %(num)d minutes without activity.",
                       current_app.config["SURVEY_STAFF_IDLE_MINUTES"]), "info")
        return redirect(url_for("staff.login", next=request.full_path.rstrip("?")))
    if request.endpoint != "staff.session_status":
        session[LAST_SEEN] = now
    return None


def pending_2fa_expired():
    started = session.get(PENDING_2FA_AT, 0)
    return now_utc().timestamp() - started > PENDING_2FA_MINUTES * 60

