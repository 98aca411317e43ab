"""The permissions table is the one home of who may do what.

The views, the staff menu, templates, services and the README all read it; these
tests fail when one of them goes back to naming a role.
"""
import re
from pathlib import Path

import pytest
from flask import url_for
from flask_babel import force_locale
from flask_login import AnonymousUserMixin

from survey.permissions import GRANTS, ROLE_LABELS, ROLES, Permission, can, markdown_table
from survey.staff.menu import MENU
from survey.staff.models import StaffUser

ROOT = Path(__file__).parents[2]
ROLE_NAME = re.compile("[\"'](" + "|".join(ROLES) + ")[\"']")
ROLE_CHECK = re.compile(r"has_role\(|role_required\(|required_role")


def test_every_permission_has_one_row_of_known_roles():
    assert list(GRANTS) == list(Permission)
    for permission, grant in GRANTS.items():
        assert grant.roles and set(grant.roles) <= set(ROLES), permission
        assert str(grant.what).strip(), permission
    assert set(ROLE_LABELS) == set(ROLES)


@pytest.mark.parametrize("permission", list(Permission))
@pytest.mark.parametrize("role", ROLES)
def test_can_reads_the_table(permission, role):
    assert can(StaffUser(role=role, is_enabled=True), permission) == (
        role in GRANTS[permission].roles)
    assert not can(StaffUser(role=role, is_enabled=False), permission)


@pytest.mark.parametrize("permission", list(Permission))
def test_nobody_logged_out_can_anything(permission):
    assert not can(AnonymousUserMixin(), permission)


def source_files():
    return [*(ROOT / "survey").rglob("*.py"), *(ROOT / "templates").rglob("*.html")]


def test_every_permission_is_used_somewhere():
    """A row nothing checks would promise a limit that is not there."""
    text = "\n".join(path.read_text(encoding="utf-8") for path in source_files()
                     if path.name != "permissions.py")
    unused = [p.name for p in Permission if f"Permission.{p.name}" not in text]
    assert unused == []


def test_no_view_or_template_names_a_role():
    views = [path for path in (ROOT / "survey").rglob("*.py")
             if path.name == "views.py" or path.name.endswith("_views.py")]
    templates = list((ROOT / "templates").rglob("*.html"))
    found = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
             for path in views + templates
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if ROLE_NAME.search(line) or ROLE_CHECK.search(line)]
    assert found == [], "check a Permission with can() or @permission_required instead"


def test_no_code_checks_a_role_outside_the_table():
    found = [str(path.relative_to(ROOT)) for path in source_files()
             if ROLE_CHECK.search(path.read_text(encoding="utf-8"))]
    assert found == []


def test_each_menu_entry_names_the_permission_of_its_page(app):
    wrong = [(endpoint, permission, app.view_functions[endpoint].required_permission)
             for endpoint, _, permission in MENU
             if app.view_functions[endpoint].required_permission is not permission]
    assert wrong == []


@pytest.mark.parametrize("role", ROLES)
def test_the_menu_shows_a_role_exactly_the_pages_it_may_open(app, client, staff_login, role):
    staff_login.as_role(role)
    html = client.get("/staff/").get_data(as_text=True)
    for endpoint, _, permission in MENU:
        with app.test_request_context():
            link = f'href="{url_for(endpoint)}"'
        assert (link in html) == (role in GRANTS[permission].roles), (role, endpoint)


def readme_table():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split("<!-- permissions -->\n", 1)[1].split("\n\n", 1)[0]


def test_the_readme_table_is_the_permissions_table(app):
    with app.test_request_context(), force_locale("en"):
        assert readme_table() == markdown_table(), (
            "paste the output of `flask --app wsgi users permissions` into the README")


def test_the_command_prints_the_table_in_either_language(app, runner):
    english = runner.invoke(args=["users", "permissions"])
    danish = runner.invoke(args=["users", "permissions", "--language", "da"])
    assert english.exit_code == 0 and danish.exit_code == 0
    assert english.output.strip() == readme_table()
    assert danish.output.splitlines()[0] == (
        "| Forsøgsteamet må | Indtastning | Koordinator | Administrator |")
    assert danish.output.count("\n") == english.output.count("\n")


def participant_page_parts(app, study_id):
    """What the participant page shows (a value, or a link's address in quotes), by the
    permission each needs."""
    with app.test_request_context():
        links = {
            Permission.ACCESS_REPORT: url_for("participant_pages.access_report", study_id=study_id),
            Permission.FOLLOW_UP: url_for("dashboard.follow_up", study_id=study_id),
            Permission.CLINIC_HANDOVER: url_for("clinic.clinic_session", study_id=study_id),
            Permission.CERTIFIED_COPY: url_for("records.certified_copy", study_id=study_id),
            Permission.VIEW_AUDIT: url_for("audit_reports.export_csv", participant=study_id),
        }
    return {Permission.VIEW_CONTACT_DETAILS: "<dd>p100@example.dk</dd>",
            **{permission: f'"{url}"' for permission, url in links.items()}}


@pytest.mark.parametrize("role", ROLES)
def test_the_participant_page_shows_each_part_to_those_holding_its_permission(
        app, client, make_participant, staff_login, role):
    make_participant("P100", email="p100@example.dk")
    staff_login.as_role(role)
    html = client.get("/staff/participants/P100").get_data(as_text=True)
    parts = participant_page_parts(app, "P100")
    shown = {permission: text in html for permission, text in parts.items()}
    assert shown == {permission: role in GRANTS[permission].roles for permission in parts}
