"""Reminders go to exactly the right people, exactly once."""
import threading
from datetime import date, timedelta

import pytest

from survey.extensions import db
from survey.invitations.models import Invitation
from survey.participants.models import Participant
from survey.participants.services import get_participant
from survey.reminders.services import due_reminders, send_due_reminders
from survey.timeutil import now_utc

from ..conftest import BOTH_DATABASES
from .conftest import NOW, reminders_of

pytestmark = BOTH_DATABASES


def run(app, now=NOW, dry_run=False):
    with app.app_context():
        return [(o.candidate.study_id, o.candidate.reminder_number, o.status)
                for o in send_due_reminders(now, dry_run=dry_run)]


def change(app, study_id, **values):
    with app.app_context():
        participant = get_participant(study_id)
        for name, value in values.items():
            setattr(participant, name, value)
        db.session.commit()


@pytest.mark.parametrize("days_ago, expected", [(6, []), (7, [1]), (8, [1])])
def test_first_reminder_is_due_seven_days_after_the_invitation(app, invited, days_ago,
                                                                expected):
    study_id = invited(days_ago=days_ago)
    assert [n for _, n, _ in run(app)] == expected
    assert [r[1] for r in reminders_of(app, study_id)] == expected


def test_schedule_of_two_reminders_and_no_more(app, invited):
    invited(days_ago=20)
    assert run(app) == [("P001", 1, "sent")]  # a late run sends the next one, not both
    assert run(app) == []
    assert run(app, NOW + timedelta(days=7)) == [("P001", 2, "sent")]
    assert run(app, NOW + timedelta(days=30)) == []
    assert [r[1] for r in reminders_of(app)] == [1, 2]


def test_running_twice_sends_nothing_twice(app, invited, outboxes):
    for _ in range(3):
        invited()
    assert len(run(app)) == 3
    assert run(app) == []
    assert len(list((outboxes / "mail").glob("*"))) == 3 + 3  # invitations + reminders


def test_a_run_sends_at_most_the_limit_those_invited_first_and_the_next_run_the_rest(
        app, invited):
    app.config["SURVEY_REMINDERS_PER_RUN"] = 2
    newest, oldest, middle = invited(days_ago=8), invited(days_ago=10), invited(days_ago=9)
    later = [(newest, 1, "left for the next run")]
    assert run(app, dry_run=True) == [(oldest, 1, "would send"), (middle, 1, "would send")] \
        + later
    assert run(app) == [(oldest, 1, "sent"), (middle, 1, "sent")] + later
    assert run(app) == [(newest, 1, "sent")]
    assert run(app) == []
    assert [r[0] for r in reminders_of(app)] == sorted([newest, oldest, middle])


def test_outside_sending_hours_nothing_is_sent(app, invited):
    invited()
    night = NOW.replace(hour=23)  # 00.00 in Copenhagen
    assert run(app, night) == [("P001", 1, "outside sending hours: not before 2026-12-02 09:00")]
    assert reminders_of(app) == []


def test_a_dry_run_outside_sending_hours_says_what_the_run_does(app, invited):
    invited()
    evening = NOW.replace(hour=21)  # 22.00 in Copenhagen
    assert run(app, evening, dry_run=True) == run(app, evening) == [
        ("P001", 1, "outside sending hours: not before 2026-12-02 09:00")]
    assert reminders_of(app) == []


def test_dry_run_records_nothing(app, invited):
    invited()
    assert run(app, dry_run=True) == [("P001", 1, "would send")]
    assert reminders_of(app) == []


WRONG_PEOPLE = {
    "withdrawn": {"status": "withdrawn", "status_date": date(2026, 11, 30)},
    "deceased": {"status": "deceased", "status_date": date(2026, 11, 30)},
    "opted out": {"opted_out_at": NOW - timedelta(days=1)},
    "paper received": {"paper_received_on": date(2026, 11, 30)},
    "no e-mail address": {"email": None},
}


@pytest.mark.parametrize("who", WRONG_PEOPLE)
def test_never_to_the_wrong_person(app, invited, who):
    wrong = invited()
    right = invited()
    change(app, wrong, **WRONG_PEOPLE[who])
    assert run(app) == [(right, 1, "sent")]


def test_a_change_one_second_before_the_run_is_respected(app, invited):
    study_id = invited()
    with app.app_context():
        due = due_reminders(NOW)
    assert [c.study_id for c in due] == [study_id]
    change(app, study_id, status="deceased", status_date=date(2026, 12, 1))
    assert run(app) == []
    assert reminders_of(app) == []


@pytest.mark.parametrize("invitation_change", [
    {"revoked_at": NOW - timedelta(hours=1)},
    {"expires_at": NOW - timedelta(seconds=1)},
    {"completed_at": NOW - timedelta(days=1)},
])
def test_no_reminder_for_a_closed_invitation(app, invited, invitation_change):
    invited()
    with app.app_context():
        invitation = db.session.execute(db.select(Invitation)).scalar_one()
        for name, value in invitation_change.items():
            setattr(invitation, name, value)
        db.session.commit()
    assert run(app) == []


def test_no_reminder_after_submitting_on_the_web(app, client, invited, participant_browser):
    from survey.invitations.tokens import link_for_key

    study_id = invited()
    with app.app_context():
        key = get_participant(study_id).invitations[0].key
        link = link_for_key(key).split("example.dk", 1)[1]
    participant_browser.open(link)
    participant_browser.answer_all({"xq": [1, 2]})
    participant_browser.submit()
    assert run(app) == []


def test_no_reminder_once_a_paper_form_is_keyed_in(app, invited):
    from survey.paper.models import PaperForm

    study_id = invited()
    with app.app_context():
        db.session.add(PaperForm(participant=get_participant(study_id), instrument_code="xq",
                                 instrument_version="1.0", verification="double_entry",
                                 status="awaiting_second_entry"))
        db.session.commit()
    assert run(app) == []


def test_someone_who_started_gets_the_started_wording(app, invited, participant_browser):
    from survey.invitations.tokens import link_for_key

    started, not_started = invited(), invited()
    with app.app_context():
        key = get_participant(started).invitations[0].key
        link = link_for_key(key).split("example.dk", 1)[1]
    participant_browser.open(link)
    participant_browser.answer_all({"xq": [3]})
    run(app)
    assert reminders_of(app) == [(started, 1, "reminder_started", "sent"),
                                 (not_started, 1, "reminder", "sent")]


def test_two_runners_at_the_same_time_send_each_reminder_once(app, invited, outboxes):
    study_ids = [invited() for _ in range(12)]
    barrier = threading.Barrier(2)
    results, errors = [], []

    def runner():
        try:
            barrier.wait()
            results.append(run(app))
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=runner) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    sent = sorted(s for result in results for s, _, status in result if status == "sent")
    assert sent == sorted(study_ids)
    assert sorted(r[0] for r in reminders_of(app)) == sorted(study_ids)
    assert len(list((outboxes / "mail").glob("*"))) == 12 + 12


def test_participants_are_checked_again_at_delivery(app, invited):
    """Even a recorded reminder is not sent to someone who died in the meantime."""
    from survey.messaging.services import deliver
    from survey.reminders.services import claim_reminder

    study_id = invited()
    with app.app_context():
        candidate = due_reminders(NOW)[0]
        message = claim_reminder(candidate, NOW)
        participant = db.session.get(Participant, message.participant_id)
        participant.status = "deceased"
        db.session.commit()
        assert deliver(message, now=now_utc()) is False
        db.session.commit()
    assert reminders_of(app, study_id)[0][3] == "failed"


def test_the_coordinator_sees_who_gets_a_reminder_on_the_next_run(app, client, invited,
                                                                  staff_login):
    # The page looks at the real clock, the fixtures at NOW: shift by the difference.
    offset = (NOW - now_utc()).days
    started = invited(days_ago=offset + 10)
    invited(days_ago=offset + 2)  # not due yet
    staff_login.as_role("coordinator")
    page = client.get("/staff/dashboard/reminders").get_data(as_text=True)
    assert f">{started}</a>" in page and "P002" not in page
    assert "Påmindelse 1" in page
    assert reminders_of(app) == []  # a preview sends nothing
    assert "højst" not in page  # one due: no word of the per-run limit
    app.config["SURVEY_REMINDERS_PER_RUN"] = 1
    invited(days_ago=offset + 9)
    page = client.get("/staff/dashboard/reminders").get_data(as_text=True)
    assert "Én kørsel sender højst 1 påmindelse – til den, der blev inviteret tidligst" in page
