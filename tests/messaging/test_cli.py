"""`flask invitations send` and `flask invitations retry-failed`."""
import pytest

from ..test_cli import error_line, invoke
from .conftest import messages

EMAIL = "karen.hansen@example.dk"
PHONE = "20304050"


def lines(result):
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def test_send_to_named_participants_prints_a_line_each_and_no_address(
        app, runner, make_contactable):
    make_contactable(study_id="P001", lang="da", email=EMAIL, phone=PHONE)
    make_contactable(study_id="P002", lang="en", email="john@example.com", phone=PHONE)
    result = invoke(runner, "invitations", "send", "--channel", "sms", "P001", "P002")
    assert lines(result) == ["P001\tsms\tsent", "P002\tsms\tsent",
                             "2 sent, 0 failed, 0 skipped."]
    for secret in (EMAIL, "john@example.com", PHONE, "+45"):
        assert secret not in result.output
    assert [m[:5] for m in messages(app)] == [
        ("P001", "invitation", "sms", "invitation", "sent"),
        ("P002", "invitation", "sms", "invitation", "sent")]


def test_a_participant_named_twice_in_any_case_is_sent_one_invitation(
        app, runner, make_contactable):
    make_contactable(study_id="P001", lang="da", email=EMAIL, phone=PHONE)
    result = invoke(runner, "invitations", "send", "--channel", "sms", "P001", "p001", " P001")
    assert lines(result) == ["P001\tsms\tsent", "1 sent, 0 failed, 0 skipped."]
    assert [m[:2] for m in messages(app)] == [("P001", "invitation")]


def test_all_pending_sends_to_everyone_waiting_who_prefers_the_channel(
        app, runner, make_contactable):
    make_contactable(study_id="P001", channel="email")
    make_contactable(study_id="P002", channel="email", email=None)
    make_contactable(study_id="P003", channel="sms")
    make_contactable(study_id="P004", channel="email", status="withdrawn")
    make_contactable(study_id="P005", channel="email")
    assert lines(invoke(runner, "invitations", "send", "--channel", "email", "P005"))[0] == (
        "P005\temail\tsent")

    result = invoke(runner, "invitations", "send", "--channel", "email", "--all-pending")
    assert lines(result) == [
        "P001\temail\tsent",
        "P002\temail\tskipped: participant P002 has no e-mail address; nothing sent",
        "1 sent, 0 failed, 1 skipped."]
    again = invoke(runner, "invitations", "send", "--channel", "email", "--all-pending")
    assert lines(again)[-1] == "0 sent, 0 failed, 1 skipped."
    assert [m[0] for m in messages(app)] == ["P005", "P001"]


def test_a_failed_send_says_it_will_be_retried_and_retry_failed_reports(
        app, runner, smtp_port, make_contactable):
    make_contactable(study_id="P001")
    result = invoke(runner, "invitations", "send", "--channel", "email", "P001")
    assert lines(result) == ["P001\temail\tfailed, will retry", "0 sent, 1 failed, 0 skipped."]
    assert lines(invoke(runner, "invitations", "retry-failed")) == ["0 sent, 0 failed again."]


@pytest.mark.parametrize("args, message", [
    (["--channel", "fax", "P001"], "Error: channel 'fax' is not valid: use email, sms or letter"),
    (["--channel", "email"], "Error: give either study IDs or --all-pending"),
    (["--channel", "email", "--all-pending", "P001"],
     "Error: give either study IDs or --all-pending"),
    (["--channel", "email", "P001", "NOBODY"], "Error: no participant with study ID 'NOBODY'"),
    (["--channel", "email", "P001", "P002"],
     "Error: participant P002 has no e-mail address; nothing sent"),
    (["--channel", "email", "P001", "P003"], "Error: participant P003 is withdrawn; nothing sent"),
])
def test_bad_input_is_refused_in_one_line_and_nothing_is_sent(
        app, runner, make_contactable, args, message):
    make_contactable(study_id="P001")
    make_contactable(study_id="P002", email=None)
    make_contactable(study_id="P003", status="withdrawn")
    result = invoke(runner, "invitations", "send", *args)
    assert error_line(result) == message
    assert messages(app) == []


def test_someone_who_has_answered_is_refused(app, runner, make_contactable):
    from survey.extensions import db
    from survey.invitations.services import create_invitation
    from survey.participants.services import get_participant
    from survey.timeutil import now_utc

    make_contactable(study_id="P001")
    with app.app_context():
        invitation, _ = create_invitation(get_participant("P001"))
        invitation.completed_at = now_utc()
        db.session.commit()
    result = invoke(runner, "invitations", "send", "--channel", "letter", "P001")
    assert error_line(result) == "Error: participant P001 has already answered; nothing sent"


def test_without_channel_each_is_sent_on_their_own_channel(app, runner, make_contactable):
    # --channel used to be required; now it only overrides each participant's own channel.
    make_contactable(study_id="P001", channel="sms")
    make_contactable(study_id="P002", channel="letter")
    assert lines(invoke(runner, "invitations", "send", "P001", "P002")) == [
        "P001\tsms\tsent", "P002\tletter\tsent", "2 sent, 0 failed, 0 skipped."]
