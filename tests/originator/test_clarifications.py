"""Rule 2: notes, exclusion and participant-requested changes: the answers stay as given."""
import csv
import io
from datetime import date

import pytest

from survey.audit.models import AuditRecord
from survey.exports.responses_csv import write_responses_csv
from survey.extensions import db
from survey.instruments import instruments
from survey.participants.services import get_participant
from survey.responses.clarifications import (
    ClarificationError,
    add_note,
    exclude_response,
    include_response,
    record_requested_change,
)
from survey.responses.models import Response

from .conftest import staff_user, stored_answers


def exported(app):
    with app.app_context():
        stream = io.StringIO()
        write_responses_csv(stream, instruments(), ("xq", "vas"))
    return {int(r["response_id"]): r for r in csv.DictReader(io.StringIO(stream.getvalue()))}


def trail(app, action):
    with app.app_context():
        return [(r.entity, r.field, r.old_value, r.new_value, r.reason)
                for r in db.session.execute(db.select(AuditRecord).where(
                    AuditRecord.action == action).order_by(AuditRecord.id)).scalars()]


def test_a_note_is_kept_beside_the_answer_and_changes_nothing(app, web_and_clinic, make_staff):
    email, keyer = make_staff("coordinator"), make_staff("data_entry")
    response_id = web_and_clinic["web"]
    before = stored_answers(app, response_id)
    with app.app_context():
        response = db.session.get(Response, response_id)
        with pytest.raises(ClarificationError):
            add_note(response, "xq3", "  ", staff_user(email))
        with pytest.raises(PermissionError):
            add_note(response, "xq3", "text", staff_user(keyer))
        add_note(response, "xq3", "Participant said by phone the scale was confusing",
                 staff_user(email))
        db.session.commit()
    assert stored_answers(app, response_id) == before
    row = exported(app)[response_id]
    assert (row["xq3"], row["xq3_note"]) == ("3", "Participant said by phone the scale was "
                                                  "confusing")
    assert trail(app, "note")[0][:2] == ("answer_note", "xq3")


def test_exclusion_keeps_the_response_flagged_and_can_be_undone(app, web_and_clinic,
                                                                 make_staff):
    email = make_staff("coordinator")
    response_id = web_and_clinic["clinic"]
    with app.app_context():
        response = db.session.get(Response, response_id)
        with pytest.raises(ClarificationError):
            exclude_response(response, staff_user(email), "")
        exclude_response(response, staff_user(email), "Answered for the wrong visit")
        db.session.commit()
    row = exported(app)[response_id]
    assert (row["excluded"], row["exclusion_reason"]) == ("1", "Answered for the wrong visit")
    assert row["xq_total"] == "45.00"  # kept, scored, only flagged
    with app.app_context():
        response = db.session.get(Response, response_id)
        with pytest.raises(ClarificationError):
            exclude_response(response, staff_user(email), "again")
        include_response(response, staff_user(email), "It was the right visit after all")
        db.session.commit()
    row = exported(app)[response_id]
    assert (row["excluded"], row["exclusion_reason"]) == ("0", "")
    assert [(f, o, n, r) for _, f, o, n, r in trail(app, "exclude") + trail(app, "include")] == [
        ("excluded", "False", "True", "Answered for the wrong visit"),
        ("excluded", "True", "False", "It was the right visit after all")]


def test_a_requested_change_keeps_the_original_and_rescores(app, web_and_clinic, make_staff):
    email = make_staff("coordinator")
    response_id = web_and_clinic["web"]
    before = stored_answers(app, response_id)
    with app.app_context():
        response = db.session.get(Response, response_id)
        taker = staff_user(email)
        args = (date(2026, 11, 20), "phone", "Jeg trykkede forkert, det skulle være 10")
        with pytest.raises(ClarificationError):  # the same as the answer used
            record_requested_change(response, "xq1", 1, *args, taker, "pressed wrong")
        with pytest.raises(ClarificationError):  # outside the scale
            record_requested_change(response, "xq1", 11, *args, taker, "pressed wrong")
        with pytest.raises(ClarificationError):  # the day cannot be in the future
            record_requested_change(response, "xq1", 10, date(2999, 1, 1), *args[1:], taker,
                                    "pressed wrong")
        with pytest.raises(ClarificationError):  # no words of the participant
            record_requested_change(response, "xq1", 10, args[0], "phone", " ", taker, "x")
        record_requested_change(response, "xq1", 10, *args, taker, "pressed wrong")
        db.session.commit()
        total = next(s for s in response.scores if s.score_id == "total")
        assert total.value == pytest.approx((36 - 1 + 10) / 8 * 10)
    assert stored_answers(app, response_id) == before  # the submitted answer is kept
    row = exported(app)[response_id]
    assert (row["xq1"], row["xq1_requested"]) == ("1", "10")
    assert (row["xq_total"], row["xq_total_as_submitted"]) == ("56.25", "45.00")
    changes = trail(app, "request_change")
    assert ("requested_change", "xq1", "1", "10", "pressed wrong") in changes
    assert ("requested_change", "request_channel", None, "phone", "pressed wrong") in changes
    with app.app_context():
        rescored = db.session.execute(db.select(AuditRecord).where(
            AuditRecord.entity == "score", AuditRecord.field == "total",
            AuditRecord.action == "update")).scalar_one()
        assert float(rescored.old_value) == pytest.approx(45)
        assert float(rescored.new_value) == pytest.approx(56.25)


def test_the_export_carries_the_participants_status_on_every_row(app, web_and_clinic):
    from survey.participants.services import set_participant_status

    with app.app_context():
        set_participant_status(get_participant("P001"), "withdrawn", date(2026, 11, 25),
                               "Ønsker ikke mere", "system:cli")
        db.session.commit()
    rows = exported(app).values()
    assert {(r["study_id"], r["participant_status"], r["participant_status_date"])
            for r in rows} == {("P001", "withdrawn", "2026-11-25"), ("P002", "active", "")}


@pytest.mark.parametrize("action, data, check", [
    ("note", {"item": "xq2", "text": "Skrev i kommentar: usikker"}, "note"),
    ("exclude", {"reason": "Test response by the team"}, "exclude"),
    ("request", {"item": "xq2", "value": "n", "requested_on": "20.11.2026",
                 "channel": "letter", "participant_words": "Jeg vil ikke svare på 2",
                 "reason": "Participant's wish"}, "request_change"),
])
def test_the_screens_need_a_confirmation_and_save_with_a_reason(
        app, client, staff_login, web_and_clinic, action, data, check):
    email = staff_login.as_role("coordinator")
    client.get("/staff/language/en")
    response_id = web_and_clinic["web"]
    before = stored_answers(app, response_id)
    path = f"/staff/responses/{response_id}/{action}"
    assert client.get(path).status_code == 200
    token = staff_login.csrf_token(path)
    unconfirmed = client.post(path, data={"csrf_token": token, **data})
    assert unconfirmed.status_code == 422
    html = unconfirmed.get_data(as_text=True)
    assert "Tick the box to confirm." in html
    assert next(iter(data.values())).split(":")[0] in html  # what was typed is kept
    assert trail(app, check) == []
    saved = client.post(path, data={"csrf_token": token, "confirm": "y", **data,
                                    **staff_login.signing(email)})
    assert saved.status_code == 302
    assert trail(app, check)
    assert stored_answers(app, response_id) == before
    page = client.get("/staff/participants/P001").get_data(as_text=True)
    if action == "exclude":
        assert "Excluded from analysis" in page and "Test response by the team" in page
    else:
        assert data.get("text", data.get("participant_words")) in page


def test_data_entry_cannot_use_the_screens(client, staff_login, web_and_clinic):
    staff_login.as_role("data_entry")
    for action in ("note", "exclude", "request"):
        assert client.get(f"/staff/responses/{web_and_clinic['web']}/{action}").status_code \
            == 403
