"""Paper forms keyed in with the keyboard only, in a real headless Chromium.

Two data-entry people each key in the same paper XQ and VAS: digits, code
letters and Tab, straight down the form, no mouse. One typing slip is refused
and put right without losing anything. Both entries agree, so both
questionnaires are verified and scored.
"""
import re

import pytest
from playwright.sync_api import expect

from .paper_helpers import (
    add_people,
    focused_id,
    log_in_by_keyboard,
    open_entry_screen,
    paper_responses,
    type_down,
)

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "en-GB"}
RECEIVED, COMPLETED = "20.11.2026", "17.11.2026"
XQ = ["3", "5", "0", "10", "7", "8", "2", "n"]  # xq8: no mark on paper
#: vas3 (reversed) 90 -> aligned 10; vas6 two marks; mean of 7: (10+20+10+40+50+70+80)/7
VAS = ["10", "20", "90", "40", "50", "m", "70", "80"]
XQ_FIELDS = ["received_on", "completed_on", *(f"xq{n}" for n in range(1, 9)), "remarks"]
VAS_FIELDS = ["received_on", "completed_on", *(f"vas{n}" for n in range(1, 9)), "remarks"]


def watch_errors(page):
    """Script and console errors (a CSP violation is one), except the deliberate 422."""
    errors = []
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    page.on("console", lambda msg: errors.append(f"console: {msg.text}")
            if msg.type == "error" and "status of 422" not in msg.text else None)
    return errors


def save_by_keyboard(page):
    # The Tab after the remarks has brought the focus to the Save button.
    assert page.evaluate("() => document.activeElement.type") == "submit"
    page.keyboard.press("Enter")


def key_in_xq_with_one_slip(page, url, study_id):
    open_entry_screen(page, url, study_id, "xq", choices_down=0)
    expect(page.locator("h1")).to_contain_text(f"paper form of {study_id}")
    slipped = list(XQ)
    slipped[1] = "55"  # a key held down too long
    type_down(page, XQ_FIELDS, [RECEIVED, COMPLETED, *slipped, "Skrevet med blyant"])
    save_by_keyboard(page)
    # Refused on the field, everything else kept, and the focus waits on the slip.
    expect(page.locator("#xq2-error")).to_have_text(
        "Type a whole number from 0 to 10, or one of the codes n, m or u.")
    assert focused_id(page) == "xq2"
    for field_id, value in zip(XQ_FIELDS, [RECEIVED, COMPLETED, *slipped], strict=False):
        expect(page.locator(f"#{field_id}")).to_have_value(value)
    expect(page.locator("#remarks")).to_have_value("Skrevet med blyant")
    page.keyboard.press("Control+a")
    page.keyboard.type("5")
    page.keyboard.press("Enter")  # implicit submission from a text field
    expect(page).to_have_url(re.compile(r"/staff/paper/$"))


def key_in(page, url, study_id, code, fields, values):
    open_entry_screen(page, url, study_id, code, ["xq", "vas"].index(code))
    type_down(page, fields, [RECEIVED, COMPLETED, *values, ""])
    save_by_keyboard(page)
    expect(page).to_have_url(re.compile(r"/staff/paper/$"))


def test_two_people_key_in_paper_xq_and_vas_by_keyboard(live_server, new_context):
    study_id, (first, second) = add_people(live_server)

    page = new_context(**DESKTOP).new_page()
    errors = watch_errors(page)
    log_in_by_keyboard(page, live_server.url, first)
    key_in_xq_with_one_slip(page, live_server.url, study_id)
    expect(page.locator(".flash").first).to_contain_text("Someone else must now key in")
    key_in(page, live_server.url, study_id, "vas", VAS_FIELDS, VAS)
    assert paper_responses(live_server, study_id) == {}  # nothing counts after one entry

    page = new_context(**DESKTOP).new_page()
    errors += watch_errors(page)
    log_in_by_keyboard(page, live_server.url, second)
    open_entry_screen(page, live_server.url, study_id, "xq", 0)
    expect(page.locator(".notice")).to_contain_text("Second entry")
    for n in range(1, 9):  # the first entry's values are not shown
        expect(page.locator(f"#xq{n}")).to_have_value("")
    key_in(page, live_server.url, study_id, "xq", XQ_FIELDS, XQ)
    expect(page.locator(".flash").first).to_contain_text("Both entries agree")
    key_in(page, live_server.url, study_id, "vas", VAS_FIELDS, VAS)
    expect(page.locator(".flash").first).to_contain_text("Both entries agree")
    assert errors == []

    result = paper_responses(live_server, study_id)
    assert {code: (r["mode"], r["status"], r["form"]) for code, r in result.items()} == {
        "xq": ("paper", "submitted", "verified"), "vas": ("paper", "submitted", "verified")}
    assert result["xq"]["answers"]["xq2"] == (5, "answered")
    assert result["xq"]["answers"]["xq8"] == (None, "not_answered")
    assert result["vas"]["answers"]["vas6"] == (None, "multiple_marks")
    # XQ: 7 of 8 answered, sum 35 -> mean 5 -> 50, prorated.
    assert result["xq"]["scores"]["total"] == pytest.approx(50.0)
    assert result["vas"]["scores"]["mean"] == pytest.approx((10 + 20 + 10 + 40 + 50 + 70 + 80) / 7)
    assert result["vas"]["scores"]["item6_aligned"] is None


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def serious_axe_violations(page, axe_script_path):
    page.add_script_tag(path=axe_script_path)
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})", AXE_TAGS)
    return [(v["id"], [n["target"][0] for n in v["nodes"][:3]]) for v in results["violations"]
            if v["impact"] in ("serious", "critical")]


def test_paper_screens_pass_axe(live_server, new_context, axe_script_path):
    study_id, [keyer] = add_people(live_server, keyers=1)
    # axe is injected as an inline script, which the site's CSP (rightly) forbids.
    page = new_context(**DESKTOP, bypass_csp=True).new_page()
    log_in_by_keyboard(page, live_server.url, keyer)
    page.goto(live_server.url + "/staff/paper/?study_id=nobody&instrument=xq")
    findings = {"paper page with an error": serious_axe_violations(page, axe_script_path)}
    open_entry_screen(page, live_server.url, study_id, "vas", 1)
    findings["VAS entry screen"] = serious_axe_violations(page, axe_script_path)
    page.locator("#vas3").fill("101")  # fill is fine here: what is tested is the error page
    page.keyboard.press("Enter")
    expect(page.locator("#vas3-error")).to_be_visible()
    findings["VAS entry screen with errors"] = serious_axe_violations(page, axe_script_path)
    assert findings == {name: [] for name in findings}
