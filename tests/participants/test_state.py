"""The participant-state rules (survey/participants/state.py): each rule on its own, and
the Python and SQL forms agreeing over a table of participant situations."""
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest

from survey.dashboard.models import ParticipantState
from survey.dashboard.summary import refresh_participant_states
from survey.extensions import db
from survey.invitations.models import Invitation
from survey.paper.models import PaperForm
from survey.participants import state
from survey.participants.models import Participant
from survey.participants.services import add_participant
from survey.responses.models import Response
from survey.schedule.policy import ReminderPolicy

from ..conftest import BOTH_DATABASES

#: A Tuesday, 10.00 in Copenhagen (winter time).
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
LATER = NOW + 30 * DAY
AGO = NOW - DAY


def link(mode="web", completed=False, revoked=False, expired=False, opened=False,
         active=False):
    return SimpleNamespace(
        mode=mode, completed_at=AGO if completed else None, revoked_at=AGO if revoked else None,
        expires_at=AGO if expired else LATER, opened_at=AGO if opened or active else None,
        last_activity_at=AGO if active else None)


def person(status="active", received=False, opted_out=False, channel="email", email="a@b.dk",
           phone=None, links=(), forms=()):
    return SimpleNamespace(
        status=status, paper_received_on=date(2026, 11, 30) if received else None,
        opted_out_at=AGO if opted_out else None, channel=channel, email=email, phone=phone,
        invitations=list(links), paper_forms=[SimpleNamespace(status=s) for s in forms])


#: name: (participant, state, answered, invitable, remindable)
SITUATIONS = {
    "new": (person(), "not_invited", False, True, False),
    "only a revoked link": (person(links=[link(revoked=True)]), "not_invited", False, True,
                            False),
    "invited": (person(links=[link()]), "invited", False, False, True),
    "opened": (person(links=[link(opened=True)]), "opened", False, False, True),
    "half-way": (person(links=[link(active=True)]), "in_progress", False, False, True),
    "link expired": (person(links=[link(expired=True)]), "expired", False, True, False),
    "answered on the web": (person(links=[link(completed=True)]), "submitted_web", True,
                            False, False),
    "answered at the clinic, web link open": (
        person(links=[link(), link(mode="clinic", completed=True)]), "submitted_clinic", True,
        False, False),
    "clinic session open, not started": (person(links=[link(mode="clinic")]), "not_invited",
                                         False, True, False),
    "verified paper, not recorded as received": (
        person(links=[link()], forms=["verified", "verified"]), "submitted_paper", True,
        False, False),
    "verified paper, no link": (person(forms=["verified"]), "submitted_paper", True, False,
                                False),
    "paper keyed in once": (person(links=[link()], forms=["awaiting_second_entry"]),
                            "paper_received", False, False, False),
    "paper recorded as received": (person(links=[link()], received=True), "paper_received",
                                   False, False, False),
    "withdrawn, link open": (person(status="withdrawn", links=[link()]), "withdrawn", False,
                             False, False),
    "deceased": (person(status="deceased"), "deceased", False, False, False),
    "answered, then withdrew": (person(status="withdrawn", links=[link(completed=True)]),
                                "submitted_web", True, False, False),
    "opted out of reminders": (person(opted_out=True, links=[link()]), "invited", False, False,
                               False),
    "sms without a phone number": (person(channel="sms", links=[link()]), "invited", False,
                                   False, False),
    "sms with a phone number": (person(channel="sms", phone="+4520304050", links=[link()]),
                                "invited", False, False, True),
    "letter, no e-mail or phone": (person(channel="letter", email=None, links=[link()]),
                                   "invited", False, False, True),
}


@pytest.mark.parametrize("name", SITUATIONS)
def test_each_situation_has_one_state_and_its_consequences(name):
    participant, expected, answered, invitable, remindable = SITUATIONS[name]
    assert state.participant_state(participant, NOW) == expected
    assert state.has_answered(participant) is answered
    assert (state.participant_state(participant, NOW) in state.ANSWERED) is answered
    assert state.is_invitable(participant, NOW) is invitable
    assert state.is_remindable(participant, NOW) is remindable


@pytest.mark.parametrize("name, new_link, paper_back, open_links", [
    ("new", True, False, 0), ("invited", True, False, 1), ("link expired", True, False, 0),
    ("answered on the web", False, False, 0), ("verified paper, no link", False, True, 0),
    ("paper keyed in once", True, True, 1), ("paper recorded as received", True, True, 1),
    ("withdrawn, link open", False, False, 1), ("deceased", False, False, 0),
    ("clinic session open, not started", True, False, 0), ("only a revoked link", True, False, 0),
])
def test_new_link_paper_back_and_open_links(name, new_link, paper_back, open_links):
    participant = SITUATIONS[name][0]
    assert state.may_get_new_link(participant) is new_link
    assert state.paper_is_back(participant) is paper_back
    assert len(state.open_web_links(participant, NOW)) == open_links


@pytest.mark.parametrize("email, phone, expected", [
    ("a@b.dk", "+4520304050", "email"), ("a@b.dk", None, "email"), (None, "+4520304050", "sms"),
    (None, None, "letter"), ("", "", "letter")])
def test_default_channel(email, phone, expected):
    assert state.default_channel(email, phone) == expected


@pytest.mark.parametrize("channel, email, phone, expected", [
    ("email", "a@b.dk", None, True), ("email", None, "+4520304050", False),
    ("sms", None, "+4520304050", True), ("sms", "a@b.dk", None, False),
    ("letter", None, None, True)])
def test_has_address(channel, email, phone, expected):
    assert state.has_address(person(channel=channel, email=email, phone=phone)) is expected


POLICY = ReminderPolicy(days=(7, 14), start_hour=9, end_hour=18, timezone="Europe/Copenhagen")
INVITED = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)  # 11.00 in Copenhagen


def cph(day, hour, minute=0):
    """That local Copenhagen time in November 2026 (winter time, UTC+1), in UTC."""
    return datetime(2026, 11, day, hour - 1, minute, tzinfo=UTC)


@pytest.mark.parametrize("so_far, last_at, now, expected", [
    # reminder 1 is due 7 days after the invitation, at the same time of day
    (0, None, cph(2, 12), cph(8, 11)),
    (0, None, cph(8, 11), cph(8, 11)),
    # seen after it became due: it goes out now, if now is inside the sending hours...
    (0, None, cph(9, 12), cph(9, 12)),
    # ... or when they next begin (22.00: the next morning at 9.00; 7.00: at 9.00)
    (0, None, cph(9, 22), cph(10, 9)),
    (0, None, cph(10, 7), cph(10, 9)),
    # reminder 2: 14 days after the invitation...
    (1, cph(8, 11), cph(9, 12), cph(15, 11)),
    # ... but after a late reminder 1 (on day 12), 7 days after that one
    (1, cph(12, 10), cph(13, 12), cph(19, 10)),
    # both reminders sent: no more
    (2, cph(15, 11), cph(16, 12), None),
])
def test_next_reminder_keeps_the_spacing_and_the_sending_hours(so_far, last_at, now, expected):
    expires = INVITED + 60 * DAY
    assert state.next_reminder_at(POLICY, INVITED, so_far, last_at, expires, now) == expected
    # The run at `now` sends it exactly when it is due by the schedule and now is a sending hour.
    due = state.scheduled_reminder_at(POLICY, INVITED, so_far, last_at, expires)
    sends = due is not None and due <= now and POLICY.within_sending_hours(now)
    assert sends is (expected == now)


def test_a_reminder_due_in_the_evening_goes_out_the_next_morning():
    evening = cph(1, 20)
    expires = evening + 60 * DAY
    assert state.next_reminder_at(POLICY, evening, 0, None, expires, cph(2, 12)) == cph(9, 9)


def test_no_reminder_after_the_link_expires():
    expires = cph(8, 10)  # before reminder 1 at 11.00
    assert state.next_reminder_at(POLICY, INVITED, 0, None, expires, cph(2, 12)) is None
    evening_expiry = cph(8, 20)
    late = INVITED.replace(hour=16)  # due at 17.00 local on day 8: still before expiry
    assert state.next_reminder_at(POLICY, late, 0, None, evening_expiry, cph(2, 12)) == (
        cph(8, 17))
    night_due = INVITED.replace(hour=19)  # due 20.00, next sending time 9.00 on day 9
    assert state.next_reminder_at(POLICY, night_due, 0, None, evening_expiry + DAY / 2,
                                  cph(2, 12)) is None


def test_sending_hours_follow_danish_summer_time():
    summer = ReminderPolicy(days=(7,), start_hour=9, end_hour=18, timezone="Europe/Copenhagen")
    saturday_night = datetime(2026, 3, 28, 22, 0, tzinfo=UTC)  # 23.00 winter time
    assert summer.next_sending_time(saturday_night) == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)


# --- the SQL forms agree with the Python forms -------------------------------------------------


def _store(study_id, situation):
    """Store a SITUATIONS participant in the database; returns the Participant."""
    spec = situation[0]
    participant = add_participant(study_id, "da", email=spec.email, phone=spec.phone)
    participant.channel, participant.status = spec.channel, spec.status
    participant.paper_received_on, participant.opted_out_at = (spec.paper_received_on,
                                                                spec.opted_out_at)
    if spec.status != "active":
        participant.status_date = date(2026, 11, 30)
    for n, row in enumerate(spec.invitations):
        db.session.add(Invitation(
            participant=participant, key=f"{study_id}-{n}", instrument_codes="xq,vas",
            language="da", mode=row.mode, created_at=NOW - 40 * DAY,
            expires_at=row.expires_at, opened_at=row.opened_at,
            last_activity_at=row.last_activity_at, completed_at=row.completed_at,
            revoked_at=row.revoked_at))
    for code, form in zip(("xq", "vas"), spec.paper_forms, strict=False):
        verified = form.status == "verified"
        response = Response(participant=participant, instrument_code=code,
                            instrument_version="1.0", mode="paper", language="da",
                            status="submitted", submitted_at=AGO) if verified else None
        db.session.add(PaperForm(participant=participant, instrument_code=code,
                                 instrument_version="1.0", verification="double_entry",
                                 status=form.status, response=response))
    db.session.flush()
    return participant


@BOTH_DATABASES
def test_the_sql_rules_agree_with_the_python_rules(app):
    with app.app_context():
        stored = {name: _store(f"S{n:02d}", SITUATIONS[name])
                  for n, name in enumerate(SITUATIONS)}
        db.session.commit()
        db.session.expire_all()
        refresh_participant_states(NOW)

        sql_rank = dict(db.session.execute(
            db.select(Participant.id, state.state_rank_sql(NOW))).all())
        kept_rank = dict(db.session.execute(
            db.select(ParticipantState.participant_id, ParticipantState.state_rank)).all())
        remindable = set(db.session.execute(
            db.select(Participant.id).join(Invitation, Invitation.participant_id == Participant.id)
            .where(*state.may_be_sent_reminder_sql(NOW))).scalars())
        for name, participant in stored.items():
            python_state = state.participant_state(participant, NOW)
            assert python_state == SITUATIONS[name][1], name
            assert state.STATE_OF_RANK[sql_rank[participant.id]] == python_state, name
            assert state.STATE_OF_RANK[kept_rank[participant.id]] == python_state, name
            assert (participant.id in remindable) is state.is_remindable(participant, NOW), name
