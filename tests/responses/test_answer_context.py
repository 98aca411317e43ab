"""What is kept beside each answer: the language it was shown in, how a VAS answer was
given, and who filled in the questionnaire; and the recall period of a definition."""
import csv
import io

import pytest

from survey.extensions import db
from survey.invitations.models import Invitation
from survey.invitations.services import create_invitation
from survey.participants.services import add_participant
from survey.responses.models import Answer, Response

from ..conftest import BASE_URL, BOTH_DATABASES, ParticipantBrowser

pytestmark = BOTH_DATABASES

XQ = [3, 5, 0, 10, 7, 8, 2, 4]
VAS = [10, 20, 90, 40, 50, 60, 70, 80]


def answers(app):
    """{item_id: (value, language, input_method)} of every stored answer."""
    with app.app_context():
        rows = db.session.execute(db.select(Answer)).scalars().all()
        return {a.item_id: (a.value, a.language, a.input_method) for a in rows}


def export_rows(runner):
    result = runner.invoke(args=["responses", "export"])
    assert result.exit_code == 0, result.output
    return {r["instrument"]: r for r in csv.DictReader(io.StringIO(result.stdout))}


def test_each_answer_keeps_the_language_it_was_given_in(app, runner, make_invitation,
                                                        participant_browser):
    participant_browser.open(make_invitation(lang="da"))
    for number in range(1, 5):
        participant_browser.answer("xq", number, XQ[number - 1])
    participant_browser.client.get("/q/language/en?next=/q/xq/5")
    for number in range(5, 9):
        participant_browser.answer("xq", number, XQ[number - 1])
    participant_browser.answer("xq", 2, None, confirm_skip="1")  # changed: left out, in English
    participant_browser.submit()
    stored = answers(app)
    assert [stored[f"xq{n}"][1] for n in range(1, 9)] == ["da", "en", "da", "da"] + ["en"] * 4
    assert stored["xq1"] == (3, "da", None) and stored["xq2"] == (None, "en", None)
    assert stored["vas1"] == (None, None, None)  # never shown: recorded as not answered at submit
    rows = export_rows(runner)
    assert [rows["xq"][f"xq{n}_lang"] for n in range(1, 9)] == [
        "da", "en", "da", "da", "en", "en", "en", "en"]
    assert rows["xq"]["language"] == "en"  # the response's language: the last one used
    assert rows["vas"]["vas1_lang"] == ""


@pytest.mark.parametrize("reported, expected", [
    ("tap", "tap"), ("keyboard", "keyboard"), (None, "typed"), ("typed", "typed"),
    ("mouse", "typed"),  # anything else: the number field, as without JavaScript
])
def test_vas_input_method_is_stored_and_exported(app, runner, make_invitation,
                                                 participant_browser, reported, expected):
    participant_browser.open(make_invitation(lang="en"))
    extra = {} if reported is None else {"input_method": reported}
    participant_browser.answer("vas", 1, 37, **extra)
    participant_browser.answer("vas", 2, None, confirm_skip="1", input_method="tap")
    participant_browser.answer("xq", 1, 4, input_method="tap")  # not a line: no method
    assert answers(app)["vas1"] == (37, "en", expected)
    assert answers(app)["vas2"] == (None, "en", None)
    assert answers(app)["xq1"] == (4, "en", None)
    participant_browser.submit()
    row = export_rows(runner)["vas"]
    assert row["vas1_input"] == expected and row["vas2_input"] == ""
    assert "xq1_input" not in row


def test_unchanged_page_saved_again_keeps_how_the_answer_was_given(app, make_invitation,
                                                                   participant_browser):
    participant_browser.open(make_invitation())
    participant_browser.answer("vas", 3, 55, input_method="keyboard")
    participant_browser.answer("vas", 3, 55)  # Next on the page again, nothing touched
    assert answers(app)["vas3"] == (55, "da", "keyboard")
    participant_browser.answer("vas", 3, 60)  # typed a new number
    assert answers(app)["vas3"] == (60, "da", "typed")


def test_a_coordinator_cannot_correct_a_web_answer_and_its_input_method_stays(
        app, make_invitation, make_staff, participant_browser):
    """Web answers are the participant's (rule changed: staff once could overwrite them)."""
    from survey.responses.corrections import ParticipantsAnswer, correct_answer
    from survey.staff.models import StaffUser

    email = make_staff("coordinator")
    participant_browser.open(make_invitation(lang="en"))
    participant_browser.answer("vas", 1, 37, input_method="tap")
    participant_browser.submit()
    with app.app_context():
        response = db.session.execute(
            db.select(Response).where(Response.instrument_code == "vas")).scalar_one()
        coordinator = db.session.execute(
            db.select(StaffUser).where(StaffUser.email == email)).scalar_one()
        with pytest.raises(ParticipantsAnswer):
            correct_answer(response, "vas1", "answered", 73, coordinator, "mark measured again")
        db.session.rollback()
    assert answers(app)["vas1"] == (37, "en", "tap")


@pytest.mark.parametrize("posted, stored", [
    ("self", "self"), ("helped", "helped"), ("proxy", "proxy"), ("", None), ("nobody", None),
])
def test_who_answered_is_kept_with_the_submit_and_changes_no_score(
        app, runner, make_invitation, participant_browser, posted, stored):
    participant_browser.open(make_invitation(lang="da"))
    participant_browser.answer_all({"xq": XQ, "vas": VAS})
    review = participant_browser.client.get("/q/review").get_data(as_text=True)
    assert "Hvem har udfyldt spørgeskemaet?" in review
    for label in ("Jeg selv", "Jeg fik hjælp til at udfylde det", "En anden svarede for mig"):
        assert label in review
    assert "checked" not in review  # nothing chosen for the participant
    response = participant_browser.client.post("/q/submit", data={
        "csrf_token": participant_browser.csrf_token(), "who_answered": posted})
    assert response.status_code == 302
    with app.app_context():
        invitation = db.session.execute(db.select(Invitation)).scalar_one()
        assert invitation.who_answered == stored
        scores = {(r.instrument_code, s.score_id): s.value
                  for r in db.session.execute(db.select(Response)).scalars() for s in r.scores}
    assert scores["xq", "total"] == pytest.approx(48.75)
    rows = export_rows(runner)
    assert rows["xq"]["who_answered"] == rows["vas"]["who_answered"] == (stored or "")


def test_review_page_draws_a_vas_answer_as_a_line_with_its_mark(make_invitation,
                                                                participant_browser):
    participant_browser.open(make_invitation(lang="da"))
    participant_browser.answer_all({"xq": XQ[:1], "vas": [37, 50, 80]})
    html = participant_browser.client.get("/q/review").get_data(as_text=True)
    assert "Dit svar: 3 (ud af 10)" in html
    assert "(ud af 100)" not in html
    assert html.count('<svg class="vas-mini"') == 3
    assert 'aria-label="Dit svar: 37 ud af 100, tættere på »Intet besvær«"' in html
    assert 'aria-label="Dit svar: 50 ud af 100, midt på linjen"' in html
    assert 'x="37%"' in html  # the mark at 37 of 100


def test_welcome_page_says_questions_may_be_skipped_and_answers_are_not_watched(
        make_invitation, participant_browser):
    html = participant_browser.open(make_invitation(lang="da")).get_data(as_text=True)
    assert "Du kan springe et spørgsmål over, hvis du ikke vil svare på det." in html
    assert ("Dine svar bliver ikke læst med det samme. Har du brug for hjælp, så kontakt din "
            "læge eller tandlæge, som du plejer.") in html
    assert "Der er to korte spørgeskemaer med i alt 16 spørgsmål." in html
    assert '<a class="tel" href="tel:35450000">35 45 00 00</a>' in html
    assert '<p class="study">Opfølgning: mundtørhed</p>' in html
    assert "stamceller" not in html  # the long study name stays off participants' pages


def test_english_pages_use_the_short_name_and_link_the_phone_number(make_invitation,
                                                                   participant_browser):
    html = participant_browser.open(make_invitation(lang="en")).get_data(as_text=True)
    assert '<p class="study">Follow-up: dry mouth</p>' in html
    assert "<title>Welcome – Follow-up: dry mouth</title>" in html
    assert '<a class="tel" href="tel:+4535450000">+45 35 45 00 00</a>' in html
    assert "You can skip a question if you do not want to answer it." in html


# --- the recall period --------------------------------------------------------------------

RECALL = {"da": "Tænk på den seneste uge.", "en": "Think about the past week."}


@pytest.fixture
def recall_app(make_site_app):
    """The app with a site's XQ (version 1.0-site, the current one) that has a recall period."""
    recall = f'recall = {{ da = "{RECALL["da"]}", en = "{RECALL["en"]}" }}\n'
    return make_site_app("xq-1.0.toml", [('version = "1.0"', 'version = "1.0-site"'),
                                         ("instructions = {", recall + "instructions = {")])


@pytest.mark.parametrize("lang", ["da", "en"])
def test_recall_period_is_shown_on_every_item_page_when_defined(recall_app, lang):
    with recall_app.app_context():
        _, link = create_invitation(add_participant("P001", lang))
        db.session.commit()
    browser = ParticipantBrowser(recall_app.test_client())
    browser.open(link.removeprefix(BASE_URL))
    recall = f'<p class="recall">{RECALL[lang]}</p>'
    for number in range(1, 9):
        assert recall in browser.client.get(f"/q/xq/{number}").get_data(as_text=True), number
    for number in range(1, 9):  # the shipped VAS has none
        html = browser.client.get(f"/q/vas/{number}").get_data(as_text=True)
        assert 'class="recall"' not in html, number


def test_shipped_definitions_show_no_recall_period(make_invitation, participant_browser):
    participant_browser.open(make_invitation(lang="da"))
    for code in ("xq", "vas"):
        for number in range(1, 9):
            html = participant_browser.client.get(f"/q/{code}/{number}").get_data(as_text=True)
            assert 'class="recall"' not in html and "seneste uge" not in html, (code, number)
