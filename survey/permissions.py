"""What the study team may do: the one table of permissions and the roles that hold each.

Views declare the permission they need with `@permission_required(Permission.X)`;
templates, the staff menu and services ask `can(user, Permission.X)`. No other code
compares role names, so changing who may do what is a change to `GRANTS` alone (the
README's role table is printed from it: `flask --app wsgi users permissions`).
"""
from collections import namedtuple
from enum import Enum
from functools import wraps

from flask import abort, redirect, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .extensions import login_manager

#: Lowest first; the database allows exactly these (staff_user.role).
ROLES = ("data_entry", "coordinator", "admin")
DATA_ENTRY, COORDINATOR, ADMIN = ROLES
ROLE_LABELS = {DATA_ENTRY: _l("Data entry"), COORDINATOR: _l("Coordinator"),
               ADMIN: _l("Administrator")}
#: (role, its word): the choices of a role field, and the role words the pages show.
ROLE_CHOICES = [(role, ROLE_LABELS[role]) for role in ROLES]

#: Set in the session after the right password, cleared when the second factor is done
#: (or not needed): until then no page that needs a permission opens.
PENDING_2FA = "staff_pending_2fa"


class Permission(Enum):
    USE_STAFF_PAGES = "use_staff_pages"
    VIEW_PARTICIPANTS = "view_participants"
    KEY_PAPER = "key_paper"
    VERIFY_PAPER = "verify_paper"
    CLINIC_HANDOVER = "clinic_handover"
    VIEW_CONTACT_DETAILS = "view_contact_details"
    FOLLOW_UP = "follow_up"
    PRINT_LETTERS = "print_letters"
    SET_REMINDER_SCHEDULE = "set_reminder_schedule"
    RESOLVE_DIFFERENCES = "resolve_differences"
    DECIDE_DUPLICATES = "decide_duplicates"
    CORRECT_ANSWERS = "correct_answers"
    ANNOTATE_RESPONSES = "annotate_responses"
    VIEW_AUDIT = "view_audit"
    ACCESS_REPORT = "access_report"
    CERTIFIED_COPY = "certified_copy"
    EXPORT_DATA = "export_data"
    MANAGE_ACCOUNTS = "manage_accounts"


#: The roles holding a permission, and what it lets them do (the README's words).
Grant = namedtuple("Grant", "roles what")
EVERYONE = ROLES
COORDINATORS = (COORDINATOR, ADMIN)

GRANTS = {
    Permission.USE_STAFF_PAGES: Grant(EVERYONE, _l(
        "open the staff pages, change one's own password and printed name")),
    Permission.VIEW_PARTICIPANTS: Grant(EVERYONE, _l(
        "see participants and their answers (without contact details)")),
    Permission.KEY_PAPER: Grant(EVERYONE, _l("key in paper questionnaires")),
    Permission.VERIFY_PAPER: Grant(EVERYONE, _l(
        "check another person's entry of a paper questionnaire")),
    Permission.CLINIC_HANDOVER: Grant(EVERYONE, _l(
        "hand a questionnaire over to a participant at the clinic")),
    Permission.VIEW_CONTACT_DETAILS: Grant(COORDINATORS, _l(
        "see participants' contact details")),
    Permission.FOLLOW_UP: Grant(COORDINATORS, _l(
        "follow-up: send, resend and revoke links, record opt-outs, withdrawals, deaths "
        "and paper questionnaires, see the next reminders")),
    Permission.PRINT_LETTERS: Grant(COORDINATORS, _l(
        "print the letters with a participant's link and code")),
    Permission.SET_REMINDER_SCHEDULE: Grant(COORDINATORS, _l("change the reminder schedule")),
    Permission.RESOLVE_DIFFERENCES: Grant(COORDINATORS, _l(
        "resolve differences between two entries of a paper questionnaire")),
    Permission.DECIDE_DUPLICATES: Grant(COORDINATORS, _l(
        "decide which of a participant's duplicate responses counts")),
    Permission.CORRECT_ANSWERS: Grant(COORDINATORS, _l(
        "correct answers keyed in from paper (with a reason)")),
    Permission.ANNOTATE_RESPONSES: Grant(COORDINATORS, _l(
        "add notes and changes a participant asked for, exclude a response from analysis")),
    Permission.VIEW_AUDIT: Grant(COORDINATORS, _l("see the audit trail and export it")),
    Permission.ACCESS_REPORT: Grant(COORDINATORS, _l(
        "see who has seen a participant's data (GDPR access report)")),
    Permission.CERTIFIED_COPY: Grant(COORDINATORS, _l(
        "make a certified copy of a participant's record")),
    Permission.EXPORT_DATA: Grant(COORDINATORS, _l("export the study data")),
    Permission.MANAGE_ACCOUNTS: Grant((ADMIN,), _l(
        "staff accounts: create, deactivate, reactivate, change a role or a name, "
        "reset two-factor authentication")),
}


def can(user, permission):
    """True when `user` (a staff account, or Flask-Login's anonymous user) holds `permission`."""
    return bool(user.is_authenticated) and user.role in GRANTS[permission].roles


def permission_required(permission):
    """Only logged-in staff holding `permission`, with two-factor done where required."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated or session.get(PENDING_2FA):
                return login_manager.unauthorized()
            if current_user.needs_2fa and not current_user.has_2fa:
                return redirect(url_for("staff.enrol_2fa"))
            if not can(current_user, permission):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_permission = permission
        return wrapped

    return decorator


def markdown_table():
    """The README's table of who may do what, in the current language."""
    header = [_l("The study team may")] + [ROLE_LABELS[role] for role in ROLES]
    lines = ["| " + " | ".join(str(cell) for cell in header) + " |",
             "|---" + "|:-:" * len(ROLES) + "|"]
    for grant in GRANTS.values():
        marks = ["✓" if role in grant.roles else "" for role in ROLES]
        lines.append("| " + " | ".join([str(grant.what)] + marks) + " |")
    return "\n".join(lines)
