"""Coordinators change the reminder schedule on a page; the next run follows it, audited."""
import html
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from survey.audit.models import AuditRecord
from survey.audit_reports.verify import verify_chain
from survey.extensions import db
from survey.reminders.schedule import ScheduleError, parse_schedule, save_schedule
from survey.schedule.models import ReminderSchedule
from survey.schedule.policy import current_policy
from survey.staff.models import StaffUser

from ..conftest import BOTH_DATABASES, CSRF
from .conftest import NOW, reminders_of

PAGE = "/staff/reminders/schedule"
COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def run(app, now=NOW):
    from survey.reminders.services import send_due_reminders

    with app.app_context():
        return [(o.candidate.study_id, o.candidate.reminder_number, o.status)
                for o in send_due_reminders(now)]


def save(app, email, days, start_hour, end_hour, reason="Protocol amendment 3"):
    """save_schedule as the staff member `email`, committed; returns the audit records' ids."""
    with app.app_context():
        user = db.session.execute(
            db.select(StaffUser).where(StaffUser.email == email)).scalar_one()
        records = save_schedule(user, days, start_hour, end_hour, reason)
        db.session.commit()
        return [r.id for r in records]


def schedule_trail(app):
    """[(actor, field, old, new, reason)] of every audited schedule change, in order."""
    with app.app_context():
        return [(r.actor, r.field, r.old_value, r.new_value, r.reason) for r in db.session.execute(
            db.select(AuditRecord).where(AuditRecord.entity == "reminder_schedule")
            .order_by(AuditRecord.id)).scalars()]


def staff_id(app, email):
    with app.app_context():
        return db.session.execute(
            db.select(StaffUser.id).where(StaffUser.email == email)).scalar_one()


def post_schedule(client, **fields):
    token = CSRF.search(client.get(PAGE).get_data(as_text=True)).group(1)
    data = {"days": "7,14", "start_hour": "9", "end_hour": "18", "reason": "Protocol amendment",
            **fields}
    return client.post(PAGE, data={"csrf_token": token, **data})


def input_value(page, name):
    tag = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', page).group(0)
    return html.unescape(re.search(r'value="([^"]*)"', tag).group(1))


def field_error(page, name):
    found = re.search(rf'<p class="error" id="{name}-error">([^<]*)</p>', page)
    return found and html.unescape(found.group(1))


def local(hour, minute=0):
    """That local time on NOW's day (1 December 2026, Copenhagen winter time)."""
    return datetime(2026, 12, 1, hour, minute, tzinfo=COPENHAGEN)


# --- the next run follows the saved schedule -----------------------------------------------


@BOTH_DATABASES
def test_a_schedule_saved_on_the_page_decides_the_next_run(app, client, staff_login, invited):
    four_days, two_days = invited(days_ago=4), invited(days_ago=2)
    assert run(app) == []  # the settings: 7 and 14 days
    staff_login.as_role("coordinator")
    response = post_schedule(client, days="3,10", reason="Protocol amendment 3")
    assert response.status_code == 302 and response.location == PAGE

    assert run(app) == [(four_days, 1, "sent")]
    assert run(app) == []
    app.config["SURVEY_REMINDER_DAYS"] = "1"  # the settings no longer count
    assert run(app, NOW + timedelta(hours=23)) == []
    assert run(app, NOW + timedelta(days=1)) == [(two_days, 1, "sent")]
    # Reminder 2 keeps the schedule's 7 days' distance from the late reminder 1.
    assert run(app, NOW + timedelta(days=6)) == []
    assert run(app, NOW + timedelta(days=7)) == [(four_days, 2, "sent")]
    assert [r[1] for r in reminders_of(app, four_days)] == [1, 2]


def test_fewer_reminders_in_the_new_schedule_means_no_more_for_those_past_it(
        app, make_staff, invited):
    study_id = invited(days_ago=8)
    assert run(app) == [(study_id, 1, "sent")]
    save(app, make_staff("coordinator"), "7", 9, 18)
    assert run(app, NOW + timedelta(days=30)) == []


@pytest.mark.parametrize("settings_hours, saved_hours, moment, status", [
    ("7-18", "9-18", local(8, 30), "outside sending hours: not before 2026-12-01 09:00"),
    ("9-18", "10-18", local(9, 30), "outside sending hours: not before 2026-12-01 10:00"),
    ("9-18", "8-16", local(8, 30), "sent"),
    ("9-18", "8-16", local(16, 30), "outside sending hours: not before 2026-12-02 08:00"),
])
def test_saved_sending_hours_decide_when_the_run_sends(app, make_staff, invited, settings_hours,
                                                       saved_hours, moment, status):
    app.config["SURVEY_SENDING_HOURS"] = settings_hours
    study_id = invited(days_ago=8)
    with app.app_context():
        assert current_policy().within_sending_hours(moment) is (status != "sent")
    start, end = saved_hours.split("-")
    save(app, make_staff("coordinator"), "7,14", start, end)
    assert run(app, moment) == [(study_id, 1, status)]
    assert len(reminders_of(app)) == (1 if status == "sent" else 0)


def test_the_preview_uses_the_saved_schedule(app, client, staff_login, invited):
    from survey.timeutil import now_utc

    # The preview looks at the real clock, the fixtures at NOW: shift by the difference.
    study_id = invited(days_ago=(NOW - now_utc()).days + 4)
    staff_login.as_role("coordinator")
    assert f">{study_id}</a>" not in client.get("/staff/dashboard/reminders").get_data(
        as_text=True)
    post_schedule(client, days="3", start_hour="0", end_hour="24")
    preview = client.get("/staff/dashboard/reminders").get_data(as_text=True)
    assert f">{study_id}</a>" in preview
    assert f'<a href="{PAGE}">Ret planen for påmindelser</a>' in preview


# --- checking what was typed --------------------------------------------------------------


@pytest.mark.parametrize("days, start, end, expected", [
    ("7,14", "9", "18", ((7, 14), 9, 18)),
    (" 3 , 10 ", " 8", "20 ", ((3, 10), 8, 20)),
    ("07", 0, 24, ((7,), 0, 24)),
    ("1,2,3,4,59", "9", "10", ((1, 2, 3, 4, 59), 9, 10)),
])
def test_good_schedules(app_ctx, days, start, end, expected):
    schedule = parse_schedule(days, start, end)
    assert tuple(schedule) == expected
    assert schedule.days_text == ",".join(str(d) for d in expected[0])


#: typed fields -> {field: (English message, Danish message)}
BAD_INPUT = [
    ({"days": "14,7"}, {"days": (
        "Write the days in increasing order, each later than the one before, e.g. 7,14.",
        "Skriv dagene i stigende rækkefølge, så hver dag kommer efter den forrige, fx 7,14.")}),
    ({"days": "7,7"}, {"days": (
        "Write the days in increasing order, each later than the one before, e.g. 7,14.",
        "Skriv dagene i stigende rækkefølge, så hver dag kommer efter den forrige, fx 7,14.")}),
    ({"days": "abc"}, {"days": ("Write whole days separated by commas, e.g. 7,14.",
                                "Skriv hele dage adskilt af komma, fx 7,14.")}),
    ({"days": "7;14"}, {"days": ("Write whole days separated by commas, e.g. 7,14.",
                                 "Skriv hele dage adskilt af komma, fx 7,14.")}),
    ({"days": "0,7"}, {"days": ("Each day must be 1 or more.",
                                "Hver dag skal være 1 eller mere.")}),
    ({"days": " , "}, {"days": ("Give at least one day, e.g. 7,14.",
                                "Skriv mindst én dag, fx 7,14.")}),
    ({"days": "1,2,3,4,5,6"}, {"days": ("Give at most 5 reminders.",
                                        "Der kan højst være 5 påmindelser.")}),
    ({"days": "7,60"}, {"days": (
        "A link works for 60 days, so every reminder must come before day 60.",
        "Et link virker i 60 dage, så hver påmindelse skal komme før dag 60.")}),
    ({"start_hour": "18", "end_hour": "9"}, {"end_hour": (
        "Sending must end later than it begins, e.g. from 9 to 18.",
        "Udsendelsen skal slutte senere, end den begynder, fx fra 9 til 18.")}),
    ({"start_hour": "9", "end_hour": "9"}, {"end_hour": (
        "Sending must end later than it begins, e.g. from 9 to 18.",
        "Udsendelsen skal slutte senere, end den begynder, fx fra 9 til 18.")}),
    ({"start_hour": "nine", "end_hour": "25"}, {
        "start_hour": ("Write a whole hour from 0 to 23.", "Skriv et helt timetal fra 0 til 23."),
        "end_hour": ("Write a whole hour from 1 to 24.", "Skriv et helt timetal fra 1 til 24.")}),
    ({"start_hour": "9.30"}, {"start_hour": ("Write a whole hour from 0 to 23.",
                                             "Skriv et helt timetal fra 0 til 23.")}),
    ({"days": "14,7", "reason": " "}, {
        "days": ("Write the days in increasing order, each later than the one before, e.g. 7,14.",
                 "Skriv dagene i stigende rækkefølge, så hver dag kommer efter den forrige, "
                 "fx 7,14."),
        "reason": ("Give a reason.", "Skriv en begrundelse.")}),
]


@pytest.mark.parametrize("language", ["en", "da"])
@pytest.mark.parametrize("typed, errors", BAD_INPUT)
def test_bad_input_is_refused_next_to_its_field_keeping_what_was_typed(
        app, client, staff_login, typed, errors, language):
    staff_login.as_role("coordinator")
    client.get(f"/staff/language/{language}")
    typed = {"days": "3,10", "start_hour": "8", "end_hour": "20", "reason": "Amendment",
             **typed}
    response = post_schedule(client, **typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    shown = {name: field_error(page, name)
             for name in ("days", "start_hour", "end_hour", "reason")}
    which = 0 if language == "en" else 1
    assert shown == {name: errors[name][which] if name in errors else None for name in shown}
    for name in ("days", "start_hour", "end_hour"):
        assert input_value(page, name) == typed[name]
    assert re.search(r'<textarea[^>]*name="reason"[^>]*>\s*' + re.escape(typed["reason"].strip()),
                     page)
    with app.app_context():
        assert db.session.get(ReminderSchedule, 1) is None
    assert schedule_trail(app) == []


def test_the_service_refuses_bad_input_too(app, make_staff):
    email = make_staff("coordinator")
    with pytest.raises(ScheduleError) as refused:
        save(app, email, "14,7", 18, 9)
    assert set(refused.value.errors) == {"days", "end_hour"}
    with pytest.raises(ScheduleError) as refused:
        save(app, email, "7,14", 9, 18, reason="   ")
    assert set(refused.value.errors) == {"reason"}
    assert schedule_trail(app) == []


# --- the audit trail ------------------------------------------------------------------------


def test_every_change_is_audited_with_old_and_new_value_and_the_reason(app, make_staff):
    kim, lone = make_staff("coordinator"), make_staff("admin")
    save(app, kim, "3,10", 8, 20, reason="Protocol amendment 3")
    save(app, lone, "3,10,21", 8, 20, reason="Too few answers")
    assert save(app, lone, "3,10,21", 8, 20, reason="Same again") == []  # nothing changed

    kim_actor, lone_actor = f"staff:{staff_id(app, kim)}", f"staff:{staff_id(app, lone)}"
    assert schedule_trail(app) == [
        (kim_actor, "reminder_days", "7,14", "3,10", "Protocol amendment 3"),
        (kim_actor, "sending_hours", "9-18", "8-20", "Protocol amendment 3"),
        (lone_actor, "reminder_days", "3,10", "3,10,21", "Too few answers"),
    ]
    with app.app_context():
        saved = db.session.get(ReminderSchedule, 1)
        assert (saved.days, saved.start_hour, saved.end_hour) == ("3,10,21", 8, 20)
        assert saved.changed_by.email == lone
        assert db.session.execute(db.select(db.func.count(ReminderSchedule.id))).scalar() == 1
        assert verify_chain()[1] is None


def test_saving_through_the_page_is_audited(app, client, staff_login):
    email = staff_login.as_role("coordinator")
    client.get("/staff/language/en")
    response = post_schedule(client, days="5", start_hour="10", end_hour="17",
                             reason="Steering committee, 27 November")
    assert response.status_code == 302
    page = client.get(PAGE).get_data(as_text=True)
    assert "The reminder schedule is saved." in page
    assert schedule_trail(app) == [
        (f"staff:{staff_id(app, email)}", "reminder_days", "7,14", "5",
         "Steering committee, 27 November"),
        (f"staff:{staff_id(app, email)}", "sending_hours", "9-18", "10-17",
         "Steering committee, 27 November")]
    # The changes are listed on the page, with who made them.
    assert page.count("Steering committee, 27 November") == 2 and email in page


# --- the page -------------------------------------------------------------------------------


def test_data_entry_staff_may_neither_see_nor_change_the_schedule(app, client, staff_login):
    staff_login.as_role("data_entry")
    assert client.get(PAGE).status_code == 403
    token = staff_login.csrf_token("/staff/")
    response = client.post(PAGE, data={"csrf_token": token, "days": "3", "start_hour": "9",
                                       "end_hour": "18", "reason": "Let me"})
    assert response.status_code == 403
    assert schedule_trail(app) == []
    assert 'href="/staff/reminders/schedule"' not in client.get("/staff/").get_data(as_text=True)


def test_the_page_shows_the_defaults_from_the_settings_until_one_is_saved(app, client,
                                                                          staff_login):
    app.config.update({"SURVEY_REMINDER_DAYS": "5,12", "SURVEY_SENDING_HOURS": "8-17"})
    email = staff_login.as_role("coordinator")
    client.get("/staff/language/en")
    page = client.get(PAGE).get_data(as_text=True)
    assert "these are the defaults from the system's settings" in page
    assert "Reminder 1 is sent 5 days after the invitation." in page
    assert "Reminder 2 is sent 12 days after the invitation." in page
    assert "only sent between 8.00 and 17.00, Danish time" in page
    assert [input_value(page, n) for n in ("days", "start_hour", "end_hour")] == [
        "5,12", "8", "17"]
    assert 'href="/staff/dashboard/reminders"' in page

    post_schedule(client, days="1", start_hour="9", end_hour="18")
    page = client.get(PAGE).get_data(as_text=True)
    assert "defaults from the system's settings" not in page
    assert re.search(rf"Saved on [^<]+ by {re.escape(email)}\.", page)
    assert "Reminder 1 is sent 1 day after the invitation." in page
    assert "Reminder 2" not in page


def test_the_page_in_danish(app, client, staff_login):
    staff_login.as_role("coordinator")
    page = client.get(PAGE).get_data(as_text=True)
    assert "Påmindelse 1 sendes 7 dage efter invitationen." in page
    assert "Påmindelse 2 sendes 14 dage efter invitationen." in page
    assert "kun mellem kl. 9.00 og 18.00, dansk tid" in page
    assert "standardindstillingerne" in page


def test_a_coordinator_finds_the_page_from_the_menu_and_the_follow_up_page(client, staff_login):
    staff_login.as_role("coordinator")
    client.get("/staff/language/en")
    for path, text in (("/staff/", "Reminder schedule"), ("/staff/dashboard/", "Reminder schedule"),
                       ("/staff/dashboard/reminders", "Change the reminder schedule")):
        page = client.get(path).get_data(as_text=True)
        assert re.search(rf'<a href="{PAGE}">{text}</a>', page), path
    assert client.get(PAGE).status_code == 200
