"""The study's reminder policy, read at every run.

The schedule a coordinator saved on the web (survey/reminders/schedule.py)
counts; until one is saved, the settings are the schedule. Changing either
changes what every later run does: nothing is queued in advance. Sending
hours are local time (Europe/Copenhagen by default), so a reminder never
arrives at night, also across the daylight-saving changes.
"""
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from ..extensions import db
from .models import SCHEDULE_ID, ReminderSchedule


class ReminderPolicyError(ValueError):
    """A reminder setting that cannot be used; the message names it, `problem` says what is wrong.

    problem: "not_whole" (not whole days), "not_positive" (a day below 1),
    "not_increasing" (a day not later than the one before) or "hours".
    """

    def __init__(self, message, problem=None):
        super().__init__(message)
        self.problem = problem


@dataclass(frozen=True)
class ReminderPolicy:
    #: Days after the invitation was sent when reminder 1, 2, ... are due.
    days: tuple
    #: Local hours [start, end) in which messages may be sent.
    start_hour: int
    end_hour: int
    timezone: str

    @property
    def max_reminders(self):
        return len(self.days)

    def due_at(self, invited_at, reminders_so_far, last_reminder_at=None):
        """When the next reminder is due, or None when all have been sent.

        Reminders keep their spacing: after a late one (the runner was stopped
        for a while), the next waits as long after it as the schedule says.
        """
        k = reminders_so_far
        if k >= self.max_reminders:
            return None
        due = invited_at + timedelta(days=self.days[k])
        if k > 0 and last_reminder_at is not None:
            due = max(due, last_reminder_at + timedelta(days=self.days[k] - self.days[k - 1]))
        return due

    def within_sending_hours(self, now):
        local = now.astimezone(ZoneInfo(self.timezone))
        return self.start_hour <= local.hour < self.end_hour

    def next_sending_time(self, moment):
        """`moment` if it is inside the sending hours, else when they next begin (local time,
        so across a daylight-saving change too)."""
        if self.within_sending_hours(moment):
            return moment
        zone = ZoneInfo(self.timezone)
        local = moment.astimezone(zone)
        day = local.date() if local.hour < self.start_hour else local.date() + timedelta(days=1)
        return datetime.combine(day, time(self.start_hour), zone).astimezone(moment.tzinfo)


def parse_days(setting, max_setting=None):
    try:
        days = tuple(int(d) for d in str(setting).replace(" ", "").split(",") if d)
    except ValueError:
        raise ReminderPolicyError(
            f"SURVEY_REMINDER_DAYS must be whole days like '7,14', got {setting!r}",
            "not_whole") from None
    if any(d <= 0 for d in days):
        raise ReminderPolicyError(
            f"SURVEY_REMINDER_DAYS must be increasing positive days, got {setting!r}",
            "not_positive")
    if list(days) != sorted(set(days)):
        raise ReminderPolicyError(
            f"SURVEY_REMINDER_DAYS must be increasing positive days, got {setting!r}",
            "not_increasing")
    if max_setting is not None:
        days = days[:int(max_setting)]
    return days


def parse_hours(setting):
    start, sep, end = str(setting).partition("-")
    try:
        start, end = int(start), int(end)
    except ValueError:
        start = end = -1
    if not sep or not 0 <= start < end <= 24:
        raise ReminderPolicyError(
            f"SURVEY_SENDING_HOURS must be like '9-18' (local hours), got {setting!r}", "hours")
    return start, end


def settings_policy():
    """The policy from the settings: the defaults until a coordinator saves a schedule."""
    config = current_app.config
    start, end = parse_hours(config["SURVEY_SENDING_HOURS"])
    return ReminderPolicy(
        days=parse_days(config["SURVEY_REMINDER_DAYS"], config.get("SURVEY_REMINDER_MAX")),
        start_hour=start, end_hour=end, timezone=config["SURVEY_TIMEZONE"],
    )


def saved_schedule():
    """The schedule a coordinator saved on the web (ReminderSchedule), or None."""
    return db.session.get(ReminderSchedule, SCHEDULE_ID)


def current_policy():
    """The saved schedule if there is one, else the settings; the time zone is always a setting."""
    saved = saved_schedule()
    if saved is None:
        return settings_policy()
    return ReminderPolicy(days=parse_days(saved.days), start_hour=saved.start_hour,
                          end_hour=saved.end_hour, timezone=current_app.config["SURVEY_TIMEZONE"])
