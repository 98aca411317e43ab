import click
from flask.cli import AppGroup

from ..extensions import db
from .services import ParticipantError, add_participant

participants_cli = AppGroup("participants", help="Manage trial participants.")


@participants_cli.command("add")
@click.argument("study_id")
@click.option("--lang", "language", required=True, help="Preferred language: da or en.")
@click.option("--email", default=None, help="E-mail address for invitations.")
@click.option("--phone", default=None, help="Mobile number for SMS, e.g. +4520304050.")
def add_command(study_id, language, email, phone):
    """Add a participant known by STUDY_ID."""
    try:
        participant = add_participant(study_id, language, email=email, phone=phone)
        db.session.commit()
    except ParticipantError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    click.echo(f"Added participant {participant.study_id} ({participant.language}).")
