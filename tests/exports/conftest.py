"""A small study to export: web, clinic-free paper with codes, reminders, a withdrawal."""
import csv
import io
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest

from survey.extensions import db
from survey.instruments import instruments
from survey.invitations.services import create_invitation
from survey.messaging.models import OutboundMessage
from survey.paper.services import save_entry
from survey.participants.services import add_participant
from survey.responses.services import save_answer, submit_invitation
from survey.staff.services import create_staff_user

from ..conftest import STAFF_PASSWORD
from ..paper.conftest import reading

SENT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
#: W001, web: XQ 7 of 8 (xq4 skipped) -> total (3+5+0+7+8+2+4)/7 x 10 = 41.428571 -> 41.43.
W001_XQ = [3, 5, 0, None, 7, 8, 2, 4]
#: VAS aligned 40,41,40,42,43,44,45,40 = 335/8 = 41.875 -> written 41.88 (half-up).
W001_VAS = [40, 41, 60, 42, 43, 44, 45, 40]
#: P002, paper: "m" two marks on xq2, "u" unreadable on xq6, "n" not answered on xq8.
P002_XQ = [3, "m", 0, 10, 7, "u", 2, "n"]


def add_message(participant, invitation, purpose, channel, sent_at, number=0):
    db.session.add(OutboundMessage(
        participant_id=participant.id, invitation_id=invitation.id, purpose=purpose,
        reminder_number=number, channel=channel, template=purpose, status="sent",
        sent_at=sent_at, created_at=sent_at,
        dedupe_key=f"{purpose}:{invitation.id}:{number}" if purpose == "reminder" else None))


def make_study():
    """W001 answered on the web after an invitation and two reminders (e-mail, then SMS;
    a third reminder came after submitting); P002's XQ came on paper; W003 began and
    never submitted, then withdrew."""
    web = add_participant("W001", "da", email="w001@example.dk", phone="+4520304050")
    invitation, _ = create_invitation(web)
    add_message(web, invitation, "invitation", "email", SENT)
    add_message(web, invitation, "reminder", "email", SENT + timedelta(days=7), 1)
    add_message(web, invitation, "reminder", "sms", SENT + timedelta(days=14), 2)
    submitted = SENT + timedelta(days=15, hours=3)
    add_message(web, invitation, "reminder", "letter", submitted + timedelta(days=5), 3)
    for code, values in (("xq", W001_XQ), ("vas", W001_VAS)):
        for n, value in enumerate(values, start=1):
            save_answer(invitation, code, f"{code}{n}", value, "da",
                        input_method=None if code == "xq" or value is None else "tap")
    submit_invitation(invitation, "da", now=submitted, who_answered="helped")

    paper = add_participant("P002", "en")
    keyer1, keyer2 = (create_staff_user(f"k{n}@example.dk", "data_entry", STAFF_PASSWORD)
                      for n in (1, 2))
    xq = instruments().current("xq")
    paper_reading = reading("xq", P002_XQ, received=date(2026, 11, 20),
                            completed=date(2026, 11, 17))
    save_entry(paper, xq, paper_reading, keyer1)
    paper_response = save_entry(paper, xq, paper_reading, keyer2).form.response

    late = add_participant("W003", "en")
    late_invitation, _ = create_invitation(late)
    save_answer(late_invitation, "xq", "xq1", 9, "en")
    late.status, late.status_date = "withdrawn", date(2026, 11, 25)
    db.session.commit()
    return SimpleNamespace(web=web, paper=paper, late=late, submitted=submitted,
                           paper_response=paper_response, paper_id=paper.id)


@pytest.fixture
def study(app, app_ctx):
    """The study, with the test's app context kept open (for services and queries)."""
    return make_study()


@pytest.fixture
def study_for_pages(app):
    """The study, made in an app context of its own: requests then get theirs."""
    with app.app_context():
        return make_study()


def read_csv(data, delimiter=","):
    text = data.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    return reader.fieldnames, list(reader)


@pytest.fixture
def export(runner):
    """export(*options) -> the command's output bytes (asserting it succeeded)."""
    def run(*options):
        result = runner.invoke(args=["responses", "export", *options])
        assert result.exit_code == 0, (result.output, result.exception)
        return result.stdout_bytes
    return run
