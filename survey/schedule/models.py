from sqlalchemy import CheckConstraint

from ..extensions import db
from ..timeutil import UTCDateTime, now_utc

#: The schedule is one row with this id; a second row cannot exist.
SCHEDULE_ID = 1


class ReminderSchedule(db.Model):
    """The study's reminder schedule as a coordinator last saved it on the web.

    There is at most one row: a change overwrites it, and the audit trail keeps
    every old and new value with the reason. Without a row the settings
    (SURVEY_REMINDER_DAYS, SURVEY_SENDING_HOURS) are the schedule.
    """

    __table_args__ = (
        CheckConstraint(f"id = {SCHEDULE_ID}", name="single_row"),
        CheckConstraint("start_hour >= 0 AND start_hour < end_hour AND end_hour <= 24",
                        name="sending_hours"),
    )

    id = db.Column(db.Integer, primary_key=True, autoincrement=False, default=SCHEDULE_ID)
    #: Days after the invitation was sent when reminder 1, 2, ... are due, e.g. "7,14".
    days = db.Column(db.String(40), nullable=False)
    #: Local hours [start_hour, end_hour) in which reminders may be sent.
    start_hour = db.Column(db.Integer, nullable=False)
    end_hour = db.Column(db.Integer, nullable=False)
    changed_at = db.Column(UTCDateTime, nullable=False, default=now_utc)
    changed_by_id = db.Column(db.ForeignKey("staff_user.id"), nullable=False)

    changed_by = db.relationship("StaffUser")
