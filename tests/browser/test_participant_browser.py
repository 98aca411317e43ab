"""The participant's questionnaire in a real headless Chromium, as on a phone.

Taps on the numbers and on the VAS line, keyboard-only answers, no horizontal
scrolling at 320 CSS px, touch targets of at least 44x44 px, an axe-core scan
of every page, and the questionnaire without JavaScript.
"""
import re

import pytest
from playwright.sync_api import expect

from .conftest import PHONE

pytestmark = pytest.mark.browser

XQ = [3, 5, 0, 10, 7, 8, 2, 4]
#: How each VAS item is answered: ("tap", fraction of the line's width) or ("keys", the keys
#: pressed on the line, starting from nothing chosen, and the value they give).
VAS = [("tap", 0.25), ("keys", (["PageUp", "ArrowLeft", "ArrowLeft"], 58)), ("tap", 0.9),
       ("tap", 0.0), ("keys", (["End", "PageDown", "ArrowDown"], 89)), ("tap", 0.5),
       ("keys", (["Home", "ArrowRight", "ArrowUp"], 2)), ("tap", 1.0)]
#: The XQ item answered with the keyboard only (Tab to the group, arrows, Enter).
XQ_BY_KEYBOARD = 5
MIN_TARGET = 44  # CSS px, WCAG 2.5.5 (AAA) and the platforms' guidance for touch
MIN_CELL_WIDTH = 24  # CSS px, WCAG 2.2 target size (2.5.8): the 0-10 cells of one row
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


# ---------------------------------------------------------------- helpers


def watch_errors(page):
    """Collect script errors and console errors (a CSP violation is one)."""
    errors = []
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    page.on("console", lambda msg: errors.append(f"console: {msg.text}")
            if msg.type == "error" else None)
    return errors


def open_link(page, link):
    page.goto(link)
    expect(page).to_have_url(re.compile(r"/q/\?c=1$"))


def wait_for_path(page, path):
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))


def press_tab_until(page, selector, limit=25):
    """Press Tab until the focused element matches `selector`; fail if it never does."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def focused(page, expression="el => el.value"):
    return page.evaluate(f"({expression})(document.activeElement)")


def tap_vas(page, fraction):
    """Tap the VAS line at `fraction` of its width; the value the tap should give."""
    track = page.locator(".vas-track")
    box = track.bounding_box()
    x = min(box["width"] - 0.5, fraction * box["width"])  # stay inside the element
    track.tap(position={"x": x, "y": box["height"] / 2})
    return round(x / box["width"] * 100)


def answer_vas_by_keyboard(page, keys):
    """Tab to the line (a slider) and press `keys` on it: no pointer at all."""
    press_tab_until(page, "[role=slider]")
    for key in keys:
        page.keyboard.press(key)


def answer_context(live_server, study_id):
    """{item_id: (language, input_method)} of the participant's stored answers."""
    from survey.extensions import db
    from survey.participants.services import get_participant
    from survey.responses.models import Answer, Response

    with live_server.app.app_context():
        participant = get_participant(study_id)
        rows = db.session.execute(
            db.select(Answer).join(Response).where(Response.participant_id == participant.id)
        ).scalars().all()
        return {a.item_id: (a.language, a.input_method) for a in rows}


def answer_xq_by_keyboard(page, value):
    """Tab into the radio group, arrow to `value`, Enter to submit: no pointer at all."""
    press_tab_until(page, "input[type=radio][name=value]")
    assert focused(page) == "0"  # nothing chosen yet: Tab lands on the first choice
    page.keyboard.press("Space")  # ...and Space chooses it
    for _ in range(value):
        page.keyboard.press("ArrowRight")
    assert focused(page) == str(value)
    assert focused(page, "el => el.checked")
    page.keyboard.press("Enter")


def set_hidden_value(page, value):
    """Put `value` in the VAS number field that JavaScript hides, as a tampered form would."""
    page.locator("#value").evaluate("(el, v) => { el.value = v; }", value)


def run_axe(page, axe_script_path):
    """Violations of axe-core's WCAG 2.0-2.2 A/AA and best-practice rules on this page."""
    page.add_script_tag(path=axe_script_path)
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})", AXE_TAGS)
    rules_run = {r["id"] for key in ("violations", "passes", "incomplete", "inapplicable")
                 for r in results[key]}
    assert {"color-contrast", "target-size", "label", "region"} <= rules_run
    return results["violations"]


def no_horizontal_scroll(page):
    return page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")


# ------------------------------------------------------------------ tests


def test_complete_danish_questionnaire_on_a_phone(live_server, new_context):
    study_id, link = live_server.invite(lang="da")
    page = new_context(**PHONE).new_page()
    errors = watch_errors(page)

    open_link(page, link)
    expect(page.locator("html")).to_have_attribute("lang", "da")
    expect(page.locator("h1")).to_have_text("Velkommen")
    page.get_by_role("link", name="Start").tap()

    for number, value in enumerate(XQ, start=1):
        wait_for_path(page, f"/q/xq/{number}")
        expect(page.locator(".qno")).to_have_text(f"Spørgsmål {number} af 8")
        if number == XQ_BY_KEYBOARD:
            answer_xq_by_keyboard(page, value)
            continue
        page.locator(f".choice:has(input[value='{value}'])").tap()
        expect(page.locator(f"input[name=value][value='{value}']")).to_be_checked()
        page.get_by_role("button", name="Næste").tap()

    expected_vas = []
    for number, (how, what) in enumerate(VAS, start=1):
        wait_for_path(page, f"/q/vas/{number}")
        marker, field = page.locator(".vas-marker"), page.locator("#value")
        expect(page.get_by_role("slider")).to_be_visible()
        expect(field).to_be_hidden()  # with JavaScript the line is the answer, not a number
        expect(marker).to_be_hidden()  # no answer suggested before the participant gives one
        if how == "tap":
            value = tap_vas(page, what)
            expect(marker).to_be_visible()
            assert abs(int(field.input_value()) - value) <= 1
            value = int(field.input_value())
            page.get_by_role("button", name="Næste").tap()
        else:
            keys, value = what
            answer_vas_by_keyboard(page, keys)
            assert field.input_value() == str(value)
            expect(marker).to_be_visible()
            press_tab_until(page, "button[value=next]")
            page.keyboard.press("Enter" if number % 2 else "Space")
        expected_vas.append(value)

    wait_for_path(page, "/q/review")
    expect(page.locator("h1")).to_have_text("Gennemse dine svar")
    answers = page.locator("ol.review p.answer").all_inner_texts()
    assert answers == [f"Dit svar: {v} (ud af 10)" for v in XQ]
    lines = page.locator("ol.review svg.vas-mini")  # each VAS answer drawn as a line
    assert [label.split(",")[0] for label in lines.evaluate_all(
        "els => els.map(e => e.getAttribute('aria-label'))")] == [
        f"Dit svar: {v} ud af 100" for v in expected_vas]
    expect(page.locator("li.missing")).to_have_count(0)
    page.get_by_role("button", name="Send svar").tap()

    wait_for_path(page, "/q/done")
    expect(page.locator("h1")).to_have_text("Tak for dine svar")
    assert errors == []

    result = live_server.stored(study_id)
    assert result["xq"]["status"] == result["vas"]["status"] == "submitted"
    assert result["xq"]["language"] == "da" and result["xq"]["mode"] == "web"
    assert result["xq"]["answers"] == {
        f"xq{n}": (v, "answered") for n, v in enumerate(XQ, start=1)}
    context = answer_context(live_server, study_id)
    for n, (how, what) in enumerate(VAS, start=1):
        stored_value, state = result["vas"]["answers"][f"vas{n}"]
        assert state == "answered"
        assert stored_value == expected_vas[n - 1]
        if how == "tap":  # the tapped place on the line, within one point
            assert abs(stored_value - round(what * 100)) <= 1, (n, stored_value, what)
        assert context[f"vas{n}"] == ("da", "tap" if how == "tap" else "keyboard"), n
    assert context["xq1"] == ("da", None)
    assert result["xq"]["scores"]["total"] == pytest.approx(sum(XQ) / 8 * 10)
    assert result["vas"]["scores"]["mean"] is not None
    assert all(v is not None for v in result["xq"]["scores"].values())
    assert all(v is not None for v in result["vas"]["scores"].values())


def test_keyboard_only_xq_item_and_back(live_server, new_context):
    study_id, link = live_server.invite(lang="en")
    page = new_context(viewport={"width": 1024, "height": 768}, locale="en-GB").new_page()
    open_link(page, link)
    press_tab_until(page, "a.button.primary")
    page.keyboard.press("Enter")
    wait_for_path(page, "/q/xq/1")
    answer_xq_by_keyboard(page, 6)
    wait_for_path(page, "/q/xq/2")
    press_tab_until(page, "input[type=radio][name=value]")
    page.keyboard.press("ArrowLeft")  # wraps round to the last choice
    assert focused(page) == "10"
    press_tab_until(page, "button[value=back]")
    page.keyboard.press("Enter")
    wait_for_path(page, "/q/xq/1")
    # The keyboard lands on the chosen answer, not the first choice.
    press_tab_until(page, "input[type=radio][name=value]")
    assert focused(page) == "6"
    assert live_server.stored(study_id)["xq"]["answers"]["xq1"] == (6, "answered")


@pytest.mark.parametrize("width", [320, 360])
def test_pages_reflow_without_horizontal_scrolling(live_server, new_context, width):
    _, link = live_server.invite(lang="da")
    context = new_context(viewport={"width": width, "height": 640}, has_touch=True,
                          is_mobile=True)
    page = context.new_page()

    def check(what):
        scroll_width, client_width = no_horizontal_scroll(page)
        assert scroll_width <= client_width, (what, width, scroll_width, client_width)

    open_link(page, link)
    check("welcome")
    page.goto(live_server.url + "/q/xq/1")
    check("XQ item")
    boxes = [page.locator(".choice").nth(i).bounding_box() for i in range(11)]
    for value, box in enumerate(boxes):  # one row: narrower than 44 px, never below 24
        assert box["width"] >= MIN_CELL_WIDTH and box["height"] >= MIN_TARGET, (value, box)
    for button in page.locator("form button, a.lang").all():
        box = button.bounding_box()
        assert box["width"] >= MIN_TARGET and box["height"] >= MIN_TARGET, box
    page.goto(live_server.url + "/q/vas/1")
    check("VAS item")
    assert page.locator(".vas-track").bounding_box()["height"] >= MIN_TARGET
    set_hidden_value(page, "101")  # only a tampered form can send it
    page.get_by_role("button", name="Næste").click()
    expect(page.locator("#value-error")).to_be_visible()
    check("VAS item with an error")
    page.goto(live_server.url + "/q/review")
    check("review")
    for link_box in [a.bounding_box() for a in page.locator("ol.review a").all()]:
        assert link_box["height"] >= MIN_TARGET, link_box
    page.get_by_role("button", name="Send svar").click()
    wait_for_path(page, "/q/done")
    check("done")
    page.goto(live_server.url + "/i/not-a-real-token")
    check("invalid link")


def test_answers_stay_visible_in_forced_colours(live_server, new_context):
    """Windows high contrast replaces background colours: the chosen number, the
    VAS line and its marker must not vanish with them."""
    _, link = live_server.invite(lang="da")
    page = new_context(viewport={"width": 360, "height": 640}, forced_colors="active").new_page()
    background = "s => getComputedStyle(document.querySelector(s)).backgroundColor"
    open_link(page, link)
    page.goto(live_server.url + "/q/xq/1")
    page.locator(".choice:has(input[value='4'])").click()
    canvas = page.evaluate(background, "html")
    assert page.evaluate(background, "input[value='4'] + span") != canvas
    assert page.evaluate(background, "input[value='5'] + span") == canvas
    page.goto(live_server.url + "/q/vas/1")
    page.locator(".vas-track").click(position={"x": 50, "y": 20})
    assert page.evaluate(background, ".vas-line") != canvas
    assert page.evaluate(background, ".vas-marker") != canvas


def test_every_participant_page_passes_axe(live_server, new_context, axe_script_path):
    _, link = live_server.invite(lang="da")
    # axe is injected as an inline script, which the site's CSP (rightly) forbids.
    context = new_context(**PHONE, bypass_csp=True)
    page = context.new_page()
    findings = {}

    def scan(name):
        violations = run_axe(page, axe_script_path)
        findings[name] = violations
        for v in violations:
            print(f"axe [{name}] {v['impact']}: {v['id']} - {v['help']} "
                  f"({len(v['nodes'])} element(s): "
                  f"{', '.join(n['target'][0] for n in v['nodes'][:3])})")

    open_link(page, link)
    scan("welcome")
    page.goto(live_server.url + "/q/xq/1")
    scan("XQ item")
    # A value outside the scale can only come from a tampered form; the page must
    # still show the error accessibly.
    page.locator("input[value='10']").evaluate("el => { el.value = '11'; el.checked = true; }")
    page.get_by_role("button", name="Næste").click()
    expect(page.locator("#value-error")).to_be_visible()
    expect(page).to_have_title(re.compile("^Fejl: "))
    scan("XQ item with a validation error")
    page.goto(live_server.url + "/q/xq/1")
    page.get_by_role("button", name="Næste").click()
    expect(page.locator(".notice")).to_be_visible()
    scan("XQ item left unanswered")
    page.goto(live_server.url + "/q/vas/1")
    scan("VAS item")
    tap_vas(page, 0.3)
    set_hidden_value(page, "250")
    page.get_by_role("button", name="Næste").click()
    expect(page.locator("#value-error")).to_be_visible()
    scan("VAS item with a validation error")
    page.goto(live_server.url + "/q/review")
    scan("review")
    page.get_by_role("button", name="Send svar").click()
    wait_for_path(page, "/q/done")
    scan("done")
    page.goto(live_server.url + "/i/tampered-token.abcdef")
    expect(page.locator("h1")).to_have_text("Linket virker ikke")
    scan("invalid link (404)")

    anonymous = new_context(**PHONE, bypass_csp=True).new_page()
    page = anonymous
    response = page.goto(live_server.url + "/q/vas/1")
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("Du har været væk fra spørgeskemaet i et stykke tid")
    scan("session ended (403)")
    response = page.goto(live_server.url + "/q/?c=1")
    assert response.status == 400
    scan("cookies required (400)")

    serious = {name: [(v["id"], v["impact"]) for v in violations
                      if v["impact"] in ("serious", "critical")]
               for name, violations in findings.items()}
    assert serious == {name: [] for name in findings}


def test_vas_answered_with_the_number_field_without_javascript(live_server, new_context):
    study_id, link = live_server.invite(lang="da")
    page = new_context(**PHONE, java_script_enabled=False).new_page()
    open_link(page, link)
    page.goto(live_server.url + "/q/vas/1")
    expect(page.locator("[data-vas]")).to_be_hidden()  # the line needs JavaScript
    field = page.get_by_label(re.compile("^Dit svar som et tal fra 0"))
    expect(field).to_be_visible()
    field.fill("42")
    page.get_by_role("button", name="Næste").tap()
    wait_for_path(page, "/q/vas/2")
    page.get_by_label(re.compile("^Dit svar som et tal fra 0")).fill("250")
    page.get_by_role("button", name="Næste").tap()
    expect(page.locator("#value-error")).to_have_text("Vælg et helt tal fra 0 til 100.")
    expect(page.locator("#value")).to_have_value("250")
    page.locator("#value").fill("7")
    page.get_by_role("button", name="Næste").tap()
    wait_for_path(page, "/q/vas/3")
    answers = live_server.stored(study_id)["vas"]["answers"]
    assert answers == {"vas1": (42, "answered"), "vas2": (7, "answered")}
