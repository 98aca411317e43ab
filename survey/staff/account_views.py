"""Staff accounts (administrators) and changing one's own password (everyone)."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user
from flask_wtf import FlaskForm

from ..audit.services import staff_actor
from ..extensions import db
from .account_forms import ChangePasswordForm, NewAccountForm
from .auth import role_required
from .models import StaffUser
from .passwords import PasswordPolicyError, verify_password
from .services import StaffAccountError, create_staff_user, deactivate, set_password

bp = Blueprint("accounts", __name__, url_prefix="/staff/accounts")


def _all_accounts():
    return db.session.execute(db.select(StaffUser).order_by(StaffUser.email)).scalars().all()


@bp.route("/", methods=["GET", "POST"])
@role_required("admin")
def index():
    form = NewAccountForm()
    if form.validate_on_submit():
        try:
            user = create_staff_user(form.email.data, form.role.data, form.password.data,
                                     actor=staff_actor(current_user))
            db.session.commit()
            flash(_("Account %(email)s created. Give the first password in person; two-factor "
                    "authentication is set up at the first login.", email=user.email), "info")
            return redirect(url_for(".index"))
        except PasswordPolicyError as error:
            db.session.rollback()
            form.password.errors.append(str(error))
        except StaffAccountError:
            db.session.rollback()
            form.email.errors.append(_("Check the e-mail address: it is not valid or already "
                                       "has an account."))
    return render_template("staff/accounts.html", form=form, accounts=_all_accounts(),
                           action_form=FlaskForm())


@bp.post("/<int:user_id>/deactivate")
@role_required("admin")
def deactivate_account(user_id):
    user = db.session.get(StaffUser, user_id) or abort(404)
    if FlaskForm().validate_on_submit() and user.id != current_user.id:
        deactivate(user, actor=staff_actor(current_user))
        db.session.commit()
        flash(_("Account %(email)s deactivated; its sessions have ended.", email=user.email),
              "info")
    return redirect(url_for(".index"))


@bp.route("/password", methods=["GET", "POST"])
@role_required("data_entry")
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
                form.new.errors.append(str(error))
    return render_template("staff/change_password.html", form=form)
