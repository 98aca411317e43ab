"""The paper-entry screens through HTTP: roles, the entry screen, errors that keep input."""
import re

import pytest

from survey.audit.models import AccessRecord, AuditRecord
from survey.extensions import db
from survey.paper.models import PaperForm
from survey.responses.models import Response

from .conftest import VAS, XQ, entry_data

PATHS = ["/staff/paper/", "/staff/paper/participants/P001/xq", "/staff/paper/forms/1/check",
         "/staff/paper/forms/1/resolve", "/staff/paper/duplicates",
         "/staff/paper/duplicates/P001/xq", "/staff/paper/responses/1/correct"]


def text(response):
    return response.get_data(as_text=True)


def field_value(page, name):
    """The value attribute of the input named `name` in the page."""
    found = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', page)
    assert found, name
    value = re.search(r'\bvalue="([^"]*)"', found.group(0))
    return value.group(1) if value else ""


def stored(app, model, **where):
    with app.app_context():
        query = db.select(model).filter_by(**where)
        rows = db.session.execute(query).scalars().all()
        db.session.expunge_all()
        return rows


@pytest.mark.parametrize("path", PATHS)
def test_anonymous_is_sent_to_the_login(client, path):
    response = client.get(path)
    assert response.status_code == 302 and response.location.startswith("/staff/login")


@pytest.mark.parametrize("path", [p for p in PATHS if "resolve" in p or "duplicates" in p
                                  or "correct" in p])
def test_data_entry_may_not_resolve_decide_or_correct(client, staff_login, make_participant,
                                                      path):
    make_participant("P001")
    staff_login.as_role("data_entry")
    assert client.get(path).status_code == 403
    if path != "/staff/paper/duplicates":  # the list itself is only read
        token = staff_login.csrf_token("/staff/")
        assert client.post(path, data={"csrf_token": token, "reason": "x"}).status_code == 403


def test_find_the_participant_and_key_in_twice(app, client, screens, make_participant,
                                               make_staff):
    make_participant("P001")
    first, second = make_staff("data_entry"), make_staff("data_entry")
    screens.login(first)
    index = client.get("/staff/paper/")
    assert index.status_code == 200 and 'name="study_id"' in text(index)
    found = client.get("/staff/paper/?study_id=p001&instrument=xq")
    assert found.location == "/staff/paper/participants/P001/xq"
    unknown = client.get("/staff/paper/?study_id=P999&instrument=xq")
    assert unknown.status_code == 422 and "No participant has this study ID" in text(unknown)

    page = text(client.get(found.location))
    # The paper's order and numbering, the anchors, and the codes' legend.
    assert re.findall(r'name="(xq\d)"', page) == [f"xq{n}" for n in range(1, 9)]
    assert re.findall(r'<th scope="row">(\d)</th>', page) == [str(n) for n in range(1, 9)]
    assert "0 = Not difficult at all<br>10 = Extremely difficult" in page
    assert "n (or -) = not answered, m = two or more marks, u = unreadable" in page
    assert "First entry" in page
    saved = screens.key_in("P001", XQ, remarks="Svar skrevet med kuglepen")
    assert saved.status_code == 302 and saved.location == "/staff/paper/"
    assert "Someone else must now key in the same paper form" in text(client.get("/staff/paper/"))

    # The first keyer cannot be the second.
    assert "The second entry must be keyed in by someone else" in text(
        client.get("/staff/paper/participants/P001/xq"))
    refused = screens.key_in("P001", XQ)
    assert refused.status_code == 409
    assert len(stored(app, PaperForm)[0:1]) == 1

    screens.login(second)
    page = text(client.get("/staff/paper/participants/P001/xq"))
    assert "Second entry" in page
    assert "kuglepen" not in page and field_value(page, "xq1") == ""  # entry 1 not shown
    assert screens.key_in("P001", XQ).status_code == 302
    assert "Both entries agree" in text(client.get("/staff/paper/"))
    [form] = stored(app, PaperForm)
    assert form.status == "verified"
    [response] = stored(app, Response)
    assert (response.mode, response.status) == ("paper", "submitted")
    purposes = [r.purpose for r in stored(app, AccessRecord)]
    assert purposes and set(purposes) == {"paper entry"}


def test_wrong_values_are_refused_and_everything_typed_is_kept(app, client, screens,
                                                             make_participant, make_staff):
    make_participant("P001")
    screens.login(make_staff("data_entry"))
    typed = ["3", "11", "x", "m", "", "N", "u", "-1"]
    response = screens.key_in("P001", typed, received="31.02.2026", completed="17.11.2026",
                              remarks="Noget skrevet i margenen")
    assert response.status_code == 422
    page = text(response)
    assert page.count("Type a whole number from 0 to 10, or one of the codes n, m or u.") == 4
    assert "Type the date as day.month.year, e.g. 26.11.2026." in page
    for n, value in enumerate(typed, start=1):
        assert field_value(page, f"xq{n}") == value, n
    assert field_value(page, "received_on") == "31.02.2026"
    assert field_value(page, "completed_on") == "17.11.2026"
    assert "Noget skrevet i margenen" in page
    focused = re.findall(r'<input[^>]*\bautofocus\b[^>]*>', page)
    assert len(focused) == 1 and 'name="received_on"' in focused[0]  # the first error
    assert 'aria-invalid="true"' in page
    assert stored(app, PaperForm) == []

    vas = screens.key_in("P001", [0, 100, 101, 50, 50, 50, 50, 50], code="vas",
                         received="", completed="")
    page = text(vas)
    assert vas.status_code == 422 and page.count("from 0 to 100, or one of the codes") == 1
    assert "Type the date the form came back to the study team." in page
    assert field_value(page, "vas3") == "101"


@pytest.mark.parametrize("received, completed, message", [
    ("17.11.2026", "20.11.2026", "The date filled in cannot be after the date received."),
    ("20.11.2999", "", "The date cannot be in the future."),
])
def test_dates_must_make_sense(client, screens, make_participant, make_staff, received,
                               completed, message):
    make_participant("P001")
    screens.login(make_staff("data_entry"))
    response = screens.key_in("P001", XQ, received=received, completed=completed)
    assert response.status_code == 422 and message in text(response)


def test_codes_typed_on_the_screen_become_answer_states(app, screens, make_participant,
                                                        make_staff):
    make_participant("P001")
    for keyer in (make_staff("data_entry"), make_staff("data_entry")):
        screens.login(keyer)
        assert screens.key_in("P001", ["N", "m", "U", "-", 5, 5, 5, 5]).status_code == 302
    with app.app_context():
        response = db.session.execute(db.select(Response)).scalar_one()
        states = [a.state for a in response.answers]
        scores = {s.score_id: (s.value, s.prorated) for s in response.scores}
    assert states == ["not_answered", "multiple_marks", "unreadable", "not_answered"] + [
        "answered"] * 4
    assert scores["total"] == (50.0, True)


def test_visual_check_through_the_screens(app, client, screens, make_participant, make_staff):
    app.config["SURVEY_PAPER_VERIFICATION"] = "visual"
    make_participant("P001")
    keyer, checker = make_staff("data_entry"), make_staff("data_entry")
    screens.login(keyer)
    screens.key_in("P001", VAS, code="vas")
    [form] = stored(app, PaperForm)
    assert form.status == "awaiting_verification"
    path = f"/staff/paper/forms/{form.id}/check"
    assert "Someone else must check it" in text(client.get(path))

    screens.login(checker)
    page = text(client.get(path))
    assert field_value(page, "vas3") == "90" and field_value(page, "received_on") == "20.11.2026"
    changed = entry_data([10, 20, 90, 40, 50, 60, 70, "u"], code="vas")
    assert "give a reason for the change" in text(screens.signed_post(path, changed))
    done = screens.signed_post(path, {**changed, "reason": "The mark is off the line"})
    assert done.status_code == 302
    [form] = stored(app, PaperForm)
    assert form.status == "verified"
    [change] = stored(app, AuditRecord, action="correct", entity="paper_form")
    assert (change.field, change.old_value, change.new_value) == ("vas8", "80", "unreadable")


def test_correction_screen_needs_a_reason_and_a_change(app, client, screens, staff_login,
                                                       make_participant, make_staff):
    make_participant("P001")
    for keyer in (make_staff("data_entry"), make_staff("data_entry")):
        screens.login(keyer)
        screens.key_in("P001", XQ)
    [response] = stored(app, Response)
    screens.login(make_staff("coordinator"))
    path = f"/staff/paper/responses/{response.id}/correct"
    page = text(client.get(path))
    assert [field_value(page, f"xq{n}") for n in range(1, 9)] == [str(v) for v in XQ]
    unchanged = {f"xq{n}": str(v) for n, v in enumerate(XQ, start=1)}
    assert "Nothing was changed" in text(screens.post(path, {**unchanged, "reason": "x"}))
    changed = {**unchanged, "xq2": "6"}
    no_reason = screens.post(path, changed)
    assert no_reason.status_code == 422 and "Give a reason for the correction." in text(no_reason)
    assert field_value(text(no_reason), "xq2") == "6"
    saved = screens.signed_post(path, {**changed, "reason": "Misread 5 for 6"})
    assert saved.status_code == 302
    [record] = stored(app, AuditRecord, action="correct")
    assert (record.field, record.old_value, record.new_value, record.reason) == (
        "xq2", "5", "6", "Misread 5 for 6")
    assert "scores are recomputed" in text(client.get(path))


def test_coordinator_decides_which_duplicate_counts(app, client, screens, make_participant,
                                                    make_staff):
    from survey.participants.services import get_participant

    from .test_duplicates_and_corrections import answered_on_the_web

    make_participant("P001")
    with app.app_context():
        web_id = answered_on_the_web(get_participant("P001")).id
    for keyer in (make_staff("data_entry"), make_staff("data_entry")):
        screens.login(keyer)
        screens.key_in("P001", XQ)
    screens.login(make_staff("coordinator"))
    assert "1 questionnaire answered twice" in text(client.get("/staff/paper/"))
    assert "/staff/paper/duplicates/P001/xq" in text(client.get("/staff/paper/duplicates"))
    path = "/staff/paper/duplicates/P001/xq"
    page = text(client.get(path))
    assert page.count('name="counting"') == 2 and "Web, submitted" in page
    paper_id = max(int(i) for i in re.findall(r'name="counting"[^>]*value="(\d+)"', page))
    no_reason = screens.post(path, {"counting": str(paper_id)})
    assert no_reason.status_code == 422 and "Give a reason for the decision." in text(no_reason)
    done = screens.signed_post(path, {"counting": str(paper_id), "reason": "Paper came later"})
    assert done.status_code == 302
    statuses = {r.id: r.duplicate_status for r in stored(app, Response, instrument_code="xq")}
    assert statuses == {web_id: "does_not_count", paper_id: "counts"}
    assert len(stored(app, AuditRecord, action="decide")) == 2
    assert "None waiting for a decision." in text(client.get("/staff/paper/duplicates"))


def test_entry_screen_warns_about_a_form_already_waiting(app, client, screens, make_participant,
                                                         make_staff):
    app.config["SURVEY_PAPER_VERIFICATION"] = "visual"
    make_participant("P001")
    screens.login(make_staff("data_entry"))
    screens.key_in("P001", XQ)
    page = text(client.get("/staff/paper/participants/P001/xq"))
    assert "already keyed in and waiting" in page
    assert "Waiting for a check against the paper" in page
