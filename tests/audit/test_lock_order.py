"""One lock order for every transaction that writes audit records: the rows it changes
first, the audit chain last, just before the commit. A participant's save locks the
invitation row and then appends to the chain; a coordinator revoking that invitation at
the same moment must not take the chain first and then wait for the row (on PostgreSQL
the two would deadlock and one would be aborted)."""
import threading
import types

import pytest

import survey.responses.services as response_services
from survey.audit.models import AuditRecord
from survey.audit.services import record_change
from survey.audit_reports.verify import verify_trail
from survey.extensions import db
from survey.invitations.models import Invitation
from survey.participants.services import revoke_invitation
from survey.responses.models import Answer


@pytest.mark.parametrize("db_backend", ["postgresql"], indirect=True)
def test_a_save_and_a_revoke_of_one_invitation_at_once_both_land(app, make_invitation,
                                                                monkeypatch):
    make_invitation()
    with app.app_context():
        invitation_id = db.session.execute(db.select(Invitation.id)).scalar_one()
    claimed, revoking = threading.Event(), threading.Event()
    real_record_change = response_services.record_change
    errors = []

    def record_change_after_the_revoke(*args, **kwargs):
        # The save holds the invitation's row lock (its claim); let the revoke get as far
        # as its commit before the save goes on to its audit record.
        claimed.set()
        revoking.wait(10)
        threading.Event().wait(0.3)
        return real_record_change(*args, **kwargs)

    monkeypatch.setattr(response_services, "record_change", record_change_after_the_revoke)

    def save():
        with app.app_context():
            try:
                response_services.save_answer(types.SimpleNamespace(id=invitation_id), "xq",
                                              "xq1", 4, "da")
                db.session.commit()
            except Exception as error:  # re-raised below, in the test's thread
                errors.append(error)

    def revoke():
        with app.app_context():
            try:
                claimed.wait(10)
                revoke_invitation(db.session.get(Invitation, invitation_id),
                                  "Sent to the wrong address", "staff:1")
                revoking.set()
                db.session.commit()
            except Exception as error:
                revoking.set()
                errors.append(error)

    threads = [threading.Thread(target=save), threading.Thread(target=revoke)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    with app.app_context():
        assert db.session.get(Invitation, invitation_id).revoked_at is not None
        assert [a.value for a in db.session.execute(db.select(Answer)).scalars()] == [4]
        actions = db.session.execute(
            db.select(AuditRecord.action).order_by(AuditRecord.seq)).scalars().all()
        assert actions[-2:] == ["create", "revoke"]  # the save committed first
        report = verify_trail()
        assert report.intact, report.problems


@pytest.mark.parametrize("ending", ["rollback", "close"])
def test_a_record_of_a_transaction_that_never_committed_is_never_appended(app, ending):
    with app.app_context():
        record_change("system:test", "update", "paper_form", 1, field="status", new="lost")
        getattr(db.session, ending)()
        record_change("system:test", "update", "paper_form", 1, field="status", new="kept")
        db.session.commit()
        assert db.session.execute(db.select(AuditRecord.new_value)).scalars().all() == ["kept"]
        assert verify_trail().intact
