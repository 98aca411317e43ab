"""Staff pages used on a phone or a tablet, in a real headless Chromium at 360x740: the page
never scrolls sideways. A wide table may scroll inside its own box (overflow-x: auto), the
page itself may not. The data is made to be awkward: study IDs of the full 32 characters,
long e-mail addresses and names, several questionnaires, messages and audit records."""
import itertools
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from survey.extensions import db
from survey.instruments import instruments
from survey.invitations.services import create_invitation
from survey.messaging.services import record_message
from survey.paper.models import PaperForm
from survey.paper.services import save_entry
from survey.participants.services import add_participant
from survey.timeutil import now_utc, study_today

from ..paper.conftest import VAS, XQ, reading
from .paper_helpers import add_staff, log_in_by_keyboard

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 360, "height": 740}, "has_touch": True, "is_mobile": True,
         "device_scale_factor": 2}
_numbers = itertools.count(1)

#: Where the page is wider than the screen: the widest elements that stick out, for the message.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')].filter(e => {
    const box = e.getBoundingClientRect();
    for (let up = e.parentElement; up; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== 'visible') return false;  // scrolls in its box
    }
    return box.right > width + 0.5;
  }).slice(0, 5).map(e => e.tagName.toLowerCase() + '.' + e.getAttribute('class')
                     + ' ' + Math.round(e.getBoundingClientRect().right) + 'px');
  return {scrollWidth: document.documentElement.scrollWidth, wide};
}"""


def long_study_id(n, letter):
    study_id = f"ODENSE-ORAL-ONCOLOGY-2026-{letter}{n:05d}"
    assert len(study_id) == 32  # the longest a study ID may be
    return study_id


def add_realistic_data(live_server):
    """Participants with 32-character study IDs and long addresses: one with verified paper XQ
    (twice) and VAS, messages and audit records; one whose XQ entries differ; one whose
    XQ waits for a visual check; one who has not answered. Returns (study IDs, staff e-mails,
    {"check": form id, "resolve": form id})."""
    n = next(_numbers)
    app = live_server.app
    with app.app_context():
        staff = {
            role: add_staff(f"{role.replace('_', '-')}.{n}.anne-sofie.christensen-oestergaard"
                            f"@kliniske-forsoeg.region-syddanmark.example.dk", role)
            for role in ("data_entry", "admin")}
        keyers = [add_staff(f"keyer{k}.{n}.mette-louise.frederiksen-bjerregaard"
                            f"@kliniske-forsoeg.region-syddanmark.example.dk")
                  for k in (1, 2)]
        for user in [*staff.values(), *keyers]:
            user.full_name = "Anne-Sofie Christensen-Østergaard Frederiksen-Bjerregaard"
        ids = {name: long_study_id(n, letter) for name, letter in
               [("answered", "A"), ("differs", "D"), ("check", "C"), ("new", "N")]}
        people = {name: add_participant(
            study_id, "da", email=f"{name}.{n}.karen-margrethe.vestergaard-johannsen"
            "@meget-lang-postkasse-hos-en-udbyder.example.dk", phone="+4512345678")
            for name, study_id in ids.items()}
        db.session.commit()
        catalogue = instruments()
        xq, vas = catalogue.current("xq"), catalogue.current("vas")
        answered = people["answered"]
        invitation, _ = create_invitation(answered)  # sent before the paper came back
        # Two paper copies of the XQ (a duplicate to decide) and one VAS, which counts: charts.
        for instrument, values, weeks_before in ((xq, XQ, 0), (xq, XQ, 1), (vas, VAS, 0)):
            received = study_today() - timedelta(days=7 * weeks_before)
            for keyer in keyers:
                save_entry(answered, instrument, reading(
                    instrument.code, values, received=received, completed=received,
                    remarks="Skrevet med blyant, svært at læse i margenen " * 3), keyer)
                db.session.commit()
        for number, channel in enumerate(("email", "sms", "letter")):
            message = record_message(answered, invitation, "reminder" if number else "invitation",
                                     channel, "invitation", reminder_number=number,
                                     created_by=staff["admin"], now=now_utc())
            if number:
                message.status, message.sent_at = "sent", now_utc()
        save_entry(people["differs"], xq, reading(), keyers[0])
        save_entry(people["differs"], xq, reading(values=[4, 5, 0, 10, 7, 8, 2, 9]), keyers[1])
        app.config["SURVEY_PAPER_VERIFICATION"] = "visual"
        try:
            save_entry(people["check"], xq, reading(), keyers[0])
        finally:
            app.config["SURVEY_PAPER_VERIFICATION"] = "double_entry"
        db.session.commit()
        forms = {name: db.session.execute(db.select(PaperForm.id).where(
            PaperForm.participant_id == people[name].id)).scalar_one()
            for name in ("check", "differs")}
        emails = {role: user.email for role, user in staff.items()}
    return ids, emails, {"check": forms["check"], "resolve": forms["differs"]}


def pages_for(role, ids, forms):
    """(path, what must be on it) for each page the role uses on a phone or tablet."""
    answered = ids["answered"]
    pages = [
        ("/staff/participants/", answered),
        (f"/staff/participants/{answered}", answered),
        (f"/staff/participants/{ids['new']}", ids["new"]),
        ("/staff/paper/", None),
        (f"/staff/paper/participants/{ids['new']}/xq", ids["new"]),
        (f"/staff/paper/participants/{answered}/vas", answered),
        (f"/staff/paper/forms/{forms['check']}/check", ids["check"]),
        ("/staff/clinic/", None),
        (f"/staff/clinic/{ids['new']}", ids["new"]),
    ]
    if role == "admin":  # the coordinator's pages
        pages += [
            ("/staff/dashboard/", "svg.chart"),
            (f"/staff/dashboard/participants/{answered}", answered),
            (f"/staff/dashboard/participants/{ids['new']}", ids["new"]),
            (f"/staff/paper/forms/{forms['resolve']}/resolve", ids["differs"]),
            (f"/staff/paper/duplicates/{answered}/xq", answered),
        ]
    return pages


@pytest.mark.parametrize("role", ["data_entry", "admin"])
@pytest.mark.parametrize("locale", ["da-DK", "en-GB"])
def test_staff_pages_never_scroll_sideways_at_360_px(live_server, new_context, role, locale):
    ids, emails, forms = add_realistic_data(live_server)
    page = new_context(locale=locale, **PHONE).new_page()
    log_in_by_keyboard(page, live_server.url, emails[role])
    if locale == "da-DK":  # staff accounts read English until they choose Danish
        page.locator(".staff-nav button.lang").click()
    for path, shown in pages_for(role, ids, forms):
        response = page.goto(live_server.url + path)
        assert response.status == 200, (path, response.status)
        if shown and shown.startswith("svg."):  # the page's charts are drawn
            expect(page.locator(shown).first).to_be_visible()
        elif shown:
            expect(page.locator("main, body").first).to_contain_text(shown)
        found = page.evaluate(OVERFLOW)
        assert found["scrollWidth"] <= 360, (path, found)
