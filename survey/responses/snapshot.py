"""An invitation as the questionnaire's pages show it, in plain objects.

Making ORM objects for the pages (identity map, eager-load paths, instance processing
for each row) was about a third of an item page, so every page but the submit reads the
same rows with one Core query into small frozen objects that answer to the same names the
pages and the navigation use (`invitation.responses`, `response.answers`, `answer.value`,
...). A save only takes the invitation's id from it: it writes with its own statements
and reads the rows it writes on after its claim (responses/services.py). The submit
works on the ORM objects.

The rows are read through the page reader (`database.read_page()`: connections that can
only read, one round trip a statement). Its two statements are two snapshots, as two
statements always were on PostgreSQL (READ COMMITTED); the second reads only requested
changes of submitted responses, and a submitted invitation's pages lead to the thank-you
page, which shows no answers. Nothing is kept between requests: each page reads
its rows afresh, so it can never show a participant stale answers or anyone else's.
"""
from dataclasses import dataclass

from sqlalchemy import bindparam, select

from ..database import read_page
from ..extensions import db
from ..invitations.models import Invitation
from ..participants.models import Participant
from .models import Answer, RequestedChange, Response


@dataclass(frozen=True, slots=True)
class ParticipantView:
    status: str


@dataclass(frozen=True, slots=True)
class AnswerView:
    item_id: str
    value: int | None
    state: str


@dataclass(frozen=True, slots=True)
class ResponseView:
    id: int
    instrument_code: str
    instrument_version: str
    status: str
    answers: tuple
    #: {item_id: value} of the latest requested change per item (only a submitted
    #: response can have any).
    requested: dict

    def answer_values(self):
        """{item_id: value or None}, as Response.answer_values() gives them."""
        values = {a.item_id: a.value for a in self.answers}
        values.update(self.requested)
        return values


@dataclass(frozen=True, slots=True)
class InvitationView:
    id: int
    instrument_codes: str
    completed_at: object
    revoked_at: object
    expires_at: object
    who_answered: str | None
    participant: ParticipantView
    responses: tuple

    @property
    def instruments(self):
        return tuple(self.instrument_codes.split(","))

    def is_expired(self, now):
        return now >= self.expires_at


# Table columns, not ORM attributes, and a bound parameter: a plain Core statement,
# built once, that SQLAlchemy runs from its compiled cache without the ORM's work.
_invitation, _participant = Invitation.__table__.c, Participant.__table__.c
_response, _answer, _change = Response.__table__.c, Answer.__table__.c, RequestedChange.__table__.c
_PAGE_QUERY = (
    select(_invitation.id, _invitation.instrument_codes, _invitation.completed_at,
           _invitation.revoked_at, _invitation.expires_at, _invitation.who_answered,
           _participant.status,
           _response.id, _response.instrument_code, _response.instrument_version,
           _response.status, _answer.item_id, _answer.value, _answer.state)
    .join(Participant.__table__, _participant.id == _invitation.participant_id)
    .outerjoin(Response.__table__, _response.invitation_id == _invitation.id)
    .outerjoin(Answer.__table__, _answer.response_id == _response.id)
    .where(_invitation.id == bindparam("invitation_id"))
    .order_by(_response.id, _answer.id)
)
_CHANGES_QUERY = (
    select(_change.response_id, _change.item_id, _change.value)
    .where(_change.response_id.in_(bindparam("response_ids", expanding=True)))
    .order_by(_change.id)
)


def load_invitation_view(invitation_id):
    """The invitation with its participant's status, responses and answers, or None."""
    return read_page(db, lambda connection: _load(connection, invitation_id))


def _load(connection, invitation_id):
    rows = connection.execute(_PAGE_QUERY, {"invitation_id": invitation_id}).all()
    if not rows:
        return None
    responses, answers = {}, {}
    for row in rows:
        response_id = row[7]
        if response_id is None:
            continue
        if response_id not in responses:
            responses[response_id] = row[8:11]
            answers[response_id] = []
        if row[11] is not None:
            answers[response_id].append(AnswerView(row[11], row[12], row[13]))
    requested = _requested_changes(
        connection, [rid for rid, r in responses.items() if r[2] == "submitted"])
    first = rows[0]
    return InvitationView(
        *first[0:6], participant=ParticipantView(first[6]),
        responses=tuple(ResponseView(rid, code, version, status, tuple(answers[rid]),
                                     requested.get(rid, {}))
                        for rid, (code, version, status) in responses.items()))


def _requested_changes(connection, response_ids):
    """{response_id: {item_id: value}} of the latest requested change per item."""
    if not response_ids:
        return {}
    changes = {}
    for response_id, item_id, value in connection.execute(
            _CHANGES_QUERY, {"response_ids": response_ids}):
        changes.setdefault(response_id, {})[item_id] = value
    return changes
