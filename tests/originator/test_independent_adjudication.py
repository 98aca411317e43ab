"""Rule 3: whoever resolves two entries, or checks one, did not key in the form."""
import pytest

from survey.extensions import db
from survey.instruments import instruments
from survey.paper.models import PaperForm
from survey.paper.readings import SameStaffMember
from survey.paper.services import confirm_visual_check, resolve_discrepancy, save_entry
from survey.staff.services import create_staff_user

from ..conftest import STAFF_PASSWORD
from ..paper.conftest import XQ, reading

DIFFERENT = [4, *XQ[1:]]


def test_a_coordinator_who_keyed_an_entry_cannot_resolve_it(people):
    xq = instruments().current("xq")
    save_entry(people.participant, xq, reading("xq", XQ), people.keyer1)
    form = save_entry(people.participant, xq, reading("xq", DIFFERENT), people.coordinator).form
    db.session.commit()
    assert form.status == "discrepancy"
    with pytest.raises(SameStaffMember):
        resolve_discrepancy(form, reading("xq", DIFFERENT), people.coordinator, "as I read it")
    db.session.rollback()
    assert form.status == "discrepancy" and form.response is None
    other = create_staff_user("other@example.dk", "coordinator", STAFF_PASSWORD)
    response = resolve_discrepancy(form, reading("xq", XQ), other, "the sheet says 3")
    db.session.commit()
    assert response.answer_values()["xq1"] == 3


def test_the_keyer_cannot_verify_their_own_entry_in_visual_mode(app, people):
    app.config["SURVEY_PAPER_VERIFICATION"] = "visual"
    xq = instruments().current("xq")
    form = save_entry(people.participant, xq, reading("xq", XQ), people.coordinator).form
    with pytest.raises(SameStaffMember):
        confirm_visual_check(form, reading("xq", XQ), people.coordinator)
    assert confirm_visual_check(form, reading("xq", XQ), people.keyer1).answer_values() == {
        f"xq{n}": v for n, v in enumerate(XQ, start=1)}


def test_the_resolve_screen_refuses_the_coordinator_who_keyed_an_entry(app, client, screens,
                                                                       make_participant,
                                                                       make_staff):
    from ..paper.conftest import entry_data

    make_participant("P001")
    coordinator = make_staff("coordinator")
    screens.login(make_staff("data_entry"))
    screens.key_in("P001", XQ)
    screens.login(coordinator)
    screens.key_in("P001", DIFFERENT)
    with app.app_context():
        form_id = db.session.execute(db.select(PaperForm.id)).scalar_one()
    path = f"/staff/paper/forms/{form_id}/resolve"
    page = client.get(path).get_data(as_text=True)
    assert "you cannot decide between them" in page and 'name="xq1"' not in page
    token = screens.staff_login.csrf_token("/staff/")
    data = {**entry_data(DIFFERENT), "csrf_token": token, "reason": "my reading",
            **screens.staff_login.signing(coordinator)}
    refused = client.post(path, data=data)
    assert refused.status_code == 409
    assert "Another coordinator must resolve the differences." in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(PaperForm, form_id).status == "discrepancy"
