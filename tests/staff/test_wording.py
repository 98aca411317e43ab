"""Staff wording: besvarelse for a whole response, times with their zone, lists and plurals."""
import pytest
from flask_babel import force_locale, ngettext

from survey.audit.models import AccessRecord
from survey.extensions import db
from survey.instruments import instruments
from survey.paper.services import save_entry
from survey.participants.services import get_participant
from survey.staff.models import StaffUser

from ..conftest import ParticipantBrowser
from ..paper.conftest import reading

XQ = [3, 5, 0, 10, 7, 8, 2, 4]


def answered_twice(app, make_participant, make_invitation, make_staff):
    """P001 answers the XQ on the web (response 1) and on paper, keyed in twice (response 3):
    a duplicate to decide."""
    make_participant("P001")
    browser = ParticipantBrowser(app.test_client())
    browser.open(make_invitation(study_id="P001"))
    browser.answer_all({"xq": XQ})
    assert browser.submit().status_code == 302
    keyers = [make_staff("data_entry") for _ in range(2)]
    with app.app_context():
        for email in keyers:
            keyer = db.session.execute(
                db.select(StaffUser).where(StaffUser.email == email)).scalar_one()
            save_entry(get_participant("P001"), instruments().current("xq"), reading("xq", XQ),
                       keyer)
        db.session.commit()


@pytest.fixture
def coordinator_da(client, staff_login):
    staff_login.as_role("coordinator")
    client.get("/staff/language/da")
    return client


def page(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def test_a_whole_response_is_a_besvarelse(app, make_participant, make_invitation, make_staff,
                                          coordinator_da):
    answered_twice(app, make_participant, make_invitation, make_staff)
    participant = page(coordinator_da, "/staff/participants/P001")
    assert "<h2>Besvarelser</h2>" in participant and "<h2>Svar</h2>" not in participant
    assert "Ændringslog for denne besvarelse" in participant
    duplicates = page(coordinator_da, "/staff/paper/duplicates")
    assert "<h1>Dobbelte besvarelser</h1>" in duplicates and "Dobbelte svar" not in duplicates
    decide = page(coordinator_da, "/staff/paper/duplicates/P001/xq")
    assert "hvilken besvarelse tæller for P001" in decide and "(besvarelse 1)" in decide
    correct = page(coordinator_da, "/staff/paper/responses/3/correct")  # paper only
    assert "Besvarelse 3, spørgeskemaversion 1.0." in correct
    assert "<h1>Ret svar:" in correct  # a single item's answer stays "svar"
    assert "Kontrol af ændringsloggen" in page(coordinator_da, "/staff/audit/")


def test_deciding_a_duplicate_is_logged_as_such(app, make_participant, make_invitation,
                                                make_staff, coordinator_da):
    answered_twice(app, make_participant, make_invitation, make_staff)
    page(coordinator_da, "/staff/paper/duplicates/P001/xq")
    with app.app_context():
        last = db.session.execute(
            db.select(AccessRecord.purpose).order_by(AccessRecord.id.desc())).scalars().first()
    assert last == "duplicate decision"


@pytest.mark.parametrize("lang, zone", [("da", "(dansk tid)"), ("en", "(Danish time)")])
def test_staff_times_name_their_zone(app, client, staff_login, make_participant,
                                     make_invitation, make_staff, lang, zone):
    answered_twice(app, make_participant, make_invitation, make_staff)
    staff_login.as_role("coordinator")
    client.get(f"/staff/language/{lang}")
    participant = page(client, "/staff/participants/P001")
    assert participant.count(zone) > 10  # added, invitations, responses, every audit record
    assert zone in page(client, "/staff/paper/responses/3/correct")  # paper only
    assert zone in page(client, "/staff/paper/duplicates/P001/xq")


@pytest.mark.parametrize("lang, days", [("da", "Påmindelser sendes 7 og 14 dage efter"),
                                        ("en", "Reminders are due 7 and 14 days after")])
def test_reminder_days_are_a_list_in_words(client, staff_login, lang, days):
    staff_login.as_role("coordinator")
    client.get(f"/staff/language/{lang}")
    assert days in page(client, "/staff/dashboard/reminders")


def write(tmp_path, rows):
    path = tmp_path / "participants.csv"
    path.write_text("study_id,language,email,phone\n" + "".join(
        f"{study_id},da,,\n" for study_id in rows), encoding="utf-8")
    return str(path)


def test_cli_import_counts_participants_in_proper_english(runner, tmp_path):
    one = runner.invoke(args=["participants", "import", write(tmp_path, ["P001"])])
    assert one.exit_code == 0 and one.stdout == "Imported 1 participant.\n"
    two = runner.invoke(args=["participants", "import", write(tmp_path, ["P002", "P003"])])
    assert two.exit_code == 0 and two.stdout == "Imported 2 participants.\n"


@pytest.mark.parametrize("lang, one, two", [
    ("da", "1 deltager importeret.", "2 deltagere importeret."),
    ("en", "Imported 1 participant.", "Imported 2 participants.")])
def test_the_import_count_has_both_plural_forms_in_both_languages(app, lang, one, two):
    with app.test_request_context(), force_locale(lang):
        assert [ngettext("Imported %(num)d participant.", "Imported %(num)d participants.", n)
                for n in (1, 2)] == [one, two]


@pytest.mark.parametrize("minutes, message", [
    (1, "Du blev logget ud efter 1 minut uden aktivitet."),
    (30, "Du blev logget ud efter 30 minutter uden aktivitet.")])
def test_the_idle_logout_message_counts_minutes(app, client, staff_login, minutes, message):
    app.config["SURVEY_STAFF_IDLE_MINUTES"] = minutes
    staff_login.as_role("data_entry")
    client.get("/staff/language/da")
    with client.session_transaction() as session:
        session["staff_last_seen"] = 0  # long ago
    client.get("/staff/")
    assert message in page(client, "/staff/login")
