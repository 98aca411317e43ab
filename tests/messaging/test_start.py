"""Short codes and the /start page: forgiving to type, hopeless to guess."""
from datetime import timedelta

import pytest

from survey.extensions import db
from survey.invitations.models import Invitation
from survey.invitations.short_codes import (
    ALPHABET,
    LENGTH,
    assign_short_code,
    claim_start_try,
    format_code,
    normalise_code,
)
from survey.timeutil import now_utc

from ..conftest import CSRF


@pytest.fixture
def code(app, make_invitation):
    """A Danish participant's link with a letter made: the printed code, e.g. K7QM-3XHD-92."""
    make_invitation(lang="da")
    with app.app_context():
        printed = assign_short_code(db.session.execute(db.select(Invitation)).scalar_one())
        db.session.commit()
    return printed


def post_code(client, typed, address="192.0.2.1"):
    page = client.get("/start", environ_base={"REMOTE_ADDR": address})
    token = CSRF.search(page.get_data(as_text=True)).group(1)
    return client.post("/start", data={"csrf_token": token, "code": typed},
                       environ_base={"REMOTE_ADDR": address})


def test_the_alphabet_has_no_look_alikes_and_the_space_is_large():
    assert len(ALPHABET) == len(set(ALPHABET)) == 32
    assert not set("ILOU") & set(ALPHABET)
    assert len(ALPHABET) ** LENGTH == 2 ** 50


@pytest.mark.parametrize("typed, compact", [
    ("K7QM-3XHD-92", "K7QM3XHD92"), ("k7qm 3xhd 92", "K7QM3XHD92"), (" K7QM3XHD92 ", "K7QM3XHD92"),
    ("o1il-3xhd-92", "0111" + "3XHD92"), ("K7QM–3XHD–92", "K7QM3XHD92"),
    ("K7QM-3XHD-9", None), ("K7QM-3XHD-92X", None), ("K7QM-3XHD-9U", None), ("", None),
    (None, None), ("æøåæøåæøåæ", None),
])
def test_typing_is_forgiving(typed, compact):
    assert normalise_code(typed) == compact


def test_codes_are_grouped_for_reading(code):
    assert format_code("K7QM3XHD92") == "K7QM-3XHD-92"
    assert len(code) == 12 and code[4] == code[9] == "-"


def test_the_start_page_is_a_simple_form(client):
    page = client.get("/start", headers={"Accept-Language": "da"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Skriv din kode" in html and 'autocomplete="off"' in html
    assert '<label for="code">' in html and "messaging.css" in html
    english = client.get(client.get("/start?lang=en").location).get_data(as_text=True)
    assert "Type your code" in english


def test_a_right_code_does_what_the_link_does(client, code):
    typed = code.lower().replace("-", " ")
    response = post_code(client, typed)
    assert response.status_code == 302 and response.location == "/q/?c=1"
    with client.session_transaction() as session:
        assert session["invitation_id"] and session["lang"] == "da"
    assert client.get("/q/?c=1").status_code == 200


def test_a_wrong_code_gets_a_calm_message(client, code):
    wrong = "ZZZZ-ZZZZ-ZZ" if code != "ZZZZ-ZZZZ-ZZ" else "YYYY-YYYY-YY"
    response = post_code(client, wrong)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Vi kunne ikke finde koden" in html and 'aria-invalid="true"' in html
    malformed = post_code(client, "123")
    assert malformed.status_code == 422
    assert "Koden har 10 bogstaver og tal" in malformed.get_data(as_text=True)


def test_a_code_stops_working_with_its_invitation(app, client, code):
    with app.app_context():
        db.session.execute(db.select(Invitation)).scalar_one().revoked_at = now_utc()
        db.session.commit()
    assert post_code(client, code).status_code == 410


def test_too_many_wrong_codes_from_one_address_wait_even_for_the_right_one(app, client, code):
    app.config["SURVEY_START_TRIES_PER_PREFIX"] = 100  # only the address's limit here
    for _ in range(3):
        assert post_code(client, "123").status_code == 422  # not a code: not counted
    for n in range(10):
        assert post_code(client, f"ZZZZ-ZZZZ-{n}0").status_code == 422
    blocked = post_code(client, code)
    assert blocked.status_code == 429
    assert ("Koden er blevet prøvet mange gange. Vent 15 minutter, og prøv så igen."
            in blocked.get_data(as_text=True))
    assert post_code(client, code, address="198.51.100.7").status_code == 302


def test_the_wait_is_the_window_from_the_settings(app, client, code):
    app.config.update(SURVEY_START_TRIES_PER_ADDRESS=1, SURVEY_START_WINDOW_MINUTES=1)
    client.get("/start?lang=en")
    post_code(client, "ZZZZ-ZZZZ-Z0")
    blocked = post_code(client, code)
    assert blocked.status_code == 429
    assert "Wait 1 minute, then try again." in blocked.get_data(as_text=True)


def other_prefix(code):
    return ("ZZ" if not code.startswith("ZZ") else "YY") + "ZZ-ZZZZ-Z0"


def test_a_stranger_cannot_lock_everyone_out(app, client, code):
    """L1: wrong codes from many addresses fill only their own prefix, never a global cap."""
    wrong = other_prefix(code)
    for n in range(50):
        post_code(client, wrong, address=f"203.0.113.{n}")
    assert post_code(client, wrong, address="203.0.113.200").status_code == 429
    assert post_code(client, code, address="203.0.113.200").status_code == 302


def test_wrong_codes_with_one_prefix_are_capped_from_any_address(app, client, code):
    same_prefix = code[:2] + ("ZZ-ZZZZ-Z0" if code[2:] != "ZZ-ZZZZ-Z0" else "YY-YYYY-Y0")
    for n in range(3):
        assert post_code(client, same_prefix, address=f"203.0.113.{n}").status_code == 422
    assert post_code(client, same_prefix, address="203.0.113.9").status_code == 429


def test_typos_behind_one_address_leave_room_and_a_right_code_costs_nothing(app, client, code):
    """Behind a hospital's NAT: others' typos leave room, and right codes cost nothing."""
    for n in range(5):
        assert post_code(client, f"{n}ZZZ-ZZZZ-Z0").status_code == 422
    for _ in range(20):
        assert post_code(app.test_client(), code).status_code == 302
    assert post_code(client, code).status_code == 302


def test_wrong_tries_are_forgotten_after_the_window(app):
    app.config.update(SURVEY_START_TRIES_PER_ADDRESS=2, SURVEY_START_WINDOW_MINUTES=15)
    start = now_utc()
    with app.app_context():
        assert claim_start_try("AAAAAAAAAA", "a", start)
        assert claim_start_try("BBBBBBBBBB", "a", start)
        assert not claim_start_try("CCCCCCCCCC", "a", start)
        assert claim_start_try("CCCCCCCCCC", "b", start)
        assert claim_start_try("CCCCCCCCCC", "a", start + timedelta(minutes=16))
