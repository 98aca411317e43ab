"""The staff menu: each feature's main page, shown only to roles that may open it."""
from collections import namedtuple

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .account_forms import ROLE_CHOICES

MenuLink = namedtuple("MenuLink", "url label")

#: (endpoint, label, lowest role that may open it)
MENU = [
    ("participants.index", _l("Participants"), "data_entry"),
    ("dashboard.index", _l("Follow-up"), "coordinator"),
    ("reminders.schedule", _l("Reminder schedule"), "coordinator"),
    ("paper.index", _l("Paper questionnaires"), "data_entry"),
    ("clinic.index", _l("At the clinic"), "data_entry"),
    ("letters.batch", _l("Letters"), "coordinator"),
    ("exports.index", _l("Exports"), "coordinator"),
    ("audit.verify_page", _l("Audit trail"), "coordinator"),
    ("accounts.index", _l("Staff accounts"), "admin"),
]


def staff_menu():
    if not current_user.is_authenticated or (current_user.needs_2fa and not current_user.has_2fa):
        return []  # nothing to open before the second factor is set up
    return [MenuLink(url_for(endpoint), label) for endpoint, label, role in MENU
            if endpoint in current_app.view_functions and current_user.has_role(role)]


def init_menu(app):
    app.jinja_env.globals.update(staff_menu=staff_menu, role_choices=ROLE_CHOICES)
