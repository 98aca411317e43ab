"""Links that `invitations send` makes are audited as created, as `invitations create`'s are."""
from survey.extensions import db
from survey.invitations.models import Invitation

from ..participants.test_cli_audit import records
from ..test_cli import invoke


def test_a_link_made_by_invitations_send_is_audited_as_created(app, runner, make_contactable):
    make_contactable(study_id="P001", lang="da", email="karen.hansen@example.dk")
    result = invoke(runner, "invitations", "send", "P001")
    assert result.exit_code == 0, result.output
    with app.app_context():
        invitation = db.session.execute(db.select(Invitation)).scalar_one()
        expected = ("system:messaging", "create", str(invitation.id), "expires_at",
                    str(invitation.expires_at), None, invitation.participant_id)
    assert records(app, "invitation") == [expected]
    # Sent again: the open link is used, so no second link and no second record.
    assert invoke(runner, "invitations", "send", "P001").exit_code == 0
    assert records(app, "invitation") == [expected]
