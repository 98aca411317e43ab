"""Saving answers, submitting and scoring web responses.

Every write first claims the invitation with a conditional UPDATE ("still
open?"). On PostgreSQL that row lock serialises a participant's concurrent
requests (two tabs, a double click); on SQLite every write transaction is
serialised anyway. So a submitted response can never gain, lose or change an
answer, and a second submit finds the invitation already completed.
"""
from flask import current_app
from sqlalchemy.orm import joinedload

from ..audit.services import answer_text, participant_actor, record_change
from ..extensions import db
from ..instruments import instruments
from ..instruments.scoring import decimal_text, score_response
from ..invitations.models import Invitation
from ..participants.models import Participant
from ..provenance import stamp
from ..timeutil import now_utc
from .models import INPUT_METHODS, Answer, Response, Score

#: Answers to "Who filled in the questionnaire?" on the review page (see Invitation.who_answered).
WHO_ANSWERED = ("self", "helped", "proxy")


#: What a save or submit reads, in one query: the invitation with its participant, responses
#: and their answers (and requested changes, which the scores read where there is one).
PAGE_LOAD = (joinedload(Invitation.participant),
             joinedload(Invitation.responses).joinedload(Response.answers),
             joinedload(Invitation.responses).joinedload(Response.requested_changes))


class InvitationClosed(Exception):
    """The invitation accepts no more answers (submitted, revoked, expired, or the
    participant left)."""


# Table columns and bound parameters: plain Core statements, built once, that run from
# SQLAlchemy's compiled cache. A save is the participant's most frequent write; as ORM
# work (identity map, unit of work, eager loads) it cost about twice what it does now.
_invitation, _participant = Invitation.__table__, Participant.__table__
_response, _answer = Response.__table__, Answer.__table__
_CLAIM = (
    db.update(_invitation)
    .where(_invitation.c.id == db.bindparam("invitation_id"),
           _invitation.c.completed_at.is_(None), _invitation.c.revoked_at.is_(None),
           _invitation.c.expires_at > db.bindparam("now"),
           db.exists().where(_participant.c.id == _invitation.c.participant_id,
                             _participant.c.status == "active"))
    .values(last_activity_at=db.bindparam("now"))
    .returning(_invitation.c.participant_id, _invitation.c.mode, _invitation.c.started_by_id)
)
#: The response to one instrument of an invitation and, where there is one, its answer
#: to one item: what a save reads after its claim, in one statement.
_STORED = (
    db.select(_response.c.id, _response.c.instrument_version, _answer.c.id.label("answer_id"),
              _answer.c.value, _answer.c.state, _answer.c.input_method)
    .outerjoin(_answer, db.and_(_answer.c.response_id == _response.c.id,
                                _answer.c.item_id == db.bindparam("item_id")))
    .where(_response.c.invitation_id == db.bindparam("invitation_id"),
           _response.c.instrument_code == db.bindparam("code"))
)
_START_RESPONSE = db.insert(_response).returning(_response.c.id)
_TOUCH_RESPONSE = (
    db.update(_response).where(_response.c.id == db.bindparam("response_id"))
    .values(language=db.bindparam("language"), updated_at=db.bindparam("now"))
)
_INSERT_ANSWER = db.insert(_answer).returning(_answer.c.id)
_UPDATE_ANSWER = db.update(_answer).where(_answer.c.id == db.bindparam("answer_id"))


def claim_open_invitation(invitation_id, now):
    """Lock the invitation row for this transaction and return its (participant_id, mode,
    started_by_id), or raise InvitationClosed (submitted, revoked, expired, participant not
    active: checked here, after any wait for the lock, not only when the page was read).

    On PostgreSQL the UPDATE waits for any other transaction on this invitation (a double
    click, a second tab) and then sees its commit; on SQLite the transaction holds the
    database's write lock already. So what the caller reads after the claim is current.
    """
    db.session.flush()  # a caller's unflushed ORM changes, which this statement must see
    row = db.session.connection().execute(
        _CLAIM, {"invitation_id": invitation_id, "now": now}).first()
    if row is None:
        raise InvitationClosed(invitation_id)
    return row


def response_for(invitation, code):
    for response in invitation.responses:
        if response.instrument_code == code:
            return response
    return None


def instrument_for(invitation, code):
    """The instrument version this invitation's response to `code` is (or will be) answered on."""
    response = response_for(invitation, code)
    if response is not None:
        return instruments().get(code, response.instrument_version)
    return instruments().current(code)


def questionnaire_positions(invitation):
    """Every (instrument code, item number) the participant is asked, in order."""
    return [(code, item.number)
            for code in invitation.instruments
            for item in instrument_for(invitation, code).items]


def seen_items(invitation):
    """{(code, item_id)} of items with a stored answer or an explicit 'not answered'."""
    return {(r.instrument_code, a.item_id) for r in invitation.responses for a in r.answers}


def first_unseen_position(invitation):
    """Where to resume: the first item with nothing stored, or None when all were seen."""
    seen = seen_items(invitation)
    for code, number in questionnaire_positions(invitation):
        item = instrument_for(invitation, code).item_at(number)
        if (code, item.id) not in seen:
            return code, number
    return None


def _start_response(claimed, invitation_id, code, version, language, now):
    """Start the web response to `code` on instrument `version`; its id. `claimed` is the
    claim's row: the participant, the mode and who started a clinic session."""
    return db.session.connection().execute(_START_RESPONSE, {
        "participant_id": claimed.participant_id, "invitation_id": invitation_id,
        "instrument_code": code, "instrument_version": version, "mode": claimed.mode,
        "status": "in_progress", "language": language, "started_at": now, "updated_at": now,
        "started_by_id": claimed.started_by_id}).scalar_one()


def vas_input_method(item, value, reported):
    """How a web answer was given: for a VAS answer, the method the page's script
    reported (tap, keyboard), else typed (the number field, the only way without
    JavaScript); None for other scales and for no answer."""
    if item.scale.kind != "vas" or value is None:
        return None
    return reported if reported in INPUT_METHODS else "typed"


def save_answer(invitation, code, item_id, value, language, now=None, input_method=None):
    """Store one item's answer (None = deliberately left unanswered) on the web response,
    with the language the question was shown in and, for a VAS, how it was given.
    `invitation` is anything with its `id` (the page's snapshot, or the ORM object).

    Raises InvitationClosed once the invitation is submitted or closed, so
    nothing changes after submission.
    """
    now = now or now_utc()
    claimed = claim_open_invitation(invitation.id, now)
    connection = db.session.connection()  # Core statements: no ORM work on the way
    # Read after the claim, never from the page's load: a concurrent save of this
    # invitation may have started the response or answered the item meanwhile.
    found = connection.execute(_STORED, {"invitation_id": invitation.id, "code": code,
                                         "item_id": item_id}).first()
    instrument = (instruments().get(code, found.instrument_version) if found
                  else instruments().current(code))
    item = instrument.item(item_id)
    if value is not None and not item.scale.contains(value):
        raise ValueError(f"{instrument.key} {item_id}: {value} outside the scale")
    if found is None:
        response_id = _start_response(claimed, invitation.id, code, instrument.version,
                                      language, now)
    else:
        response_id = found.id
        connection.execute(_TOUCH_RESPONSE, {"response_id": response_id,
                                             "language": language, "now": now})
    stored = found if found is not None and found.answer_id is not None else None
    state = "not_answered" if value is None else "answered"
    if stored is not None and input_method is None and stored.value == value \
            and stored.input_method:
        method = stored.input_method  # a page saved again unchanged keeps how it was given
    else:
        method = vas_input_method(item, value, input_method)
    values = {"value": value, "state": state, "answered_at": now, "language": language,
              "input_method": method}
    if stored is None:
        answer_id = connection.execute(_INSERT_ANSWER, {
            "response_id": response_id, "item_id": item_id, **values}).scalar_one()
        old = None
    else:
        answer_id = stored.answer_id
        connection.execute(_UPDATE_ANSWER, {"answer_id": answer_id, **values})
        old = answer_text(stored.state, stored.value)
    new = answer_text(state, value)
    if new != old:
        record_change(participant_actor(invitation), "create" if old is None else "update",
                      "answer", answer_id, field=item_id, old=old, new=new, now=now,
                      participant_id=claimed.participant_id, response_id=response_id)
    _forget_loaded()
    return answer_id


def _forget_loaded():
    """ORM objects the caller's session holds (the invitation, its responses, their
    answers, also ones held apart from their collections) read afresh next time: the save
    wrote around the ORM. The page's snapshot is never read again. The web save's session
    holds none."""
    session = db.session
    for instance in list(session.identity_map.values()):
        if isinstance(instance, (Invitation, Response, Answer)):
            session.expire(instance)


def store_scores(response, instrument, min_fraction, actor, reason=None, now=None):
    """Compute every score of a response; store new ones, update changed ones, audit both."""
    existing = {s.score_id: s for s in response.scores}
    for result in score_response(instrument, response.answer_values(), min_fraction):
        score = existing.get(result.score_id)
        old = None if score is None else score.value
        if score is None:
            score = Score(response=response, score_id=result.score_id)
            db.session.add(score)
        elif (old == result.value and score.prorated == result.prorated
              and score.min_fraction == result.min_fraction):
            continue
        score.value, score.prorated = result.value, result.prorated
        score.n_answered, score.n_items = result.n_answered, result.n_items
        score.min_fraction = result.min_fraction
        score.computed_at = now or now_utc()
        db.session.flush()
        # The stored text, exactly: audit verify compares the two as text.
        record_change(actor, "create" if old is None and result.score_id not in existing
                      else "update", "score", score.id, field=result.score_id,
                      old=decimal_text(old), new=decimal_text(result.value), reason=reason,
                      participant_id=response.participant_id, response_id=response.id,
                      now=now)


def submit_invitation(invitation, language, now=None, who_answered=None):
    """Submit every questionnaire of the invitation, once.

    Items never answered are recorded as 'not answered'; scores are stored.
    `who_answered` (one of WHO_ANSWERED, or None when not said) is kept on the
    invitation; it is not an item and no score uses it.
    Returns True if this call submitted, False if the invitation was already
    submitted (a double click, a second tab, the back button).
    """
    now = now or now_utc()
    try:
        claimed = claim_open_invitation(invitation.id, now)
    except InvitationClosed:
        db.session.refresh(invitation)  # another request may have just completed it
        if invitation.completed_at is not None:
            return False
        raise
    if db.session.get_bind().dialect.name == "postgresql":
        # The claim may have waited for another transaction on this invitation (a save
        # in a second tab); read its rows again as they are now, or an answer that
        # transaction stored would be stored a second time as 'not answered'. (On SQLite
        # the transaction held the write lock before it read anything.)
        db.session.execute(
            db.select(Invitation).where(Invitation.id == invitation.id).options(*PAGE_LOAD)
            .execution_options(populate_existing=True)).unique().scalar_one()
    min_fraction = current_app.config["SURVEY_MIN_ANSWERED_FRACTION"]
    actor = participant_actor(invitation)
    for code in invitation.instruments:
        instrument = instrument_for(invitation, code)
        response = response_for(invitation, code) or db.session.get(  # never opened
            Response, _start_response(claimed, invitation.id, code, instrument.version,
                                      language, now))
        answered = {a.item_id for a in response.answers}
        never_shown = [Answer(response=response, item_id=item.id, value=None,
                              state="not_answered", answered_at=now)
                       for item in instrument.items if item.id not in answered]
        db.session.add_all(never_shown)
        response.status, response.submitted_at, response.updated_at = "submitted", now, now
        stamp(response)
        db.session.flush()
        for answer in never_shown:  # audited like every stored answer (audit verify checks)
            record_change(actor, "create", "answer", answer.id, field=answer.item_id,
                          new=answer_text(answer.state, answer.value), now=now,
                          participant_id=response.participant_id, response_id=response.id)
        record_change(actor, "submit", "response", response.id, field="status",
                      old="in_progress", new="submitted", now=now,
                      participant_id=response.participant_id, response_id=response.id)
        store_scores(response, instrument, min_fraction, actor, now=now)
        flag_duplicates(response, actor, now)
    if who_answered is not None:
        if who_answered not in WHO_ANSWERED:
            raise ValueError(f"who_answered must be one of {WHO_ANSWERED}, got {who_answered!r}")
        invitation.who_answered = who_answered
        record_change(actor, "create", "invitation", invitation.id, field="who_answered",
                      old=None, new=who_answered, now=now,
                      participant_id=invitation.participant_id)
    invitation.completed_at = now
    db.session.flush()
    return True


def flag_duplicates(response, actor, now=None):
    """Mark this and any other submitted response to the same instrument as duplicates.

    Both are kept; a coordinator decides which one counts. Nothing is deleted.
    """
    others = db.session.execute(
        db.select(Response).where(
            Response.participant_id == response.participant_id,
            Response.instrument_code == response.instrument_code,
            Response.status == "submitted", Response.id != response.id,
        )
    ).scalars().all()
    if not others:
        return
    for duplicate in [response, *others]:
        if duplicate.duplicate_status is None:
            duplicate.duplicate_status = "pending"
            record_change(actor, "flag", "response", duplicate.id, field="duplicate_status",
                          old=None, new="pending", now=now,
                          participant_id=duplicate.participant_id, response_id=duplicate.id)
