"""Starting a clinic hand-over session from the staff pages."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired

from ..extensions import db
from ..invitations.services import InvitationError
from ..invitations.views import start_participant_session
from ..labels import STATUS_NAMES, label
from ..participants.models import find_participant, participant_or_404
from ..participants.state import has_answered
from ..permissions import Permission, permission_required
from .services import AlreadyAnswered, start_clinic_invitation

bp = Blueprint("clinic", __name__, url_prefix="/staff/clinic")


class ClinicStudyIdForm(FlaskForm):
    """The participant at the clinic (sent by GET: no CSRF)."""

    class Meta:
        csrf = False

    study_id = StringField(_l("Study ID"), validators=[
        InputRequired(_l("Type the participant's study ID."))])


@bp.get("/")
@permission_required(Permission.CLINIC_HANDOVER)
def index():
    """From the staff menu: type the study ID of the participant at the clinic (GET)."""
    form = ClinicStudyIdForm(formdata=request.args or None)
    if request.args and form.validate():
        typed = "".join(form.study_id.data.split())  # study IDs have no spaces
        participant = find_participant(typed)  # study IDs are case-insensitive
        if participant is not None:
            return redirect(url_for(".clinic_session", study_id=participant.study_id))
        form.study_id.errors.append(_("No participant has this study ID."))
    return render_template("staff/clinic_find.html", form=form), 422 if form.errors else 200


@bp.route("/<study_id>", methods=["GET", "POST"])
@permission_required(Permission.CLINIC_HANDOVER)
def clinic_session(study_id):
    participant = participant_or_404(study_id)
    form = FlaskForm()
    answered = has_answered(participant)
    if not form.validate_on_submit():
        return render_template("staff/clinic_start.html", participant=participant, form=form,
                               answered=answered)
    try:
        invitation = start_clinic_invitation(participant, current_user)
    except AlreadyAnswered:
        db.session.rollback()
        return render_template("staff/clinic_start.html", participant=participant, form=form,
                               answered=True), 409
    except InvitationError:
        db.session.rollback()
        flash(_("A questionnaire cannot be started for this participant (status: %(status)s).",
                status=label(STATUS_NAMES, participant.status)), "error")
        return redirect(url_for("staff.home"))
    db.session.commit()
    # Hand over: the browser keeps only the participant's session from here on.
    logout_user()
    start_participant_session(invitation)
    db.session.commit()
    return redirect(url_for("responses.start"))
