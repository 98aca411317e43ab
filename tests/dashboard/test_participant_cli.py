"""`flask participants import` and `flask participants set-status`."""
from datetime import date, timedelta

import pytest

from survey.audit.models import AuditRecord
from survey.extensions import db
from survey.invitations.services import invitation_state
from survey.participants.models import Participant
from survey.participants.services import get_participant

HEADER = "study_id,language,email,phone\n"
GOOD = ("P001,da,karen.hansen@example.dk,20 30 40 50\n"
        "P002,en,,+447700900123\n"
        "P003,DA,,\n")
SECRET_EMAIL, SECRET_PHONE = "ole.secret@example", "12 34"


def write(tmp_path, text, bom=False, encoding="utf-8"):
    path = tmp_path / "participants.csv"
    path.write_bytes(("\ufeff" if bom else "").encode(encoding) + text.encode(encoding))
    return str(path)


def stored(app):
    with app.app_context():
        return [(p.study_id, p.language, p.email, p.phone) for p in db.session.execute(
            db.select(Participant).order_by(Participant.study_id)).scalars()]


@pytest.mark.parametrize("bom", [False, True])
def test_a_good_file_imports_every_row(app, runner, tmp_path, bom):
    result = runner.invoke(args=["participants", "import", write(tmp_path, HEADER + GOOD, bom)])
    assert result.exit_code == 0, result.output
    assert result.stdout == "Imported 3 participants.\n"
    assert stored(app) == [("P001", "da", "karen.hansen@example.dk", "+4520304050"),
                           ("P002", "en", None, "+447700900123"), ("P003", "da", None, None)]
    with app.app_context():
        records = db.session.execute(db.select(AuditRecord)).scalars().all()
        assert {(r.actor, r.action, r.field, r.new_value, r.reason) for r in records} == {
            ("system:cli", "create", "study_id", s, "imported from participants.csv")
            for s in ("P001", "P002", "P003")}


def test_a_file_with_one_bad_row_imports_nothing(app, runner, tmp_path):
    text = HEADER + GOOD + f"P004,da,{SECRET_EMAIL},20304050\n"
    result = runner.invoke(args=["participants", "import", write(tmp_path, text)])
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == ("line 5: e-mail address is not valid\n"
                             "Error: nothing imported: 1 of 4 rows have problems\n")
    assert stored(app) == []


def test_every_bad_row_is_listed_without_personal_data(app, runner, tmp_path):
    text = (HEADER + GOOD
            + f"P004,da,{SECRET_EMAIL},\n"      # line 5: e-mail
            + f"P005,sv,,{SECRET_PHONE}\n"      # line 6: language and phone
            + "P001,da,,\n"                     # line 7: twice in the file
            + "bad id!,en,,\n"                  # line 8: study ID
            + "P009,da\n")                      # line 9: cells missing
    result = runner.invoke(args=["participants", "import", write(tmp_path, text)])
    assert result.exit_code == 1
    assert stored(app) == []
    lines = result.stderr.splitlines()
    assert lines[:5] == [
        "line 5: e-mail address is not valid",
        "line 6: language is not valid: use da or en; phone number is not valid: use 8 "
        "digits, or + and the country code, e.g. +4520304050",
        "line 7: the same study ID is on line 2 (upper and lower case count as the same)",
        "line 8: study ID is not valid: use 1-32 letters, digits, '-' or '_', starting with "
        "a letter or digit",
        "line 9: expected 4 cells, found 2",
    ]
    assert lines[5] == "Error: nothing imported: 5 of 8 rows have problems"
    assert SECRET_EMAIL not in result.output and SECRET_PHONE not in result.output


def test_a_study_id_already_in_the_database_is_a_problem(app, runner, tmp_path,
                                                         make_participant):
    make_participant("P002")
    result = runner.invoke(args=["participants", "import", write(tmp_path, HEADER + GOOD)])
    assert result.exit_code == 1
    assert "line 3: a participant with this study ID already exists" in result.stderr
    assert [s for s, *_ in stored(app)] == ["P002"]


@pytest.mark.parametrize(("text", "encoding", "message"), [
    # Semicolons are accepted (Danish Excel), but the header must still be the expected one.
    ("study_id;language;e-mail;phone\nP001;da;;\n", "utf-8", "the first line must be exactly"),
    ("Study_ID,language,email,phone\n", "utf-8", "the first line must be exactly"),
    (HEADER + "P001,da,søren@example.dk,\n", "latin-1", "not UTF-8"),
    (HEADER + "\n", "utf-8", "has no participants"),
])
def test_unusable_files_are_refused(app, runner, tmp_path, text, encoding, message):
    result = runner.invoke(args=["participants", "import",
                                 write(tmp_path, text, encoding=encoding)])
    assert result.exit_code == 1 and message in result.stderr
    assert stored(app) == []


def channels(app):
    with app.app_context():
        return dict(db.session.execute(db.select(Participant.study_id, Participant.channel)).all())


def test_an_optional_channel_column(app, runner, tmp_path):
    text = ("study_id,language,email,phone,channel\n"
            "P001,da,karen.hansen@example.dk,20304050,sms\n"
            "P002,en,john@example.com,,\n"
            "P003,da,,20304050,\n"
            "P004,da,,,\n"
            "P005,da,karen.hansen@example.dk,,Letter\n")
    result = runner.invoke(args=["participants", "import", write(tmp_path, text)])
    assert result.exit_code == 0, result.output
    assert channels(app) == {"P001": "sms", "P002": "email", "P003": "sms", "P004": "letter",
                             "P005": "letter"}


def test_without_the_channel_column_the_default_rule_decides(app, runner, tmp_path):
    result = runner.invoke(args=["participants", "import", write(tmp_path, HEADER + GOOD)])
    assert result.exit_code == 0, result.output
    assert channels(app) == {"P001": "email", "P002": "sms", "P003": "letter"}


def test_a_channel_without_its_contact_detail_is_a_problem(app, runner, tmp_path):
    text = ("study_id;language;email;phone;channel\n"
            f"P001;da;;{SECRET_PHONE.replace(' ', '')}5678;email\n"
            "P002;da;ole@example.dk;;sms\n"
            f"P003;da;;;{SECRET_EMAIL}\n"  # the e-mail address in the channel column
            "P004;da;;;letter\n")
    result = runner.invoke(args=["participants", "import", write(tmp_path, text)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:3] == [
        "line 2: no e-mail address for channel email",
        "line 3: no phone number for channel sms",
        "line 4: channel is not valid: use email, sms or letter"]
    for secret in ("ole@example.dk", "12345678", SECRET_EMAIL):
        assert secret not in result.output
    assert stored(app) == []


def test_set_channel_is_audited_as_the_command(app, runner, make_participant):
    make_participant("P020", email="p020@example.dk", phone="20304050")
    result = runner.invoke(args=["participants", "set-channel", "P020", "sms",
                                 "--reason", "Reads SMS, not e-mail"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "Participant P020: contacted by sms from now on.\n"
    with app.app_context():
        assert get_participant("P020").channel == "sms"
        records = db.session.execute(db.select(AuditRecord)).scalars().all()
        assert [(r.actor, r.action, r.field, r.old_value, r.new_value, r.reason)
                for r in records] == [
            ("system:cli", "update", "channel", "email", "sms", "Reads SMS, not e-mail")]


@pytest.mark.parametrize("args, message", [
    (["P021", "sms", "--reason", "x"], "Error: participant P021 has no phone number"),
    (["P021", "email", "--reason", "x"],
     "Error: participant P021 is already contacted by email"),
    (["P021", "fax", "--reason", "x"],
     "Error: channel 'fax' is not valid: use email, sms or letter"),
    (["P021", "letter", "--reason", " "], "Error: a reason is required"),
    (["NOBODY", "letter", "--reason", "x"], "Error: no participant with study ID 'NOBODY'"),
])
def test_set_channel_refuses_and_changes_nothing(app, runner, make_participant, args, message):
    make_participant("P021", email="p021@example.dk")
    result = runner.invoke(args=["participants", "set-channel", *args])
    assert result.exit_code == 1 and result.stderr.strip() == message
    with app.app_context():
        assert get_participant("P021").channel == "email"
        assert db.session.execute(db.select(AuditRecord)).first() is None


def test_set_status_withdrawn_is_audited_as_the_command(app, runner, make_participant):
    make_participant("P010")
    result = runner.invoke(args=["participants", "set-status", "P010", "withdrawn",
                                 "--date", "2025-03-01", "--reason", "Letter of 1 March"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "Participant P010: withdrawn as of 2025-03-01.\n"
    with app.app_context():
        participant = get_participant("P010")
        assert (participant.status, participant.status_date) == ("withdrawn", date(2025, 3, 1))
        records = db.session.execute(db.select(AuditRecord).order_by(AuditRecord.id)
                                     ).scalars().all()
        assert [(r.actor, r.field, r.old_value, r.new_value, r.reason) for r in records] == [
            ("system:cli", "status", "active", "withdrawn", "Letter of 1 March"),
            ("system:cli", "status_date", None, "2025-03-01", "Letter of 1 March")]


def test_set_status_deceased_revokes_the_open_link(app, runner, make_participant,
                                                   make_invitation):
    link = make_invitation(study_id=make_participant("P011"))
    result = runner.invoke(args=["participants", "set-status", "P011", "deceased",
                                 "--date", "2025-03-01", "--reason", "CPR register"])
    assert result.exit_code == 0, result.output
    assert app.test_client().get(link).status_code == 410
    with app.app_context():
        assert [invitation_state(i) for i in get_participant("P011").invitations] == [
            "revoked"]


def test_set_status_opted_out(app, runner, make_participant):
    make_participant("P012")
    result = runner.invoke(args=["participants", "set-status", "P012", "opted-out",
                                 "--reason", "Asked by phone"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert get_participant("P012").opted_out_at is not None


@pytest.mark.parametrize(("args", "message"), [
    (["P013", "deceased", "--reason", "x"], "--date is required for deceased"),
    (["P013", "deceased", "--date", (date.today() + timedelta(days=3)).isoformat(),
      "--reason", "x"], "is in the future"),
    (["P013", "withdrawn", "--date", "2025-01-01", "--reason", " "], "a reason is required"),
    (["NOBODY", "withdrawn", "--date", "2025-01-01", "--reason", "x"], "no participant"),
])
def test_set_status_refuses_bad_input_and_changes_nothing(app, runner, make_participant,
                                                          args, message):
    make_participant("P013")
    result = runner.invoke(args=["participants", "set-status", *args])
    assert result.exit_code == 1 and message in result.stderr
    with app.app_context():
        assert get_participant("P013").status == "active"
        assert db.session.execute(db.select(AuditRecord)).first() is None


def test_set_status_knows_only_three_statuses(runner, make_participant):
    make_participant("P014")
    result = runner.invoke(args=["participants", "set-status", "P014", "active",
                                 "--reason", "x"])
    assert result.exit_code == 2


def test_a_file_saved_by_danish_excel_with_semicolons_imports(app, runner, tmp_path):
    text = HEADER.replace(",", ";") + GOOD.replace(",", ";")
    result = runner.invoke(args=["participants", "import", write(tmp_path, text, bom=True)])
    assert result.exit_code == 0, result.output
    assert [row[0] for row in stored(app)] == ["P001", "P002", "P003"]
