"""Helpers for the paper-entry browser tests: staff accounts on the live server, keyboard work.

conftest.py's live server makes participants with invitations; paper forms need
participants and staff accounts only, and their responses have no invitation.
"""
import itertools
import re

import pyotp
from playwright.sync_api import expect

from survey.extensions import db
from survey.paper.models import PaperForm
from survey.participants.services import add_participant, get_participant
from survey.responses.models import Response
from survey.staff.services import create_staff_user
from survey.timeutil import now_utc

from ..conftest import STAFF_PASSWORD

_numbers = itertools.count(1)
#: Every staff role logs in with a second factor: {email: TOTP secret}.
_totp_secrets = {}


def add_staff(email, role="data_entry", language="en"):
    """A staff account with its app set up (every role logs in with a second factor);
    call inside an app context and commit."""
    user = create_staff_user(email, role, STAFF_PASSWORD)
    user.language = language
    user.totp_secret, user.totp_confirmed_at = pyotp.random_base32(), now_utc()
    _totp_secrets[user.email] = user.totp_secret
    return user


def add_people(live_server, keyers=2, lang="da"):
    """A new participant (no invitation) and `keyers` data-entry accounts that read English."""
    n = next(_numbers)
    study_id = f"PB{n:03d}"
    with live_server.app.app_context():
        add_participant(study_id, lang)
        emails = []
        for k in range(1, keyers + 1):
            emails.append(add_staff(f"keyer{k}-{n}@example.dk").email)
        db.session.commit()
    return study_id, emails


def paper_responses(live_server, study_id):
    """{instrument: {"status", "mode", "form", "answers": {item: (value, state)}, "scores"}}."""
    with live_server.app.app_context():
        participant = get_participant(study_id)
        responses = db.session.execute(
            db.select(Response).where(Response.participant_id == participant.id)
        ).scalars().all()
        forms = {f.response_id: f.status for f in db.session.execute(
            db.select(PaperForm).where(PaperForm.participant_id == participant.id)).scalars()}
        return {
            r.instrument_code: {
                "status": r.status, "mode": r.mode, "form": forms.get(r.id),
                "answers": {a.item_id: (a.value, a.state) for a in r.answers},
                "scores": {s.score_id: s.value for s in r.scores},
            }
            for r in responses
        }


def focused_id(page):
    return page.evaluate("() => document.activeElement && document.activeElement.id")


def tab_to(page, element_id, limit=30):
    """Press Tab until the element with this id has the focus; fail if it never does."""
    for _ in range(limit):
        if focused_id(page) == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id}")


def log_in_by_keyboard(page, base_url, email):
    page.goto(base_url + "/staff/login")
    tab_to(page, "email")
    page.keyboard.insert_text(email)  # as pasted: logging in is not what is tested here
    page.keyboard.press("Tab")
    page.keyboard.insert_text(STAFF_PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/staff/login/code"))
    tab_to(page, "code")
    page.keyboard.insert_text(pyotp.TOTP(_totp_secrets[email]).now())
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/staff/$"))


def open_entry_screen(page, base_url, study_id, code, choices_down):
    """From the paper page: type the study ID, then Enter for the first questionnaire or Tab
    `choices_down` more times to its button (one button a questionnaire) and Enter."""
    page.goto(base_url + "/staff/paper/")
    assert focused_id(page) == "study_id"  # the page starts where the work starts
    page.keyboard.type(study_id.lower())  # as typed in a hurry: still found
    for _ in range(choices_down + 1 if choices_down else 0):
        page.keyboard.press("Tab")
    if choices_down:
        assert page.evaluate("() => document.activeElement.value") == code
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/staff/paper/participants/{study_id}/{code}$"))


def type_down(page, field_ids, values):
    """Type each value into the focused field, then Tab: the focus must go straight down."""
    for field_id, value in zip(field_ids, values, strict=True):
        assert focused_id(page) == field_id, (focused_id(page), field_id)
        page.keyboard.type(str(value))
        page.keyboard.press("Tab")
