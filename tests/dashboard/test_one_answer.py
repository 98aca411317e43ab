"""The follow-up page, the reminder preview, the reminder run, the actions and the command
line give one answer to "where is this participant?" (survey/participants/state.py)."""
from datetime import UTC, datetime, timedelta

import pytest

from survey.dashboard.counts import current_counts
from survey.dashboard.queries import page_rows
from survey.dashboard.reminders import next_reminders
from survey.extensions import db
from survey.messaging.models import OutboundMessage
from survey.messaging.services import send_invitation
from survey.paper.models import PaperForm
from survey.participants.services import get_participant
from survey.reminders.services import send_due_reminders
from survey.responses.models import Response

from ..test_cli import invoke

DAY = timedelta(days=1)
#: A Tuesday, 22.00 in Copenhagen (winter time): outside the sending hours 9-18.
EVENING = datetime(2026, 12, 1, 21, 0, tzinfo=UTC)


@pytest.fixture
def answered_on_paper(app, make_participant):
    """P700: invited by e-mail 8 days ago, then both paper forms keyed in and verified,
    with nobody recording the paper as received."""
    study_id = make_participant("P700", email="p700@example.dk")
    with app.app_context():
        participant = get_participant(study_id)
        send_invitation(participant, "email", now=EVENING - 8 * DAY)
        for code in ("xq", "vas"):
            response = Response(participant=participant, instrument_code=code,
                                instrument_version="1.0", mode="paper", language="da",
                                status="submitted", submitted_at=EVENING - DAY)
            db.session.add(PaperForm(participant=participant, instrument_code=code,
                                     instrument_version="1.0", verification="double_entry",
                                     status="verified", response=response))
        db.session.commit()
    return study_id


def test_an_answer_on_verified_paper_counts_everywhere(app, client, coordinator, runner,
                                                       answered_on_paper):
    page = client.get(f"/staff/dashboard/participants/{answered_on_paper}").get_data(
        as_text=True)
    assert "/invite" not in page and "Send the invitation" not in page
    assert "/new-link" not in page
    refused = client.get(f"/staff/dashboard/participants/{answered_on_paper}/invite")
    assert refused.status_code == 302
    with app.app_context():
        assert current_counts().by_state["submitted_paper"] == 1
        assert current_counts().answered == 1
        assert send_due_reminders(EVENING.replace(hour=10)) == []
        rows = page_rows([get_participant(answered_on_paper).id])
        assert rows[0].answer_mode == "paper"
        assert next_reminders(rows, EVENING) == {}
    result = invoke(runner, "invitations", "send", "--channel", "sms", answered_on_paper)
    assert result.exit_code == 1 and "has already answered" in result.output
    result = invoke(runner, "invitations", "create", answered_on_paper)
    assert result.exit_code == 1 and "has already answered" in result.output


def test_at_22_the_preview_and_the_dry_run_say_what_the_run_does(
        app, client, coordinator, runner, make_participant, monkeypatch):
    app.config["SURVEY_SENDING_HOURS"] = "9-18"
    make_participant("P701", email="p701@example.dk")
    with app.app_context():
        send_invitation(get_participant("P701"), "email", now=EVENING - 8 * DAY)
    monkeypatch.setattr("survey.dashboard.views.now_utc", lambda: EVENING)
    preview = client.get("/staff/dashboard/reminders").get_data(as_text=True)
    assert "nothing is sent now" in preview
    assert "would get one" not in preview
    assert "02/12/2026, 09:00" in preview  # the next sending time, in Copenhagen time
    follow_up = client.get("/staff/dashboard/participants/P701").get_data(as_text=True)
    assert "Next reminder</dt><dd>02/12/2026, 09:00" in follow_up
    at = EVENING.isoformat()
    dry = invoke(runner, "reminders", "send", "--dry-run", "--now", at).output.splitlines()
    real = invoke(runner, "reminders", "send", "--now", at).output.splitlines()
    expected = "P701\treminder 1\temail\treminder\toutside sending hours: not before " \
               "2026-12-02 09:00"
    assert dry[0] == real[0] == expected
    with app.app_context():
        assert db.session.execute(db.select(OutboundMessage).where(
            OutboundMessage.purpose == "reminder")).first() is None


def test_after_a_late_reminder_preview_and_run_keep_the_same_spacing(app, make_participant):
    # Invited 20 days ago; reminder 1 (due on day 7) went out late, on day 16 (4 days ago).
    # Reminder 2 is due 14 days after the invitation (6 days ago) by the days alone, but
    # keeps the schedule's 7-day spacing: 3 days from now.
    now = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    make_participant("P702", email="p702@example.dk")
    with app.app_context():
        participant = get_participant("P702")
        message = send_invitation(participant, "email", now=now - 20 * DAY)
        late = now - 4 * DAY
        db.session.add(OutboundMessage(
            participant=participant, invitation=message.invitation, purpose="reminder",
            reminder_number=1, channel="email", template="reminder", status="sent",
            attempts=1, created_at=late, sent_at=late))
        db.session.commit()
        rows = page_rows([participant.id], now)
        shown = next_reminders(rows, now)[participant.id]
        assert shown == late + 7 * DAY
        assert send_due_reminders(now) == []
        assert send_due_reminders(shown - timedelta(minutes=1)) == []
        outcomes = send_due_reminders(shown)
        assert [(o.candidate.reminder_number, o.status) for o in outcomes] == [(2, "sent")]
