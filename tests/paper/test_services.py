"""Paper entry without HTTP: double entry, discrepancies, codes, visual checks."""
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError

from survey.audit.models import AuditRecord
from survey.audit_reports.verify import verify_chain, verify_trail
from survey.extensions import db
from survey.instruments import instruments
from survey.paper.models import PaperEntry, PaperForm
from survey.paper.readings import FormNotWaiting, ReasonRequired, SameStaffMember
from survey.paper.services import confirm_visual_check, resolve_discrepancy, save_entry

from ..conftest import BOTH_DATABASES
from .conftest import VAS, XQ, answers, reading


def audit(**where):
    query = db.select(AuditRecord).order_by(AuditRecord.id)
    for name, value in where.items():
        query = query.where(getattr(AuditRecord, name) == value)
    return db.session.execute(query).scalars().all()


def key_in(people, user, values=XQ, code="xq", **fields):
    entry = save_entry(people.participant, instruments().current(code),
                       reading(code, values, **fields), user)
    db.session.commit()
    return entry


def scores(response):
    """{score id: (value rounded to 6 decimals or None, prorated)}."""
    return {s.score_id: (None if s.value is None else round(s.value, 6), s.prorated)
            for s in response.scores}


@BOTH_DATABASES
def test_agreeing_entries_make_a_verified_scored_response(people):
    first = key_in(people, people.keyer1, remarks="Skrevet med blyant")
    form = first.form
    assert form.status == "awaiting_second_entry" and form.response is None
    assert form.verification == "double_entry"

    key_in(people, people.keyer2)
    assert form.status == "verified" and form.verified_by == people.keyer2
    response = form.response
    assert (response.mode, response.status, response.language) == ("paper", "submitted", "da")
    assert response.instrument_version == "1.0" and response.invitation_id is None
    assert response.submitted_at is not None and response.duplicate_status is None
    assert {a.item_id: (a.state, a.value) for a in response.answers} == answers("xq", XQ)
    assert scores(response) == {"total": (48.75, False), "eating": (35.0, False),
                                "not_eating": (62.5, False)}
    # Both people's readings are in the trail, item by item, and the chain holds.
    for entry in form.entries:
        keyed = {r.field: r.new_value for r in audit(entity="paper_entry",
                                                      entity_id=str(entry.id))}
        assert keyed["xq4"] == "10" and keyed["received_on"] == "2026-11-20"
    assert audit(entity="paper_entry", field="remarks")[0].new_value == "Skrevet med blyant"
    assert verify_chain()[1] is None
    assert verify_trail().intact, verify_trail().problems  # every stored answer and score audited


@BOTH_DATABASES
def test_differing_entries_wait_for_the_coordinator_who_resolves_with_a_reason(people):
    form = key_in(people, people.keyer1).form
    second = list(XQ)
    second[3] = 9  # xq4 read as 9 by the second person
    key_in(people, people.keyer2, second)
    assert form.status == "discrepancy" and form.response is None

    resolved = reading("xq", XQ)
    with pytest.raises(ReasonRequired):
        resolve_discrepancy(form, resolved, people.coordinator, "  ")
    with pytest.raises(PermissionError):
        resolve_discrepancy(form, resolved, people.keyer3, "I looked")
    response = resolve_discrepancy(form, resolved, people.coordinator,
                                   "The paper clearly shows 10")
    db.session.commit()
    assert form.status == "verified" and form.verified_by == people.coordinator
    assert response.answer_values()["xq4"] == 10
    assert scores(response)["total"] == (48.75, False)

    readings = [r.new_value for r in audit(entity="paper_entry", field="xq4")]
    assert readings == ["10", "9"]  # both entries' values stay in the trail
    [decision] = audit(action="resolve")
    assert (decision.field, decision.old_value, decision.new_value, decision.reason) == (
        "xq4", "entry 1: 10; entry 2: 9", "10", "The paper clearly shows 10")
    with pytest.raises(FormNotWaiting):
        resolve_discrepancy(form, resolved, people.coordinator, "again")


def test_the_dates_must_agree_too(people):
    form = key_in(people, people.keyer1).form
    key_in(people, people.keyer2, received=date(2026, 11, 21))
    assert form.status == "discrepancy"
    response = resolve_discrepancy(form, reading("xq", XQ, received=date(2026, 11, 21)),
                                   people.coordinator, "Post stamp says the 21st")
    db.session.commit()  # audit records are appended as their transaction commits
    [decision] = audit(action="resolve")
    assert (decision.field, decision.new_value) == ("received_on", "2026-11-21")
    assert response.status == "submitted"


def test_the_same_person_can_never_be_both_entries(people):
    form = key_in(people, people.keyer1).form
    with pytest.raises(SameStaffMember, match="keyed in the first entry"):
        key_in(people, people.keyer1)
    db.session.rollback()
    assert form.status == "awaiting_second_entry" and len(form.entries) == 1
    # The database refuses it too, whatever the code does.
    db.session.add(PaperEntry(form_id=form.id, entry_number=2, entered_by_id=people.keyer1.id,
                              received_on=date(2026, 11, 20)))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("values, expected", [
    # 4 of 8 answered: total prorated from the mean of 2, 6, 8, 4 = 5 -> 50.
    ([2, "n", 6, "m", 8, "u", "u", 4],
     {"total": (50.0, True), "eating": (70.0, True), "not_eating": (30.0, True)}),
    # 3 of 8: under the half rule, no total; eating still has 2 of 4.
    ([2, "n", 6, "m", 8, "u", "u", "-"],
     {"total": (None, False), "eating": (70.0, True), "not_eating": (None, False)}),
])
def test_paper_codes_are_answer_states_and_score_as_missing(people, values, expected):
    key_in(people, people.keyer1, values)
    response = key_in(people, people.keyer2, values).form.response
    states = {a.item_id: (a.state, a.value) for a in response.answers}
    assert states["xq2"] == ("not_answered", None)
    assert states["xq4"] == ("multiple_marks", None)
    assert states["xq6"] == states["xq7"] == ("unreadable", None)
    assert scores(response) == expected


def test_a_code_and_a_number_for_the_same_item_differ(people):
    form = key_in(people, people.keyer1, [3, "u", 0, 10, 7, 8, 2, 4]).form
    key_in(people, people.keyer2, [3, "m", 0, 10, 7, 8, 2, 4])
    assert form.status == "discrepancy"


def test_vas_forms_are_keyed_separately_from_the_xq(people):
    key_in(people, people.keyer1)
    vas = key_in(people, people.keyer2, VAS, code="vas").form
    assert vas.status == "awaiting_second_entry"  # a new VAS form, not the XQ's second entry
    response = key_in(people, people.keyer1, VAS, code="vas").form.response
    assert dict(scores(response))["mean"] == (42.5, False)


def test_visual_check_by_a_second_person(app, people):
    app.config["SURVEY_PAPER_VERIFICATION"] = "visual"
    form = key_in(people, people.keyer1).form
    assert (form.status, form.verification) == ("awaiting_verification", "visual")
    with pytest.raises(SameStaffMember):
        confirm_visual_check(form, reading(), people.keyer1)
    corrected = replace(reading(), answers={**answers("xq", XQ), "xq1": ("answered", 4)})
    with pytest.raises(ReasonRequired):
        confirm_visual_check(form, corrected, people.keyer2)
    response = confirm_visual_check(form, corrected, people.keyer2, "The mark is on 4")
    db.session.commit()
    assert form.status == "verified" and response.answer_values()["xq1"] == 4
    [change] = audit(action="correct", entity="paper_form")
    assert (change.field, change.old_value, change.new_value, change.reason) == (
        "xq1", "3", "4", "The mark is on 4")


def test_visual_check_confirmed_unchanged_needs_no_reason(app, people):
    app.config["SURVEY_PAPER_VERIFICATION"] = "visual"
    form = key_in(people, people.keyer1).form
    response = confirm_visual_check(form, reading(), people.keyer2)
    assert response.answer_values() == {f"xq{n}": v for n, v in enumerate(XQ, start=1)}


def test_unknown_verification_setting_is_refused(app, people):
    app.config["SURVEY_PAPER_VERIFICATION"] = "trust me"
    with pytest.raises(ValueError, match="SURVEY_PAPER_VERIFICATION"):
        key_in(people, people.keyer1)


def test_the_same_sheet_cannot_be_keyed_in_again_while_its_differences_are_open(people):
    form = key_in(people, people.keyer1, [3, 5, 0, 10, 7, 8, 2, 4]).form
    key_in(people, people.keyer2, [3, 5, 1, 10, 7, 8, 2, 4])
    assert form.status == "discrepancy"
    with pytest.raises(FormNotWaiting):
        key_in(people, people.keyer3)
    db.session.rollback()
    assert db.session.execute(db.select(db.func.count(PaperForm.id))).scalar() == 1
