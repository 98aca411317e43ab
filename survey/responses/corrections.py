"""Correcting a paper answer after verification: with a reason, rescored, audited.

Only paper responses are corrected: staff keyed their values in from the sheet,
so a misreading is staff's to put right. Web and clinic answers are the
participant's own (the participant is the originator of ePRO data): no staff
role changes them. What staff can do with those instead is in clarifications.py.
"""
from flask import current_app
from flask_babel import lazy_gettext as _l

from ..audit.services import answer_text, record_change, staff_actor
from ..extensions import db
from ..instruments import instruments
from ..permissions import Permission, can
from ..timeutil import now_utc
from ..user_errors import UserError
from .models import ANSWER_STATES, Answer
from .services import store_scores


class CorrectionError(UserError, ValueError):
    """The correction cannot be made.

    str() says why for a developer; `.message`, where set, says it to the person.
    """


class CorrectionReasonRequired(CorrectionError):
    pass


class ParticipantsAnswer(CorrectionError):
    """The answer was given by the participant (web or clinic): staff never change it."""


def refuse_unless_paper(response):
    """Raise ParticipantsAnswer unless `response` was keyed in from a paper form."""
    if response.mode != "paper":
        raise ParticipantsAnswer(
            f"response {response.id} was answered by the participant ({response.mode}): "
            "its answers are never changed by staff",
            _l("These answers were given by the participant, so nobody on the study team can "
               "change them. Only answers keyed in from a paper form can be corrected."))


def correct_answer(response, item_id, code, value, staff_user, reason, now=None):
    """Change one item's stored answer of a verified paper response and recompute its scores.

    `code` is the answer state ("answered", "not_answered", "multiple_marks",
    "unreadable") and `value` the number for "answered", else None. A reason is
    required; the audit trail keeps the old and the new answer with it, and each
    score that changes is recorded with the same reason. Returns the Answer.
    """
    now = now or now_utc()
    refuse_unless_paper(response)
    reason = (reason or "").strip()
    if not reason:
        raise CorrectionReasonRequired("a correction after submission needs a reason",
                                       _l("Give a reason for the correction."))
    if not can(staff_user, Permission.CORRECT_ANSWERS):
        raise PermissionError(f"{staff_user!r} may not correct submitted answers")
    if response.status != "submitted":
        raise CorrectionError(f"response {response.id} is not submitted: answers are "
                              "still being given and are not corrected by staff")
    instrument = instruments().get(response.instrument_code, response.instrument_version)
    item = instrument.item(item_id)
    if code not in ANSWER_STATES or (code == "answered") != (value is not None):
        raise CorrectionError(f"{item_id}: code {code!r} with value {value!r}")
    if value is not None and not item.scale.contains(value):
        raise CorrectionError(f"{item_id}: {value} is outside {item.scale.min}..{item.scale.max}")
    answer = next((a for a in response.answers if a.item_id == item_id), None)
    old = None if answer is None else answer_text(answer.state, answer.value)
    if old == answer_text(code, value):
        raise CorrectionError(f"{item_id} is already {old}",
                              _l("The new answer is the same as the stored one."))
    if answer is None:
        answer = Answer(response=response, item_id=item_id, answered_at=now)
        db.session.add(answer)
    answer.state, answer.value = code, value
    response.updated_at = now
    db.session.flush()
    actor = staff_actor(staff_user)
    record_change(actor, "correct", "answer", answer.id, field=item_id, old=old,
                  new=answer_text(code, value), reason=reason,
                  participant_id=response.participant_id, response_id=response.id, now=now)
    store_scores(response, instrument, current_app.config["SURVEY_MIN_ANSWERED_FRACTION"],
                 actor, reason=reason, now=now)
    return answer
