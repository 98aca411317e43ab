"""The reminder schedule page (coordinators): what the schedule is, and changing it with a reason.

Checking, saving and auditing are in schedule.py; this only moves text between
the form and those functions.
"""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import StringField

from ..audit_reports.trail import actor_emails
from ..extensions import db
from ..i18n import time_zone_name
from ..participants.forms import ReasonForm
from ..permissions import Permission, permission_required
from ..schedule.policy import current_policy, saved_schedule
from ..user_errors import show_user_error
from .schedule import (
    MAX_REMINDERS,
    ScheduleError,
    parse_schedule,
    save_schedule,
    schedule_history,
)

bp = Blueprint("reminders", __name__, url_prefix="/staff/reminders")


class ScheduleForm(ReasonForm):
    # Text fields, not number fields, so whatever was typed comes back with its message.
    days = StringField(_l("Days after the invitation"))
    start_hour = StringField(_l("Send from (hour)"))
    end_hour = StringField(_l("Send until (hour)"))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        try:
            parse_schedule(self.days.data, self.start_hour.data, self.end_hour.data)
        except ScheduleError as error:
            return show_user_error(error, self)
        return valid


def _typed_values(policy):
    return {"days": ",".join(str(d) for d in policy.days),
            "start_hour": str(policy.start_hour), "end_hour": str(policy.end_hour)}


@bp.route("/schedule", methods=["GET", "POST"])
@permission_required(Permission.SET_REMINDER_SCHEDULE)
def schedule():
    policy = current_policy()
    form = ScheduleForm(data=None if request.method == "POST" else _typed_values(policy))
    if form.validate_on_submit():
        changes = save_schedule(current_user, form.days.data, form.start_hour.data,
                                form.end_hour.data, form.reason.data)
        db.session.commit()
        if changes:
            flash(_("The reminder schedule is saved. It applies from the next reminder run."),
                  "info")
        else:
            flash(_("That is already the reminder schedule: nothing was changed."), "info")
        return redirect(url_for(".schedule"))
    history = schedule_history()
    page = render_template(
        "reminders/schedule.html", form=form, policy=policy, saved=saved_schedule(),
        zone=time_zone_name(), max_reminders=MAX_REMINDERS,
        link_days=current_app.config["SURVEY_INVITATION_DAYS"], records=history,
        actors=actor_emails(history))
    return page, 422 if form.errors else 200
