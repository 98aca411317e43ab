"""The reminder policy: schedule arithmetic and sending hours across daylight saving."""
from datetime import UTC, datetime

import pytest

from survey.schedule.policy import ReminderPolicy, ReminderPolicyError, parse_days, parse_hours

POLICY = ReminderPolicy(days=(7, 14), start_hour=9, end_hour=18, timezone="Europe/Copenhagen")


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize("moment, within", [
    # Saturday 28 March 2026, winter time (UTC+1): 9.00 local is 08.00 UTC.
    (utc(2026, 3, 28, 7, 59), False),
    (utc(2026, 3, 28, 8, 0), True),
    # Sunday 29 March 2026: clocks go forward at 02.00; summer time (UTC+2) from then on.
    (utc(2026, 3, 29, 6, 59), False),
    (utc(2026, 3, 29, 7, 0), True),
    (utc(2026, 3, 29, 15, 59), True),   # 17.59 local
    (utc(2026, 3, 29, 16, 0), False),   # 18.00 local
    # Sunday 25 October 2026: clocks go back at 03.00; winter time (UTC+1) from then on.
    (utc(2026, 10, 24, 7, 0), True),    # Saturday, still summer time: 9.00 local
    (utc(2026, 10, 25, 7, 30), False),  # 8.30 local after the change
    (utc(2026, 10, 25, 8, 0), True),    # 9.00 local
    (utc(2026, 10, 25, 16, 59), True),  # 17.59 local
    (utc(2026, 10, 25, 17, 0), False),  # 18.00 local
    (utc(2026, 10, 25, 1, 30), False),  # the repeated night hour
])
def test_sending_hours_follow_copenhagen_time_across_dst(moment, within):
    assert POLICY.within_sending_hours(moment) is within


@pytest.mark.parametrize("so_far, expected", [
    (0, utc(2026, 11, 8, 10, 0)),
    (1, utc(2026, 11, 15, 10, 0)),
    (2, None),
])
def test_next_reminder_is_due_days_after_the_invitation(so_far, expected):
    assert POLICY.due_at(utc(2026, 11, 1, 10, 0), so_far) == expected


@pytest.mark.parametrize("setting, maximum, expected", [
    ("7,14", None, (7, 14)),
    ("7, 14, 21", "2", (7, 14)),
    ("3", None, (3,)),
])
def test_days_setting(setting, maximum, expected):
    assert parse_days(setting, maximum) == expected


@pytest.mark.parametrize("setting", ["seven", "14,7", "0,7", "7,7"])
def test_bad_days_setting_names_the_variable(setting):
    with pytest.raises(ReminderPolicyError, match="SURVEY_REMINDER_DAYS"):
        parse_days(setting)


@pytest.mark.parametrize("setting", ["9", "18-9", "9-25", "nine-five"])
def test_bad_hours_setting_names_the_variable(setting):
    with pytest.raises(ReminderPolicyError, match="SURVEY_SENDING_HOURS"):
        parse_hours(setting)
