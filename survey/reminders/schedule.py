"""The reminder schedule as coordinators change it on the web: checking, saving, auditing.

The rules are those of the settings (parse_days, parse_hours in policy.py):
days after the invitation in increasing order, sending hours 0 <= start < end
<= 24, Copenhagen time. On the web there are at most MAX_REMINDERS, and each
must come before the link expires, or it would never be sent. A saved
schedule counts from the next reminder run on, for everyone not yet answered.
"""
from collections import namedtuple

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from ..audit.models import AuditRecord
from ..audit.services import record_change, staff_actor
from ..extensions import db
from ..schedule.models import SCHEDULE_ID, ReminderSchedule
from ..schedule.policy import ReminderPolicyError, current_policy, parse_days, parse_hours
from ..timeutil import now_utc
from ..user_errors import UserError

MAX_REMINDERS = 5
AUDIT_ENTITY = "reminder_schedule"
#: How each part of the schedule is named in the audit trail; values are written as in the
#: settings ("7,14", "9-18").
AUDIT_FIELDS = {"days_text": "reminder_days", "hours_text": "sending_hours"}

DAYS_PROBLEMS = {
    "not_whole": _l("Write whole days separated by commas, e.g. 7,14."),
    "not_positive": _l("Each day must be 1 or more."),
    "not_increasing": _l("Write the days in increasing order, each later than the one before, "
                         "e.g. 7,14."),
}


class ScheduleError(UserError, ValueError):
    """Typed values that cannot be the schedule; `errors` maps each form field to a message."""

    def __init__(self, errors):
        super().__init__(f"reminder schedule refused: {', '.join(sorted(errors))}")
        self.errors = errors

    def field_messages(self):
        return self.errors


class Schedule(namedtuple("Schedule", "days start_hour end_hour")):
    """A checked schedule: days as a tuple of ints, the sending hours as ints."""

    @property
    def days_text(self):
        return ",".join(str(d) for d in self.days)

    @property
    def hours_text(self):
        return f"{self.start_hour}-{self.end_hour}"

    @classmethod
    def of_policy(cls, policy):
        return cls(tuple(policy.days), policy.start_hour, policy.end_hour)


def _check_days(text, errors):
    text = (text or "").strip()
    if not text.replace(",", "").strip():
        errors["days"] = _l("Give at least one day, e.g. 7,14.")
        return None
    try:
        days = parse_days(text)
    except ReminderPolicyError as error:
        errors["days"] = DAYS_PROBLEMS[error.problem]
        return None
    link_days = current_app.config["SURVEY_INVITATION_DAYS"]
    if len(days) > MAX_REMINDERS:
        errors["days"] = ngettext("Give at most %(num)d reminder.",
                                  "Give at most %(num)d reminders.", MAX_REMINDERS)
    elif days[-1] >= link_days:
        errors["days"] = ngettext(
            "A link works for %(num)d day, so every reminder must come before day %(num)d.",
            "A link works for %(num)d days, so every reminder must come before day %(num)d.",
            link_days)
    return days


def _check_hour(text, field, lowest, highest, errors):
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()) or not lowest <= int(text) <= highest:
        errors[field] = _l("Write a whole hour from %(lowest)d to %(highest)d.",
                           lowest=lowest, highest=highest)
        return None
    return int(text)


def parse_schedule(days, start_hour, end_hour):
    """A Schedule from what was typed (text or numbers); raises ScheduleError naming each field."""
    errors = {}
    checked_days = _check_days(str(days), errors)
    start = _check_hour(str(start_hour), "start_hour", 0, 23, errors)
    end = _check_hour(str(end_hour), "end_hour", 1, 24, errors)
    if start is not None and end is not None:
        try:
            parse_hours(f"{start}-{end}")
        except ReminderPolicyError:
            errors["end_hour"] = _l("Sending must end later than it begins, e.g. from 9 to 18.")
    if errors:
        raise ScheduleError(errors)
    return Schedule(checked_days, start, end)


def _lock_saved_row():
    """The saved row, locked until commit on PostgreSQL so two saves cannot interleave."""
    return db.session.execute(
        db.select(ReminderSchedule).where(ReminderSchedule.id == SCHEDULE_ID)
        .with_for_update().execution_options(populate_existing=True)
    ).scalar_one_or_none()


def save_schedule(user, days, start_hour, end_hour, reason, now=None):
    """Make the typed schedule the study's from the next reminder run on; audit every change.

    The audit records hold the schedule in effect before (the settings, the
    first time) and the new one, with the reason. Returns the records written:
    none when the typed schedule is already the one in effect, and then nothing
    is saved. Raises ScheduleError; the caller commits.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ScheduleError({"reason": _l("Give a reason.")})
    new = parse_schedule(days, start_hour, end_hour)
    row = _lock_saved_row()
    old = Schedule.of_policy(current_policy())
    changes = [(field, getattr(old, field), getattr(new, field))
               for field in ("days_text", "hours_text")
               if getattr(old, field) != getattr(new, field)]
    if not changes:
        return []
    now = now or now_utc()
    if row is None:
        row = ReminderSchedule(id=SCHEDULE_ID)
        db.session.add(row)
    row.days, row.start_hour, row.end_hour = new.days_text, new.start_hour, new.end_hour
    row.changed_at, row.changed_by_id = now, user.id
    db.session.flush()
    return [record_change(staff_actor(user), "update", AUDIT_ENTITY, SCHEDULE_ID,
                          field=AUDIT_FIELDS[field], old=old_value, new=new_value,
                          reason=reason, now=now)
            for field, old_value, new_value in changes]


def schedule_history():
    """Every audited change of the schedule, oldest first."""
    return db.session.execute(
        db.select(AuditRecord).where(AuditRecord.entity == AUDIT_ENTITY).order_by(AuditRecord.id)
    ).scalars().all()
