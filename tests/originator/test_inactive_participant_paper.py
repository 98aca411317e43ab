"""Rule 4: paper forms of withdrawn or deceased participants: status shown, confirmed, kept."""
from datetime import date

import pytest

from survey.audit.models import AuditRecord
from survey.extensions import db
from survey.instruments import instruments
from survey.paper.models import PaperEntry
from survey.paper.readings import ReasonRequired
from survey.paper.services import save_entry
from survey.participants.services import get_participant, set_participant_status

from ..paper.conftest import XQ, entry_data, reading


def test_the_service_needs_a_reason_for_an_inactive_participant(people):
    set_participant_status(people.participant, "deceased", date(2026, 11, 10), "Register",
                           "system:cli")
    xq = instruments().current("xq")
    with pytest.raises(ReasonRequired):
        save_entry(people.participant, xq, reading("xq", XQ), people.keyer1)
    entry = save_entry(people.participant, xq, reading("xq", XQ), people.keyer1,
                       status_reason="Filled in before the death; the PI decided to use it")
    db.session.commit()
    assert (entry.participant_status, entry.status_reason) == (
        "deceased", "Filled in before the death; the PI decided to use it")
    [record] = db.session.execute(db.select(AuditRecord).where(
        AuditRecord.action == "confirm_status")).scalars()
    assert (record.new_value, record.reason) == (
        "deceased", "Filled in before the death; the PI decided to use it")


def test_the_entry_screen_shows_the_status_and_needs_a_confirmation(app, client, screens,
                                                                    make_participant,
                                                                    make_staff):
    make_participant("P001", status="withdrawn")
    with app.app_context():
        participant = get_participant("P001")
        participant.status_date = date(2026, 11, 5)
        db.session.commit()
    screens.login(make_staff("data_entry"))
    page = client.get("/staff/paper/participants/P001/xq").get_data(as_text=True)
    assert "status" in page and "Withdrawn" in page
    assert "5 November 2026" in page and 'name="status_confirmed"' in page
    refused = screens.key_in("P001", XQ, remarks="as on paper")
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "Tick the box to confirm" in html and "Give the reason for keying in" in html
    assert 'value="17.11.2026"' in html  # what was typed is kept
    with app.app_context():
        assert db.session.execute(db.select(PaperEntry)).first() is None
    saved = screens.post("/staff/paper/participants/P001/xq", {
        **entry_data(XQ), "status_confirmed": "y", "status_reason": "Sent before withdrawal"})
    assert saved.status_code == 302
    with app.app_context():
        entry = db.session.execute(db.select(PaperEntry)).scalar_one()
        assert (entry.participant_status, entry.status_reason) == (
            "withdrawn", "Sent before withdrawal")


def test_an_active_participants_form_needs_no_confirmation(app, client, screens,
                                                            make_participant, make_staff):
    make_participant("P001")
    screens.login(make_staff("data_entry"))
    page = client.get("/staff/paper/participants/P001/xq").get_data(as_text=True)
    assert "Active" in page and 'name="status_confirmed"' not in page
    assert screens.key_in("P001", XQ).status_code == 302
