import click
from flask import current_app
from flask.cli import AppGroup

from ..audit.services import CLI_ACTOR, record_change
from ..extensions import db
from ..participants.services import ParticipantError, get_participant
from ..participants.state import open_invitations
from ..timeutil import now_utc
from .services import InvitationError, create_invitation, last_day_of, record_invitation_created

invitations_cli = AppGroup("invitations", help="Make personal questionnaire links.")


@invitations_cli.command("create")
@click.argument("study_id")
@click.option("--replace", is_flag=True,
              help="Revoke the participant's open link and make a new one.")
def create_command(study_id, replace):
    """Make a link for STUDY_ID to answer XQ and VAS; the link is the last line printed.

    Audited like the same actions on the screen: the new link, and any link it replaced.
    """
    now = now_utc()
    try:
        participant = get_participant(study_id)
        replaced = open_invitations(participant, now) if replace else []
        invitation, link = create_invitation(participant, replace=replace, now=now)
        for old in replaced:
            record_change(CLI_ACTOR, "revoke", "invitation", old.id, field="revoked_at",
                          new=now, reason="replaced by invitations create --replace",
                          participant_id=participant.id, now=now)
        record_invitation_created(invitation, CLI_ACTOR, now)
        db.session.commit()
    except (ParticipantError, InvitationError) as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    click.echo(f"Invitation for {study_id}, valid until the end of "
               f"{last_day_of(invitation).isoformat()} ({current_app.config['SURVEY_TIMEZONE']}):")
    click.echo(link)
