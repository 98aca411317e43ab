"""Every clock time on a staff page says its zone ("dansk tid", "Danish time"), through the one
helper staff_time (survey/i18n.py).

The staff pages are found by following the links from the start page as an administrator, with
data that puts a time on as many of them as possible: invitations, messages, paper
questionnaires (verified, duplicated, differing, waiting for a check), a saved reminder
schedule, audit records, outside the sending hours (the reminder page then says when the next
run is). Every time of day in a page's text must be followed, in the same piece of text, by
the zone.
"""
import re
from datetime import date, datetime, timedelta
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest

from survey.extensions import db
from survey.i18n import staff_time
from survey.instruments import instruments
from survey.invitations.services import create_invitation
from survey.messaging.services import record_message
from survey.paper.services import save_entry
from survey.participants.services import add_participant
from survey.reminders.schedule import save_schedule
from survey.staff.models import StaffUser
from survey.timeutil import now_utc

from ..paper.conftest import VAS, XQ, reading

#: A time of day as the pages write it: 14.30, 14:30, 14.30.05 (never part of a date 29.11.2026).
CLOCK = re.compile(r"(?<![\d.:])\d{1,2}[.:]\d{2}(?:[.:]\d{2})?(?![.:]?\d)")
ZONE = {"da": "dansk tid", "en": "Danish time"}
#: Not pages: files, and links that change something or leave.
SKIPPED = re.compile(r"\.(csv|pdf)$|/(logout|language/|session|static/)")
LINK = re.compile(r'href="(/staff/[^"#?]*)')


def hours_without(hour):
    """Sending hours "start-end" (one hour) that do not include `hour`."""
    start = hour + 1 if hour < 23 else 0
    return str(start), str(start + 1)


@pytest.fixture
def busy_study(app, make_staff):
    """Participants and records that put times on the staff pages; returns the admin's e-mail."""
    admin_email = make_staff("admin")
    keyers = [make_staff("data_entry") for _ in range(2)]
    with app.app_context():
        admin = db.session.execute(db.select(StaffUser).filter_by(email=admin_email)).scalar_one()
        keyer1, keyer2 = (db.session.execute(db.select(StaffUser).filter_by(email=e))
                          .scalar_one() for e in keyers)
        catalogue = instruments()
        xq, vas = catalogue.current("xq"), catalogue.current("vas")
        answered = add_participant("T001", "da", email="t001@example.dk")
        invitation, _ = create_invitation(answered)
        for purpose, number in (("invitation", 0), ("reminder", 1)):
            message = record_message(answered, invitation, purpose, "email", "invitation",
                                     reminder_number=number, created_by=admin)
            if not number:
                message.status, message.sent_at = "sent", now_utc()
        for week in (0, 1):  # two paper copies: a duplicate
            received = date(2026, 11, 20) - timedelta(days=7 * week)
            for instrument, values in ((xq, XQ), (vas, VAS)):
                for keyer in (keyer1, keyer2):
                    save_entry(answered, instrument, reading(instrument.code, values, received,
                                                             received), keyer)
        waiting = add_participant("T002", "en", email="t002@example.dk")
        sent = record_message(waiting, create_invitation(waiting)[0], "invitation", "email",
                              "invitation", created_by=admin)
        sent.status, sent.sent_at = "sent", now_utc() - timedelta(days=1)
        differs = add_participant("T003", "da")
        save_entry(differs, xq, reading(), keyer1)
        save_entry(differs, xq, reading(values=[4, 5, 0, 10, 7, 8, 2, 9]), keyer2)
        app.config["SURVEY_PAPER_VERIFICATION"] = "visual"
        save_entry(add_participant("T004", "da"), xq, reading(), keyer1)
        app.config["SURVEY_PAPER_VERIFICATION"] = "double_entry"
        hour = datetime.now(ZoneInfo(app.config["SURVEY_TIMEZONE"])).hour
        save_schedule(admin, "7, 14", *hours_without(hour), "Fewer reminders at night")
        db.session.commit()
    return admin_email


def staff_pages(client, start="/staff/", limit=80):
    """{path: page text} for every staff page reachable by links from `start` (GET, 200)."""
    pages, queue = {}, [start]
    while queue and len(pages) < limit:
        path = queue.pop(0)
        if path in pages or SKIPPED.search(path):
            continue
        response = client.get(path)
        if response.status_code != 200 or response.mimetype != "text/html":
            pages[path] = ""
            continue
        html = response.get_data(as_text=True)
        pages[path] = html
        queue += [unescape(link) for link in LINK.findall(html)]
    return {path: html for path, html in pages.items() if html}


def times_without_zone(html, zone):
    """Times of day in the page's text with no zone after them in the same piece of text."""
    body = re.sub(r"<(script|style|head)\b.*?</\1>", " ", html, flags=re.S)
    missing = []
    for piece in re.split(r"<[^>]+>", body):
        piece = unescape(piece)
        for found in CLOCK.finditer(piece):
            if zone not in piece[found.end():]:
                missing.append(piece.strip())
    return missing


@pytest.mark.parametrize("language", ["da", "en"])
def test_every_time_on_a_staff_page_says_its_zone(app, client, staff_login, busy_study,
                                                   language):
    staff_login.login(busy_study)
    client.post(f"/staff/language/{language}",
                data={"csrf_token": staff_login.csrf_token("/staff/")})
    pages = staff_pages(client)
    paths = {urlsplit(p).path for p in pages}
    # The walk reached the pages that show times (a broken link would hide them).
    for must in ("/staff/participants/T001", "/staff/dashboard/participants/T001",
                 "/staff/dashboard/", "/staff/dashboard/reminders", "/staff/reminders/schedule",
                 "/staff/accounts/", "/staff/participants/T001/access"):
        assert must in paths, must
    shown = {path: CLOCK.findall(re.sub(r"<[^>]+>", " ", html)) for path, html in pages.items()}
    assert sum(map(len, shown.values())) > 20  # times were there to check
    missing = {path: found for path, html in pages.items()
               if (found := times_without_zone(html, ZONE[language]))}
    assert missing == {}


@pytest.mark.parametrize(("language", "expected"), [
    ("da", "29.11.2026 14.30 (dansk tid)"),
    ("en", "29/11/2026, 14:30 (Danish time)"),
])
def test_staff_time_says_the_zone_in_the_page_language(app, language, expected):
    moment = datetime(2026, 11, 29, 13, 30, tzinfo=ZoneInfo("UTC"))  # 14.30 in Copenhagen
    with app.test_request_context(headers={"Accept-Language": language}):
        assert staff_time(moment, "short") == expected
        assert staff_time(None) == ""


#: Ways to write a time in a template other than staff_time (Flask-Babel's own, or by hand).
OTHER_TIME_FORMATTING = re.compile(
    r"format_datetime\(|format_time\(|\|\s*(datetimeformat|timeformat)\b|strftime\([^)]*%[HIMS]")


def test_templates_show_times_only_through_staff_time():
    """A time shown another way would have no zone: templates write times with staff_time."""
    root = Path(__file__).resolve().parents[2] / "templates"
    found = [f"{path.relative_to(root)}: {match.group(0)}" for path in root.rglob("*.html")
             for match in OTHER_TIME_FORMATTING.finditer(path.read_text(encoding="utf-8"))]
    assert found == []
