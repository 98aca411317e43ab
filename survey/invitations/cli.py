import click
from flask.cli import AppGroup

from ..extensions import db
from ..messaging.cli import register_send_command
from ..participants.services import ParticipantError, get_participant
from .services import InvitationError, create_invitation

invitations_cli = AppGroup("invitations", help="Make personal questionnaire links.")
register_send_command(invitations_cli)


@invitations_cli.command("create")
@click.argument("study_id")
@click.option("--replace", is_flag=True,
              help="Revoke the participant's open link and make a new one.")
def create_command(study_id, replace):
    """Make a link for STUDY_ID to answer XQ and VAS; the link is the last line printed."""
    try:
        invitation, link = create_invitation(get_participant(study_id), replace=replace)
        db.session.commit()
    except (ParticipantError, InvitationError) as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    click.echo(f"Invitation for {study_id}, valid until "
               f"{invitation.expires_at.date().isoformat()} (UTC):")
    click.echo(link)
