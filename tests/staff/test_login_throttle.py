"""L5: an anonymous login try is cheap for the server.

The password's hash runs outside any database transaction (so it holds no
write lock or row lock), and tries are counted per network address in the
database before any hash: past the limit the login is refused without one.
"""
import pytest

import survey.staff.services as staff_services
from survey import create_app
from survey.database import dispose_engines
from survey.extensions import db

from ..conftest import BOTH_DATABASES, CSRF, STAFF_PASSWORD

pytestmark = BOTH_DATABASES
WRONG = "not the right password at all"


@pytest.fixture(autouse=True)
def password_only_data_entry(app):
    """These tests count password tries: data entry logs in with the password alone here."""
    app.config["SURVEY_2FA_OPTIONAL_FOR_DATA_ENTRY"] = True


@pytest.fixture
def hashes(app, monkeypatch):
    """Every password check: (was a transaction open?, was it the account's real hash?)."""
    seen = []
    real_verify = staff_services.verify_password

    def watching_verify(password_hash, password):
        seen.append((db.session().in_transaction(), password_hash != staff_services.dummy_hash()))
        return real_verify(password_hash, password)

    monkeypatch.setattr(staff_services, "verify_password", watching_verify)
    return seen


def post_login(client, email, password, address="192.0.2.10"):
    token = CSRF.search(client.get("/staff/login").get_data(as_text=True)).group(1)
    return client.post("/staff/login", data={"csrf_token": token, "email": email,
                                             "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_the_password_is_hashed_outside_any_transaction(app, client, make_staff, hashes):
    email = make_staff("data_entry")
    assert post_login(client, "nobody@example.dk", WRONG).status_code == 401
    assert post_login(client, email, WRONG).status_code == 401
    assert post_login(client, email, STAFF_PASSWORD).status_code == 302
    assert hashes == [(False, False), (False, True), (False, True)]


def test_too_many_tries_from_one_address_are_refused_before_any_hash(app, make_staff, hashes):
    app.config["SURVEY_LOGIN_TRIES_PER_ADDRESS"] = 3
    email = make_staff("data_entry")
    client = app.test_client()
    for _ in range(3):
        assert post_login(client, "nobody@example.dk", WRONG).status_code == 401
    assert len(hashes) == 3
    refused = post_login(client, email, STAFF_PASSWORD)
    assert refused.status_code == 429
    assert "Vent 15 minutter, og prøv igen" in refused.get_data(as_text=True)
    assert 'value="' + email + '"' in refused.get_data(as_text=True)  # what was typed stays
    assert len(hashes) == 3
    # Another address is not held back, and a right password gives its try back.
    other = app.test_client()
    for _ in range(5):
        assert post_login(other, email, STAFF_PASSWORD, address="198.51.100.7").status_code == 302
        other.post("/staff/logout", data={"csrf_token": CSRF.search(
            other.get("/staff/").get_data(as_text=True)).group(1)})


def test_the_count_is_shared_by_every_server_process(app, database_url, tmp_path, make_staff,
                                                     hashes):
    app.config["SURVEY_LOGIN_TRIES_PER_ADDRESS"] = 2
    second_server = create_app({**app.config, "SQLALCHEMY_DATABASE_URI": database_url})
    assert post_login(app.test_client(), "a@example.dk", WRONG).status_code == 401
    assert post_login(second_server.test_client(), "b@example.dk", WRONG).status_code == 401
    assert post_login(app.test_client(), "c@example.dk", WRONG).status_code == 429
    assert post_login(second_server.test_client(), "d@example.dk", WRONG).status_code == 429
    with second_server.app_context():
        dispose_engines(db)


def test_the_address_is_not_stored(app, client):
    post_login(client, "nobody@example.dk", WRONG, address="203.0.113.99")
    with app.app_context():
        rows = db.session.execute(db.text(
            "SELECT bucket FROM rate_limit_tries WHERE bucket LIKE 'login-a:%'")).all()
    assert len(rows) == 1 and "203.0.113" not in rows[0][0]
