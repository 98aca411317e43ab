"""The instruments on a phone keep the paper forms' response format (issue 8, section 1).

At 320x640 and 360x640, in Danish and English: the XQ's 11 options share one row with
the anchors over its ends, or one column when a row cannot fit (200 % zoom); a VAS is
a line answered by a tap or by the keyboard, with no number box; and on every question
page the question, every option and Next are on the screen without scrolling.
"""
from itertools import pairwise

import pytest
from playwright.sync_api import expect

from .test_participant_browser import (
    MIN_CELL_WIDTH,
    MIN_TARGET,
    answer_context,
    answer_vas_by_keyboard,
    open_link,
    press_tab_until,
    wait_for_path,
    watch_errors,
)

pytestmark = pytest.mark.browser

NEXT = {"da": "Næste", "en": "Next"}
LOCALES = {"da": "da-DK", "en": "en-GB"}


def phone(new_context, width, lang, **options):
    context = new_context(viewport={"width": width, "height": 640}, has_touch=True,
                          is_mobile=True, device_scale_factor=2, locale=LOCALES[lang], **options)
    return context.new_page()


def boxes(page, selector):
    return [page.locator(selector).nth(i).bounding_box()
            for i in range(page.locator(selector).count())]


def assert_one_row(page):
    cells = boxes(page, ".choice")
    assert len(cells) == 11
    assert {round(c["y"]) for c in cells} == {round(cells[0]["y"])}, cells  # none wrapped
    assert all(a["x"] + a["width"] <= b["x"] for a, b in pairwise(cells)), cells
    for cell in cells:
        assert cell["width"] >= MIN_CELL_WIDTH and cell["height"] >= MIN_TARGET, cell
    low, high = boxes(page, ".anchor-min")[0], boxes(page, ".anchor-max")[0]
    # The anchors sit over the ends of the row: "0 = ..." at 0, "10 = ..." at 10.
    assert abs(low["x"] - cells[0]["x"]) <= 1
    assert abs((high["x"] + high["width"]) - (cells[10]["x"] + cells[10]["width"])) <= 1
    assert low["y"] + low["height"] <= cells[0]["y"] and high["y"] + high["height"] <= cells[0]["y"]


def assert_one_column(page):
    cells = boxes(page, ".choice")
    assert len({round(c["x"]) for c in cells}) == 1, cells  # 0 at the top to 10 at the bottom
    assert all(a["y"] + a["height"] <= b["y"] for a, b in pairwise(cells)), cells
    for cell in cells:
        assert cell["height"] >= MIN_TARGET, cell
    low, high = boxes(page, ".anchor-min")[0], boxes(page, ".anchor-max")[0]
    assert low["y"] + low["height"] <= cells[0]["y"]  # anchor of 0 above it
    assert high["y"] >= cells[10]["y"] + cells[10]["height"]  # anchor of 10 below it


def assert_on_screen(page, *selectors):
    """Everything in `selectors` lies inside the first screen, with nothing scrolled."""
    assert page.evaluate("() => [scrollX, scrollY]") == [0, 0]
    height = page.viewport_size["height"]
    for selector in selectors:
        for box in boxes(page, selector):
            assert box["y"] >= 0 and box["y"] + box["height"] <= height, (selector, box, height)


@pytest.mark.parametrize("lang", ["da", "en"])
@pytest.mark.parametrize("width", [320, 360])
def test_every_question_page_fits_the_phone_screen(live_server, new_context, width, lang):
    """XQ in one row, the VAS a line without a number box, Next on the first screen; all
    16 pages answered by touch alone, and the VAS answers stored as taps."""
    study_id, link = live_server.invite(lang=lang)
    page = phone(new_context, width, lang)
    errors = watch_errors(page)
    open_link(page, link)
    page.goto(live_server.url + "/q/xq/1")
    next_button = page.get_by_role("button", name=NEXT[lang], exact=True)
    for number in range(1, 9):
        wait_for_path(page, f"/q/xq/{number}")
        assert_one_row(page)
        assert_on_screen(page, ".qtext", ".anchor", ".choice", "button[value=next]")
        page.locator(".choice").nth(number).tap()
        next_button.tap()
    for number in range(1, 9):
        wait_for_path(page, f"/q/vas/{number}")
        expect(page.locator("#value")).to_be_hidden()
        expect(page.locator("input[type=number]:visible")).to_have_count(0)
        assert_on_screen(page, ".qtext", ".vas-track", ".vas-ends", "button[value=next]")
        track = page.get_by_role("slider")
        box = track.bounding_box()
        track.tap(position={"x": box["width"] * number / 10, "y": box["height"] / 2})
        expect(track).to_have_attribute("aria-valuenow", str(number * 10))
        next_button.tap()
    wait_for_path(page, "/q/review")
    assert errors == []
    context = answer_context(live_server, study_id)
    assert {context[f"vas{n}"] for n in range(1, 9)} == {(lang, "tap")}
    assert {context[f"xq{n}"] for n in range(1, 9)} == {(lang, None)}


@pytest.mark.parametrize("lang", ["da", "en"])
@pytest.mark.parametrize("width", [320, 360])
def test_xq_is_one_column_at_200_percent_zoom(live_server, new_context, width, lang):
    """Page zoom at 200 % halves the CSS width (a 360 px phone has 180 px); text zoom at
    200 % doubles the text at the same width. Either way one column, never a grid."""
    _, link = live_server.invite(lang=lang)
    zoomed = phone(new_context, width // 2, lang)
    open_link(zoomed, link)
    zoomed.goto(live_server.url + "/q/xq/4")
    assert_one_column(zoomed)
    assert zoomed.evaluate("() => document.documentElement.scrollWidth") <= width // 2

    # The text-zoom setting, as a style on the page (the CSP would refuse it otherwise).
    large_text = phone(new_context, width, lang, bypass_csp=True)
    large_text.context.add_cookies(zoomed.context.cookies())
    large_text.goto(live_server.url + "/q/xq/4")
    assert_one_row(large_text)
    large_text.add_style_tag(content="html{font-size:200%}")
    assert_one_column(large_text)


@pytest.mark.parametrize("lang, words", [
    ("da", "57 ud af 100, tættere på »Meget stort besvær«"),
    ("en", "57 out of 100, closer to “Very difficult”"),
])
def test_vas_answered_by_keyboard_alone(live_server, new_context, lang, words):
    study_id, link = live_server.invite(lang=lang)
    page = phone(new_context, 360, lang)
    open_link(page, link)
    page.goto(live_server.url + "/q/vas/1")
    slider = page.get_by_role("slider")
    expect(slider).to_have_attribute("tabindex", "0")
    expect(slider).to_have_attribute("aria-valuemin", "0")
    expect(slider).to_have_attribute("aria-valuemax", "100")
    expect(page.locator(".vas-marker")).to_be_hidden()  # nothing chosen before a key is pressed
    answer_vas_by_keyboard(page, ["End"])
    expect(slider).to_have_attribute("aria-valuenow", "100")
    answer_vas_by_keyboard(page, ["Home", "PageUp", "PageUp", "ArrowRight"])
    expect(slider).to_have_attribute("aria-valuenow", "21")
    for key in ["PageUp"] * 4 + ["ArrowLeft"] * 3 + ["ArrowUp"] * 2 + ["ArrowDown"] * 3:
        page.keyboard.press(key)  # 21 + 40 - 3 + 2 - 3
    expect(slider).to_have_attribute("aria-valuenow", "57")
    expect(slider).to_have_attribute("aria-valuetext", words)
    expect(page.locator(".vas-marker")).to_be_visible()
    press_tab_until(page, "button[value=next]")
    page.keyboard.press("Enter")
    wait_for_path(page, "/q/vas/2")
    assert live_server.stored(study_id)["vas"]["answers"]["vas1"] == (57, "answered")
    assert answer_context(live_server, study_id)["vas1"] == (lang, "keyboard")


def test_who_answered_survives_a_visit_to_a_question(live_server, new_context):
    study_id, link = live_server.invite(lang="da")
    page = phone(new_context, 360, "da")
    open_link(page, link)
    page.goto(live_server.url + "/q/review")
    page.get_by_label("Jeg fik hjælp til at udfylde det").check()
    page.locator("ol.review a").first.click()
    wait_for_path(page, "/q/xq/1?from=review")
    page.locator(".choice").nth(2).tap()
    page.get_by_role("button", name="Gem og gå tilbage til dine svar").tap()
    wait_for_path(page, "/q/review")
    expect(page.get_by_label("Jeg fik hjælp til at udfylde det")).to_be_checked()
    page.get_by_role("button", name="Send svar").tap()
    wait_for_path(page, "/q/done")
    from survey.extensions import db
    from survey.invitations.models import Invitation
    from survey.participants.services import get_participant

    with live_server.app.app_context():
        participant = get_participant(study_id)
        invitation = db.session.execute(db.select(Invitation).where(
            Invitation.participant_id == participant.id)).scalar_one()
        assert invitation.who_answered == "helped"


def test_english_pages_and_the_zoomed_scale_pass_axe(live_server, new_context, axe_script_path):
    from .test_participant_browser import run_axe

    _, link = live_server.invite(lang="en")
    # axe is injected as an inline script, which the site's CSP (rightly) forbids.
    page = phone(new_context, 320, "en", bypass_csp=True)
    open_link(page, link)
    findings = {}
    page.goto(live_server.url + "/q/xq/1")
    findings["XQ row"] = run_axe(page, axe_script_path)
    page.goto(live_server.url + "/q/vas/1")
    findings["VAS line, nothing chosen"] = run_axe(page, axe_script_path)
    answer_vas_by_keyboard(page, ["PageUp"])
    findings["VAS line, answered"] = run_axe(page, axe_script_path)
    page.get_by_role("button", name="Next", exact=True).tap()
    wait_for_path(page, "/q/vas/2")
    page.goto(live_server.url + "/q/review")
    findings["review with the who-answered question"] = run_axe(page, axe_script_path)
    page.set_viewport_size({"width": 160, "height": 640})
    page.goto(live_server.url + "/q/xq/2")
    assert_one_column(page)
    findings["XQ column"] = run_axe(page, axe_script_path)
    serious = {name: [(v["id"], v["impact"]) for v in violations
                      if v["impact"] in ("serious", "critical")]
               for name, violations in findings.items()}
    assert serious == {name: [] for name in findings}
