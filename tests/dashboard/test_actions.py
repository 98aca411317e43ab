"""Actions on one participant: confirmation, reason, audit trail, and their effects."""
import re
from datetime import date, timedelta

import pytest

from survey.audit.models import AccessRecord, AuditRecord
from survey.extensions import db
from survey.invitations.services import invitation_state
from survey.messaging.models import OutboundMessage
from survey.participants.services import (
    ParticipantActionError,
    ParticipantError,
    get_participant,
    record_opt_out,
    record_paper_mailed,
    record_paper_received,
    revoke_invitation,
    set_participant_status,
    study_today,
)
from survey.timeutil import now_utc

from ..conftest import CSRF

EMAIL = "karen.hansen@example.dk"
ANY = type("Any", (), {"__eq__": lambda self, other: other is not None,
                       "__repr__": lambda self: "<anything>"})()


def audit_trail(app, study_id):
    """[(actor kind, action, entity, field, old, new, reason)] of the participant, in order."""
    with app.app_context():
        participant = get_participant(study_id)
        return [(r.actor.partition(":")[0], r.action, r.entity, r.field, r.old_value,
                 r.new_value, r.reason)
                for r in db.session.execute(
                    db.select(AuditRecord).where(AuditRecord.participant_id == participant.id)
                    .order_by(AuditRecord.id)).scalars()]


def action_page(client, study_id, action):
    response = client.get(f"/staff/dashboard/participants/{study_id}/{action}")
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def confirm(client, study_id, action, **data):
    token = CSRF.search(action_page(client, study_id, action)).group(1)
    return client.post(f"/staff/dashboard/participants/{study_id}/{action}",
                       data={"csrf_token": token, **data})


def days_ago(n):
    return (date.today() - timedelta(days=n)).isoformat()


#: action -> (what the participant needs first, form fields, the audit records it writes)
ACTIONS = {
    "invite": ("nothing", {"channel": "email"}, [
        ("staff", "invite", "participant", "open_invitation", None, ANY),
        ("staff", "send", "outbound_message", "channel", None, "email")]),
    "resend": ("link", {"channel": "email"}, [
        ("staff", "resend", "invitation", "channel", None, "email"),
        ("staff", "send", "outbound_message", "channel", None, "email")]),
    "new-link": ("link", {}, [
        ("staff", "revoke", "invitation", "revoked_at", None, ANY),
        ("staff", "new_link", "participant", "open_invitation", ANY, ANY)]),
    "revoke": ("link", {}, [("staff", "revoke", "invitation", "revoked_at", None, ANY)]),
    "channel": ("nothing", {"channel": "letter"}, [
        ("staff", "update", "participant", "channel", "email", "letter")]),
    "contact": ("nothing", {"email": "karen.jensen@example.dk", "phone": ""}, [
        ("staff", "correct", "participant", "email", ANY, ANY)]),
    "erase-contact": ("nothing", {"erase": "email"}, [
        ("staff", "erase", "participant", "email", ANY, None),
        ("staff", "update", "participant", "channel", "email", "letter")]),
    "opt-out": ("nothing", {}, [
        ("staff", "update", "participant", "opted_out_at", None, ANY)]),
    "paper-mailed": ("nothing", {"on_date": days_ago(3)}, [
        ("staff", "update", "participant", "paper_mailed_on", None, days_ago(3))]),
    "paper-received": ("nothing", {"on_date": days_ago(1)}, [
        ("staff", "update", "participant", "paper_received_on", None, days_ago(1))]),
    "withdraw": ("nothing", {"on_date": days_ago(2)}, [
        ("staff", "status", "participant", "status", "active", "withdrawn"),
        ("staff", "status", "participant", "status_date", None, days_ago(2))]),
    "deceased": ("link", {"on_date": days_ago(2)}, [
        ("staff", "status", "participant", "status", "active", "deceased"),
        ("staff", "status", "participant", "status_date", None, days_ago(2)),
        ("staff", "revoke", "invitation", "revoked_at", None, ANY)]),
}


@pytest.mark.parametrize("action", ACTIONS)
def test_each_action_needs_a_reason_and_is_audited(app, client, coordinator, make_participant,
                                                   make_invitation, action):
    needs, fields, records = ACTIONS[action]
    study_id = make_participant(email=EMAIL)
    if needs == "link":
        make_invitation(study_id=study_id)
    before = audit_trail(app, study_id)

    page = action_page(client, study_id, action)
    assert "What will happen" in page and 'name="reason"' in page
    refused = confirm(client, study_id, action, reason="  ", **fields)
    assert refused.status_code == 422
    assert "Give a reason." in refused.get_data(as_text=True)
    assert audit_trail(app, study_id) == before

    done = confirm(client, study_id, action, reason="Phoned the participant", **fields)
    assert done.status_code == 302
    assert done.location == f"/staff/dashboard/participants/{study_id}"
    written = audit_trail(app, study_id)[len(before):]
    assert [r[:6] for r in written] == records
    reasons = {r[6] for r in written if r[1] != "send"}  # the send record is messaging's own
    assert reasons == {"Phoned the participant"}


def test_deceased_revokes_open_links_and_the_link_then_answers_410(
        app, client, coordinator, make_participant, make_invitation):
    link = make_invitation(study_id=make_participant("P100"))
    participants_phone = app.test_client()
    assert participants_phone.get(link).status_code == 302
    response = confirm(client, "P100", "deceased", on_date=days_ago(1),
                       reason="Reported by the hospital")
    assert response.status_code == 302
    assert participants_phone.get(link).status_code == 410
    with app.app_context():
        participant = get_participant("P100")
        assert participant.status == "deceased"
        assert participant.status_date == date.today() - timedelta(days=1)
        assert [invitation_state(i) for i in participant.invitations] == ["revoked"]
    follow_up = client.get("/staff/dashboard/participants/P100").get_data(as_text=True)
    assert "is recorded as deceased" in follow_up
    assert "Send the invitation" not in follow_up and "Record a death" not in follow_up


def test_a_date_of_death_in_the_future_is_refused(app, client, coordinator, make_participant):
    make_participant("P200")
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    response = confirm(client, "P200", "deceased", on_date=tomorrow, reason="Register")
    assert response.status_code == 422
    assert "The date cannot be in the future." in response.get_data(as_text=True)
    for bad in ("", "31.02.2026", "yesterday"):
        response = confirm(client, "P200", "deceased", on_date=bad, reason="Register")
        assert response.status_code == 422, bad
    assert confirm(client, "P200", "deceased", on_date="01.02.2025",
                   reason="Register").status_code == 302  # a Danish date works too
    with app.app_context():
        assert get_participant("P200").status_date == date(2025, 2, 1)


def test_invite_sends_the_link_by_the_chosen_channel(app, client, coordinator,
                                                     make_participant, outboxes):
    make_participant("P300", email=EMAIL, phone="20304050")
    response = confirm(client, "P300", "invite", channel="sms", reason="First invitation")
    assert response.status_code == 302
    with app.app_context():
        participant = get_participant("P300")
        messages = db.session.execute(db.select(OutboundMessage)).scalars().all()
        assert [(m.channel, m.purpose, m.status) for m in messages] == [
            ("sms", "invitation", "sent")]
        assert [invitation_state(i) for i in participant.invitations] == ["open"]
        assert messages[0].created_by_id is not None
    assert "The link was sent to P300." in client.get(response.location).get_data(as_text=True)
    # The link is open now: sending again is "resend", a second message for the same link.
    assert confirm(client, "P300", "resend", channel="email",
                   reason="Lost the SMS").status_code == 302
    with app.app_context():
        messages = db.session.execute(db.select(OutboundMessage)).scalars().all()
        assert [m.channel for m in messages] == ["sms", "email"]
        assert len({m.invitation_id for m in messages}) == 1


def test_no_address_for_the_channel_sends_nothing(app, client, coordinator, make_participant):
    make_participant("P301", email=EMAIL)
    page = action_page(client, "P301", "invite")
    sms = re.search(r'<input[^>]*value="sms"[^>]*>', page).group(0)
    assert "disabled" in sms and "SMS (no address)" in page
    response = confirm(client, "P301", "invite", channel="sms", reason="First invitation")
    assert response.status_code == 422
    assert "no address for this way of sending" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(db.select(OutboundMessage)).first() is None
        assert get_participant("P301").invitations == []


def test_the_way_of_contact_needs_its_contact_detail(app, client, coordinator,
                                                     make_participant):
    make_participant("P302", email=EMAIL)
    page = action_page(client, "P302", "channel")
    assert "SMS (no address)" in page
    response = confirm(client, "P302", "channel", channel="sms", reason="Asked for SMS")
    assert response.status_code == 422
    assert "no address for this way of sending" in response.get_data(as_text=True)
    assert "Asked for SMS" in response.get_data(as_text=True)  # what was typed is kept
    with app.app_context():
        assert get_participant("P302").channel == "email"
    assert confirm(client, "P302", "channel", channel="letter",
                   reason="No longer reads e-mail").status_code == 302
    follow_up = client.get("/staff/dashboard/participants/P302").get_data(as_text=True)
    assert "will be contacted this way from now on" in follow_up
    assert re.search(r"Preferred way of contact</dt><dd>Letter</dd>", follow_up)


def test_a_new_link_replaces_the_old_one(app, client, coordinator, make_participant,
                                         make_invitation):
    old = make_invitation(study_id=make_participant("P400"))
    assert confirm(client, "P400", "new-link", reason="Link forwarded by mistake"
                   ).status_code == 302
    assert app.test_client().get(old).status_code == 410
    with app.app_context():
        states = [invitation_state(i) for i in get_participant("P400").invitations]
    assert states == ["revoked", "open"]


def test_an_action_that_is_not_possible_now_is_refused(app, client, coordinator,
                                                       make_participant):
    make_participant("P500")
    response = client.get("/staff/dashboard/participants/P500/resend")  # no open link
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "This cannot be done for P500 now." in page
    assert client.get("/staff/dashboard/participants/P500/explode").status_code == 404
    assert client.get("/staff/dashboard/participants/NOBODY").status_code == 404


def test_confirming_needs_the_csrf_token(app, client, coordinator, make_participant):
    make_participant("P600")
    response = client.post("/staff/dashboard/participants/P600/opt-out",
                           data={"reason": "Asked by phone"})
    assert response.status_code == 400
    with app.app_context():
        assert get_participant("P600").opted_out_at is None


def test_the_pages_record_who_saw_the_participant(app, client, coordinator, make_participant):
    make_participant("P700")
    client.get("/staff/dashboard/participants/P700")
    action_page(client, "P700", "withdraw")
    with app.app_context():
        purposes = db.session.execute(db.select(AccessRecord.purpose)).scalars().all()
    assert purposes == ["follow-up", "follow-up"]


def test_the_participant_page_links_to_the_follow_up(client, coordinator, make_participant):
    make_participant("P800")
    page = client.get("/staff/participants/P800").get_data(as_text=True)
    assert 'href="/staff/dashboard/participants/P800"' in page


def test_data_entry_gets_403_on_the_dashboard_and_the_actions(client, staff_login,
                                                              make_participant):
    make_participant("P900")
    staff_login.as_role("data_entry")
    token = staff_login.csrf_token("/staff/")
    for url in ("/staff/dashboard/", "/staff/dashboard/participants/P900",
                "/staff/dashboard/participants/P900/withdraw"):
        assert client.get(url).status_code == 403, url
    response = client.post("/staff/dashboard/participants/P900/withdraw", data={
        "csrf_token": token, "on_date": days_ago(1), "reason": "Try"})
    assert response.status_code == 403


# --- the services on their own -----------------------------------------------------------


@pytest.fixture
def participant(app_ctx, make_participant):
    return get_participant(make_participant())


def test_unknown_status_and_bad_input_raise(participant):
    yesterday = study_today() - timedelta(days=1)
    with pytest.raises(ParticipantError, match="not valid"):
        set_participant_status(participant, "active", yesterday, "Undo", "system:test")
    with pytest.raises(ParticipantError, match="not valid"):
        set_participant_status(participant, "emigrated", yesterday, "Moved", "system:test")
    with pytest.raises(ParticipantActionError, match="future"):
        set_participant_status(participant, "deceased", study_today() + timedelta(days=1),
                               "Register", "system:test")
    with pytest.raises(ParticipantActionError, match="reason"):
        record_opt_out(participant, "", "system:test")
    with pytest.raises(ParticipantActionError, match="expected a date"):
        record_paper_mailed(participant, "2026-01-01", "Posted", "system:test")


def test_status_changes_that_make_no_sense_are_refused(participant):
    yesterday = study_today() - timedelta(days=1)
    set_participant_status(participant, "withdrawn", yesterday, "Letter", "system:test")
    with pytest.raises(ParticipantActionError, match="already withdrawn"):
        set_participant_status(participant, "withdrawn", yesterday, "Again", "system:test")
    set_participant_status(participant, "deceased", yesterday, "Register", "system:test")
    with pytest.raises(ParticipantActionError, match="is deceased"):
        set_participant_status(participant, "withdrawn", yesterday, "Oops", "system:test")


def test_paper_cannot_come_back_before_it_was_posted(participant):
    today = study_today()
    record_paper_mailed(participant, today - timedelta(days=5), "Posted", "system:test")
    with pytest.raises(ParticipantActionError, match="before it was mailed"):
        record_paper_received(participant, today - timedelta(days=6), "Back", "system:test")
    record_paper_received(participant, today, "Back", "system:test")
    assert participant.paper_received_on == today


def test_an_answered_link_cannot_be_revoked(participant):
    from survey.invitations.services import create_invitation

    invitation, _ = create_invitation(participant)
    invitation.completed_at = now_utc()
    with pytest.raises(ParticipantActionError, match="already answered"):
        revoke_invitation(invitation, "Mistake", "system:test")


def test_the_follow_up_page_lists_every_message_and_its_outcome(app, client, staff_login,
                                                                 make_participant):
    from survey.messaging.services import send_invitation

    study_id = make_participant(email="deltager@example.dk")
    with app.app_context():
        send_invitation(get_participant(study_id), "email")
    staff_login.as_role("coordinator")
    page = client.get(f"/staff/dashboard/participants/{study_id}").get_data(as_text=True)
    assert "Sendte beskeder" in page and "Invitation" in page and ">Sendt" in page
