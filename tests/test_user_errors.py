"""Errors people see: one base class (survey/user_errors.py) and one way views show them."""
import pytest
from flask import get_flashed_messages
from flask_wtf import FlaskForm
from wtforms import StringField

from survey.paper.readings import FormNotWaiting, PaperEntryError, ReasonRequired, SameStaffMember
from survey.participants.services import ParticipantActionError, ParticipantError
from survey.reminders.schedule import ScheduleError, parse_schedule
from survey.responses.clarifications import ClarificationError
from survey.responses.corrections import CorrectionError, ParticipantsAnswer
from survey.signatures.services import SignatureRefused
from survey.staff.passwords import PasswordPolicyError, check_password_policy
from survey.user_errors import UserError, show_user_error


class NameForm(FlaskForm):
    class Meta:
        csrf = False

    name = StringField()
    code = StringField()


@pytest.fixture
def form(app):
    with app.test_request_context(method="POST", data={"name": "Kim", "code": "12x"}):
        form = NameForm()
        form.validate()
        yield form


@pytest.mark.parametrize("error_class", [
    PaperEntryError, SameStaffMember, ReasonRequired, FormNotWaiting, ParticipantActionError,
    CorrectionError, ParticipantsAnswer, ClarificationError, SignatureRefused, ScheduleError,
    PasswordPolicyError,
])
def test_every_error_with_a_message_for_a_person_is_a_user_error(error_class):
    assert issubclass(error_class, UserError)


def test_the_errors_that_were_value_errors_still_are():
    for error_class in (ParticipantActionError, CorrectionError, ClarificationError,
                        ScheduleError, PasswordPolicyError):
        assert issubclass(error_class, ValueError)
    assert issubclass(ParticipantActionError, ParticipantError)


def test_str_is_for_developers_and_message_for_people():
    error = UserError("code 12x: not a number", "Type a number.", "code")
    assert (str(error), error.message, error.field) == ("code 12x: not a number",
                                                        "Type a number.", "code")


def test_a_message_with_a_field_goes_beside_it_and_what_was_typed_stays(form):
    assert show_user_error(UserError("bad code", "Type a number.", "code"), form) is False
    assert form.code.errors == ["Type a number."] and form.name.errors == []
    assert form.code.data == "12x"
    assert get_flashed_messages() == []


def test_the_view_names_the_field_when_the_error_does_not(form):
    show_user_error(UserError("bad", "Check the name."), form, field="name")
    assert form.name.errors == ["Check the name."]


def test_a_message_without_a_field_goes_to_the_top_of_the_page(form):
    show_user_error(UserError("not waiting", "This form is not waiting."), form)
    assert get_flashed_messages(with_categories=True) == [("error", "This form is not waiting.")]
    assert form.name.errors == form.code.errors == []


def test_an_error_without_a_message_for_people_says_the_fallback(form):
    show_user_error(ClarificationError("stale"), form, fallback="This cannot be saved.")
    assert get_flashed_messages() == ["This cannot be saved."]


def test_a_schedule_error_puts_each_message_beside_its_own_field(app):
    with app.test_request_context():
        with pytest.raises(ScheduleError) as raised:
            parse_schedule("7,x", "25", "8")
    assert set(raised.value.field_messages()) == set(raised.value.errors) > {"days"}


def test_a_refused_signature_names_its_field_and_message():
    refused = SignatureRefused("code", "The code is wrong.")
    assert (refused.field, refused.message, str(refused)) == (
        "code", "The code is wrong.", "code: The code is wrong.")


def test_a_password_error_reads_the_same_for_developers_and_people(app):
    with app.test_request_context(), pytest.raises(PasswordPolicyError) as raised:
        check_password_policy("short")
    assert str(raised.value) == str(raised.value.message) == "Use at least 12 characters."
