"""Records waiting for each signed action, made through the services."""
from types import SimpleNamespace

import pytest

from survey.extensions import db
from survey.instruments import instruments
from survey.paper.services import save_entry
from survey.participants.services import add_participant, get_participant
from survey.responses.clarifications import exclude_response
from survey.staff.models import StaffUser

from ..originator.conftest import submitted_xq
from ..paper.conftest import XQ, entry_data, reading

#: The second keyer's reading of XQ, different in item 6.
DIFFERENT = [3, 5, 0, 10, 7, 3, 2, 4]
XQ_FIELDS = {f"xq{n}": str(v) for n, v in enumerate(XQ, start=1)}


def staff_user(email):
    return db.session.execute(db.select(StaffUser).where(StaffUser.email == email)).scalar_one()


def _keyed(app, make_staff, study_id, second=None):
    """P's XQ keyed in once (visual mode) or twice (the second reading `second`)."""
    emails = [make_staff("data_entry") for _ in range(2)]  # each commits in its own context
    with app.app_context():
        participant = get_participant(study_id)
        xq = instruments().current("xq")
        keyers = [staff_user(email) for email in emails]
        entry = save_entry(participant, xq, reading(), keyers[0])
        if second is not None:
            entry = save_entry(participant, xq, reading(values=second), keyers[1])
        db.session.commit()
        return entry.form


@pytest.fixture
def waiting(app, make_staff):
    """waiting(action) -> SimpleNamespace(path, data, role, done()): one record waiting for
    `action`, the form's fields as typed (without the signature), who may sign it, and
    a check that tells whether the action was saved."""
    from survey.paper.models import PaperForm
    from survey.responses.models import RequestedChange, Response

    def verified_paper():
        form = _keyed(app, make_staff, "P001", second=XQ)
        return form.response_id

    def setup(action):
        with app.app_context():
            add_participant("P001", "da")
            db.session.commit()
        if action in ("resolve", "check"):
            if action == "check":
                app.config["SURVEY_PAPER_VERIFICATION"] = "visual"
            form = _keyed(app, make_staff, "P001", second=None if action == "check" else
                          DIFFERENT)
            verb = "check" if action == "check" else "resolve"
            data = {**entry_data(XQ), "reason": "The paper shows 8"}
            return SimpleNamespace(
                path=f"/staff/paper/forms/{form.id}/{verb}", data=data,
                role="data_entry" if action == "check" else "coordinator",
                done=lambda: db.session.get(PaperForm, form.id).status == "verified",
                entity=("paper_form", form.id))
        if action == "correct":
            response_id = verified_paper()
            return SimpleNamespace(
                path=f"/staff/paper/responses/{response_id}/correct",
                data={**XQ_FIELDS, "xq1": "u", "reason": "Two marks on the sheet"},
                role="coordinator", entity=("response", response_id),
                done=lambda: {a.item_id: a.state for a in db.session.get(
                    Response, response_id).answers}["xq1"] == "unreadable")
        with app.app_context():
            web_id = submitted_xq(get_participant("P001")).id
        if action == "decide":
            paper_id = verified_paper()
            return SimpleNamespace(
                path="/staff/paper/duplicates/P001/xq",
                data={"counting": str(paper_id), "reason": "The paper came first"},
                role="coordinator", entity=("response", paper_id),
                done=lambda: db.session.get(Response, paper_id).duplicate_status == "counts")
        if action == "include":
            coordinator = make_staff("coordinator")
            with app.app_context():
                exclude_response(db.session.get(Response, web_id), staff_user(coordinator),
                                 "Test response")
                db.session.commit()
        data = {"reason": "Test by the team", "confirm": "y"}
        if action == "request":
            data = {"item": "xq2", "value": "n", "requested_on": "20.11.2026",
                    "channel": "letter", "participant_words": "Jeg vil ikke svare på 2",
                    "reason": "The participant's wish", "confirm": "y"}
        excluded = {"exclude": True, "include": False}

        def done():
            if action == "request":
                return db.session.execute(db.select(RequestedChange)).first() is not None
            return db.session.get(Response, web_id).excluded == excluded[action]

        return SimpleNamespace(path=f"/staff/responses/{web_id}/{action}", data=data,
                               role="coordinator", done=done,
                               entity=("requested_change", None) if action == "request"
                               else ("response", web_id))

    return setup


SIGNED_ACTIONS = ["resolve", "check", "correct", "decide", "exclude", "include", "request"]
