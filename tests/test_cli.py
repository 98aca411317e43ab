"""Staff commands: adding participants, making links, the demo."""
from datetime import timedelta

import pytest

from survey.extensions import db
from survey.invitations.models import Invitation
from survey.participants.models import Participant
from survey.timeutil import now_utc, study_today

from .conftest import BASE_URL

EMAIL = "karen.hansen@example.dk"
PHONE = "20 30 40 50"


def invoke(runner, *args):
    return runner.invoke(args=list(args))


def error_line(result):
    """The single 'Error: ...' line of a failed command (exit code 1, nothing on stdout)."""
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("Error: ")
    return lines[0]


def participants(app):
    with app.app_context():
        return [(p.study_id, p.language, p.status, p.email, p.phone)
                for p in db.session.execute(
                    db.select(Participant).order_by(Participant.id)).scalars()]


def invitations(app):
    """[(study_id, state)] in the order made; state: open, revoked or completed."""
    with app.app_context():
        rows = db.session.execute(db.select(Invitation).order_by(Invitation.id)).scalars()
        return [(i.participant.study_id,
                 "completed" if i.completed_at else "revoked" if i.revoked_at else "open")
                for i in rows]


def link_of(result):
    """The link printed as the last line, as a path for the test client."""
    assert result.exit_code == 0, result.output
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith(f"{BASE_URL}/i/"), last
    assert result.stdout.endswith(last + "\n")
    return last.removeprefix(BASE_URL)


# --- participants add ---------------------------------------------------------------------


def test_add_participant(app, runner):
    result = invoke(runner, "participants", "add", "P001", "--lang", "da")
    assert result.exit_code == 0, result.output
    assert result.output == "Added participant P001 (da, letter).\n"  # no e-mail, no phone
    assert participants(app) == [("P001", "da", "active", None, None)]


def channel_of(app, study_id):
    with app.app_context():
        return db.session.execute(db.select(Participant.channel).where(
            Participant.study_id == study_id)).scalar_one()


@pytest.mark.parametrize("details, channel, expected", [
    (["--email", EMAIL, "--phone", PHONE], None, "email"),
    (["--phone", PHONE], None, "sms"),
    ([], None, "letter"),
    (["--email", EMAIL, "--phone", PHONE], "sms", "sms"),
    (["--email", EMAIL], "letter", "letter"),
    (["--phone", PHONE], "SMS", "sms"),
])
def test_add_with_or_without_a_channel(app, runner, details, channel, expected):
    args = ["participants", "add", "P001", "--lang", "da", *details]
    result = invoke(runner, *args, *(["--channel", channel] if channel else []))
    assert result.exit_code == 0, result.output
    assert result.output == f"Added participant P001 (da, {expected}).\n"
    assert channel_of(app, "P001") == expected


@pytest.mark.parametrize("details, channel, message", [
    (["--phone", PHONE], "email", "Error: no e-mail address for channel email"),
    (["--email", EMAIL], "sms", "Error: no phone number for channel sms"),
    (["--email", EMAIL], "fax", "Error: channel 'fax' is not valid: use email, sms or letter"),
])
def test_a_channel_that_cannot_be_used_is_refused(app, runner, details, channel, message):
    result = invoke(runner, "participants", "add", "P001", "--lang", "da", *details,
                    "--channel", channel)
    assert error_line(result) == message
    assert EMAIL not in result.output and "20304050" not in result.output
    assert participants(app) == []


def test_add_participant_with_contact_details(app, runner):
    result = invoke(runner, "participants", "add", "P-002_b", "--lang", "en",
                    "--email", EMAIL, "--phone", PHONE)
    assert result.exit_code == 0, result.output
    assert EMAIL not in result.output and "20304050" not in result.output.replace(" ", "")
    assert participants(app) == [("P-002_B", "en", "active", EMAIL, "+4520304050")]


@pytest.mark.parametrize("phone, stored", [
    ("20304050", "+4520304050"),
    ("+45 20 30 40 50", "+4520304050"),
    ("2030-4050", "+4520304050"),
    ("+46701234567", "+46701234567"),
])
def test_phone_is_stored_in_one_form(app, runner, phone, stored):
    result = invoke(runner, "participants", "add", "P001", "--lang", "da", "--phone", phone)
    assert result.exit_code == 0, result.output
    assert participants(app)[0][4] == stored


def test_duplicate_study_id_is_refused_and_nothing_changes(app, runner, make_participant):
    make_participant("P001", lang="da", email=EMAIL)
    before = participants(app)
    result = invoke(runner, "participants", "add", "P001", "--lang", "en",
                    "--email", "other@example.dk", "--phone", "+4511223344")
    assert error_line(result) == ("Error: A participant with study ID P001 already exists "
                                  "(study IDs do not depend on upper or lower case).")
    assert "other@example.dk" not in result.output and "11223344" not in result.output
    assert participants(app) == before


@pytest.mark.parametrize("lang", ["de", "dansk", ""])
def test_bad_language_is_refused(app, runner, lang):
    result = invoke(runner, "participants", "add", "P001", "--lang", lang)
    assert error_line(result) == f"Error: language {lang!r} is not valid: use da or en"
    assert participants(app) == []


def test_language_in_capitals_is_read_as_lower_case(app, runner):
    """'DA' (as it may stand in a spreadsheet) is Danish, stored as 'da'."""
    result = invoke(runner, "participants", "add", "P001", "--lang", "DA")
    assert result.exit_code == 0, result.output
    assert "(da, letter)" in result.output


def test_language_is_required(app, runner):
    result = invoke(runner, "participants", "add", "P001")
    assert result.exit_code == 2
    assert "--lang" in result.stderr
    assert participants(app) == []


@pytest.mark.parametrize("email", [
    "karen.hansen", "karen@example", "karen hansen@example.dk", "@example.dk",
    "karen@@example.dk", pytest.param(f"{EMAIL}\n", id="trailing-newline"),
])
def test_bad_email_is_refused_without_echoing_it(app, runner, email):
    result = invoke(runner, "participants", "add", "P001", "--lang", "da", "--email", email)
    assert error_line(result) == "Error: e-mail address is not valid"
    assert email.strip() not in result.output
    assert participants(app) == []


@pytest.mark.parametrize("phone", [
    "9876543", "987654321", "+45 9876 54x3", "0045 98765432", "++4598765432",
    "+45 (98) 76 54 32", "+1234567890123456", "+4598", "abcdefgh",
])
def test_bad_phone_is_refused_without_echoing_it(app, runner, phone):
    result = invoke(runner, "participants", "add", "P001", "--lang", "da", "--phone", phone)
    message = error_line(result)
    assert message.startswith("Error: phone number is not valid")
    for shown in (phone, phone.replace(" ", ""), phone.replace(" ", "").lstrip("+")):
        assert shown not in result.output
    assert participants(app) == []


@pytest.mark.parametrize("study_id", [
    "", "-P001", "_P001", "P 001", "P/001", "P001.", "Pæ01", "X" * 33, " P 001",
])
def test_invalid_study_id_is_refused(app, runner, study_id):
    result = invoke(runner, "participants", "add", "--lang", "da", "--", study_id)
    assert error_line(result).startswith(f"Error: study ID {study_id!r} is not valid")
    assert participants(app) == []


@pytest.mark.parametrize("study_id", [" p001", "P001\n", "p001"])
def test_a_study_id_is_stored_trimmed_in_upper_case(app, runner, study_id):
    """Changed deliberately (issue 12): spaces around a study ID and its case do not count."""
    result = invoke(runner, "participants", "add", "--lang", "da", "--", study_id)
    assert result.exit_code == 0, result.output
    assert participants(app)[0][0] == "P001"


def test_longest_study_id_is_accepted(app, runner):
    result = invoke(runner, "participants", "add", "X" * 32, "--lang", "da")
    assert result.exit_code == 0, result.output
    assert participants(app)[0][0] == "X" * 32


def test_contact_details_are_never_echoed_whatever_else_is_wrong(app, runner):
    result = invoke(runner, "participants", "add", "bad id", "--lang", "xx",
                    "--email", EMAIL, "--phone", PHONE)
    error_line(result)
    assert EMAIL not in result.output and PHONE not in result.output
    assert "20304050" not in result.output


# --- invitations create -------------------------------------------------------------------


def test_create_prints_the_link_last_and_the_link_works(app, runner, client, make_participant):
    make_participant("P001")
    result = invoke(runner, "invitations", "create", "P001")
    path = link_of(result)
    with app.app_context():
        valid_until = (study_today() + timedelta(days=60)).isoformat()
    assert result.stdout.splitlines()[0] == (
        f"Invitation for P001, valid until the end of {valid_until} (Europe/Copenhagen):")
    assert invitations(app) == [("P001", "open")]
    response = client.get(path)
    assert response.status_code == 302
    assert client.get(response.location, follow_redirects=True).status_code == 200


def test_create_for_unknown_participant_is_refused(app, runner, make_participant):
    make_participant("P001")
    result = invoke(runner, "invitations", "create", "P999")
    assert error_line(result) == "Error: no participant with study ID 'P999'"
    assert invitations(app) == []


@pytest.mark.parametrize("status", ["withdrawn", "deceased"])
@pytest.mark.parametrize("replace", [[], ["--replace"]])
def test_create_for_participant_who_left_is_refused(app, runner, make_participant, status,
                                                    replace):
    make_participant("P001", status=status)
    result = invoke(runner, "invitations", "create", "P001", *replace)
    assert error_line(result) == f"Error: participant P001 is {status}; no invitation made"
    assert invitations(app) == []


def test_second_link_while_one_is_open_is_refused(app, runner, client, make_participant):
    make_participant("P001")
    first = link_of(invoke(runner, "invitations", "create", "P001"))
    result = invoke(runner, "invitations", "create", "P001")
    assert error_line(result) == ("Error: participant P001 already has an open link "
                                  "(use --replace to revoke it and make a new one)")
    assert invitations(app) == [("P001", "open")]
    assert client.get(first).status_code == 302


def test_replace_revokes_the_open_link(app, runner, client, make_participant):
    make_participant("P001")
    old = link_of(invoke(runner, "invitations", "create", "P001"))
    new = link_of(invoke(runner, "invitations", "create", "P001", "--replace"))
    assert new != old
    assert invitations(app) == [("P001", "revoked"), ("P001", "open")]
    assert client.get(old).status_code == 410
    assert client.get(new).status_code == 302


def test_links_made_and_replaced_on_the_command_line_are_audited(app, runner,
                                                                make_participant):
    from survey.audit.models import AuditRecord

    make_participant("P001")
    invoke(runner, "invitations", "create", "P001")
    invoke(runner, "invitations", "create", "P001", "--replace")
    with app.app_context():
        records = db.session.execute(
            db.select(AuditRecord.actor, AuditRecord.action, AuditRecord.entity,
                      AuditRecord.entity_id, AuditRecord.reason)
            .where(AuditRecord.entity == "invitation").order_by(AuditRecord.id)).all()
        first, second = db.session.execute(
            db.select(Invitation.id).order_by(Invitation.id)).scalars()
    assert records == [
        ("system:cli", "create", "invitation", str(first), None),
        ("system:cli", "revoke", "invitation", str(first),
         "replaced by invitations create --replace"),
        ("system:cli", "create", "invitation", str(second), None),
    ]


def test_replace_without_an_open_link_just_creates_one(app, runner, make_participant):
    make_participant("P001")
    link_of(invoke(runner, "invitations", "create", "P001", "--replace"))
    assert invitations(app) == [("P001", "open")]


def test_expired_link_does_not_block_a_new_one(app, runner, client, make_participant):
    make_participant("P001")
    old = link_of(invoke(runner, "invitations", "create", "P001"))
    with app.app_context():
        invitation = db.session.execute(db.select(Invitation)).scalar_one()
        invitation.created_at = now_utc() - timedelta(days=61)
        invitation.expires_at = now_utc() - timedelta(days=1)
        db.session.commit()
    new = link_of(invoke(runner, "invitations", "create", "P001"))
    assert client.get(old).status_code == 410
    assert client.get(new).status_code == 302


@pytest.mark.parametrize("replace", [[], ["--replace"]])
def test_participant_who_already_answered_is_refused(app, runner, make_participant,
                                                     participant_browser, replace):
    make_participant("P001")
    participant_browser.open(link_of(invoke(runner, "invitations", "create", "P001")))
    participant_browser.answer_all({"xq": [1] * 8, "vas": [10] * 8})
    assert participant_browser.submit().status_code == 302
    result = invoke(runner, "invitations", "create", "P001", *replace)
    assert error_line(result) == "Error: participant P001 has already answered"
    assert invitations(app) == [("P001", "completed")]


def test_create_uses_the_configured_base_url(app, runner, make_participant):
    app.config["SURVEY_BASE_URL"] = "https://other.example.org/survey"
    make_participant("P001")
    result = invoke(runner, "invitations", "create", "P001")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines()[-1].startswith("https://other.example.org/survey/i/")


# --- demo ---------------------------------------------------------------------------------


def demo_links(result, skip=0):
    """{"Demo participant ID (lang)": link path} from the demo's output after `skip` lines."""
    assert result.exit_code == 0, result.output
    links = {}
    for line in result.stdout.strip().splitlines()[skip:]:
        label, _, link = line.rpartition(": ")
        assert link.startswith(f"{BASE_URL}/i/"), line
        links[label] = link.removeprefix(BASE_URL)
    return links


def test_demo_creates_participants_and_prints_working_links(app, runner, client):
    links = demo_links(invoke(runner, "demo"))
    assert list(links) == ["Demo participant DEMO-001 (da)", "Demo participant DEMO-002 (en)"]
    assert participants(app) == [("DEMO-001", "da", "active", None, None),
                                 ("DEMO-002", "en", "active", None, None)]
    for link in links.values():
        assert client.get(link).status_code == 302


def test_demo_twice_gives_fresh_links_and_revokes_the_old(app, runner, client):
    first = demo_links(invoke(runner, "demo"))
    second = demo_links(invoke(runner, "demo"))
    assert list(second) == list(first)
    assert len(participants(app)) == 2
    assert invitations(app) == [("DEMO-001", "revoked"), ("DEMO-002", "revoked"),
                                ("DEMO-001", "open"), ("DEMO-002", "open")]
    for label in first:
        assert first[label] != second[label]
        assert client.get(first[label]).status_code == 410
        assert client.get(second[label]).status_code == 302


def test_demo_after_a_demo_participant_answered(app, runner, participant_browser):
    links = demo_links(invoke(runner, "demo"))
    participant_browser.open(links["Demo participant DEMO-001 (da)"])
    participant_browser.answer_all({"xq": [0] * 8, "vas": [0] * 8})
    assert participant_browser.submit().status_code == 302
    result = invoke(runner, "demo")
    first_line = result.stdout.splitlines()[0]
    assert first_line == "DEMO-001 has already answered; reset with a new database."
    assert list(demo_links(result, skip=1)) == ["Demo participant DEMO-002 (en)"]
    assert invitations(app) == [("DEMO-001", "completed"), ("DEMO-002", "revoked"),
                                ("DEMO-002", "open")]
