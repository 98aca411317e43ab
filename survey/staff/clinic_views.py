"""Starting a clinic hand-over session from the staff pages."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm

from ..audit.labels import label
from ..dashboard.labels import STATUS_NAMES
from ..extensions import db
from ..invitations.services import InvitationError
from ..invitations.views import start_participant_session
from ..participants.services import find_participant
from .auth import role_required
from .clinic import start_clinic_invitation

bp = Blueprint("clinic", __name__, url_prefix="/staff/clinic")


@bp.route("/<study_id>", methods=["GET", "POST"])
@role_required("data_entry")
def clinic_session(study_id):
    participant = find_participant(study_id) or abort(404)
    form = FlaskForm()
    if not form.validate_on_submit():
        return render_template("staff/clinic_start.html", participant=participant, form=form)
    try:
        invitation = start_clinic_invitation(participant, current_user)
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
    return redirect(url_for("questionnaire.start"))
