"""Web and clinic responses for the originator rules: made through the services."""
import pytest

from survey.clinic.services import start_clinic_invitation
from survey.extensions import db
from survey.participants.services import get_participant
from survey.responses.models import Response
from survey.staff.models import StaffUser

from ..paper.conftest import people, screens  # noqa: F401 (fixtures used here too)
from ..paper.test_duplicates_and_corrections import answered_on_the_web

#: xq sum 36 -> mean 4.5 -> total 45.
WEB_XQ = [1, 2, 3, 4, 5, 6, 7, 8]


def submitted_xq(participant, mode="web", staff=None, values=WEB_XQ):
    """Participant answers the XQ on the web (or at the clinic, started by `staff`)."""
    invitation = start_clinic_invitation(participant, staff) if mode == "clinic" else None
    return answered_on_the_web(participant, values, invitation)


def staff_user(email):
    return db.session.execute(db.select(StaffUser).where(StaffUser.email == email)).scalar_one()


@pytest.fixture
def web_and_clinic(app, make_participant, make_staff):
    """{"web": response id, "clinic": response id}: P001's XQ on the web, P002's at the clinic
    (two participants: one participant's two would wait as duplicates)."""
    starter = make_staff("data_entry")
    ids = {}
    for study_id, mode in (("P001", "web"), ("P002", "clinic")):
        make_participant(study_id)
        with app.app_context():
            ids[mode] = submitted_xq(get_participant(study_id), mode, staff_user(starter)).id
    return ids


def stored_answers(app, response_id):
    with app.app_context():
        response = db.session.get(Response, response_id)
        return {a.item_id: (a.state, a.value) for a in response.answers}
