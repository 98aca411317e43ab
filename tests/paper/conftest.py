"""Helpers for the paper-entry tests: readings, people, and filling the entry screen."""
from datetime import date
from types import SimpleNamespace

import pytest

from survey.extensions import db
from survey.instruments.forms import PAPER_CODES
from survey.paper.readings import Reading
from survey.participants.services import add_participant
from survey.staff.services import create_staff_user

from ..conftest import CSRF, STAFF_PASSWORD

RECEIVED = date(2026, 11, 20)
COMPLETED = date(2026, 11, 17)
#: P001's paper XQ: sum 39 -> total 48.75; eating (2, 3, 5, 7) 35; not eating (1, 4, 6, 8) 62.5.
XQ = [3, 5, 0, 10, 7, 8, 2, 4]
#: vas3 is reversed: raw 90 -> aligned 10; mean (10+20+10+40+50+60+70+80) / 8 = 42.5.
VAS = [10, 20, 90, 40, 50, 60, 70, 80]


def answers(code, values):
    """{item id: (code, value)} from a list of numbers and paper code letters ("n", "m", "u")."""
    return {f"{code}{n}": ("answered", v) if isinstance(v, int) else (PAPER_CODES[v], None)
            for n, v in enumerate(values, start=1)}


def reading(code="xq", values=XQ, received=RECEIVED, completed=COMPLETED, remarks=None):
    return Reading(answers=answers(code, values), received_on=received, completed_on=completed,
                   remarks=remarks)


@pytest.fixture
def people(app, app_ctx):
    """In an app context: participant P001 (Danish) and staff accounts of each role."""
    participant = add_participant("P001", "da")
    accounts = {name: create_staff_user(f"{name}@example.dk", role, STAFF_PASSWORD,
                                        full_name=f"{name.title()} Testesen")
                for name, role in [("keyer1", "data_entry"), ("keyer2", "data_entry"),
                                   ("keyer3", "data_entry"), ("coordinator", "coordinator")]}
    db.session.commit()
    return SimpleNamespace(participant=participant, **accounts)


def entry_data(values, code="xq", received="20.11.2026", completed="17.11.2026", remarks=""):
    """The entry screen's fields as typed: numbers or code letters, dates as on paper."""
    data = {f"{code}{n}": str(v) for n, v in enumerate(values, start=1)}
    data.update(received_on=received, completed_on=completed, remarks=remarks)
    return data


class PaperScreens:
    """Drives the paper screens through a test client as a logged-in staff member."""

    def __init__(self, client, staff_login):
        self.client, self.staff_login = client, staff_login
        self.logged_in = False

    def login(self, email):
        if self.logged_in:
            self.staff_login.logout()
        response = self.staff_login.login(email)
        assert response.status_code == 302, response.status_code
        self.logged_in, self.email = True, email
        self.client.get("/staff/language/en")  # assertions below read the English text

    def post(self, path, data):
        token = CSRF.search(self.client.get(path).get_data(as_text=True)).group(1)
        return self.client.post(path, data={"csrf_token": token, **data})

    def signed_post(self, path, data):
        """Post a signed action's form with the signer's password (and a fresh code)."""
        return self.post(path, {**data, **self.staff_login.signing(self.email)})

    def key_in(self, study_id, values, code="xq", **fields):
        return self.post(f"/staff/paper/participants/{study_id}/{code}",
                         entry_data(values, code, **fields))


@pytest.fixture
def screens(client, staff_login):
    return PaperScreens(client, staff_login)
