"""Words for the dashboard's codes, translated once per request.

A list of 50 rows would otherwise look up the same few words hundreds of
times, which costs more than the database queries behind the page.
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


def dashboard_names():
    """The words above as plain strings in the current language (kept for the request)."""
    if "dashboard_names" not in g:
        g.dashboard_names = SimpleNamespace(**{
            name: {code: str(text) for code, text in mapping.items()}
            for name, mapping in (("state", STATE_NAMES), ("status", STATUS_NAMES),
                                  ("mode", MODE_NAMES), ("channel", CHANNEL_NAMES),
                                  ("column", COLUMN_NAMES))})
    return g.dashboard_names
