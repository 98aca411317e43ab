"""Concurrent login requests cannot get past the lockout or use a code twice.

Each test fires 20-50 requests at once, every one from its own client in its
own thread against the same database (on PostgreSQL each holds its own
connection), and counts what got through.
"""
import threading

import pyotp
import pytest

import survey.staff.services as staff_services
from survey.audit.models import AuditRecord
from survey.extensions import db
from survey.staff.models import RecoveryCode, StaffUser
from survey.staff.services import MAX_FAILED_LOGINS, new_recovery_codes

from ..conftest import BOTH_DATABASES, CSRF, STAFF_PASSWORD
from .test_login import user as account

pytestmark = BOTH_DATABASES
WRONG = "not the right password at all"


def at_once(calls):
    """Run every call in its own thread, released together; their results in order."""
    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), []

    def run(index, call):
        barrier.wait()
        try:
            results[index] = call()
        except BaseException as error:  # re-raised below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if errors:
        raise errors[0]
    return results


class Poster:
    """A client with a CSRF token fetched beforehand, ready to post at once."""

    def __init__(self, client, path):
        self.client, self.path = client, path
        self.token = CSRF.search(client.get(path).get_data(as_text=True)).group(1)

    def __call__(self, **data):
        return lambda: self.client.post(self.path, data={"csrf_token": self.token, **data})


def login_poster(app):
    return Poster(app.test_client(), "/staff/login")


def code_posters(app, client, count):
    """`count` clients that each carry a copy of `client`'s half-done login."""
    cookie = client.get_cookie("survey_session").value
    posters = []
    for _ in range(count):
        copy = app.test_client()
        copy.set_cookie("survey_session", cookie)
        posters.append(Poster(copy, "/staff/login/code"))
    return posters


@pytest.fixture
def checked_passwords(app, monkeypatch):
    """The passwords checked against a real account's hash, in the order checked."""
    checked, lock = [], threading.Lock()
    real_verify = staff_services.verify_password

    def counting_verify(password_hash, password):
        if password_hash != staff_services.dummy_hash():
            with lock:
                checked.append(password)
        return real_verify(password_hash, password)

    monkeypatch.setattr(staff_services, "verify_password", counting_verify)
    return checked




def audit_count(app, **where):
    with app.app_context():
        query = db.select(db.func.count(AuditRecord.id)).filter_by(**where)
        return db.session.execute(query).scalar()


def logged_in(responses):
    return sum(1 for r in responses if r.status_code == 302 and r.location == "/staff/")


def past_the_password(responses):
    """Responses that accepted the password: logged in, or on to the second factor (every
    role that needs one has it set up by make_staff)."""
    return sum(1 for r in responses if r.status_code == 302
               and (r.location == "/staff/" or r.location.startswith("/staff/login/code")))


def test_fifty_wrong_passwords_at_once_are_five_tries(app, make_staff, checked_passwords):
    email = make_staff("data_entry")
    posters = [login_poster(app) for _ in range(50)]
    responses = at_once([p(email=email, password=WRONG) for p in posters])
    assert {r.status_code for r in responses} == {401}
    assert checked_passwords == [WRONG] * MAX_FAILED_LOGINS
    assert account(app, email).locked_until is not None
    assert audit_count(app, action="lock", entity="staff_user") == 1


def test_the_right_password_among_wrong_ones_is_one_of_the_five_tries(app, make_staff,
                                                                      checked_passwords):
    email = make_staff("data_entry")
    for _ in range(MAX_FAILED_LOGINS - 1):
        at_once([login_poster(app)(email=email, password=WRONG)])
    del checked_passwords[:]
    posters = [login_poster(app) for _ in range(24)]
    calls = [p(email=email, password=WRONG) for p in posters[1:]]
    calls.insert(12, posters[0](email=email, password=STAFF_PASSWORD))
    responses = at_once(calls)
    # One try was left: only the password that got it was checked. If it was the right
    # one, the login counts (and starts a fresh count); otherwise the account is locked.
    if past_the_password(responses):
        assert past_the_password(responses) == 1 and checked_passwords[0] == STAFF_PASSWORD
        assert len(checked_passwords) <= 1 + MAX_FAILED_LOGINS
    else:
        assert checked_passwords == [WRONG]
        assert account(app, email).locked_until is not None


def test_the_right_password_while_locked_does_not_get_in(app, make_staff, checked_passwords):
    email = make_staff("data_entry")
    at_once([login_poster(app)(email=email, password=WRONG) for _ in range(MAX_FAILED_LOGINS)])
    posters = [login_poster(app) for _ in range(24)]
    calls = [p(email=email, password=WRONG) for p in posters[1:]]
    calls.insert(12, posters[0](email=email, password=STAFF_PASSWORD))
    responses = at_once(calls)
    assert past_the_password(responses) == 0
    assert len(checked_passwords) == MAX_FAILED_LOGINS


def half_logged_in(app, make_staff):
    email = make_staff("coordinator")
    poster = login_poster(app)
    response = poster(email=email, password=STAFF_PASSWORD)()
    assert response.location.startswith("/staff/login/code")
    return email, poster.client


def test_one_totp_code_opens_one_session(app, make_staff):
    email, client = half_logged_in(app, make_staff)
    code = pyotp.TOTP(make_staff.secrets[email]).now()
    responses = at_once([p(code=code) for p in code_posters(app, client, 20)])
    assert logged_in(responses) == 1
    user = account(app, email)
    assert audit_count(app, entity="staff_user", entity_id=str(user.id),
                       field="second_factor", new_value="right") == 1


def test_one_recovery_code_is_used_once(app, make_staff):
    email, client = half_logged_in(app, make_staff)
    with app.app_context():
        user = db.session.execute(
            db.select(StaffUser).where(StaffUser.email == email)).scalar_one()
        code = new_recovery_codes(user)[0]
        db.session.commit()
    responses = at_once([p(code=code) for p in code_posters(app, client, 20)])
    assert logged_in(responses) == 1
    assert audit_count(app, action="use", entity="recovery_code") == 1
    with app.app_context():
        used = db.session.execute(
            db.select(db.func.count(RecoveryCode.id)).where(RecoveryCode.used_at.is_not(None))
        ).scalar()
    assert used == 1


def test_fifty_wrong_codes_at_once_are_five_tries(app, make_staff):
    email, client = half_logged_in(app, make_staff)
    responses = at_once([p(code="000000") for p in code_posters(app, client, 50)])
    assert logged_in(responses) == 0
    user = account(app, email)
    assert user.locked_until is not None
    assert audit_count(app, entity="staff_user", entity_id=str(user.id),
                       field="second_factor", new_value="wrong") == MAX_FAILED_LOGINS
