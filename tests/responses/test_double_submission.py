"""Nothing submitted is lost or stored twice: double clicks, two tabs, back button, races."""
import threading
from datetime import timedelta

import pytest

from survey.extensions import db
from survey.invitations.models import Invitation
from survey.responses.models import Answer, Response, Score
from survey.responses.services import InvitationClosed, save_answer, submit_invitation

from ..conftest import BOTH_DATABASES, ParticipantBrowser

pytestmark = BOTH_DATABASES

XQ = [1, 2, 3, 4, 5, 6, 7, 8]


def counts(app):
    with app.app_context():
        count = lambda model: db.session.execute(db.select(db.func.count(model.id))).scalar()  # noqa: E731
        return count(Response), count(Answer), count(Score)


def second_tab(app, client):
    """Another test client that carries the same session cookie (another tab, same browser)."""
    other = app.test_client()
    cookie = client.get_cookie("survey_session")
    other.set_cookie("survey_session", cookie.value)
    return ParticipantBrowser(other)


def test_double_click_on_submit_stores_one_response(app, make_invitation, participant_browser):
    participant_browser.open(make_invitation())
    participant_browser.answer_all({"xq": XQ})
    token = participant_browser.csrf_token()
    first = participant_browser.client.post("/q/submit", data={"csrf_token": token})
    second = participant_browser.client.post("/q/submit", data={"csrf_token": token})
    assert first.location.endswith("/q/done") and second.location.endswith("/q/done")
    assert counts(app) == (2, 16, 3 + 9)


def test_back_button_and_resubmit_changes_nothing(app, make_invitation, participant_browser):
    participant_browser.open(make_invitation(lang="en"))
    participant_browser.answer_all({"xq": XQ})
    token = participant_browser.csrf_token("/q/xq/8")
    participant_browser.submit()
    before = counts(app)
    # The browser's back button re-shows the last question; the page redirects instead.
    assert participant_browser.client.get("/q/xq/8").location.endswith("/q/done")
    changed = participant_browser.client.post("/q/xq/8", data={
        "csrf_token": token, "value": "0", "action": "next"})
    assert changed.location.endswith("/q/done")
    resubmit = participant_browser.client.post("/q/submit", data={"csrf_token": token})
    assert resubmit.status_code == 302
    assert counts(app) == before
    with app.app_context():
        answer = db.session.execute(db.select(Answer).where(Answer.item_id == "xq8")).scalar_one()
        assert answer.value == 8
    done = participant_browser.client.get("/q/done").get_data(as_text=True)
    assert "Thank you" in done


def test_second_tab_cannot_change_or_resubmit(app, client, make_invitation, participant_browser):
    participant_browser.open(make_invitation())
    tab2 = second_tab(app, client)
    participant_browser.answer_all({"xq": XQ})
    token2 = tab2.csrf_token("/q/xq/3")
    participant_browser.submit()
    late = tab2.client.post("/q/xq/3", data={"csrf_token": token2, "value": "9", "action": "next"})
    assert late.location.endswith("/q/done")
    assert tab2.client.post("/q/submit", data={"csrf_token": token2}).location.endswith("/q/done")
    assert counts(app) == (2, 16, 12)


def test_reopening_the_link_after_submitting_says_already_answered(app, client, make_invitation,
                                                                   participant_browser):
    link = make_invitation(lang="da")
    participant_browser.open(link)
    participant_browser.submit()
    client.delete_cookie("survey_session")
    page = participant_browser.open(link)
    assert page.status_code == 302 and page.location.endswith("/q/done")
    html = client.get("/q/done").get_data(as_text=True)
    assert "Du har allerede svaret" in html


def test_expired_session_mid_form_keeps_saved_answers_and_does_not_fail(app, client,
                                                                       make_invitation,
                                                                       participant_browser):
    link = make_invitation(lang="da")
    participant_browser.open(link)
    participant_browser.answer_all({"xq": [4, 4]})
    token = participant_browser.csrf_token("/q/xq/3")
    client.delete_cookie("survey_session")  # the session timed out
    response = client.post("/q/xq/3", data={"csrf_token": token, "value": "5", "action": "next"})
    assert response.status_code == 400
    assert "Du har været væk fra spørgeskemaet i et stykke tid" in response.get_data(as_text=True)
    welcome = participant_browser.open(link).get_data(as_text=True)
    assert "Velkommen tilbage" in welcome and 'href="/q/xq/3"' in welcome
    assert counts(app)[1] == 2


def test_missing_csrf_token_is_refused_without_saving(app, make_invitation, participant_browser):
    participant_browser.open(make_invitation())
    response = participant_browser.client.post("/q/xq/1", data={"value": "5", "action": "next"})
    assert response.status_code == 400
    assert counts(app) == (0, 0, 0)


def test_concurrent_submits_store_exactly_one_response(app, make_invitation, participant_browser):
    participant_browser.open(make_invitation())
    participant_browser.answer_all({"xq": XQ})
    with app.app_context():
        invitation_id = db.session.execute(db.select(Invitation.id)).scalar_one()
    results, errors = [], []
    barrier = threading.Barrier(4)

    def submit():
        try:
            barrier.wait()
            with app.app_context():
                invitation = db.session.get(Invitation, invitation_id)
                results.append(submit_invitation(invitation, "da"))
                db.session.commit()
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == [False, False, False, True]
    assert counts(app) == (2, 16, 12)


def test_answer_racing_a_submit_is_either_in_the_response_or_refused(app, make_invitation,
                                                                     participant_browser):
    participant_browser.open(make_invitation())
    participant_browser.answer_all({"xq": XQ[:7]})
    with app.app_context():
        invitation_id = db.session.execute(db.select(Invitation.id)).scalar_one()
    outcome = {}
    barrier = threading.Barrier(2)

    def run(name, action):
        barrier.wait()
        with app.app_context():
            invitation = db.session.get(Invitation, invitation_id)
            try:
                outcome[name] = action(invitation)
                db.session.commit()
            except InvitationClosed:
                db.session.rollback()
                outcome[name] = "closed"

    threads = [
        threading.Thread(target=run, args=("submit", lambda i: submit_invitation(i, "da"))),
        threading.Thread(target=run, args=("save", lambda i: save_answer(i, "xq", "xq8", 9, "da"))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcome["submit"] is True
    with app.app_context():
        xq8 = db.session.execute(db.select(Answer).where(Answer.item_id == "xq8")).scalars().all()
        total = db.session.execute(db.select(Score).where(Score.score_id == "total")).scalar_one()
    assert len(xq8) == 1
    if outcome["save"] == "closed":
        assert xq8[0].state == "not_answered" and total.n_answered == 7
    else:
        assert xq8[0].value == 9 and total.n_answered == 8


def test_concurrent_saves_of_one_invitation_all_land(app, make_invitation, participant_browser):
    """A double click on Next, or two tabs, saving at the same moment: each save waits for
    the other and then reads the invitation as it is (on PostgreSQL the first save's new
    response and answers were invisible to the second, which then failed on the unique
    constraints with a server error)."""
    participant_browser.open(make_invitation())
    with app.app_context():
        invitation_id = db.session.execute(db.select(Invitation.id)).scalar_one()
    errors, barrier = [], threading.Barrier(4, timeout=30)

    def save(item_id, value):
        try:
            barrier.wait()
            with app.app_context():  # each loads the invitation, then saves (as a page does)
                invitation = db.session.get(Invitation, invitation_id)
                invitation.responses  # noqa: B018
                save_answer(invitation, "xq", item_id, value, "da")
                db.session.commit()
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=save, args=args)
               for args in (("xq1", 3), ("xq1", 4), ("xq2", 5), ("xq2", 6))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert counts(app) == (1, 2, 0)
    with app.app_context():
        values = dict(db.session.execute(db.select(Answer.item_id, Answer.value)).all())
    assert values["xq1"] in (3, 4) and values["xq2"] in (5, 6)


def test_an_invitation_object_held_by_the_caller_sees_the_answers_saved_around_it(
        app, make_invitation):
    """save_answer() writes with its own statements; the ORM objects the caller holds (the
    invitation, its responses, answers kept apart) read afresh, so a submit that follows
    in the same session scores the answers as stored."""
    make_invitation()
    with app.app_context():
        invitation = db.session.execute(db.select(Invitation)).scalar_one()
        assert invitation.responses == []
        for number in range(1, 9):
            save_answer(invitation, "xq", f"xq{number}", 2, "da")
        held = list(invitation.responses[0].answers)  # answers held apart from the collection
        assert [a.value for a in held] == [2] * 8
        save_answer(invitation, "xq", "xq1", 10, "da")
        assert [a.value for a in held] == [10] + [2] * 7
        assert [(a.item_id, a.value) for r in invitation.responses for a in r.answers][0] == (
            "xq1", 10)
        assert submit_invitation(invitation, "da")
        db.session.commit()
        answers = {a.item_id: (a.value, a.state) for a in db.session.execute(
            db.select(Answer).join(Response).where(Response.instrument_code == "xq")).scalars()}
        assert answers == {"xq1": (10, "answered"),
                           **{f"xq{n}": (2, "answered") for n in range(2, 9)}}
        scores = {s.score_id: s.value for s in db.session.execute(db.select(Score)).scalars()}
        assert scores["total"] == 30  # (10 + 7 x 2) x 1.25, from the stored answers
        assert {a.state for a in db.session.execute(
            db.select(Answer).join(Response).where(Response.instrument_code == "vas"))
            .scalars()} == {"not_answered"}


def test_a_save_after_the_link_expired_is_refused_at_the_claim(app, make_invitation):
    """The claim itself checks the expiry, so a save that waited for the write lock
    across the moment the link expired stores nothing."""
    make_invitation()
    with app.app_context():
        invitation = db.session.execute(db.select(Invitation)).scalar_one()
        with pytest.raises(InvitationClosed):
            save_answer(invitation, "xq", "xq1", 4, "da", now=invitation.expires_at)
        db.session.rollback()
        save_answer(invitation, "xq", "xq1", 4, "da",
                    now=invitation.expires_at - timedelta(seconds=1))
        db.session.commit()
        assert db.session.execute(db.select(db.func.count(Answer.id))).scalar() == 1
