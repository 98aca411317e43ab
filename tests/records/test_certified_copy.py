"""The certified copy: what it says, its digest in the audit trail, and its two variants."""
import hashlib
import re

import pytest

from survey.audit.models import AccessRecord, AuditRecord
from survey.audit.services import record_access
from survey.extensions import db
from survey.instruments import instruments
from survey.invitations.services import create_invitation
from survey.paper.services import save_entry
from survey.participants.services import add_participant, get_participant
from survey.records.services import find_certified_copy, make_certified_copy
from survey.responses.clarifications import add_note, exclude_response
from survey.responses.services import save_answer, submit_invitation
from survey.staff.services import create_staff_user

from ..conftest import CSRF, STAFF_PASSWORD
from ..paper.conftest import reading
from .pdf_text import page_contents, pdf_text

XQ = [3, 5, 0, 10, 7, 8, 2, 4]
VAS = [10, 20, 90, 40, 50, 60, 70, 80]
EMAIL, PHONE = "deltager@example.dk", "+4520304050"
COORDINATOR = "koordinator@example.dk"


def answer_and_note():
    """P001 answered the XQ in Danish and the VAS in English (vas7 left out), and a
    coordinator wrote a note on xq3."""
    participant = add_participant("P001", "da", email=EMAIL, phone=PHONE)
    coordinator = create_staff_user(COORDINATOR, "coordinator", STAFF_PASSWORD)
    invitation, _ = create_invitation(participant)
    for n, value in enumerate(XQ, start=1):
        save_answer(invitation, "xq", f"xq{n}", value, "da")
    for n, value in enumerate(VAS, start=1):
        save_answer(invitation, "vas", f"vas{n}", None if n == 7 else value, "en",
                    input_method="tap")
    submit_invitation(invitation, "en")
    xq = next(r for r in invitation.responses if r.instrument_code == "xq")
    add_note(xq, "xq3", "Deltageren ringede og bekræftede svaret", coordinator)
    db.session.commit()


@pytest.fixture
def answered(app):
    with app.app_context():
        answer_and_note()


@pytest.fixture
def participant(answered, app_ctx):
    return get_participant("P001")


def test_the_staff_copy_holds_every_item_in_its_language_value_and_who_did_what(participant):
    pdf, _ = make_certified_copy(participant, "staff", "da", "system:cli:test")
    text = pdf_text(pdf)
    assert "Deltager P001" in text
    # XQ answered in Danish: Danish wording; VAS answered in English: English wording.
    assert text.count("Hvor svært er det for dig at tale på grund af mundtørhed?") == 1  # xq1
    assert "1. How difficult is it for you to speak because your mouth is dry?" in text  # vas1
    assert "Svar: 10 (af 10)" in text and "Svar: 90 (af 100)" in text
    assert "Svar: Ikke besvaret" in text  # vas7
    assert "Not difficult at all" in text  # the line's anchors, in the answer's language
    assert "(dansk tid)" in text
    assert "Notat: Deltageren ringede og bekræftede svaret" in text
    assert COORDINATOR in text  # the study team's copy names staff
    assert EMAIL not in text and PHONE not in text  # ... and has no contact details


def test_the_copy_draws_each_vas_answer_as_a_line_with_its_mark(participant):
    pdf, _ = make_certified_copy(participant, "staff", "en", "system:cli:test")
    text = pdf_text(pdf)
    assert "Answer: 40 (of 100)" in text and "(Danish time)" in text
    content = b"".join(page_contents(pdf))
    # Each VAS line is one stroke 80 mm long (226.77 pt), and each mark a short one.
    lines = re.findall(rb"([\d.]+) ([\d.]+) m ([\d.]+) ([\d.]+) l S", content)
    long_ones = [x for x in lines if abs(float(x[2]) - float(x[0]) - 226.77) < 0.1]
    assert len(long_ones) == 7  # vas7 was not answered: no line


def test_the_participants_copy_has_contact_details_and_names_staff_by_role(participant):
    pdf, _ = make_certified_copy(participant, "participant", "da", "system:cli:test")
    text = pdf_text(pdf)
    assert EMAIL in text and PHONE in text
    assert COORDINATOR not in text and "@example.dk" not in text.replace(EMAIL, "")
    assert "Forsøgsteamet (Koordinator)" in text


def test_the_digest_is_recorded_and_found_again(participant):
    pdf, digest = make_certified_copy(participant, "participant", "en", "system:cli:test")
    db.session.commit()
    assert digest == hashlib.sha256(pdf).hexdigest()
    record = find_certified_copy(digest)
    assert (record.action, record.field, record.new_value, record.participant_id) == (
        "certify", "copy_for_participant", digest, participant.id)
    assert find_certified_copy(hashlib.sha256(pdf + b" ").hexdigest()) is None


def test_record_and_record_check_on_the_command_line(app, runner, answered, tmp_path):
    output = tmp_path / "P001.pdf"
    result = runner.invoke(args=["participants", "record", "P001", "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert "Deltager P001" in pdf_text(output.read_bytes())  # Danish by default
    checked = runner.invoke(args=["participants", "record-check", str(output)])
    assert checked.exit_code == 0, checked.output
    assert "exact certified copy (staff copy) of participant P001" in checked.output
    assert "system:cli:" in checked.output

    changed = tmp_path / "changed.pdf"
    changed.write_bytes(output.read_bytes() + b"%")  # one byte more: no longer the copy
    refused = runner.invoke(args=["participants", "record-check", str(changed)])
    assert refused.exit_code == 1 and "never recorded" in refused.output

    english = runner.invoke(args=["participants", "record", "P001", "--for-participant",
                                  "--lang", "en", "--output", str(tmp_path / "en.pdf")])
    assert english.exit_code == 0, english.output
    assert EMAIL in pdf_text((tmp_path / "en.pdf").read_bytes())
    unknown = runner.invoke(args=["participants", "record", "P404", "--output", str(output)])
    assert unknown.exit_code == 1 and "P404" in unknown.output


def test_the_button_downloads_an_audited_copy(app, client, staff_login, answered):
    staff_login.as_role("coordinator")
    page = client.get("/staff/participants/P001").get_data(as_text=True)
    assert "Hent den bekræftede kopi (PDF)" in page
    response = client.post("/staff/participants/P001/certified-copy", data={
        "csrf_token": CSRF.search(page).group(1), "variant": "staff", "language": "da"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    digest = hashlib.sha256(response.data).hexdigest()
    assert digest[:12] in response.headers["Content-Disposition"]
    with app.app_context():
        assert find_certified_copy(digest).actor.startswith("staff:")
        purposes = db.session.execute(db.select(AccessRecord.purpose)).scalars().all()
        assert "certified copy" in purposes


def test_data_entry_staff_get_no_button_and_no_copy(app, client, staff_login, answered):
    staff_login.as_role("data_entry")
    page = client.get("/staff/participants/P001").get_data(as_text=True)
    assert "certified-copy" not in page
    response = client.post("/staff/participants/P001/certified-copy", data={
        "csrf_token": CSRF.search(page).group(1)})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.execute(db.select(AuditRecord).where(
            AuditRecord.action == "certify")).first() is None


def test_a_paper_response_says_who_keyed_it_in_and_who_verified_it(people):
    xq = instruments().current("xq")
    save_entry(people.participant, xq, reading("xq", [3, 5, 0, 10, 7, 8, 2, "n"]), people.keyer1)
    response = save_entry(people.participant, xq, reading("xq", [3, 5, 0, 10, 7, 8, 2, "n"]),
                          people.keyer2).form.response
    exclude_response(response, people.coordinator, "Udfyldt af ægtefællen")
    record_access(people.coordinator, people.participant, "participant page")
    db.session.commit()

    staff = pdf_text(make_certified_copy(people.participant, "staff", "da", "system:cli:t")[0])
    assert "Indtastning 1 tastet af keyer1@example.dk" in staff
    assert "Indtastning 2 tastet af keyer2@example.dk" in staff
    assert "Verificeret af keyer2@example.dk" in staff
    assert "Kilde: Papir" in staff and "Svar: Ikke besvaret" in staff
    assert "Udeladt fra analysen: Udfyldt af ægtefællen" in staff
    assert "coordinator@example.dk · Deltagerside" in staff  # the access log

    own = pdf_text(make_certified_copy(people.participant, "participant", "da", "system:cli:t")[0])
    assert "@example.dk" not in own
    assert "Indtastning 1 tastet af Forsøgsteamet (Indtastning)" in own
    assert "Forsøgsteamet (Koordinator) · Deltagerside" in own
