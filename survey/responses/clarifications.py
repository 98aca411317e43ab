"""What staff may do with a submitted response instead of changing the participant's answers.

The participant is the originator of web and clinic answers (corrections.py
refuses to change them). Instead a coordinator can:

- attach a data-clarification note to an answer: it explains, it never changes
  the value (exported beside it as `<item>_note`);
- exclude the whole response from analysis with a reason, and take it back in
  with a reason: the response is never deleted; the export flags it;
- record a participant-requested change: the participant asked (by phone,
  letter or in person) for an answer to be changed after submitting. The
  submitted answer stays as it was; the request keeps the new answer, when and
  how the participant asked, their own words and who took the request. The
  scores use the requested answer (the participant, the originator, has told
  us their answer); the export gives the submitted answers and scores beside.

Each action is one function taking the staff member, the reason and the time,
so that an electronic signature can be required at that one place. Each is
audited, with the reason. Callers commit.
"""
from flask import current_app
from flask_babel import lazy_gettext as _l

from ..audit.services import answer_text, record_change, staff_actor
from ..extensions import db
from ..instruments import instruments
from ..permissions import Permission, can
from ..timeutil import now_utc, study_today
from ..user_errors import UserError
from .models import REQUEST_CHANNELS, AnswerNote, RequestedChange
from .services import store_scores


class ClarificationError(UserError, ValueError):
    """The action cannot be taken; `.message`, where set, says why to the person."""


def _check(response, staff_user, reason, what):
    """The rules every action shares; returns the reason, stripped. The response is re-read
    under a row lock (PostgreSQL), so two people doing the same at once do it once."""
    if not can(staff_user, Permission.ANNOTATE_RESPONSES):
        raise PermissionError(f"{staff_user!r} may not {what}")
    db.session.refresh(response, with_for_update=True)
    if response.status != "submitted":
        raise ClarificationError(f"response {response.id} is not submitted")
    reason = (reason or "").strip()
    if not reason:
        raise ClarificationError(f"{what} needs a reason", _l("Give a reason."))
    return reason


def _item(response, item_id):
    instrument = instruments().get(response.instrument_code, response.instrument_version)
    try:
        return instrument, instrument.item(item_id)
    except KeyError:
        raise ClarificationError(f"{item_id} is not an item of {instrument.key}") from None


def add_note(response, item_id, text, staff_user, now=None):
    """Attach a data-clarification note (its text is the reason) to one answer."""
    now = now or now_utc()
    text = _check(response, staff_user, text, "write a note")
    _item(response, item_id)
    note = AnswerNote(response=response, item_id=item_id, text=text,
                      written_by_id=staff_user.id, written_at=now)
    db.session.add(note)
    db.session.flush()
    record_change(staff_actor(staff_user), "note", "answer_note", note.id, field=item_id,
                  new=text, reason=text, participant_id=response.participant_id,
                  response_id=response.id, now=now)
    return note


def exclude_response(response, staff_user, reason, now=None):
    """Exclude the response from analysis; it is kept and exported with the flag."""
    now = now or now_utc()
    reason = _check(response, staff_user, reason, "exclude a response")
    if response.excluded:
        raise ClarificationError(f"response {response.id} is already excluded",
                                 _l("This response is already excluded from analysis."))
    response.excluded_at, response.exclusion_reason = now, reason
    record_change(staff_actor(staff_user), "exclude", "response", response.id, field="excluded",
                  old="False", new="True", reason=reason,
                  participant_id=response.participant_id, response_id=response.id, now=now)


def include_response(response, staff_user, reason, now=None):
    """Take an excluded response back into the analysis (the exclusion stays in the trail)."""
    now = now or now_utc()
    reason = _check(response, staff_user, reason, "take a response back in")
    if not response.excluded:
        raise ClarificationError(f"response {response.id} is not excluded",
                                 _l("This response is not excluded from analysis."))
    response.excluded_at, response.exclusion_reason = None, None
    record_change(staff_actor(staff_user), "include", "response", response.id,
                  field="excluded", old="True", new="False", reason=reason,
                  participant_id=response.participant_id, response_id=response.id, now=now)


def record_requested_change(response, item_id, value, requested_on, channel, participant_words,
                            staff_user, reason, now=None):
    """The participant asked for `item_id` to become `value` (None: no answer).

    `staff_user` took the request; `requested_on` is the day the participant asked,
    `channel` how (REQUEST_CHANNELS), `participant_words` what they said or wrote.
    The submitted answer is kept; the scores are recomputed on the requested value
    and their old values stay in the audit trail. Returns the RequestedChange.
    """
    now = now or now_utc()
    reason = _check(response, staff_user, reason, "record a requested change")
    instrument, item = _item(response, item_id)
    participant_words = (participant_words or "").strip()
    if not participant_words:
        raise ClarificationError("no words of the participant",
                                 _l("Write down what the participant said or wrote."))
    if channel not in REQUEST_CHANNELS:
        raise ClarificationError(f"channel {channel!r}")
    if requested_on is None or requested_on > study_today():
        raise ClarificationError(f"requested on {requested_on}",
                                 _l("The date cannot be in the future."))
    if value is not None and not item.scale.contains(value):
        raise ClarificationError(f"{item_id}: {value} is outside the scale")
    # The answer the scores use now: the latest request's, else the submitted one.
    used = (response.latest_requests().get(item_id)
            or next((a for a in response.answers if a.item_id == item_id), None))
    if used is None:  # submitting stores every item
        raise ClarificationError(f"{item_id} has no submitted answer")
    state = "not_answered" if value is None else "answered"
    old = answer_text(used.state, used.value)
    if old == answer_text(state, value):
        raise ClarificationError(f"{item_id} is already {old}",
                                 _l("The new answer is the same as the one the scores use."))
    change = RequestedChange(response=response, item_id=item_id, state=state, value=value,
                             requested_on=requested_on, channel=channel,
                             participant_words=participant_words, reason=reason,
                             taken_by_id=staff_user.id, recorded_at=now)
    db.session.add(change)
    db.session.flush()
    actor = staff_actor(staff_user)
    audit = {"reason": reason, "participant_id": response.participant_id,
             "response_id": response.id, "now": now}
    record_change(actor, "request_change", "requested_change", change.id, field=item_id,
                  old=old, new=answer_text(state, value), **audit)
    record_change(actor, "request_change", "requested_change", change.id,
                  field="request_channel", new=channel, **audit)
    record_change(actor, "request_change", "requested_change", change.id,
                  field="requested_on", new=requested_on.isoformat(), **audit)
    record_change(actor, "request_change", "requested_change", change.id,
                  field="participant_words", new=participant_words, **audit)
    store_scores(response, instrument, current_app.config["SURVEY_MIN_ANSWERED_FRACTION"],
                 actor, reason=reason, now=now)
    return change
