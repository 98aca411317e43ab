"""Coordinators correct or erase a participant's e-mail address and phone number on the web."""
from survey.audit.models import AuditRecord
from survey.extensions import db
from survey.participants.services import get_participant

from .test_actions import action_page, confirm

EMAIL, PHONE = "karen.hansen@example.dk", "+4520304050"


def contacts(app, study_id):
    with app.app_context():
        participant = get_participant(study_id)
        return participant.email, participant.phone, participant.channel


def test_the_correction_page_shows_the_details_and_keeps_what_was_typed(
        app, client, coordinator, make_participant):
    study_id = make_participant(email=EMAIL, phone=PHONE)
    page = action_page(client, study_id, "contact")
    assert f'value="{EMAIL}"' in page and f'value="{PHONE}"' in page
    refused = confirm(client, study_id, "contact", email="karen.hansen@example", phone="12",
                      reason="Typo at import")
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "The e-mail address is not valid" in text and "The phone number is not valid" in text
    assert 'value="karen.hansen@example"' in text and 'value="12"' in text
    assert contacts(app, study_id) == (EMAIL, PHONE, "email")
    emptied = confirm(client, study_id, "contact", email="", phone=PHONE, reason="Typo")
    assert emptied.status_code == 422 and "use “Erase" in emptied.get_data(as_text=True)
    done = confirm(client, study_id, "contact", email=EMAIL, phone="20 30 40 99",
                   reason="New phone")
    assert done.status_code == 302
    assert contacts(app, study_id) == (EMAIL, "+4520304099", "email")


def test_erasing_the_channels_detail_switches_the_channel_and_keeps_no_value(
        app, client, coordinator, make_participant):
    study_id = make_participant(email=EMAIL, phone=PHONE)
    nothing = confirm(client, study_id, "erase-contact", reason="Asked to be forgotten")
    assert nothing.status_code == 422 and "Choose what to erase." in nothing.get_data(
        as_text=True)
    done = confirm(client, study_id, "erase-contact", erase=["email"],
                   reason="Asked to be forgotten")
    assert done.status_code == 302
    assert contacts(app, study_id) == (None, PHONE, "sms")
    follow_up = client.get(done.location).get_data(as_text=True)
    assert "SMS" in follow_up
    done = confirm(client, study_id, "erase-contact", erase=["phone"], reason="Also this")
    assert contacts(app, study_id) == (None, None, "letter")
    with app.app_context():
        stored = " ".join(f"{r.old_value} {r.new_value}" for r in db.session.execute(
            db.select(AuditRecord)).scalars())
    assert "karen" not in stored and "20304050" not in stored
    # Nothing left to erase: the action is no longer offered.
    assert "erase-contact" not in client.get(done.location).get_data(as_text=True)


def test_data_entry_cannot_correct_or_erase(client, staff_login, make_participant):
    study_id = make_participant(email=EMAIL)
    staff_login.as_role("data_entry")
    for action in ("contact", "erase-contact"):
        assert client.get(f"/staff/dashboard/participants/{study_id}/{action}").status_code == 403
