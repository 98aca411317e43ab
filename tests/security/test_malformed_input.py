"""L4: malformed input gets a clear message, never a server error.

Each case here answered 500 (or took a value it should not) before it was fixed.
"""
import io
from types import SimpleNamespace

import pyotp
import pytest
from flask_babel import force_locale
from wtforms.validators import ValidationError

from survey.instruments.forms import PaperValue, ScaleValue
from survey.paper.forms import CorrectionForm, DuplicateDecisionForm, ResolveForm

from ..conftest import CSRF, STAFF_PASSWORD

#: Not ASCII digits, though int() takes every one of them.
NOT_ASCII_NUMBERS = ["1_0", "+7", " +3", "٣", "۷", "７", "5\u200b", "-0"]


def a_file():
    return (io.BytesIO(b"3"), "answer.txt")


def test_a_file_in_the_start_code_field_is_a_missing_code(client):
    token = CSRF.search(client.get("/start").get_data(as_text=True)).group(1)
    response = client.post("/start", data={"csrf_token": token, "code": a_file()},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Koden har 10 bogstaver og tal" in response.get_data(as_text=True)


def test_a_file_in_the_login_form_keeps_what_was_typed(client):
    token = CSRF.search(client.get("/staff/login").get_data(as_text=True)).group(1)
    response = client.post("/staff/login", content_type="multipart/form-data",
                           data={"csrf_token": token, "email": "someone@example.dk",
                                 "password": a_file()})
    html = response.get_data(as_text=True)
    assert 400 <= response.status_code < 500 or response.status_code == 200
    assert 'value="someone@example.dk"' in html


def test_a_file_as_an_answer_is_refused_calmly(participant_browser, make_invitation):
    participant_browser.open(make_invitation())
    client = participant_browser.client
    token = participant_browser.csrf_token("/q/xq/1")
    response = client.post("/q/xq/1", content_type="multipart/form-data",
                           data={"csrf_token": token, "value": a_file(), "action": "next"})
    assert response.status_code < 500
    assert client.get("/q/review").status_code == 200  # the participant can go on


@pytest.mark.parametrize("typed", NOT_ASCII_NUMBERS)
def test_answers_take_ascii_digits_only(participant_browser, make_invitation, typed):
    participant_browser.open(make_invitation())
    response = participant_browser.answer("xq", 1, typed)
    assert response.status_code != 302  # not saved: the page asks again
    assert "0" in response.get_data(as_text=True) and "10" in response.get_data(as_text=True)


@pytest.mark.parametrize("validator", [ScaleValue, PaperValue])
@pytest.mark.parametrize("typed", NOT_ASCII_NUMBERS)
def test_participant_and_paper_fields_take_ascii_digits_only(app, validator, typed):
    scale = SimpleNamespace(min=0, max=10, contains=lambda v: 0 <= v <= 10)
    with app.test_request_context(), pytest.raises(ValidationError):
        validator(scale)(None, SimpleNamespace(data=typed))
    field = SimpleNamespace(data="7")
    validator(scale)(None, field)
    assert field.value == 7


@pytest.mark.parametrize("typed", ["١٢٣٤٥٦", "１２３４５６", "12345６"])
def test_other_digits_as_the_second_factor_are_a_wrong_code(client, staff_login, typed):
    email = staff_login.make_staff("coordinator")
    token = CSRF.search(client.get("/staff/login").get_data(as_text=True)).group(1)
    client.post("/staff/login", data={"csrf_token": token, "email": email,
                                      "password": STAFF_PASSWORD})
    token = CSRF.search(client.get("/staff/login/code").get_data(as_text=True)).group(1)
    response = client.post("/staff/login/code", data={"csrf_token": token, "code": typed})
    assert 200 <= response.status_code < 500 and response.status_code != 302
    right = pyotp.TOTP(staff_login.make_staff.secrets[email]).now()
    assert client.post("/staff/login/code",
                       data={"csrf_token": token, "code": right}).status_code == 302


@pytest.mark.parametrize("form_class, message", [
    (ResolveForm, "Give a reason for the values chosen."),
    (CorrectionForm, "Give a reason for the correction."),
    (DuplicateDecisionForm, "Give a reason for the decision."),
])
@pytest.mark.parametrize("reason", ["   ", "\t\r\n", "\u00a0 "])
def test_a_reason_of_only_spaces_is_no_reason(app, form_class, message, reason):
    with app.test_request_context(method="POST", data={"reason": reason}), force_locale("en"):
        form = form_class(meta={"csrf": False})
        assert not form.reason.validate(form)
        assert [str(e) for e in form.reason.errors] == [message]


@pytest.mark.parametrize("page", ["1" + "0" * 18, "-1", "٣", "1e9", "99999999999999999999999"])
def test_any_page_number_shows_a_page(client, staff_login, page):
    staff_login.as_role("coordinator")
    assert client.get("/staff/dashboard/", query_string={"page": page}).status_code == 200


@pytest.mark.parametrize("validator", [ScaleValue, PaperValue])
def test_a_field_not_sent_is_blank_not_malformed(app, validator):
    scale = SimpleNamespace(min=0, max=10, contains=lambda v: 0 <= v <= 10)
    field = SimpleNamespace(data=None)
    with app.test_request_context():
        if validator is PaperValue:  # blank is refused on paper, with the usual message
            with pytest.raises(ValidationError):
                validator(scale)(None, field)
        else:
            validator(scale)(None, field)
            assert field.value is None
