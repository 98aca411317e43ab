"""The signed actions on paper forms: each runs its service and signs what it decided, in one
transaction (the signed actions on web responses are in responses/signed.py).

The signer has been re-authenticated (services.check_signer) just before; the
caller commits. What is signed (the content) names the records and the values
decided, so the signature verifies against nothing else.
"""
from ..audit.services import answer_text
from ..responses.corrections import correct_answer
from ..signatures.services import sign
from .duplicates import decide_duplicate
from .readings import DATE_FIELDS
from .services import confirm_visual_check, form_instrument, resolve_discrepancy


def _reading_content(form, response, reading, reason):
    names = [*DATE_FIELDS, *(item.id for item in form_instrument(form).items)]
    return {"paper_form": form.id, "response": response.id, "reason": (reason or "").strip(),
            "values": {name: reading.field_text(name) for name in names}}


def _sign_paper_form(form, response, reading, user, reason, now):
    sign(user, "paper_values", "paper_form", form.id,
         _reading_content(form, response, reading, reason),
         participant_id=form.participant_id, response_id=response.id, now=now)
    return response


def signed_resolution(form, reading, user, reason, now=None):
    """resolve_discrepancy, signed: "these values match the paper form"."""
    response = resolve_discrepancy(form, reading, user, reason, now=now)
    return _sign_paper_form(form, response, reading, user, reason, now)


def signed_visual_check(form, reading, user, reason=None, now=None):
    """confirm_visual_check, signed: "these values match the paper form"."""
    response = confirm_visual_check(form, reading, user, reason, now=now)
    return _sign_paper_form(form, response, reading, user, reason, now)


def signed_correction(response, changes, user, reason, now=None):
    """correct_answer for each {item_id: (code, value)}, under one signature."""
    old = {a.item_id: answer_text(a.state, a.value) for a in response.answers}
    for item_id, (code, value) in changes.items():
        correct_answer(response, item_id, code, value, user, reason, now=now)
    content = {"response": response.id, "reason": reason.strip(),
               "changed": {item_id: {"old": old.get(item_id), "new": answer_text(code, value)}
                           for item_id, (code, value) in changes.items()}}
    return sign(user, "paper_correction", "response", response.id, content,
                participant_id=response.participant_id, response_id=response.id, now=now)


def signed_duplicate_decision(counting, user, reason, now=None):
    """decide_duplicate, signed on the response that counts."""
    group = decide_duplicate(counting, user, reason, now=now)
    content = {"counts": counting.id, "reason": reason.strip(),
               "does_not_count": [r.id for r in group if r is not counting]}
    return sign(user, "counting_response", "response", counting.id, content,
                participant_id=counting.participant_id, response_id=counting.id, now=now)
