"""A signature is bound to its record and its values: it verifies against nothing else,
it needs a printed name, it is in the audit chain, and it happens once with its action."""
import json
import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from survey.audit_reports.verify import verify_trail
from survey.extensions import db
from survey.paper.models import PaperForm
from survey.paper.readings import FormNotWaiting
from survey.paper.signed import signed_resolution
from survey.responses.models import Response
from survey.responses.signed import signed_exclusion
from survey.signatures.models import Signature
from survey.signatures.services import (
    SignatureRefused,
    check_signer,
    sign,
    signature_intact,
    verify_signature,
)

from ..conftest import BOTH_DATABASES, STAFF_PASSWORD
from ..paper.conftest import reading
from .conftest import staff_user


def resolved(app, make_staff, waiting):
    """A discrepancy resolved and signed through the service; (form id, signature id)."""
    record = waiting("resolve")
    form_id = record.entity[1]
    email = make_staff("coordinator")
    with app.app_context():
        signed_resolution(db.session.get(PaperForm, form_id), reading(), staff_user(email),
                          "The paper shows 8")
        db.session.commit()
        return form_id, db.session.execute(db.select(Signature.id)).scalar_one()


def test_a_signature_verifies_against_its_record_and_values_only(app, make_staff, waiting):
    form_id, signature_id = resolved(app, make_staff, waiting)
    with app.app_context():
        signature = db.session.get(Signature, signature_id)
        content = json.loads(signature.content)
        assert content["paper_form"] == form_id and content["values"]["xq6"] == "8"
        assert signature.meaning == "paper_values" and signature.time_zone == "Europe/Copenhagen"
        assert verify_signature(signature, "paper_form", form_id, content)
        assert signature_intact(signature)
        # Copied to another record, or to other values: it does not verify.
        assert not verify_signature(signature, "paper_form", form_id + 1, content)
        assert not verify_signature(signature, "response", form_id, content)
        changed = {**content, "values": {**content["values"], "xq6": "3"}}
        assert not verify_signature(signature, "paper_form", form_id, changed)
        assert not verify_signature(signature, "paper_form", form_id,
                                    {**content, "reason": "another reason"})


def test_a_signature_is_never_changed_in_the_database(app, make_staff, waiting):
    _, signature_id = resolved(app, make_staff, waiting)
    with app.app_context():
        for statement in ("UPDATE signature SET entity_id = '999'", "DELETE FROM signature"):
            with pytest.raises(DBAPIError, match="append-only"):
                with db.engine.begin() as connection:
                    connection.execute(text(statement))
        assert signature_intact(db.session.get(Signature, signature_id))


def test_a_signature_copied_to_another_record_or_deleted_is_caught(app, runner, make_staff,
                                                                   waiting):
    """Even with the triggers gone, a signature row pointed at another record fails, and
    `audit verify` names it; so it does a signature deleted."""
    _, signature_id = resolved(app, make_staff, waiting)
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(text("DROP TRIGGER signature_no_update"))
            connection.execute(text("DROP TRIGGER signature_no_delete"))
            connection.execute(text("UPDATE signature SET entity_id = '999'"))
        assert not signature_intact(db.session.get(Signature, signature_id))
    copied = runner.invoke(args=["audit", "verify"])
    assert copied.exit_code == 1
    assert f"Electronic signature {signature_id} no longer matches" in copied.output
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(text("DELETE FROM signature"))
    deleted = runner.invoke(args=["audit", "verify"])
    assert deleted.exit_code == 1
    assert f"Electronic signature {signature_id} is in the audit trail but missing" in (
        deleted.output)


def test_signing_lands_in_the_chain_and_the_chain_stays_intact(app, make_staff, waiting):
    _, signature_id = resolved(app, make_staff, waiting)
    with app.app_context():
        report = verify_trail()
        assert report.intact, report.problems
        signature = db.session.get(Signature, signature_id)
        from survey.audit.models import AuditRecord

        records = {r.field: r for r in db.session.execute(db.select(AuditRecord).where(
            AuditRecord.action == "sign")).scalars()}
        assert records["digest"].new_value == signature.digest
        assert records["meaning"].new_value == "paper_values"
        assert records["meaning"].reason == signature.meaning_text
        assert records["printed_name"].new_value == signature.printed_name
        assert records["signs"].new_value == f"paper_form {signature.entity_id}"
        assert records["digest"].response_id == signature.response_id is not None


def test_no_signature_without_a_printed_name(app, make_staff, waiting):
    record = waiting("exclude")
    email = make_staff("coordinator", full_name=None)
    with app.app_context():
        nameless = staff_user(email)
        response = db.session.get(Response, record.entity[1])
        with pytest.raises(SignatureRefused):
            sign(nameless, "exclusion", "response", response.id, {"response": response.id})
        with pytest.raises(SignatureRefused):
            signed_exclusion(response, nameless, "A test response")
        db.session.rollback()
        assert db.session.execute(db.select(Signature)).first() is None
        assert not db.session.get(Response, record.entity[1]).excluded


def test_check_signer_refuses_and_counts(app, make_staff):
    email = make_staff("data_entry", two_factor=False)  # the password step alone
    with app.app_context():
        user = staff_user(email)
        with pytest.raises(SignatureRefused) as refused:
            check_signer(user, "", None)
        assert refused.value.field == "password" and user.failed_logins == 0
        with pytest.raises(SignatureRefused):
            check_signer(user, "wrong wrong wrong wrong", None)
        db.session.refresh(user)
        assert user.failed_logins == 1
        check_signer(user, STAFF_PASSWORD, None)
        db.session.refresh(user)
        assert user.failed_logins == 0  # a right password starts the count afresh, as at login


def at_once(calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@BOTH_DATABASES
def test_two_people_resolving_at_once_make_one_resolution_and_one_signature(
        app, make_staff, waiting):
    record = waiting("resolve")
    form_id = record.entity[1]
    coordinators = [make_staff("coordinator"), make_staff("coordinator")]

    def resolve_as(email):
        def call():
            with app.app_context():
                try:
                    signed_resolution(db.session.get(PaperForm, form_id), reading(),
                                      staff_user(email), "The paper shows 8")
                    db.session.commit()
                    return "resolved"
                except FormNotWaiting:
                    db.session.rollback()
                    return "refused"
        return call

    assert sorted(at_once([resolve_as(email) for email in coordinators])) == [
        "refused", "resolved"]
    with app.app_context():
        assert len(db.session.execute(db.select(Response)).scalars().all()) == 1
        assert len(db.session.execute(db.select(Signature)).scalars().all()) == 1
        assert verify_trail().intact
