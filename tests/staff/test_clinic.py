"""Clinic hand-over: the participant answers on the staff member's device."""
from survey.audit.models import AuditRecord
from survey.extensions import db
from survey.responses.models import Response
from survey.staff.models import StaffUser


def test_clinic_session_hands_over_and_locks_the_staff_pages(app, client, make_participant,
                                                             staff_login, participant_browser):
    study_id = make_participant(lang="en")
    email = staff_login.as_role("data_entry")
    page = client.get(f"/staff/clinic/{study_id}")
    assert page.status_code == 200
    handed = client.post(f"/staff/clinic/{study_id}",
                         data={"csrf_token": staff_login.csrf_token(f"/staff/clinic/{study_id}")})
    assert handed.location == "/q/"
    welcome = client.get("/q/").get_data(as_text=True)
    assert '<html lang="en">' in welcome and "staff-nav" not in welcome
    assert client.get("/staff/").status_code == 302  # locked until someone logs in again

    participant_browser.answer_all({"xq": [2, 2, 2, 2, 2, 2, 2, 2]})
    participant_browser.submit()
    with app.app_context():
        staff_id = db.session.execute(
            db.select(StaffUser.id).where(StaffUser.email == email)).scalar_one()
        responses = db.session.execute(db.select(Response)).scalars().all()
        assert {(r.mode, r.started_by_id, r.status) for r in responses} == {
            ("clinic", staff_id, "submitted")}
        actors = {a.actor for a in db.session.execute(
            db.select(AuditRecord).where(AuditRecord.entity == "answer")).scalars()}
        assert len(actors) == 1 and actors.pop().startswith("participant:")

    staff_login.login(email)  # unlocking with the staff member's own password
    assert client.get("/staff/").status_code == 200
    assert client.get("/q/").status_code == 403  # the participant's session is gone


def test_clinic_session_refused_for_a_deceased_participant(client, make_participant,
                                                           staff_login):
    study_id = make_participant(status="deceased")
    staff_login.as_role("data_entry")
    response = client.post(f"/staff/clinic/{study_id}", data={
        "csrf_token": staff_login.csrf_token(f"/staff/clinic/{study_id}")})
    assert response.location == "/staff/"
    assert client.get("/staff/").status_code == 200
