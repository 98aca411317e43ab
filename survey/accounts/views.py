"""Staff accounts (administrators) and changing one's own password (everyone)."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user
from flask_wtf import FlaskForm

from ..audit.services import staff_actor
from ..extensions import db
from ..permissions import Permission, permission_required
from ..security import local_path
from ..staff.models import StaffUser
from ..staff.passwords import PasswordPolicyError, verify_password
from ..staff.services import (
    StaffAccountError,
    change_role,
    create_staff_user,
    deactivate,
    reactivate,
    reset_two_factor,
    set_full_name,
    set_password,
)
from ..user_errors import show_user_error
from .forms import (
    ROLE_CHOICES,
    AccountReasonForm,
    ChangePasswordForm,
    ChangeRoleForm,
    FullNameForm,
    NewAccountForm,
)

bp = Blueprint("accounts", __name__, url_prefix="/staff/accounts")


def _all_accounts():
    return db.session.execute(db.select(StaffUser).order_by(StaffUser.email)).scalars().all()


@bp.route("/", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_ACCOUNTS)
def index():
    form = NewAccountForm()
    if form.validate_on_submit():
        try:
            user = create_staff_user(form.email.data, form.role.data, form.password.data,
                                     actor=staff_actor(current_user),
                                     full_name=form.full_name.data)
            db.session.commit()
            flash(_("Account %(email)s created. Give the first password in person; two-factor "
                    "authentication is set up at the first login.", email=user.email), "info")
            return redirect(url_for(".index"))
        except PasswordPolicyError as error:
            db.session.rollback()
            show_user_error(error, form, field="password")
        except StaffAccountError:
            db.session.rollback()
            form.email.errors.append(_("Check the e-mail address: it is not valid or already "
                                       "has an account."))
    return render_template("staff/accounts.html", form=form, accounts=_all_accounts(),
                           action_form=FlaskForm())


@bp.post("/<int:user_id>/deactivate")
@permission_required(Permission.MANAGE_ACCOUNTS)
def deactivate_account(user_id):
    user = db.session.get(StaffUser, user_id) or abort(404)
    if FlaskForm().validate_on_submit() and user.id != current_user.id:
        deactivate(user, actor=staff_actor(current_user))
        db.session.commit()
        flash(_("Account %(email)s deactivated; its sessions have ended.", email=user.email),
              "info")
    return redirect(url_for(".index"))


@bp.route("/password", methods=["GET", "POST"])
@permission_required(Permission.USE_STAFF_PAGES)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current.data):
            form.current.errors.append(_("The current password is wrong."))
        else:
            try:
                set_password(current_user, form.new.data, actor=staff_actor(current_user))
                db.session.commit()
                login_user(current_user)  # this session continues; all others have ended
                flash(_("Your password is changed. You are logged out everywhere else."), "info")
                return redirect(url_for("staff.home"))
            except PasswordPolicyError as error:
                db.session.rollback()
                show_user_error(error, form, field="new")
    return render_template("staff/change_password.html", form=form)


def _edit_name(user, done_url):
    """The full-name form for `user`; the change is audited as made by the person logged in."""
    form = FullNameForm(data={"full_name": user.full_name or ""})
    if form.validate_on_submit():
        try:
            set_full_name(user, form.full_name.data, actor=staff_actor(current_user))
        except StaffAccountError:
            form.full_name.errors.append(_("Type the full name, as it should be printed on "
                                           "signatures."))
        else:
            db.session.commit()
            flash(_("The name is saved: %(name)s.", name=user.full_name), "info")
            return redirect(done_url)
    return render_template("staff/full_name.html", form=form, account=user), (
        422 if form.errors else 200)


@bp.route("/<int:user_id>/name", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_ACCOUNTS)
def account_name(user_id):
    user = db.session.get(StaffUser, user_id) or abort(404)
    return _edit_name(user, url_for(".index"))


@bp.route("/name", methods=["GET", "POST"])
@permission_required(Permission.USE_STAFF_PAGES)
def own_name():
    """Everyone sets their own full name (asked for before a first signature)."""
    return _edit_name(current_user, local_path(request.args.get("next", ""), "/staff/")
                      or url_for("staff.home"))


def _account_action(user_id, form, allowed, act, done, refused):
    """An administrator's change to another account, with a reason (audited by `act`).

    `allowed(user)` is None or why the change cannot be made (shown on the page);
    `act(user, form)` changes the account; `done` is the message after it;
    `refused(user, form)` is the message when the service refuses what was asked.
    """
    user = db.session.get(StaffUser, user_id) or abort(404)
    blocked = problem = allowed(user)
    status = 200
    if blocked is None and form.validate_on_submit():
        try:
            act(user, form)
        except StaffAccountError:
            db.session.rollback()
            problem = refused(user, form)
        else:
            db.session.commit()
            flash(done(user), "info")
            return redirect(url_for(".index"))
    if problem or form.errors:
        status = 409 if problem and request.method == "POST" else (422 if form.errors else 200)
    return render_template("staff/account_action.html", form=form, account=user,
                           problem=problem, blocked=blocked is not None,
                           action=request.endpoint.rsplit(".", 1)[-1]), status


def _not_yourself(user):
    if user.id == current_user.id:
        return _("You cannot do this to your own account: ask another administrator.")
    return None


@bp.route("/<int:user_id>/two-factor", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_ACCOUNTS)
def reset_account_two_factor(user_id):
    return _account_action(
        user_id, AccountReasonForm(), _not_yourself,
        lambda user, form: reset_two_factor(user, form.reason.data, staff_actor(current_user)),
        lambda user: _("Two-factor authentication of %(email)s is reset; its sessions have "
                       "ended. The person sets up the app again at the next login.",
                       email=user.email),
        lambda user, form: _("Give the reason for the change."))


@bp.route("/<int:user_id>/role", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_ACCOUNTS)
def change_account_role(user_id):
    user = db.session.get(StaffUser, user_id) or abort(404)
    form = ChangeRoleForm(data={"role": user.role})

    def refused(user, form):
        if form.role.data == user.role:
            return _("The account already has this role. Choose another role.")
        return _("%(email)s is the last active administrator and keeps the role, so that "
                 "someone can still manage the accounts.", email=user.email)

    return _account_action(
        user_id, form, _not_yourself,
        lambda user, form: change_role(user, form.role.data, form.reason.data,
                                       staff_actor(current_user)),
        lambda user: _("%(email)s now has the role %(role)s; its sessions have ended.",
                       email=user.email, role=dict(ROLE_CHOICES)[user.role]),
        refused)


@bp.route("/<int:user_id>/reactivate", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_ACCOUNTS)
def reactivate_account(user_id):
    def allowed(user):
        return None if not user.is_enabled else _("This account is already active.")

    return _account_action(
        user_id, AccountReasonForm(), allowed,
        lambda user, form: reactivate(user, form.reason.data, staff_actor(current_user)),
        lambda user: _("Account %(email)s is active again.", email=user.email),
        lambda user, form: _("Give the reason for the change."))
