"""Registers every feature's command-line group on the app."""
import click
from flask.cli import with_appcontext

from .audit_reports.cli import audit_cli
from .extensions import db
from .history import cli as history_cli  # noqa: F401 - adds responses import-history
from .invitations.cli import invitations_cli
from .invitations.services import create_invitation, open_invitations
from .participants.cli import participants_cli
from .participants.services import add_participant, find_participant
from .participants.state import has_answered
from .records import cli as records_cli  # noqa: F401 - adds participants record, record-check
from .reminders.cli import reminders_cli
from .responses.cli import responses_cli
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


def register_commands(app):
    for command in (participants_cli, invitations_cli, responses_cli, users_cli, audit_cli,
                    reminders_cli, demo_command):
        app.cli.add_command(command)
