"""The participant's whole questionnaire through the test client, in both languages."""
import pytest

from survey.extensions import db
from survey.responses.models import Answer, Response, Score

from ..conftest import BOTH_DATABASES

pytestmark = BOTH_DATABASES

XQ = [3, 5, 0, 10, 7, 8, 2, 4]  # sum 39 -> total 48.75
VAS = [10, 20, 90, 40, 50, 60, 70, 80]  # vas3 reversed -> aligned 10


def stored(app):
    with app.app_context():
        responses = db.session.execute(db.select(Response).order_by(Response.id)).scalars().all()
        return {
            r.instrument_code: {
                "status": r.status, "mode": r.mode, "language": r.language,
                "answers": {a.item_id: (a.value, a.state) for a in r.answers},
                "scores": {s.score_id: (s.value, s.prorated) for s in r.scores},
            }
            for r in responses
        }


@pytest.mark.parametrize("lang, welcome, thanks", [
    ("da", "Velkommen", "Tak for dine svar"),
    ("en", "Welcome", "Thank you for your answers"),
])
def test_complete_questionnaire_in_each_language(app, make_invitation, participant_browser,
                                                  lang, welcome, thanks):
    page = participant_browser.open(make_invitation(lang=lang))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'<html lang="{lang}">' in html and f"<h1>{welcome}</h1>" in html

    participant_browser.answer_all({"xq": XQ, "vas": VAS})
    review = participant_browser.client.get("/q/review").get_data(as_text=True)
    assert review.count('class="missing"') == 0
    done = participant_browser.submit()
    assert done.status_code == 302 and done.location.endswith("/q/done")
    assert thanks in participant_browser.client.get("/q/done").get_data(as_text=True)

    result = stored(app)
    assert result["xq"]["status"] == result["vas"]["status"] == "submitted"
    assert result["xq"]["mode"] == "web" and result["xq"]["language"] == lang
    assert result["xq"]["answers"]["xq4"] == (10, "answered")
    assert result["xq"]["scores"]["total"] == (pytest.approx(48.75), False)
    assert result["xq"]["scores"]["eating"] == (pytest.approx((5 + 0 + 7 + 2) * 2.5), False)
    assert result["vas"]["scores"]["item3_aligned"] == (pytest.approx(10), False)
    assert result["vas"]["scores"]["mean"] == (pytest.approx((10+20+10+40+50+60+70+80) / 8), False)


def test_blank_items_are_recorded_as_not_answered_and_scores_prorated(app, make_invitation,
                                                                      participant_browser):
    participant_browser.open(make_invitation())
    participant_browser.answer_all({"xq": [4, None, 6, None, 8, None, None, None]})
    review = participant_browser.client.get("/q/review").get_data(as_text=True)
    assert review.count('class="missing"') == 5 + 8  # 5 XQ skipped, VAS never reached
    participant_browser.submit()
    result = stored(app)
    assert result["xq"]["answers"]["xq2"] == (None, "not_answered")
    assert result["vas"]["answers"]["vas5"] == (None, "not_answered")
    # 3 of 8 answered: below the half rule, so no total; eating has xq3, xq5 of 4 -> prorated.
    assert result["xq"]["scores"]["total"] == (None, False)
    assert result["xq"]["scores"]["eating"] == (pytest.approx(70), True)
    assert result["vas"]["scores"]["mean"] == (None, False)


def test_unanswered_question_is_pointed_out_once(make_invitation, participant_browser):
    participant_browser.open(make_invitation(lang="da"))
    first = participant_browser.answer("xq", 1, None)
    assert first.status_code == 200
    assert "Du har ikke svaret på spørgsmålet" in first.get_data(as_text=True)
    second = participant_browser.answer("xq", 1, None, confirm_skip="1")
    assert second.status_code == 302 and second.location.endswith("/q/xq/2")


@pytest.mark.parametrize("value, message", [
    ("11", "Vælg et helt tal fra 0 til 10."),
    ("-1", "Vælg et helt tal fra 0 til 10."),
    ("abc", "Vælg et helt tal fra 0 til 10."),
    ("3.5", "Vælg et helt tal fra 0 til 10."),
])
def test_bad_rating_value_is_refused_with_message(app, make_invitation, participant_browser,
                                                   value, message):
    participant_browser.open(make_invitation(lang="da"))
    response = participant_browser.answer("xq", 1, value)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html and 'aria-invalid="true"' in html
    assert stored(app) == {}


def test_bad_vas_value_keeps_what_was_typed(make_invitation, participant_browser):
    participant_browser.open(make_invitation(lang="en"))
    response = participant_browser.answer("vas", 2, "101")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Choose a whole number from 0 to 100." in html
    assert 'value="101"' in html


def test_resume_after_closing_the_browser(app, client, make_invitation, participant_browser):
    link = make_invitation(lang="da")
    participant_browser.open(link)
    participant_browser.answer_all({"xq": [1, 2, 3]})
    client.delete_cookie("survey_session")  # the browser is closed
    welcome = participant_browser.open(link).get_data(as_text=True)
    assert "Velkommen tilbage" in welcome and 'href="/q/xq/4"' in welcome
    page = client.get("/q/xq/2").get_data(as_text=True)
    assert 'value="2" checked' in page


def test_back_keeps_answers_and_review_links_return_to_review(make_invitation,
                                                               participant_browser):
    participant_browser.open(make_invitation())
    participant_browser.answer_all({"xq": [1, 2]})
    back = participant_browser.answer("xq", 3, 9, action="back")
    assert back.location.endswith("/q/xq/2")
    assert 'value="9" checked' in participant_browser.client.get("/q/xq/3").get_data(as_text=True)
    review = participant_browser.client.get("/q/review").get_data(as_text=True)
    assert 'href="/q/xq/2?from=review"' in review
    change = participant_browser.client.post("/q/xq/2?from=review", data={
        "csrf_token": participant_browser.csrf_token(), "value": "7", "action": "next"})
    assert change.location.endswith("/q/review")


def test_language_switch_keeps_answers(make_invitation, participant_browser):
    participant_browser.open(make_invitation(lang="da"))
    participant_browser.answer("xq", 1, 6)
    switched = participant_browser.answer("xq", 2, 4, action="switch_language", lang="en")
    assert switched.location.endswith("/q/xq/2")
    page = participant_browser.client.get("/q/xq/2").get_data(as_text=True)
    assert '<html lang="en">' in page and 'value="4" checked' in page
    assert "How difficult is it for you to chew" in page
    link = participant_browser.client.get("/q/language/da?next=/q/xq/1")
    assert link.location.endswith("/q/xq/1")
    page = participant_browser.client.get("/q/xq/1").get_data(as_text=True)
    assert '<html lang="da">' in page and 'value="6" checked' in page


def test_an_answer_saved_by_switching_language_keeps_the_language_it_was_shown_in(
        app, make_invitation, participant_browser):
    """The switch goes to the other language only after the answer is saved: the answer
    was given to the question as it read in the first one."""
    participant_browser.open(make_invitation(lang="da"))
    participant_browser.answer("xq", 2, 4, action="switch_language", lang="en")
    participant_browser.answer("xq", 3, 5)
    with app.app_context():
        answers = db.session.execute(db.select(Answer).order_by(Answer.item_id)).scalars().all()
        assert [(a.item_id, a.language) for a in answers] == [("xq2", "da"), ("xq3", "en")]


def test_a_switch_whose_answer_could_not_be_saved_keeps_the_language(
        app, make_invitation, participant_browser, monkeypatch):
    """The invitation closed between the page and the press: nothing saved, no switch."""
    from survey.responses import views
    from survey.responses.services import InvitationClosed

    participant_browser.open(make_invitation(lang="da"))

    def closed(invitation, *args, **kwargs):
        raise InvitationClosed(invitation.id)

    monkeypatch.setattr(views, "save_answer", closed)
    refused = participant_browser.answer("xq", 2, 4, action="switch_language", lang="en")
    assert refused.location.endswith("/q/done")
    with participant_browser.client.session_transaction() as session:
        assert session.get("lang") != "en"


def test_language_switch_never_redirects_off_site(make_invitation, participant_browser):
    participant_browser.open(make_invitation())
    for target in ("https://evil.example/q/", "//evil.example/q/", "/elsewhere"):
        response = participant_browser.client.get("/q/language/en", query_string={"next": target})
        assert response.location == "/q/"


def test_answers_rows_are_never_doubled(app, make_invitation, participant_browser):
    participant_browser.open(make_invitation())
    for value in (1, 2, 3):
        participant_browser.answer("xq", 1, value)
    with app.app_context():
        answers = db.session.execute(db.select(Answer)).scalars().all()
        assert [(a.item_id, a.value) for a in answers] == [("xq1", 3)]
        assert db.session.execute(db.select(db.func.count(Score.id))).scalar() == 0


def test_review_links_straight_to_each_unanswered_question(make_invitation, participant_browser):
    participant_browser.open(make_invitation(lang="da"))
    participant_browser.answer_all({"xq": [1, None, 3]})
    review = participant_browser.client.get("/q/review").get_data(as_text=True)
    notice = review[review.index('class="notice"'):review.index("</div>")]
    assert 'href="/q/xq/2?from=review"' in notice and 'href="/q/vas/8?from=review"' in notice
    assert 'href="/q/xq/1?from=review"' not in notice


def test_thank_you_page_has_the_language_switch(make_invitation, participant_browser):
    participant_browser.open(make_invitation(lang="da"))
    participant_browser.submit()
    done = participant_browser.client.get("/q/done").get_data(as_text=True)
    assert 'id="language-switch"' in done
