"""The follow-up dashboard: counts, the list's filters, sorting and pages, reminders, access."""
import re

import pytest

from survey.dashboard.counts import round_counts
from survey.dashboard.models import ParticipantState, ParticipantStateChange
from survey.dashboard.queries import STATE_OF_RANK, Filters, count_matching, page_ids, page_rows
from survey.dashboard.reminders import next_reminders
from survey.dashboard.summary import refresh_participant_states
from survey.extensions import db
from survey.invitations.models import Invitation
from survey.messaging.models import OutboundMessage
from survey.participants.models import Participant
from survey.participants.services import add_participant, get_participant
from survey.timeutil import now_utc

from ..conftest import BOTH_DATABASES
from .conftest import DAY

EXPECTED_COUNTS = {
    "not_invited": 2, "invited": 2, "opened": 1, "in_progress": 1, "expired": 1,
    "paper_received": 1, "submitted_web": 2, "submitted_clinic": 1, "submitted_paper": 1,
    "withdrawn": 1, "deceased": 1,
}


def list_rows(html):
    """[(study ID, {column label: cell text})] of the dashboard's participant list."""
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        cells = re.findall(r'<td data-label="([^"]+)">(.*?)</td>', row, re.S)
        if cells:
            texts = {label: " ".join(re.sub(r"<[^>]+>", " ", text).split())
                     for label, text in cells}
            rows.append((texts["Study ID"], texts))
    return rows


def study_ids(html):
    return [study_id for study_id, _ in list_rows(html)]


def dashboard(client, query=""):
    response = client.get(f"/staff/dashboard/{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


# --- counts and states, on both databases -----------------------------------------------


@BOTH_DATABASES
def test_every_state_is_counted_once(app, round_states):
    with app.app_context():
        counts = round_counts()
    assert counts.by_state == EXPECTED_COUNTS
    assert counts.by_status == {"active": 11, "withdrawn": 2, "deceased": 1}
    assert (counts.total, counts.opted_out, counts.paper_mailed) == (14, 1, 2)
    # Answered: A07, A08, A09, A14; everyone but A11 (died before answering) is eligible.
    assert (counts.answered, counts.eligible) == (4, 13)
    assert counts.response_rate == pytest.approx(4 / 13)
    assert counts.matching(state="submitted_web", status="withdrawn") == 1
    assert counts.matching(status="opted_out") == 1


@BOTH_DATABASES
def test_page_rows_agree_with_the_counts(app, round_states):
    with app.app_context():
        now = now_utc()
        rows = page_rows(page_ids(Filters(), limit=100, now=now), now)
        assert {r.study_id: r.state for r in rows} == round_states
        by_id = {r.study_id: r for r in rows}
        assert [by_id[s].answer_mode for s in ("A07", "A08", "A09", "A06")] == [
            "web", "clinic", "paper", None]
        assert by_id["A02"].last_contact is not None and by_id["A01"].last_contact is None
        for state, n in EXPECTED_COUNTS.items():
            assert len(page_ids(Filters(state=state), limit=100, now=now)) == n, state
            assert count_matching(Filters(state=state, search="A"), now) == n, state


@BOTH_DATABASES
@pytest.mark.parametrize("sort", ["study_id", "language", "status", "state", "last_contact"])
def test_every_sort_lists_everyone_once(app, round_states, sort):
    with app.app_context():
        for descending in (False, True):
            ids = page_ids(Filters(), sort, descending, limit=100, now=now_utc())
            assert len(ids) == len(set(ids)) == len(round_states)


# --- the page ----------------------------------------------------------------------------


def test_the_page_shows_counts_rate_and_definition(client, coordinator, round_states):
    html = dashboard(client)
    assert "Response rate 30.8" in html and "4 of 13 participants" in html
    assert "except those who died before answering" in html
    assert re.search(r'<span class="n">2</span> Answered on the web', html)
    assert re.search(r'<span class="n">1</span> Deceased before answering', html)
    assert re.search(r'<span class="n">1</span> Opted out of reminders', html)
    rows = dict(list_rows(html))
    assert rows["A07"]["How answered"] == "Web" and rows["A09"]["How answered"] == "Paper"
    assert rows["A01"]["How answered"] == "–" and rows["A01"]["Last contact"] == "–"
    assert rows["A13"]["Status"] == "Active no reminders"


@pytest.mark.parametrize(("query", "expected"), [
    ("?state=invited", ["A02", "A13"]),
    ("?state=not_invited", ["A01", "A12"]),
    ("?status=withdrawn", ["A10", "A14"]),
    ("?status=opted_out", ["A13"]),
    ("?q=a0", ["A01", "A02", "A03", "A04", "A05", "A06", "A07", "A08", "A09"]),
    ("?q=1&state=submitted_web", ["A14"]),
    ("?state=submitted_web&sort=state&dir=desc", ["A14", "A07"]),
    ("?state=nonsense&status=nonsense", None),  # unknown values are ignored: everyone
])
def test_filters(client, coordinator, round_states, query, expected):
    assert study_ids(dashboard(client, query)) == (expected or sorted(round_states))


def test_the_list_shows_each_channel_and_filters_by_it(app, client, coordinator, round_states):
    with app.app_context():
        get_participant("A03").phone, get_participant("A03").channel = "+4520304050", "sms"
        get_participant("A05").channel = "letter"
        db.session.commit()
    rows = dict(list_rows(dashboard(client)))
    assert rows["A03"]["Way of contact"] == "SMS" and rows["A05"]["Way of contact"] == "Letter"
    assert rows["A01"]["Way of contact"] == "E-mail"
    assert study_ids(dashboard(client, "?channel=sms")) == ["A03"]
    letters = dashboard(client, "?channel=letter&sort=channel")
    assert study_ids(letters) == ["A05"] and "1 participant<" in letters
    assert study_ids(dashboard(client, "?channel=email&state=opened")) == []
    assert len(study_ids(dashboard(client, "?channel=fax"))) == len(round_states)


def test_sorting(client, coordinator, round_states):
    everyone = sorted(round_states)
    assert study_ids(dashboard(client, "?dir=desc")) == everyone[::-1]
    by_state = study_ids(dashboard(client, "?sort=state"))
    assert by_state[:2] == ["A01", "A12"] and by_state[-2:] == ["A07", "A14"]
    by_contact = study_ids(dashboard(client, "?sort=last_contact&dir=desc"))
    assert by_contact[:3] == ["A07", "A02", "A13"]  # newest first, never contacted last
    assert study_ids(dashboard(client, "?sort=password")) == everyone  # not a column


def test_sort_links_keep_the_filters_and_reverse_the_order(client, coordinator, round_states):
    html = dashboard(client, "?state=invited&sort=study_id")
    assert 'aria-sort="ascending"' in html
    assert 'href="/staff/dashboard/?state=invited&amp;dir=desc"' in html
    assert 'href="/staff/dashboard/?state=invited&amp;sort=last_contact"' in html


def test_pages_of_fifty(app, client, coordinator):
    with app.app_context():
        for n in range(1, 121):
            add_participant(f"B{n:03d}", "da")
        db.session.commit()
    first = dashboard(client)
    assert study_ids(first) == [f"B{n:03d}" for n in range(1, 51)]
    assert "Page 1 of 3" in first and 'rel="next"' in first and 'rel="prev"' not in first
    last = dashboard(client, "?page=3")
    assert study_ids(last) == [f"B{n:03d}" for n in range(101, 121)]
    assert "Page 3 of 3" in last and 'rel="next"' not in last
    assert study_ids(dashboard(client, "?page=0")) == study_ids(first)  # not a page: page 1
    assert study_ids(dashboard(client, "?page=9")) == []


def test_next_reminder_follows_the_policy(app, client, coordinator, round_states):
    with app.app_context():
        now = now_utc()
        rows = {r.study_id: r for r in page_rows(page_ids(Filters(), limit=100, now=now), now)}
        due_by_id = next_reminders(rows.values(), now)
        due = {study_id: due_by_id.get(row.id) for study_id, row in rows.items()}
        a02 = get_participant("A02").invitations[0]
        sent = db.session.execute(db.select(OutboundMessage.sent_at).where(
            OutboundMessage.invitation_id == a02.id)).scalar_one()
        assert due["A02"] == sent + 7 * DAY
        # Never sent (a link given by hand): counted from when it was made.
        a03 = get_participant("A03").invitations[0]
        assert due["A03"] == a03.created_at + 7 * DAY
        # Not reminded: answered, paper back, withdrawn, deceased, opted out, expired, no link.
        assert {s for s, at in due.items() if at is None} == set(round_states) - {
            "A02", "A03", "A04"}
        # After both reminders, none is due.
        for number in (1, 2):
            db.session.add(OutboundMessage(
                participant=a02.participant, invitation=a02, purpose="reminder",
                reminder_number=number, channel="email", template="reminder", status="sent",
                created_at=now, sent_at=now))
        db.session.commit()
        assert next_reminders([rows["A02"]], now) == {}
    html = dashboard(client)
    assert dict(list_rows(html))["A03"]["Next reminder"] != "–"
    assert dict(list_rows(html))["A07"]["Next reminder"] == "–"


def test_a_reminder_after_the_link_expires_is_not_shown(app, round_states):
    with app.app_context():
        invitation = get_participant("A02").invitations[0]
        invitation.expires_at = now_utc() + DAY  # expires before the reminder on day 7
        db.session.commit()
        now = now_utc()
        rows = page_rows([invitation.participant_id], now)
        assert next_reminders(rows, now) == {}


def test_the_page_counts_a_change_at_once(app, client, coordinator, round_states):
    assert re.search(r'<span class="n">2</span> Not invited', dashboard(client))
    with app.app_context():
        db.session.add(Invitation(participant=get_participant("A01"), key="late-link",
                                  instrument_codes="xq,vas", language="da",
                                  created_at=now_utc(), expires_at=now_utc() + DAY))
        db.session.commit()
    assert re.search(r'<span class="n">1</span> Not invited', dashboard(client))


# --- the kept states (survey/dashboard/models.py), on both databases ---------------------


def kept_states():
    return dict(db.session.execute(
        db.select(Participant.study_id, ParticipantState.state_rank)
        .join(ParticipantState, ParticipantState.participant_id == Participant.id)).all())


@BOTH_DATABASES
def test_kept_states_count_the_same_as_working_everyone_out(app, round_states):
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(
            ParticipantStateChange)) > 0  # the triggers noted every insert
        assert refresh_participant_states() == len(round_states)
        assert db.session.scalar(db.select(db.func.count()).select_from(
            ParticipantStateChange)) == 0
        assert {s: STATE_OF_RANK[r] for s, r in kept_states().items()} == round_states
        assert round_counts().by_state == EXPECTED_COUNTS
        assert refresh_participant_states() == 0  # nothing changed since
        for state, n in EXPECTED_COUNTS.items():  # the list filtered by kept states
            assert len(page_ids(Filters(state=state), limit=100)) == n, state
        by_state = page_ids(Filters(), "state", limit=100)
        assert [STATE_OF_RANK[kept_states()[s]] for s in
                db.session.scalars(db.select(Participant.study_id).where(
                    Participant.id.in_(by_state[:1])))] == ["not_invited"]


@BOTH_DATABASES
def test_a_change_made_in_plain_sql_is_counted_before_any_refresh(app, round_states):
    with app.app_context():
        refresh_participant_states()
        a01, a02 = get_participant("A01").id, get_participant("A02").id
        db.session.execute(db.text("UPDATE participant SET status = 'deceased' "
                                   "WHERE id = :id"), {"id": a01})
        db.session.execute(db.text("UPDATE invitation SET revoked_at = created_at "
                                   "WHERE participant_id = :id"), {"id": a02})
        db.session.commit()
        counts = round_counts()
        assert (counts.by_state["not_invited"], counts.by_state["deceased"]) == (2, 2)
        assert counts.by_state["invited"] == 1  # A02's only link is revoked: not invited
        assert refresh_participant_states() == 2
        assert round_counts() == counts


@BOTH_DATABASES
def test_a_link_that_expires_is_counted_as_expired_with_no_row_changing(app, round_states):
    with app.app_context():
        now = now_utc()
        refresh_participant_states(now)
        later = now + 100 * DAY  # every link in the round has expired by then
        counts = round_counts(later)
        assert counts.by_state["invited"] == counts.by_state["opened"] == 0
        assert counts.by_state["in_progress"] == 0
        assert counts.by_state["expired"] == EXPECTED_COUNTS["expired"] + 4
        assert refresh_participant_states(later) > 0  # their kept states had run out
        assert round_counts(later) == counts


@BOTH_DATABASES
def test_every_participant_has_a_kept_state_however_they_were_added(app):
    with app.app_context():
        add_participant("K01", "da")
        db.session.execute(db.text(
            "INSERT INTO participant (study_id, language, status, channel, created_at) "
            "VALUES ('K02', 'en', 'active', 'email', CURRENT_TIMESTAMP)"))
        db.session.commit()
        assert set(kept_states()) == {"K01", "K02"}
        assert round_counts().by_state["not_invited"] == 2


# --- who may see it ----------------------------------------------------------------------


def test_the_menu_shows_follow_up_to_coordinators_only(app, client, staff_login):
    staff_login.as_role("data_entry")
    assert "/staff/dashboard/" not in client.get("/staff/").get_data(as_text=True)
    assert client.get("/staff/dashboard/").status_code == 403
    staff_login.logout()
    staff_login.as_role("coordinator")
    assert "/staff/dashboard/" in client.get("/staff/").get_data(as_text=True)
