"""A link works until 23.59 Copenhagen time on the date every message names."""
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale

from survey.dashboard.summary import refresh_participant_states
from survey.extensions import db
from survey.invitations import services
from survey.invitations.services import create_invitation, invitation_state
from survey.messaging.content import context_for, render_email
from survey.messaging.letters import letter_text
from survey.participants.services import get_participant

from ..conftest import BASE_URL, BOTH_DATABASES

COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def local(*args):
    return datetime(*args, tzinfo=COPENHAGEN)


@pytest.mark.parametrize("made, expires_utc", [
    # winter to winter: made in the evening, works to 23.59 CET (22.59 UTC) on the 60th day
    (local(2026, 11, 29, 20, 0), datetime(2027, 1, 28, 22, 59, 59, 999999, tzinfo=UTC)),
    # across the spring change: made in CET, ends at 23.59 CEST (21.59 UTC)
    (local(2026, 3, 1, 21, 0), datetime(2026, 4, 30, 21, 59, 59, 999999, tzinfo=UTC)),
    # across the autumn change: made in CEST, ends at 23.59 CET
    (local(2026, 9, 15, 10, 0), datetime(2026, 11, 14, 22, 59, 59, 999999, tzinfo=UTC)),
    # made just after midnight local time, still the previous day in UTC: the local day counts
    (local(2026, 1, 10, 0, 30), datetime(2026, 3, 11, 22, 59, 59, 999999, tzinfo=UTC)),
    # made just before midnight local time
    (local(2026, 6, 1, 23, 30), datetime(2026, 7, 31, 21, 59, 59, 999999, tzinfo=UTC)),
])
def test_a_link_ends_at_the_end_of_its_last_local_day(app_ctx, made, expires_utc):
    assert services.end_of_last_day(made.astimezone(UTC), 60) == expires_utc
    assert expires_utc.astimezone(COPENHAGEN).time().isoformat() == "23:59:59.999999"


@pytest.fixture
def made_at(app, make_participant):
    """Factory: made_at(local datetime) -> the link's path, made then (60 days)."""

    def make(when):
        study_id = make_participant()
        with app.app_context():
            _, link = create_invitation(get_participant(study_id), now=when.astimezone(UTC))
            db.session.commit()
        return link.removeprefix(BASE_URL)

    return make


@pytest.fixture
def clock(monkeypatch):
    """clock(local datetime): what the link checks take as now."""

    def set_now(when):
        monkeypatch.setattr(services, "now_utc", lambda: when.astimezone(UTC))

    return set_now


@BOTH_DATABASES
@pytest.mark.parametrize("made, last_evening, next_midnight, shown", [
    (local(2026, 11, 29, 20, 0), local(2027, 1, 28, 21, 30), local(2027, 1, 29, 0, 0),
     "28. januar 2027"),
    # across the spring change: the old rule (same clock time, in UTC) ended at 22.00 CEST
    (local(2026, 3, 1, 21, 0), local(2026, 4, 30, 23, 59), local(2026, 5, 1, 0, 0),
     "30. april 2026"),
])
def test_an_evening_visit_on_the_last_day_still_works(app, client, made_at, clock, made,
                                                      last_evening, next_midnight, shown):
    link = made_at(made)
    clock(last_evening)
    welcome = client.get(link, follow_redirects=True)
    assert welcome.status_code == 200
    assert f"til og med {shown}" in welcome.get_data(as_text=True)
    clock(next_midnight)
    assert client.get("/q/").status_code == 410
    assert client.get(link).status_code == 410


def test_the_state_turns_expired_at_local_midnight(app, make_participant):
    made = local(2026, 3, 28, 12, 0)  # the day before summer time begins
    with app.app_context():
        invitation, _ = create_invitation(get_participant(make_participant()),
                                          now=made.astimezone(UTC))
        assert invitation_state(invitation, local(2026, 5, 27, 23, 59, 59)) == "open"
        assert invitation_state(invitation, local(2026, 5, 28, 0, 0)) == "expired"


def test_every_place_names_the_same_last_day(app, client, made_at, staff_login):
    """E-mail, letter, welcome page and the staff's follow-up page."""
    link = made_at(local(2026, 11, 29, 23, 45))  # 22.45 UTC: the UTC date is the same here
    with app.app_context():
        participant = get_participant("P001")
        invitation = participant.invitations[0]
        with force_locale("da"):
            context = context_for(participant, invitation, "invitation", short_code="X")
            _, email_text, _ = render_email(context)
            letter = letter_text(context)
    assert context.expires_on == "28. januar 2027"
    assert "Linket virker til og med 28. januar 2027." in email_text
    assert letter.validity == "Linket og koden virker til og med 28. januar 2027."
    staff_login.as_role("coordinator")
    with app.app_context():
        refresh_participant_states()
    follow_up = client.get("/staff/dashboard/participants/P001",
                           headers={"Accept-Language": "da"}).get_data(as_text=True)
    assert re.search(r"virker til og med 28\.(0?1\.| jan)", follow_up), follow_up
    client.post("/staff/logout")
    welcome = app.test_client().get(link, follow_redirects=True).get_data(as_text=True)
    assert "til og med 28. januar 2027" in welcome
