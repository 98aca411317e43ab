"""A clerk's paper sheet by keyboard in a real headless Chromium: the XQ form fits a 1280x800
screen, today's received date is kept with one Tab, and after saving the focus is back in the
study-ID field for the next sheet."""
import re

import pytest
from playwright.sync_api import expect

from survey.timeutil import study_today

from .paper_helpers import add_people, focused_id, log_in_by_keyboard, paper_responses

pytestmark = pytest.mark.browser

SCREEN = {"viewport": {"width": 1280, "height": 800}, "locale": "en-GB"}


def test_a_sheet_keyed_in_on_one_screen_then_back_to_the_study_id(live_server, new_context):
    study_id, (clerk,) = add_people(live_server, keyers=1)
    with live_server.app.app_context():
        today = study_today().strftime("%d.%m.%Y")
    page = new_context(**SCREEN).new_page()
    log_in_by_keyboard(page, live_server.url, clerk)
    page.goto(live_server.url + "/staff/paper/")
    assert focused_id(page) == "study_id"
    page.keyboard.type(study_id)
    page.keyboard.press("Enter")  # the first questionnaire's button: XQ
    expect(page).to_have_url(re.compile(rf"/participants/{study_id}/xq$"))

    # Nothing below the screen's edge or beside it: the Save button is in view.
    assert page.evaluate(
        "() => document.documentElement.scrollWidth <= innerWidth && document.querySelector("
        "'form.paper-entry button[type=submit]').getBoundingClientRect().bottom <= innerHeight")
    # The received date is offered, selected: Tab keeps it.
    assert focused_id(page) == "received_on"
    assert page.evaluate("() => document.activeElement.selectionStart") == 0
    assert page.evaluate("() => document.activeElement.selectionEnd") == len(today)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # no date written on the sheet
    for value in ["3", "5", "0", "10", "7", "8", "2", "4"]:
        page.keyboard.type(value)
        page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # remarks
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/staff/paper/$"))
    expect(page.locator(".flash").first).to_contain_text("Someone else must now key in")
    assert focused_id(page) == "study_id"  # ready for the next sheet
    assert paper_responses(live_server, study_id) == {}  # one entry: nothing counts yet
