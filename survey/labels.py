"""The words people read for the codes the system stores, in one place.

Codes (states, statuses, modes, channels, audit actions, entities, fields, purposes)
are kept as they are in the database, the audit chain and the exports' raw columns;
every page or export for people shows them through these tables, so each code has one
word everywhere. survey/audit/labels.py turns whole audit records into words with them.
"""
from types import SimpleNamespace

from flask import g
from flask_babel import lazy_gettext as _l

STATE_NAMES = {
    "not_invited": _l("Not invited"), "invited": _l("Invited"), "opened": _l("Link opened"),
    "in_progress": _l("In progress"), "expired": _l("Link expired, not answered"),
    "paper_received": _l("Paper received, not yet verified"),
    "submitted_web": _l("Answered on the web"), "submitted_clinic": _l("Answered at the clinic"),
    "submitted_paper": _l("Answered on paper (verified)"),
    "withdrawn": _l("Withdrawn before answering"), "deceased": _l("Deceased before answering"),
}
STATUS_NAMES = {"active": _l("Active"), "withdrawn": _l("Withdrawn"),
                "deceased": _l("Deceased"), "opted_out": _l("Opted out of reminders")}
MODE_NAMES = {"web": _l("Web"), "paper": _l("Paper"), "clinic": _l("Clinic")}
CHANNEL_NAMES = {"email": _l("E-mail"), "sms": _l("SMS"), "letter": _l("Letter")}
COLUMN_NAMES = {"study_id": _l("Study ID"), "language": _l("Language"), "status": _l("Status"),
                "state": _l("Where in the round"), "last_contact": _l("Last contact"),
                "channel": _l("Way of contact"),
                "next_reminder": _l("Next reminder"), "answer_mode": _l("How answered")}

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
#: System actors ("system:<what>"); staff are shown by e-mail address.
ACTOR_NAMES = {"system:cli": _l("Command line"), "system:messaging": _l("Automatic sending"),
               "system:login": _l("Login (automatic)")}
#: The tables by name, for templates: code_word("mode", response.mode).
CODE_TABLES = {"status": STATUS_NAMES, "mode": MODE_NAMES, "channel": CHANNEL_NAMES,
               "response_status": RESPONSE_STATUS_NAMES, "duplicate": DUPLICATE_NAMES,
               "answer_state": ANSWER_STATE_NAMES, "purpose": PURPOSE_NAMES,
               "paper_status": PAPER_STATUS_NAMES}
def label(table, code):
    """The word for `code` in `table`, or the code itself when the table has none."""
    word = table.get(code)
    return code if word is None else str(word)


def code_word(table, code):
    """The word for `code` in the table named `table` (CODE_TABLES)."""
    return label(CODE_TABLES[table], code)


def dashboard_names():
    """The dashboard's words as plain strings in the current language, kept for the request:
    a list of 50 rows would otherwise look up the same few words hundreds of times, which
    costs more than the database queries behind the page."""
    if "dashboard_names" not in g:
        g.dashboard_names = SimpleNamespace(**{
            name: {code: str(text) for code, text in mapping.items()}
            for name, mapping in (("state", STATE_NAMES), ("status", STATUS_NAMES),
                                  ("mode", MODE_NAMES), ("channel", CHANNEL_NAMES),
                                  ("column", COLUMN_NAMES))})
    return g.dashboard_names
