"""Staff login, two-factor authentication, logout and the session timer."""

import segno
from flask import Blueprint, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user
from markupsafe import Markup

from ..audit.services import record_session_event, staff_actor
from ..extensions import db
from ..i18n import LANGUAGES
from ..permissions import PENDING_2FA, Permission, permission_required
from ..security import local_path
from ..timeutil import now_utc
from .auth import (
    LAST_SEEN,
    PENDING_2FA_AT,
    idle_limit,
    load_staff_user,
    pending_2fa_expired,
)
from .forms import CodeForm, LoginForm
from .services import (
    CodeOutcome,
    authenticate,
    confirm_totp_enrolment,
    find_staff_user,
    provisioning_uri,
    record_login,
    start_totp_enrolment,
    verify_second_factor,
)
from .throttle import claim_address_try, give_back_address_try, window_minutes

bp = Blueprint("staff", __name__, url_prefix="/staff")


def _safe_next(default):
    return local_path(request.args.get("next", ""), "/staff/") or default


def _finish_login(user):
    """Renew the session (no fixation), then log in."""
    lang = user.language
    session.clear()
    login_user(user)
    session["lang"] = lang
    session[LAST_SEEN] = now_utc().timestamp()
    record_login(user)
    record_session_event(staff_actor(user), "login", user.id)
    db.session.commit()


def _refuse_login(form=None):
    """The login page with one message for every failure, so none gives anything away."""
    flash(_("The e-mail address or password is wrong, or the account is locked for a "
            "while after too many attempts. Try again, or ask an administrator."), "error")
    return render_template("staff/login.html", form=form or LoginForm()), 401


def _refuse_busy_address(form):
    """Too many logins from this address: refused before any password is checked."""
    minutes = window_minutes()
    flash(ngettext("Too many login attempts from your network. Wait %(num)d minute and try "
                   "again.", "Too many login attempts from your network. Wait %(num)d minutes "
                   "and try again.", minutes), "error")
    return render_template("staff/login.html", form=form), 429


def _end_half_login():
    """Forget a login whose password was right but whose second factor failed or lapsed."""
    logout_user()
    session.clear()


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        if not claim_address_try(request.remote_addr, now_utc()):
            db.session.commit()
            return _refuse_busy_address(form)
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            give_back_address_try(request.remote_addr, now_utc())
        else:  # the account's number if the address names one; never the text typed
            account = find_staff_user(form.email.data)
            record_session_event("system:login", "login_failed", account and account.id)
        db.session.commit()  # failed attempts and lockouts count even on failure
        if user is None:
            return _refuse_login(form)
        if user.has_2fa:
            session.clear()
            session[PENDING_2FA] = user.get_id()
            session[PENDING_2FA_AT] = now_utc().timestamp()
            return redirect(url_for(".second_factor", next=_safe_next("")))
        _finish_login(user)
        if user.needs_2fa:  # and has none yet: enrolment comes before anything else
            return redirect(url_for(".enrol_2fa"))
        return redirect(_safe_next(url_for(".home")))
    return render_template("staff/login.html", form=form)


@bp.route("/login/code", methods=["GET", "POST"])
def second_factor():
    user = load_staff_user(session.get(PENDING_2FA, ""))
    if user is None:
        return redirect(url_for(".login"))
    if pending_2fa_expired():
        _end_half_login()
        flash(_("Too much time passed before the code was typed. Log in again."), "info")
        return redirect(url_for(".login"))
    form = CodeForm()
    if form.validate_on_submit():
        outcome = verify_second_factor(user, form.code.data)
        db.session.commit()  # wrong codes, the lockout and the audit records count
        if outcome is CodeOutcome.RIGHT:
            _finish_login(user)
            return redirect(_safe_next(url_for(".home")))
        if outcome is CodeOutcome.LOCKED:
            _end_half_login()
            return _refuse_login()
        form.code.errors.append(_("The code is wrong or has been used. Try the newest code "
                                  "from your app, or a recovery code."))
    return render_template("staff/second_factor.html", form=form)


@bp.route("/two-factor", methods=["GET", "POST"])
@login_required
def enrol_2fa():
    if current_user.has_2fa:
        flash(_("Two-factor authentication is already on for your account."), "info")
        return redirect(url_for(".home"))
    form = CodeForm()
    if current_user.totp_secret:
        uri = provisioning_uri(current_user)  # a reload keeps the code already scanned
    else:
        uri = start_totp_enrolment(current_user)
        db.session.commit()
    if form.validate_on_submit():
        outcome, codes = confirm_totp_enrolment(current_user, form.code.data)
        db.session.commit()
        if outcome is CodeOutcome.RIGHT:
            return render_template("staff/recovery_codes.html", codes=codes)
        if outcome is CodeOutcome.LOCKED:
            _end_half_login()
            return _refuse_login()
        form.code.errors.append(_("The code is wrong. Type the 6 digits your app shows now."))
    qr = Markup(segno.make(uri, error="m").svg_inline(scale=4, title=_("QR code for your "
                                                                          "authenticator app")))
    return render_template("staff/enrol_2fa.html", form=form, qr=qr,
                           secret=current_user.totp_secret)


@bp.post("/logout")
@login_required
def logout():
    # Logging out ends every session of the account, on every device.
    current_user.session_version += 1
    record_session_event(staff_actor(current_user), "logout", current_user.id)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for(".login"))


@bp.get("/")
@permission_required(Permission.USE_STAFF_PAGES)
def home():
    return render_template("staff/home.html")


@bp.get("/session")
@login_required
def session_status():
    """Seconds left before the idle timeout, for the warning on staff pages."""
    left = idle_limit().total_seconds() - (now_utc().timestamp() - session.get(LAST_SEEN, 0))
    return jsonify(seconds_left=max(0, int(left)))


@bp.post("/session/extend")
@login_required
def extend_session():
    return jsonify(seconds_left=int(idle_limit().total_seconds()))


@bp.route("/language/<lang>", methods=["GET", "POST"])
def set_language(lang):
    """GET changes only this browser's language; the menu's button (POST, with
    CSRF) also keeps it on the account, so no link or image can change an account."""
    if lang in LANGUAGES:
        session["lang"] = lang
        if request.method == "POST" and current_user.is_authenticated:
            current_user.language = lang
            db.session.commit()
    return redirect(_safe_next(url_for(".home")))
