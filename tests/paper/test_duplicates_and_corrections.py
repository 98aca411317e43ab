"""A participant who answered on the web and on paper; correcting answers after verification."""
import csv
import io
from decimal import Decimal

import pytest

from survey.audit.models import AuditRecord
from survey.exports.responses_csv import write_responses_csv
from survey.extensions import db
from survey.instruments import instruments
from survey.invitations.services import create_invitation
from survey.paper.duplicates import decide_duplicate, pending_duplicate_groups
from survey.paper.readings import ReasonRequired
from survey.paper.services import save_entry
from survey.responses.corrections import CorrectionError, CorrectionReasonRequired, correct_answer
from survey.responses.services import save_answer, submit_invitation

from ..conftest import BOTH_DATABASES
from .conftest import XQ, reading

WEB_XQ = [1, 1, 1, 1, 1, 1, 1, 1]


def answered_on_the_web(participant, values=WEB_XQ, invitation=None):
    """The participant's submitted XQ through a new link (or through `invitation`)."""
    if invitation is None:
        invitation, _ = create_invitation(participant)
    for n, value in enumerate(values, start=1):
        save_answer(invitation, "xq", f"xq{n}", value, "da")
    submit_invitation(invitation, "da")
    db.session.commit()
    return next(r for r in invitation.responses if r.instrument_code == "xq")


def verified_paper_xq(people, values=XQ):
    xq = instruments().current("xq")
    save_entry(people.participant, xq, reading("xq", values), people.keyer1)
    response = save_entry(people.participant, xq, reading("xq", values),
                          people.keyer2).form.response
    db.session.commit()
    return response


def exported_xq_rows():
    stream = io.StringIO()
    write_responses_csv(stream, instruments(), ("xq", "vas"))
    return [row for row in csv.DictReader(io.StringIO(stream.getvalue()))
            if row["instrument"] == "xq"]


def decisions():
    return db.session.execute(db.select(AuditRecord).where(AuditRecord.action == "decide")
                              .order_by(AuditRecord.id)).scalars().all()


@BOTH_DATABASES
def test_web_and_paper_duplicates_are_flagged_then_decided_with_a_reason(people):
    web = answered_on_the_web(people.participant)
    assert web.duplicate_status is None
    paper = verified_paper_xq(people)
    assert (web.duplicate_status, paper.duplicate_status) == ("pending", "pending")
    assert pending_duplicate_groups() == [(people.participant.id, "xq")]
    assert exported_xq_rows() == []  # neither counts until someone decides

    with pytest.raises(ReasonRequired):
        decide_duplicate(paper, people.coordinator, "")
    with pytest.raises(PermissionError):
        decide_duplicate(paper, people.keyer1, "the paper is newer")
    decide_duplicate(paper, people.coordinator, "Paper form dated after the web answers")
    db.session.commit()
    assert (web.duplicate_status, paper.duplicate_status) == ("does_not_count", "counts")
    assert pending_duplicate_groups() == []
    assert [(d.response_id, d.old_value, d.new_value, d.reason) for d in decisions()] == [
        (web.id, "pending", "does_not_count", "Paper form dated after the web answers"),
        (paper.id, "pending", "counts", "Paper form dated after the web answers")]
    [row] = exported_xq_rows()
    assert (row["mode"], row["response_id"]) == ("paper", str(paper.id))

    # A change of mind is another decision, audited; nothing is ever deleted.
    decide_duplicate(web, people.coordinator, "The paper form was from the previous round")
    db.session.commit()
    assert (web.duplicate_status, paper.duplicate_status) == ("counts", "does_not_count")
    assert len(decisions()) == 4
    assert [r["mode"] for r in exported_xq_rows()] == ["web"]


@BOTH_DATABASES
def test_correction_after_verification_needs_a_reason_and_is_audited(people):
    response = verified_paper_xq(people)
    with pytest.raises(CorrectionReasonRequired):
        correct_answer(response, "xq1", "answered", 7, people.coordinator, " ")
    with pytest.raises(PermissionError):
        correct_answer(response, "xq1", "answered", 7, people.keyer1, "typo")
    with pytest.raises(CorrectionError):
        correct_answer(response, "xq1", "answered", 3, people.coordinator, "no change")
    correct_answer(response, "xq1", "answered", 7, people.coordinator,
                   "Transcription error, see the paper")
    correct_answer(response, "xq8", "unreadable", None, people.coordinator,
                   "The mark is between 4 and 5")
    db.session.commit()

    assert response.answer_values()["xq1"] == 7
    assert {a.item_id: a.state for a in response.answers}["xq8"] == "unreadable"
    # Sum of the 7 answered items: 39 - 3 + 7 - 4 = 39 -> mean 39/7 on 0-10 -> x10.
    total = next(s for s in response.scores if s.score_id == "total")
    assert total.value == Decimal("55.714286") and total.prorated  # 390/7, exact to 6 places
    records = db.session.execute(
        db.select(AuditRecord).where(AuditRecord.action == "correct").order_by(AuditRecord.id)
    ).scalars().all()
    assert [(r.entity, r.field, r.old_value, r.new_value, r.reason) for r in records] == [
        ("answer", "xq1", "3", "7", "Transcription error, see the paper"),
        ("answer", "xq8", "4", "unreadable", "The mark is between 4 and 5")]
    rescored = db.session.execute(
        db.select(AuditRecord).where(AuditRecord.entity == "score",
                                     AuditRecord.field == "total",
                                     AuditRecord.action == "update")).scalars().all()
    assert [r.reason for r in rescored] == ["Transcription error, see the paper",
                                            "The mark is between 4 and 5"]
