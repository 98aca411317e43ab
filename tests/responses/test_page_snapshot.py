"""The read-only pages' plain snapshot of an invitation says what the ORM objects say."""
from datetime import date

from survey.extensions import db
from survey.invitations.models import Invitation
from survey.responses.clarifications import record_requested_change
from survey.responses.snapshot import load_invitation_view
from survey.staff.models import StaffUser

from ..conftest import BOTH_DATABASES

pytestmark = BOTH_DATABASES


def described(invitation):
    """What the pages read of an invitation, from ORM objects or the snapshot alike."""
    return {
        "instruments": invitation.instruments, "completed_at": invitation.completed_at,
        "expires_at": invitation.expires_at, "status": invitation.participant.status,
        "responses": [(r.id, r.instrument_code, r.instrument_version, r.status,
                       [(a.item_id, a.value, a.state) for a in r.answers],
                       r.answer_values()) for r in invitation.responses],
    }


def orm_and_view(app):
    with app.app_context():
        invitation = db.session.execute(db.select(Invitation)).scalar_one()
        return described(invitation), described(load_invitation_view(invitation.id))


def test_an_unopened_link_has_no_responses(app, make_invitation):
    make_invitation()
    orm, view = orm_and_view(app)
    assert view == orm and view["responses"] == []
    with app.app_context():
        assert load_invitation_view(10**6) is None


def test_answers_skips_and_a_requested_change_read_the_same(app, make_invitation,
                                                            participant_browser, make_staff):
    participant_browser.open(make_invitation())
    assert participant_browser.answer("xq", 1, 7).status_code == 302
    assert participant_browser.answer("xq", 2, 3).status_code == 302
    participant_browser.client.get("/q/xq/3")
    orm, view = orm_and_view(app)  # in progress: one response, two answers
    assert view == orm and view["responses"][0][4] == [("xq1", 7, "answered"),
                                                       ("xq2", 3, "answered")]
    participant_browser.submit()
    email = make_staff("coordinator")
    with app.app_context():
        invitation = db.session.execute(db.select(Invitation)).scalar_one()
        xq = next(r for r in invitation.responses if r.instrument_code == "xq")
        staff = db.session.execute(db.select(StaffUser).filter_by(email=email)).scalar_one()
        record_requested_change(xq, "xq1", 10, date(2026, 11, 20), "phone",
                                "Det skulle være 10", staff, "pressed wrong")
        db.session.commit()
    orm, view = orm_and_view(app)  # submitted, with a change the scores read
    assert view == orm
    assert next(r for r in view["responses"] if r[1] == "xq")[5]["xq1"] == 10
