"""Audit and access records in words, for pages and exports for people.

The trail itself keeps the codes (they are hashed, and the CSV export gives them
as stored, so anyone can re-check the chain); the words for each code are in
survey/labels.py. Here: the words per field of coded values (VALUE_NAMES, with roles
from the accounts page and signature meanings from signatures) and whole records.
"""
import re
from datetime import date, datetime
from types import SimpleNamespace

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..i18n import format_score, localized, staff_time
from ..instruments import instruments
from ..labels import (
    ACTION_NAMES,
    ACTOR_NAMES,
    ANSWER_STATE_NAMES,
    CHANNEL_NAMES,
    DUPLICATE_NAMES,
    ENTITY_NAMES,
    FIELD_NAMES,
    MODE_NAMES,
    PAPER_STATUS_NAMES,
    PURPOSE_NAMES,
    RESPONSE_STATUS_NAMES,
    STATUS_NAMES,
    label,
)
from ..permissions import ROLE_CHOICES
from ..signatures.meanings import MEANINGS

#: Words for coded values, per field; answers use ANSWER_STATE_NAMES.
VALUE_NAMES = {
    "status": {**STATUS_NAMES, **RESPONSE_STATUS_NAMES, **PAPER_STATUS_NAMES},
    "duplicate_status": DUPLICATE_NAMES,
    "channel": CHANNEL_NAMES,
    "mode": MODE_NAMES,
    "role": dict(ROLE_CHOICES),
    "is_enabled": {"True": _l("yes"), "False": _l("no")},
    "two_factor": {"on": _l("on"), "off": _l("off")},
    "who_answered": {"self": _l("the participant"),
                     "helped": _l("the participant, with help"),
                     "proxy": _l("someone else for the participant")},
    "second_factor": {"right": _l("right"), "wrong": _l("wrong"),
                      "locked": _l("refused: the account is locked")},
    "password": {"(hidden)": _l("(not shown)"), "(changed)": _l("(changed)"),
                 "wrong": _l("wrong")},
    "meaning": MEANINGS,
    "excluded": {"True": _l("yes"), "False": _l("no")},
    "request_channel": {"phone": _l("by phone"), "letter": _l("by letter"),
                        "in_person": _l("in person")},
    "participant_status": STATUS_NAMES,
}
VALUE_NAMES["purpose"] = PURPOSE_NAMES  # the access log's twins in the chain
TWO_ENTRIES = re.compile(r"entry 1: (.*); entry 2: (.*)", re.DOTALL)


def record_name(entity, entity_id):
    """A record in words: "Paper questionnaire 12"."""
    return f"{label(ENTITY_NAMES, entity)} {entity_id}"


def actor_name(actor):
    return label(ACTOR_NAMES, actor)


def _instrument_parts():
    """{item or score id: (instrument, item or score)} over the current instruments."""
    registry = instruments()
    parts = {}
    for code in registry.codes:
        instrument = registry.current(code)
        for part in (*instrument.items, *instrument.scores):
            parts[part.id] = (instrument, part)
    return parts


def field_name(field, parts):
    if field in parts:
        instrument, part = parts[field]
        if hasattr(part, "number"):
            return _("%(code)s question %(n)s", code=instrument.code.upper(), n=part.number)
        return f"{instrument.code.upper()} {localized(part.label)}"
    return label(FIELD_NAMES, field)


def _time_or_date(text):
    try:
        moment = (date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text))
    except ValueError:
        return text
    if isinstance(moment, datetime):
        return staff_time(moment)
    return format_date(moment, "short")


def _score_text(value):
    try:
        return format_score(float(value))
    except ValueError:
        return value


def value_text(field, value, parts):
    """A stored old or new value as it reads on a page."""
    if value is None:
        return ""
    if field == "signs":  # "paper_form 12": the signed record, as the "what" column says it
        return record_name(*value.partition(" ")[::2])
    if field in parts:
        if hasattr(parts[field][1], "number") or value in ANSWER_STATE_NAMES:
            return label(ANSWER_STATE_NAMES, value)
        return _score_text(value)
    if field in VALUE_NAMES:
        return label(VALUE_NAMES[field], value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ][\d:.+]+)?", value):
        return _time_or_date(value)
    return value


def _old_value(record, parts):
    both = TWO_ENTRIES.fullmatch(record.old_value or "") if record.action == "resolve" else None
    if both:
        return _("Entry 1: %(first)s; entry 2: %(second)s",
                 first=value_text(record.field, both[1], parts),
                 second=value_text(record.field, both[2], parts))
    return value_text(record.field, record.old_value, parts)


def readable_records(records):
    """Each audit record with its codes in words: action, what, old and new value."""
    parts = _instrument_parts()
    rows = []
    for r in records:
        what = record_name(r.entity, r.entity_id)
        if r.field:
            what = f"{what}: {field_name(r.field, parts)}"
        rows.append(SimpleNamespace(
            record=r, action=label(ACTION_NAMES, r.action), what=what,
            old=_old_value(r, parts), new=value_text(r.field, r.new_value, parts)))
    return rows
