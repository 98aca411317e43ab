"""Registers every feature's command-line group on the app, in one place.

Each feature's cli.py defines its group or its commands and imports no other
feature's CLI; the commands that one feature adds to another's group (sending
links under `invitations`, certified copies under `participants`, earlier time
points under `responses`) are added here, so no import registers anything as a
side effect.
"""
import click
from flask.cli import with_appcontext

from .audit_reports.cli import audit_cli
from .exports.cli import responses_cli
from .extensions import db
from .history.cli import import_history_command
from .invitations.cli import invitations_cli
from .invitations.services import create_invitation
from .messaging.cli import retry_command, send_command
from .participants.cli import participants_cli
from .participants.services import add_participant, find_participant
from .participants.state import has_answered, open_invitations
from .records.cli import record_check_command, record_command
from .reminders.cli import reminders_cli
from .staff.cli import users_cli
from .timeutil import now_utc

DEMO_PARTICIPANTS = (("DEMO-001", "da"), ("DEMO-002", "en"))


@click.command("demo")
@with_appcontext
def demo_command():
    """Add demo participants (if missing) and print a fresh link for each."""
    links = []
    for study_id, language in DEMO_PARTICIPANTS:
        participant = find_participant(study_id) or add_participant(study_id, language)
        if has_answered(participant):
            click.echo(f"{study_id} has already answered; reset with a new database.")
            continue
        replace = bool(open_invitations(participant, now_utc()))
        _, link = create_invitation(participant, replace=replace)
        links.append((study_id, language, link))
    db.session.commit()
    for study_id, language, link in links:
        click.echo(f"Demo participant {study_id} ({language}): {link}")


#: Commands that belong to another feature's group: (group, command).
ADDED_COMMANDS = ((invitations_cli, send_command), (invitations_cli, retry_command),
                  (participants_cli, record_command), (participants_cli, record_check_command),
                  (responses_cli, import_history_command))


def register_commands(app):
    for group, command in ADDED_COMMANDS:
        group.add_command(command)
    for command in (participants_cli, invitations_cli, responses_cli, users_cli, audit_cli,
                    reminders_cli, demo_command):
        app.cli.add_command(command)
