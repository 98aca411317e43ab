"""Words for the codes kept in the audit trail and the access records.

The trail itself keeps the codes (they are hashed, and the CSV export gives them
as stored, so anyone can re-check the chain); pages for people show these words.
Participant statuses, answer modes and channels use the follow-up page's table
(survey/labels.py) and roles the accounts page's, so each code has one word everywhere.
"""
import re
from datetime import date, datetime
from types import SimpleNamespace

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..i18n import format_score, localized, staff_time
from ..instruments import instruments
from ..labels import CHANNEL_NAMES, MODE_NAMES, STATUS_NAMES, label
from ..permissions import ROLE_CHOICES
from ..signatures.meanings import MEANINGS

ACTION_NAMES = {
    "create": _l("Created"), "update": _l("Changed"), "submit": _l("Submitted"),
    "verify": _l("Verified"), "resolve": _l("Differences resolved"),
    "correct": _l("Corrected"), "status": _l("Status changed"), "revoke": _l("Link revoked"),
    "decide": _l("Decided which response counts"), "flag": _l("Marked as duplicate"),
    "invite": _l("Invitation sent"), "resend": _l("Link sent again"),
    "new_link": _l("New link made"), "send": _l("Message sent"), "lock": _l("Account locked"),
    "use": _l("Recovery code used"), "try_code": _l("Two-factor code tried"),
    "note": _l("Note added"), "exclude": _l("Excluded from analysis"),
    "include": _l("Taken back into the analysis"),
    "request_change": _l("Change asked for by the participant"),
    "confirm_status": _l("Keyed in although the participant is not active"),
    "access": _l("Data seen"), "login": _l("Logged in"), "login_failed": _l("Login failed"),
    "logout": _l("Logged out"), "export": _l("Exported"),
    "erase": _l("Erased"), "purge_contacts": _l("Contact details erased (retention)"),
    "certify": _l("Certified copy made"), "import": _l("Imported"),
    "sign": _l("Signed electronically"), "sign_failed": _l("Signature refused"),
}
ENTITY_NAMES = {
    "answer": _l("Answer"), "score": _l("Score"), "response": _l("Response"),
    "paper_form": _l("Paper questionnaire"), "paper_entry": _l("Paper entry"),
    "participant": _l("Participant"), "invitation": _l("Invitation"),
    "outbound_message": _l("Message"), "staff_user": _l("Staff account"),
    "recovery_code": _l("Recovery code"), "reminder_schedule": _l("Reminder schedule"),
    "answer_note": _l("Note on an answer"),
    "requested_change": _l("Change asked for by the participant"),
    "audit_trail": _l("Audit trail"), "access_report": _l("Access report"),
    "responses": _l("Responses"), "participants": _l("Participants"),
    "historical_response": _l("Earlier time point (imported)"),
    "history_file": _l("File of earlier time points"),
    "signature": _l("Electronic signature"),
}
FIELD_NAMES = {
    "status": _l("Status"), "status_date": _l("Date of the status"),
    "duplicate_status": _l("Duplicate"), "channel": _l("Send by"), "mode": _l("Source"),
    "opted_out_at": _l("Opted out of reminders"), "paper_mailed_on": _l("Date posted"),
    "paper_received_on": _l("Date received"), "open_invitation": _l("Open link"),
    "revoked_at": _l("Revoked"), "expires_at": _l("Expires"), "study_id": _l("Study ID"),
    "received_on": _l("Date received"), "completed_on": _l("Date filled in"),
    "remarks": _l("Remarks"), "role": _l("Role"), "password": _l("Password"),
    "is_enabled": _l("Account active"), "locked_until": _l("Locked until"),
    "two_factor": _l("Two-factor authentication"), "reminder_days": _l("Days after the invitation"),
    "sending_hours": _l("Sending hours"), "second_factor": _l("Two-factor code"),
    "who_answered": _l("Who filled in the questionnaire"),
    "excluded": _l("Excluded from analysis"), "request_channel": _l("How the participant asked"),
    "requested_on": _l("Date the participant asked"),
    "participant_words": _l("The participant's own words"),
    "participant_status": _l("Participant's status"),
    "purpose": _l("Purpose"), "rows": _l("Rows"),
    "email": _l("E-mail address (keyed digest)"), "phone": _l("Phone number (keyed digest)"),
    "ended_before": _l("Follow-up ended before"),
    "timepoint": _l("Time point"),
    "copy_for_staff": _l("Certified copy for the study team (SHA-256)"),
    "copy_for_participant": _l("Copy for the participant's access request (SHA-256)"),
    "full_name": _l("Full name"), "meaning": _l("Meaning of the signature"),
    "printed_name": _l("Printed name"), "signs": _l("Signed record"),
    "digest": _l("Digest of what was signed"),
}
PAPER_STATUS_NAMES = {"awaiting_second_entry": _l("Waiting for the second entry"),
                      "awaiting_verification": _l("Waiting for a check against the paper"),
                      "discrepancy": _l("The entries differ: waiting for a coordinator"),
                      "verified": _l("Verified")}
RESPONSE_STATUS_NAMES = {"in_progress": _l("In progress"), "submitted": _l("Submitted")}
DUPLICATE_NAMES = {"pending": _l("Duplicate: decision pending"),
                   "counts": _l("Duplicate: this one counts"),
                   "does_not_count": _l("Duplicate: does not count")}
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
ANSWER_STATE_NAMES = {"not_answered": _l("Not answered"), "multiple_marks": _l("Several marks"),
                      "unreadable": _l("Unreadable")}
#: Why a staff account saw a participant's data (AccessRecord.purpose).
PURPOSE_NAMES = {
    "participant page": _l("Participant page"), "audit view": _l("Audit trail of a response"),
    "audit export": _l("Audit trail export"), "paper entry": _l("Paper entry"),
    "follow-up": _l("Follow-up"), "letter": _l("Letters to print"),
    "duplicate decision": _l("Deciding which response counts"),
    "clarification": _l("Notes, exclusion or a participant's requested change"),
    "correction": _l("Correcting answers"), "list page": _l("List of participants"),
    "certified copy": _l("Certified copy"),
    "responses export": _l("Export of responses for analysis"),
}
VALUE_NAMES["purpose"] = PURPOSE_NAMES  # the access log's twins in the chain
#: System actors ("system:<what>"); staff are shown by e-mail address.
ACTOR_NAMES = {"system:cli": _l("Command line"), "system:messaging": _l("Automatic sending"),
               "system:login": _l("Login (automatic)")}
#: The tables by name, for templates: code_word("mode", response.mode).
CODE_TABLES = {"status": STATUS_NAMES, "mode": MODE_NAMES, "channel": CHANNEL_NAMES,
               "response_status": RESPONSE_STATUS_NAMES, "duplicate": DUPLICATE_NAMES,
               "answer_state": ANSWER_STATE_NAMES, "purpose": PURPOSE_NAMES,
               "paper_status": PAPER_STATUS_NAMES}
TWO_ENTRIES = re.compile(r"entry 1: (.*); entry 2: (.*)", re.DOTALL)


def code_word(table, code):
    """The word for `code` in the table named `table` (CODE_TABLES)."""
    return label(CODE_TABLES[table], code)


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
