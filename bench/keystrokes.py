"""Key presses a clerk needs to key in one paper XQ and one paper VAS, keyboard only.

    .venv/bin/python bench/keystrokes.py

Serves the app for real on 127.0.0.1 (free port, throw-away SQLite database) and
drives headless Chromium (the system's, never a downloaded one) as a clerk does
with a pile of sheets that came back today: from the paper page, type the study
ID, choose the questionnaire, key in the sheet straight down the form (received
today, no date written on the sheet, no remarks) and save. Every key press is
counted: each typed character, Tab, Enter and arrow key. The clerk takes what the
screen offers (a date already filled in is kept; the questionnaire is chosen the
way the page allows), so the same script measures the screens before and after a
change. Counted from the paper page with the focus in the study-ID field to the
paper page again after saving. The XQ is measured once more after the first
sheet, to show the next sheet of the same batch.

It only prints figures: the exit status is 0 whatever they are.
Needs the test extras (`pip install -e '.[test]'`) for Playwright.
"""
import re
import sys

from served import chromium_missing, served_with_chromium  # the bench's own helpers

DESKTOP = {"viewport": {"width": 1280, "height": 800}, "locale": "en-GB"}
SHEETS = {"xq": ["3", "5", "0", "10", "7", "8", "2", "4"],
          "vas": ["10", "20", "90", "40", "50", "60", "70", "80"]}


class CountingKeyboard:
    """page.keyboard, counting key presses (a typed text is one press a character)."""

    def __init__(self, page):
        self.keyboard = page.keyboard
        self.presses = 0

    def press(self, key):
        self.presses += 1
        self.keyboard.press(key)

    def type(self, text):
        self.presses += len(text)
        self.keyboard.type(text)


def focused(page, prop="id"):
    return page.evaluate(f"() => document.activeElement && document.activeElement.{prop}")


def tab_until(page, keys, test, limit=40):
    for _ in range(limit):
        if test():
            return
        keys.press("Tab")
    raise AssertionError("the focus never got there")


def choose_instrument(page, keys, code):
    """After the study ID: the questionnaire, as the page allows."""
    buttons = page.locator("button[name=instrument]")
    if buttons.count():  # one button a questionnaire; Enter in a field takes the first
        if buttons.first.get_attribute("value") == code:
            keys.press("Enter")
            return
        tab_until(page, keys, lambda: focused(page, "value") == code
                  and focused(page, "name") == "instrument")
        keys.press("Enter")
        return
    keys.press("Tab")  # a list of questionnaires
    options = page.locator("#instrument option")
    values = [options.nth(i).get_attribute("value") for i in range(options.count())]
    for _ in range(values.index(code)):
        keys.press("ArrowDown")
    keys.press("Tab")
    keys.press("Enter")


def key_in_sheet(page, keys, study_id, code, received):
    assert focused(page) == "study_id", focused(page)
    keys.type(study_id)
    choose_instrument(page, keys, code)
    page.wait_for_url(re.compile(rf"/participants/{study_id}/{code}$"))
    if focused(page) == "received_on":
        if page.locator("#received_on").input_value() != received:
            keys.type(received)  # an empty field, or its text selected on focus
        keys.press("Tab")
    if focused(page) == "completed_on":
        keys.press("Tab")  # no date written on the sheet
    for n, value in enumerate(SHEETS[code], start=1):
        assert focused(page) == f"{code}{n}", (focused(page), f"{code}{n}")
        keys.type(value)
        keys.press("Tab")
    tab_until(page, keys, lambda: focused(page, "type") == "submit")
    keys.press("Enter")
    page.wait_for_url(re.compile(r"/staff/paper/(\?.*)?$"))
    assert page.locator(".flash").count(), "not saved"


def fits(page):
    """Whether the whole entry form (through its Save button) shows without scrolling."""
    return page.evaluate(
        "() => { const b = document.querySelector('form.paper-entry button[type=submit]');"
        " return document.documentElement.scrollWidth <= innerWidth &&"
        " b.getBoundingClientRect().bottom <= innerHeight; }")


def main():
    if chromium_missing():
        return 0
    from survey.extensions import db
    from survey.participants.services import add_participant
    from survey.timeutil import study_today
    from tests.browser.paper_helpers import add_staff, log_in_by_keyboard

    rows = []
    with served_with_chromium("keystrokes") as (server, browser):
        with server.app.app_context():
            for study_id in ("K001", "K002", "K003"):
                add_participant(study_id, "da")
            clerk = add_staff("clerk@example.dk").email
            db.session.commit()
            received = study_today().strftime("%d.%m.%Y")
        page = browser.new_context(**DESKTOP).new_page()
        log_in_by_keyboard(page, server.url, clerk)
        page.goto(server.url + "/staff/paper/")
        for label, study_id, code in (("XQ, first sheet", "K001", "xq"),
                                      ("VAS", "K001", "vas"),
                                      ("XQ, next sheet", "K002", "xq")):
            keys = CountingKeyboard(page)
            key_in_sheet(page, keys, study_id, code, received)
            rows.append((label, keys.presses))
        page.goto(server.url + "/staff/paper/participants/K003/xq")
        whole = fits(page)

    print("Key presses for one paper sheet (study ID of 4 characters, received today, "
          "no date on the sheet, no remarks), from the study-ID field back to it:\n")
    for label, presses in rows:
        print(f"{label:<18} {presses:>4}")
    print(f"\nWhole XQ entry form on 1280x800 without scrolling: {'yes' if whole else 'no'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
