"""Clerks reach the clinic hand-over from their own menu; no hand-over for a participant who
has already answered."""
import pytest

from survey.clinic.services import AlreadyAnswered, start_clinic_invitation
from survey.extensions import db
from survey.invitations.models import Invitation
from survey.participants.services import get_participant
from survey.staff.models import StaffUser

from ..paper.test_duplicates_and_corrections import answered_on_the_web


def html(response):
    return response.get_data(as_text=True)


def test_the_clerks_menu_leads_to_the_clinic_hand_over(client, make_participant, staff_login):
    study_id = make_participant(lang="en")
    staff_login.as_role("data_entry")
    client.get("/staff/language/en")
    assert 'href="/staff/clinic/"' in html(client.get("/staff/"))
    page = client.get("/staff/clinic/")
    assert page.status_code == 200 and 'name="study_id"' in html(page)
    found = client.get(f"/staff/clinic/?study_id=+{study_id.lower()}+")
    assert found.location == f"/staff/clinic/{study_id}"
    unknown = client.get("/staff/clinic/?study_id=NOPE1")
    assert unknown.status_code == 422 and "No participant has this study ID." in html(unknown)
    assert 'value="NOPE1"' in html(unknown)  # what was typed is kept
    assert "Hand the device to the participant" in html(client.get(found.location))


def test_hand_over_is_refused_for_a_participant_who_has_answered(app, client, make_participant,
                                                                 staff_login):
    study_id = make_participant(lang="en")
    with app.app_context():
        answered_on_the_web(get_participant(study_id))
    staff_login.as_role("data_entry")
    client.get("/staff/language/en")
    path = f"/staff/clinic/{study_id}"
    page = html(client.get(path))
    assert f"{study_id} has already answered the questionnaire" in page
    assert "Hand the device to the participant" not in page
    token = staff_login.csrf_token("/staff/")
    refused = client.post(path, data={"csrf_token": token})
    assert refused.status_code == 409 and "has already answered" in html(refused)
    assert client.get("/staff/").status_code == 200  # still logged in: nothing handed over
    with app.app_context():
        modes = db.session.execute(db.select(Invitation.mode)).scalars().all()
        assert "clinic" not in modes


def test_the_service_refuses_too(app, make_participant, make_staff):
    study_id = make_participant()
    email = make_staff("data_entry")
    with app.app_context():
        participant = get_participant(study_id)
        answered_on_the_web(participant)
        staff = db.session.execute(
            db.select(StaffUser).where(StaffUser.email == email)).scalar_one()
        with pytest.raises(AlreadyAnswered):
            start_clinic_invitation(participant, staff)


def test_the_participant_page_offers_the_clinic_only_to_someone_who_has_not_answered(
        app, client, make_participant, staff_login):
    waiting, answered = make_participant(lang="en"), make_participant(lang="en")
    with app.app_context():
        answered_on_the_web(get_participant(answered))
    staff_login.as_role("coordinator")  # the page shows it to coordinators
    assert f'href="/staff/clinic/{waiting}"' in html(client.get(f"/staff/participants/{waiting}"))
    assert "/staff/clinic/" + answered not in html(client.get(f"/staff/participants/{answered}"))
