"""Rule 1: web and clinic answers are the participant's; no staff role changes them."""
import pytest

from survey.audit.models import AuditRecord
from survey.extensions import db
from survey.responses.corrections import ParticipantsAnswer, correct_answer
from survey.responses.models import Response
from survey.staff.models import ROLES

from .conftest import staff_user, stored_answers


@pytest.mark.parametrize("mode", ["web", "clinic"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("code, value", [("answered", 9), ("not_answered", None),
                                         ("multiple_marks", None), ("unreadable", None)])
def test_the_service_refuses_every_change_whoever_calls(app, web_and_clinic, make_staff, mode,
                                                         role, code, value):
    email = make_staff(role)
    before = stored_answers(app, web_and_clinic[mode])
    with app.app_context():
        response = db.session.get(Response, web_and_clinic[mode])
        with pytest.raises(ParticipantsAnswer):
            correct_answer(response, "xq1", code, value, staff_user(email), "looks wrong")
        db.session.rollback()
        assert db.session.execute(db.select(AuditRecord).where(
            AuditRecord.action == "correct")).first() is None
    assert stored_answers(app, web_and_clinic[mode]) == before


@pytest.mark.parametrize("mode", ["web", "clinic"])
@pytest.mark.parametrize("role", ROLES)
def test_every_role_is_refused_on_the_correction_route(app, client, staff_login, web_and_clinic,
                                                       mode, role):
    staff_login.as_role(role)
    client.get("/staff/language/en")
    response_id = web_and_clinic[mode]
    before = stored_answers(app, response_id)
    path = f"/staff/paper/responses/{response_id}/correct"
    page = client.get(path)
    assert page.status_code == 403
    if role != "data_entry":  # data entry may not open the coordinators' screen at all
        assert "These answers cannot be changed" in page.get_data(as_text=True)
        assert 'name="xq1"' not in page.get_data(as_text=True)
    token = staff_login.csrf_token("/staff/")
    posted = client.post(path, data={"csrf_token": token, "xq1": "9", "xq2": "u", "xq3": "m",
                                     "xq4": "n", "xq5": "5", "xq6": "6", "xq7": "7",
                                     "xq8": "8", "reason": "the participant meant 9"})
    assert posted.status_code == 403
    assert stored_answers(app, response_id) == before
    with app.app_context():
        assert db.session.execute(db.select(AuditRecord).where(
            AuditRecord.action == "correct")).first() is None


def test_a_paper_answer_can_still_be_corrected_on_the_route(app, client, screens,
                                                            make_participant, make_staff):
    from ..paper.conftest import XQ

    make_participant("P001")
    for keyer in (make_staff("data_entry"), make_staff("data_entry")):
        screens.login(keyer)
        screens.key_in("P001", XQ)
    screens.login(make_staff("coordinator"))
    with app.app_context():
        paper_id = db.session.execute(db.select(Response.id)).scalar_one()
    data = {f"xq{n}": str(v) for n, v in enumerate(XQ, start=1)}
    saved = screens.signed_post(f"/staff/paper/responses/{paper_id}/correct",
                                {**data, "xq1": "u", "reason": "Two marks on the sheet"})
    assert saved.status_code == 302
    assert stored_answers(app, paper_id)["xq1"] == ("unreadable", None)


def response_routes(app):
    """Every staff URL that takes a response id and accepts a POST, filled in for `rid`."""
    return [rule for rule in app.url_map.iter_rules()
            if "response_id" in rule.arguments and "POST" in rule.methods
            and rule.rule.startswith("/staff/")]


@pytest.mark.parametrize("role", ROLES)
def test_no_route_changes_a_web_or_clinic_answer(app, client, staff_login, web_and_clinic, role):
    """Every POST route on a response, every role, a paper-only code and a new value: the
    stored answers stay exactly as the participant gave them."""
    routes = response_routes(app)
    assert {r.endpoint for r in routes} >= {"paper.correct", "clarifications.clarify"}
    email = staff_login.as_role(role)
    token = staff_login.csrf_token("/staff/")
    before = {mode: stored_answers(app, rid) for mode, rid in web_and_clinic.items()}
    for rule in routes:
        for rid in web_and_clinic.values():
            actions = ["note", "exclude", "include", "request"] if "action" in rule.arguments \
                else [None]
            for action in actions:
                path = rule.build({"response_id": rid, **({"action": action} if action else {})},
                                  append_unknown=False)[1]
                client.post(path, data={
                    "csrf_token": token, "xq1": "u", "xq2": "m", "xq3": "9", "item": "xq3",
                    "value": "9", "requested_on": "20.11.2026", "channel": "phone",
                    "participant_words": "x", "text": "x", "reason": "x", "confirm": "y",
                    **staff_login.signing(email)})  # signed: the refusal is the rule's
    assert {mode: stored_answers(app, rid) for mode, rid in web_and_clinic.items()} == before
