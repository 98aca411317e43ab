import sys

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from ..extensions import db
from ..i18n import LANGUAGES
from ..permissions import markdown_table
from .passwords import PasswordPolicyError
from .services import (
    StaffAccountError,
    create_staff_user,
    deactivate,
    find_staff_user,
    set_full_name,
    set_password,
)

users_cli = AppGroup("users", help="Manage staff accounts.")
ROLE_NAMES = {"data-entry": "data_entry", "coordinator": "coordinator", "admin": "admin"}


def _read_password():
    """Twice at a terminal; one line from standard input when scripted."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\n")


def _fail(error):
    db.session.rollback()
    raise click.ClickException(str(error)) from None


def _get_user(email):
    user = find_staff_user(email)
    if user is None:
        _fail(f"no account with e-mail address {email}")
    return user


@users_cli.command("add")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(list(ROLE_NAMES)))
@click.option("--name", "full_name", required=True,
              help='Full name, as printed on electronic signatures, e.g. "Anne Holm Jensen".')
def add_command(email, role, full_name):
    """Create a staff account; the password is asked twice (or read from standard input)."""
    try:
        user = create_staff_user(email, ROLE_NAMES[role], _read_password(),
                                 full_name=full_name)
        db.session.commit()
    except (StaffAccountError, PasswordPolicyError) as error:
        _fail(error)
    click.echo(f"Created {user.email} ({role}, {user.full_name}).")


@users_cli.command("set-password")
@click.argument("email")
def set_password_command(email):
    """Set a new password; every session of the account ends."""
    user = _get_user(email)
    try:
        set_password(user, _read_password())
        db.session.commit()
    except PasswordPolicyError as error:
        _fail(error)
    click.echo(f"Password changed for {user.email}.")


@users_cli.command("set-name")
@click.argument("email")
@click.argument("full_name")
def set_name_command(email, full_name):
    """Set the full name printed on the account's electronic signatures."""
    user = _get_user(email)
    try:
        set_full_name(user, full_name)
        db.session.commit()
    except StaffAccountError as error:
        _fail(error)
    click.echo(f"Name of {user.email}: {user.full_name}.")


@users_cli.command("deactivate")
@click.argument("email")
def deactivate_command(email):
    """Disable an account (it is kept, for the audit trail); its sessions end."""
    user = _get_user(email)
    deactivate(user)
    db.session.commit()
    click.echo(f"Deactivated {user.email}.")


@users_cli.command("permissions")
@click.option("--language", type=click.Choice(list(LANGUAGES)), default="en", show_default=True)
def permissions_command(language):
    """Print who may do what (survey/permissions.py) as the README's Markdown table."""
    with force_locale(language):
        click.echo(markdown_table())
