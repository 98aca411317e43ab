"""Study IDs are case-insensitive: P100 and p100 are one participant, stored as P100."""
import pytest
from flask_migrate import upgrade
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from survey.extensions import db
from survey.participants.models import Participant, canonical_study_id
from survey.participants.services import ParticipantError, add_participant, find_participant

from ..conftest import BOTH_DATABASES

HEADER = "study_id,language,email,phone\n"


def write(tmp_path, text, name="file.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_the_canonical_form_is_trimmed_upper_case():
    assert canonical_study_id(" p100-a ") == "P100-A"
    assert canonical_study_id("P100") == "P100"
    assert canonical_study_id(None) is None


def test_a_study_id_is_stored_in_upper_case(app, runner):
    result = runner.invoke(args=["participants", "add", "p100", "--lang", "da"])
    assert result.exit_code == 0, result.output
    assert "Added participant P100 " in result.output
    with app.app_context():
        assert db.session.execute(db.select(Participant.study_id)).scalars().all() == ["P100"]


def test_adding_p100_after_P100_is_refused_with_a_translated_message(app, runner,
                                                                      make_participant):
    make_participant("P100")
    result = runner.invoke(args=["participants", "add", "p100", "--lang", "da"])
    assert result.exit_code == 1
    assert ("A participant with study ID P100 already exists (study IDs do not depend on "
            "upper or lower case).") in result.stderr
    with app.test_request_context(headers={"Accept-Language": "da"}):
        with pytest.raises(ParticipantError, match="findes allerede"):
            add_participant("p100", "da")


def test_an_import_file_with_p100_and_P100_is_refused_naming_both_lines(app, runner,
                                                                       tmp_path):
    text = HEADER + "P100,da,,\nP200,da,,\np100,en,,\n"
    result = runner.invoke(args=["participants", "import", write(tmp_path, text)])
    assert result.exit_code == 1
    assert ("line 4: the same study ID is on line 2 (upper and lower case count as the "
            "same)") in result.stderr.splitlines()
    with app.app_context():
        assert db.session.execute(db.select(Participant)).scalars().all() == []


def test_an_import_row_in_lower_case_clashes_with_one_already_there(app, runner, tmp_path,
                                                                   make_participant):
    make_participant("P100")
    result = runner.invoke(args=["participants", "import",
                                 write(tmp_path, HEADER + " p100 ,da,,\n")])
    assert result.exit_code == 1
    assert "line 2: a participant with this study ID already exists" in result.stderr


def test_lookups_by_p100_find_P100(app, runner, make_participant):
    make_participant("P100")
    with app.app_context():
        assert find_participant(" p100").study_id == "P100"
    result = runner.invoke(args=["participants", "set-status", "p100", "withdrawn",
                                 "--date", "2026-01-05", "--reason", "phoned"])
    assert result.exit_code == 0, result.output


def test_import_history_finds_P100_by_p100(app, runner, make_participant, tmp_path):
    make_participant("P100")
    header = "study_id,timepoint,date,instrument," + ",".join(
        [f"xq{n}" for n in range(1, 9)] + [f"vas{n}" for n in range(1, 9)])
    row = "p100,baseline,2024-01-15,xq,3,5,0,10,7,8,2,4" + "," * 8
    result = runner.invoke(args=["responses", "import-history",
                                 write(tmp_path, f"{header}\n{row}\n", "history.csv")])
    assert result.exit_code == 0, result.output


def test_staff_pages_find_P100_by_p100(app, client, staff_login, make_participant):
    make_participant("P100")
    staff_login.as_role("coordinator")
    page = client.get("/staff/participants/p100")
    assert page.status_code == 200 and "P100" in page.get_data(as_text=True)


@BOTH_DATABASES
def test_the_database_refuses_a_study_id_not_in_canonical_form(app):
    with app.app_context():
        db.drop_all()
        upgrade()
        with pytest.raises(IntegrityError):
            with db.engine.begin() as connection:
                connection.execute(text(
                    "INSERT INTO participant (study_id, language, status, channel, created_at) "
                    "VALUES ('p1', 'da', 'active', 'email', CURRENT_TIMESTAMP)"))


def insert_old(study_ids):
    with db.engine.begin() as connection:
        for study_id in study_ids:
            connection.execute(text(
                "INSERT INTO participant (study_id, language, status, channel, created_at) "
                "VALUES (:s, 'da', 'active', 'email', CURRENT_TIMESTAMP)"), {"s": study_id})


@BOTH_DATABASES
def test_the_upgrade_puts_existing_study_ids_in_upper_case(app):
    with app.app_context():
        db.drop_all()
        upgrade(revision="0016")
        insert_old(["p7", "Q8", "r9-x"])
        upgrade()
        assert sorted(db.session.execute(text("SELECT study_id FROM participant")).scalars()) \
            == ["P7", "Q8", "R9-X"]


@BOTH_DATABASES
def test_the_upgrade_refuses_study_ids_that_collide_in_upper_case(app, caplog):
    with app.app_context():
        db.drop_all()
        upgrade(revision="0016")
        insert_old(["P100", "p100", "Q1"])
        with pytest.raises(SystemExit):  # flask_migrate logs the error and exits
            upgrade()
        assert ("these study IDs become the same in upper case; give each participant a "
                "study ID of its own (or merge them) and upgrade again: P100 and p100"
                ) in caplog.text
        assert sorted(db.session.execute(text("SELECT study_id FROM participant")).scalars()) \
            == ["P100", "Q1", "p100"]
