"""The signed actions on responses: exclusion from analysis and a change the participant asked
for. Each runs its service and signs what it decided, in one transaction; the signer has been
re-authenticated (signatures.services.check_signer) just before, and the caller commits.
"""
from ..audit.services import answer_text
from ..signatures.services import sign
from .clarifications import exclude_response, include_response, record_requested_change


def signed_exclusion(response, user, reason, exclude=True, now=None):
    """exclude_response (or include_response with exclude=False), signed."""
    (exclude_response if exclude else include_response)(response, user, reason, now=now)
    content = {"response": response.id, "excluded": exclude, "reason": reason.strip()}
    return sign(user, "exclusion" if exclude else "inclusion", "response", response.id,
                content, participant_id=response.participant_id, response_id=response.id,
                now=now)


def signed_requested_change(response, item_id, value, requested_on, channel, participant_words,
                            user, reason, now=None):
    """record_requested_change, signed on the new RequestedChange."""
    change = record_requested_change(response, item_id, value, requested_on, channel,
                                     participant_words, user, reason, now=now)
    content = {"requested_change": change.id, "response": response.id, "item": item_id,
               "new": answer_text(change.state, change.value),
               "requested_on": requested_on.isoformat(), "channel": channel,
               "participant_words": change.participant_words, "reason": change.reason}
    return sign(user, "participant_request", "requested_change", change.id, content,
                participant_id=response.participant_id, response_id=response.id, now=now)
