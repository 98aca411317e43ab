"""The staff menu: each feature's main page, shown only to those holding its permission."""
from collections import namedtuple

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..permissions import ROLE_CHOICES, Permission, can

MenuLink = namedtuple("MenuLink", "url label")

#: (endpoint, label, the permission its view declares; a test checks they agree)
MENU = [
    ("participant_pages.index", _l("Participants"), Permission.VIEW_PARTICIPANTS),
    ("dashboard.index", _l("Follow-up"), Permission.FOLLOW_UP),
    ("reminders.schedule", _l("Reminder schedule"), Permission.SET_REMINDER_SCHEDULE),
    ("paper.index", _l("Paper questionnaires"), Permission.KEY_PAPER),
    ("clinic.index", _l("At the clinic"), Permission.CLINIC_HANDOVER),
    ("messaging.batch", _l("Letters"), Permission.PRINT_LETTERS),
    ("exports.index", _l("Exports"), Permission.EXPORT_DATA),
    ("audit_reports.verify_page", _l("Audit trail"), Permission.VIEW_AUDIT),
    ("accounts.index", _l("Staff accounts"), Permission.MANAGE_ACCOUNTS),
]


def staff_menu():
    if not current_user.is_authenticated or (current_user.needs_2fa and not current_user.has_2fa):
        return []  # nothing to open before the second factor is set up
    return [MenuLink(url_for(endpoint), label) for endpoint, label, permission in MENU
            if endpoint in current_app.view_functions and can(current_user, permission)]


def init_menu(app):
    app.jinja_env.globals.update(staff_menu=staff_menu, role_choices=ROLE_CHOICES, can=can,
                                 Permission=Permission)
