"""Paper questionnaires: keying in, double data entry, verification, resolving discrepancies.

A paper form becomes a response only once it is verified:

- double entry (the default): two different staff accounts key it in
  independently; if both agree item by item and on the dates, the form is
  verified at once; if not, it waits for a coordinator, who looks at the paper
  and decides each difference with a reason;
- visual (SURVEY_PAPER_VERIFICATION = "visual"): one person keys it in, a
  second person checks the entry against the paper and confirms or corrects it.

The entries are never changed: together with the audit trail they keep what
each person read, and the response holds the verified values. Callers commit.
"""
from flask import current_app
from flask_babel import lazy_gettext as _l

from ..audit.services import answer_text, record_change, staff_actor
from ..extensions import db
from ..instruments import instruments
from ..participants.models import Participant
from ..permissions import Permission, can
from ..provenance import stamp
from ..responses.models import Answer, Response
from ..responses.services import flag_duplicates, store_scores
from ..timeutil import now_utc
from .models import PaperEntry, PaperEntryValue, PaperForm
from .readings import (
    DATE_FIELDS,
    FormNotWaiting,
    ReasonRequired,
    SameStaffMember,
    check_reading,
    differences,
    reading_of,
)

VERIFICATION_MODES = ("double_entry", "visual")


def verification_mode():
    mode = current_app.config.get("SURVEY_PAPER_VERIFICATION", "double_entry")
    if mode not in VERIFICATION_MODES:
        raise ValueError(f"SURVEY_PAPER_VERIFICATION must be one of {VERIFICATION_MODES}, "
                         f"got {mode!r}")
    return mode


def paper_instruments():
    """The study's instruments (current versions), in the order the study asks them."""
    return [instruments().current(code) for code in current_app.config["SURVEY_INSTRUMENTS"]]


def form_instrument(form):
    return instruments().get(form.instrument_code, form.instrument_version)


def awaiting_second_entry(participant, code):
    """The participant's form of this instrument that waits for its second entry, or None."""
    return db.session.execute(
        db.select(PaperForm).where(
            PaperForm.participant_id == participant.id, PaperForm.instrument_code == code,
            PaperForm.status == "awaiting_second_entry",
        ).order_by(PaperForm.id).limit(1)
    ).scalar_one_or_none()


def instrument_for_entry(participant, code):
    """The instrument version the next entry is keyed on: the open form's, else the current."""
    form = awaiting_second_entry(participant, code)
    return form_instrument(form) if form else instruments().current(code)


def forms_for(participant, code=None):
    query = db.select(PaperForm).where(PaperForm.participant_id == participant.id)
    if code is not None:
        query = query.where(PaperForm.instrument_code == code)
    return db.session.execute(query.order_by(PaperForm.id)).scalars().all()


def forms_with_status(status):
    return db.session.execute(
        db.select(PaperForm).where(PaperForm.status == status).order_by(PaperForm.id)
    ).scalars().all()


def keyed_by(form, user):
    return any(entry.entered_by_id == user.id for entry in form.entries)


def _lock_form(form):
    """Re-read the form under a row lock (PostgreSQL), so that of two people verifying or
    resolving it at the same moment the second sees it already done."""
    db.session.refresh(form, with_for_update=True)


def _lock_participant(participant):
    """Serialise paper entry per participant (a row lock on PostgreSQL), so two people
    saving at the same moment cannot both start a new form."""
    db.session.execute(db.select(Participant.id).where(Participant.id == participant.id)
                       .with_for_update())


def save_entry(participant, instrument, reading, user, now=None, status_reason=None):
    """Save one person's keying-in of a paper form and return the PaperEntry.

    It becomes the second entry of the form waiting for one, or the first entry
    of a new form. A second entry that agrees with the first verifies the form
    (a response is made); one that differs sends it to a coordinator
    (status "discrepancy"). Raises SameStaffMember if `user` keyed the first entry.
    For a participant who has withdrawn or died, `status_reason` (why the form is
    used all the same) is required; it is kept on the entry and audited.
    """
    now = now or now_utc()
    _lock_participant(participant)
    status_reason = (status_reason or "").strip() or None
    if participant.status != "active" and status_reason is None:
        raise ReasonRequired(
            f"{participant.study_id} is {participant.status}: keying in needs a reason",
            _l("This participant is no longer active in the study. Tick the box and give the "
               "reason for keying in the form all the same."))
    check_reading(instrument, reading)
    form = awaiting_second_entry(participant, instrument.code)
    if form is None:
        _refuse_while_another_form_is_open(participant, instrument.code)
        form = _new_form(participant, instrument, user, now)
    elif keyed_by(form, user):
        raise SameStaffMember(
            f"{user!r} keyed in the first entry of form {form.id}",
            _l("You keyed in the first entry of this form. The second entry must be keyed in by "
               "someone else."))
    elif form.instrument_version != instrument.version:
        raise ValueError(f"form {form.id} is on {form.instrument_version}, "
                         f"the entry on {instrument.version}")
    entry = _add_entry(form, len(form.entries) + 1, reading, user, now)
    if participant.status != "active":
        entry.participant_status, entry.status_reason = participant.status, status_reason
        record_change(staff_actor(user), "confirm_status", "paper_entry", entry.id,
                      field="participant_status", new=participant.status,
                      reason=status_reason, participant_id=participant.id, now=now)
    if entry.entry_number == 2:
        _settle_double_entry(form, instrument, user, now)
    return entry


def _refuse_while_another_form_is_open(participant, code):
    """Keying in the same sheet again while its check or resolution is open would double it."""
    still_open = db.session.execute(
        db.select(PaperForm.id).where(
            PaperForm.participant_id == participant.id, PaperForm.instrument_code == code,
            PaperForm.status.in_(("discrepancy", "awaiting_verification")))
    ).first()
    if still_open is not None:
        raise FormNotWaiting(
            f"form {still_open.id} of {participant.study_id} {code} is still open",
            _l("A paper form of this questionnaire for this participant is already keyed in and "
               "waiting (see the list below). Key in only a different paper form."))


def _new_form(participant, instrument, user, now):
    mode = verification_mode()
    form = PaperForm(participant=participant, instrument_code=instrument.code,
                     instrument_version=instrument.version, verification=mode,
                     status="awaiting_second_entry" if mode == "double_entry"
                     else "awaiting_verification", created_at=now)
    db.session.add(form)
    db.session.flush()
    record_change(staff_actor(user), "create", "paper_form", form.id, field="status",
                  new=form.status, participant_id=participant.id, now=now)
    return form


def _add_entry(form, number, reading, user, now):
    entry = PaperEntry(form=form, entry_number=number, entered_by_id=user.id, entered_at=now,
                       received_on=reading.received_on, completed_on=reading.completed_on,
                       remarks=reading.remarks or None)
    db.session.add(entry)
    for item_id, (code, value) in reading.answers.items():
        db.session.add(PaperEntryValue(entry=entry, item_id=item_id, code=code, value=value))
    db.session.flush()
    # Every value as this person read it: the original entries can be rebuilt from the trail.
    actor = staff_actor(user)
    for name in (*DATE_FIELDS, *reading.answers):
        record_change(actor, "create", "paper_entry", entry.id, field=name,
                      new=reading.field_text(name), participant_id=form.participant_id,
                      now=now)
    if entry.remarks:
        record_change(actor, "create", "paper_entry", entry.id, field="remarks",
                      new=entry.remarks, participant_id=form.participant_id, now=now)
    return entry


def _set_status(form, status, user, now):
    old, form.status = form.status, status
    record_change(staff_actor(user), "status", "paper_form", form.id, field="status", old=old,
                  new=status, participant_id=form.participant_id, now=now)


def _settle_double_entry(form, instrument, user, now):
    first, second = (reading_of(e) for e in form.entries)
    if differences(instrument, first, second):
        _set_status(form, "discrepancy", user, now)
    else:
        _verify(form, instrument, second, user, now)


def resolve_discrepancy(form, reading, user, reason, now=None):
    """A coordinator decides the values of a form whose two entries differ; returns the response.

    `reading` holds every item's and date's right value (from the paper). The
    coordinator must not have keyed in either entry (SameStaffMember). Each
    value that the entries disagreed on, or that the coordinator set differently
    from both, is audited with both entries' readings and the reason.
    """
    now = now or now_utc()
    reason = (reason or "").strip()
    _lock_form(form)
    if form.status != "discrepancy":
        raise FormNotWaiting(f"form {form.id} is {form.status}, not discrepancy",
                             _l("This form has no differences waiting to be resolved."))
    if not can(user, Permission.RESOLVE_DIFFERENCES):
        raise PermissionError(f"{user!r} may not resolve discrepancies")
    if keyed_by(form, user):  # independent adjudication: never one's own reading
        raise SameStaffMember(
            f"{user!r} keyed in an entry of form {form.id}",
            _l("You keyed in one of the two entries of this form, so you cannot decide between "
               "them. Another coordinator must resolve the differences."))
    if not reason:
        raise ReasonRequired("resolving needs a reason", _l("Give a reason for the values chosen."))
    instrument = form_instrument(form)
    check_reading(instrument, reading)
    first, second = (reading_of(e) for e in form.entries)
    for name in [*DATE_FIELDS, *(item.id for item in instrument.items)]:
        chosen = reading.field_text(name)
        if not first.field_text(name) == second.field_text(name) == chosen:
            record_change(staff_actor(user), "resolve", "paper_form", form.id, field=name,
                          old=f"entry 1: {first.field_text(name)}; "
                              f"entry 2: {second.field_text(name)}",
                          new=chosen, reason=reason, participant_id=form.participant_id,
                          now=now)
    return _verify(form, instrument, reading, user, now, reason)


def confirm_visual_check(form, reading, user, reason=None, now=None):
    """A second person confirms (or corrects, with a reason) a form keyed in once."""
    now = now or now_utc()
    reason = (reason or "").strip() or None
    _lock_form(form)
    if form.status != "awaiting_verification":
        raise FormNotWaiting(f"form {form.id} is {form.status}, not awaiting_verification",
                             _l("This form is not waiting for a check."))
    if keyed_by(form, user):
        raise SameStaffMember(f"{user!r} keyed in form {form.id}",
                              _l("You keyed in this form. Someone else must check it against "
                                 "the paper."))
    instrument = form_instrument(form)
    check_reading(instrument, reading)
    keyed = reading_of(form.entries[0])
    changed = differences(instrument, keyed, reading)
    if changed and not reason:
        raise ReasonRequired(f"changed {changed} without a reason",
                             _l("You changed the entry: give a reason for the change."))
    for name in changed:
        record_change(staff_actor(user), "correct", "paper_form", form.id, field=name,
                      old=keyed.field_text(name), new=reading.field_text(name), reason=reason,
                      participant_id=form.participant_id, now=now)
    return _verify(form, instrument, reading, user, now, reason)


def _verify(form, instrument, reading, user, now, reason=None):
    """Make the verified form's response: submitted now, scored, checked for duplicates."""
    actor = staff_actor(user)
    response = Response(
        participant_id=form.participant_id, invitation_id=None,
        instrument_code=form.instrument_code, instrument_version=form.instrument_version,
        mode="paper", status="submitted", language=form.participant.language,
        started_at=now, updated_at=now, submitted_at=now,
    )
    stamp(response)
    db.session.add(response)
    for item in instrument.items:
        code, value = reading.answers[item.id]
        db.session.add(Answer(response=response, item_id=item.id, value=value, state=code,
                              answered_at=now))
    # Status and response change in one flush: the database checks verified <=> response.
    old_status = form.status
    form.status, form.response, form.verified_by, form.verified_at = (
        "verified", response, user, now)
    db.session.flush()
    record_change(actor, "verify", "paper_form", form.id, field="status", old=old_status,
                  new="verified", reason=reason, participant_id=form.participant_id,
                  response_id=response.id, now=now)
    record_change(actor, "submit", "response", response.id, field="status", new="submitted",
                  reason=reason, participant_id=response.participant_id,
                  response_id=response.id, now=now)
    for answer in response.answers:
        record_change(actor, "create", "answer", answer.id, field=answer.item_id,
                      new=answer_text(answer.state, answer.value), reason=reason,
                      participant_id=response.participant_id, response_id=response.id, now=now)
    for name in DATE_FIELDS:
        record_change(actor, "verify", "paper_form", form.id, field=name,
                      new=reading.field_text(name), participant_id=form.participant_id,
                      response_id=response.id, now=now)
    store_scores(response, instrument, current_app.config["SURVEY_MIN_ANSWERED_FRACTION"],
                 actor, reason=reason, now=now)
    flag_duplicates(response, actor, now)
    return response
