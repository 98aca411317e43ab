"""The coordinators' actions on one participant: what each does, its form, and doing it.

Every action is confirmed on a page that says what will happen and asks for a
reason (and a date or a way of sending where it needs one); doing it writes
the audit trail with the old and new values. The pages are in
survey/dashboard/views.py; the changes themselves in participants/services.py and,
for sending, survey/messaging/services.py.
"""
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, ValidationError

from ..audit.services import record_change, staff_actor
from ..extensions import db
from ..invitations.services import InvitationError, create_invitation
from ..messaging.models import OutboundMessage
from ..messaging.services import outcome, send_invitation
from ..participants.contact_actions import (
    ContactForm,
    EraseContactForm,
    correct,
    erase,
    has_contact,
)
from ..participants.forms import ReasonForm
from ..participants.services import (
    ParticipantActionError,
    _audit,
    _check_reason,
    record_opt_out,
    record_paper_mailed,
    record_paper_received,
    revoke_invitation,
    set_participant_channel,
    set_participant_status,
)
from ..participants.state import has_address, is_invitable, may_get_new_link, open_web_links
from ..timeutil import now_utc, parse_typed_date, study_today


class PastDay:
    """Validator: a date that is not in the future; afterwards `field.day` is the date."""

    def __call__(self, form, field):
        field.day = parse_typed_date(field.data)
        if not (field.data or "").strip():
            raise ValidationError(_l("Give the date."))
        if field.day is None:
            raise ValidationError(_l("Give the date as day.month.year, e.g. 26.11.2026."))
        if field.day > study_today():
            raise ValidationError(_l("The date cannot be in the future."))


def _channel_field(label):
    return RadioField(label, choices=[
        SelectChoice("email", _l("E-mail")), SelectChoice("sms", _l("SMS")),
        SelectChoice("letter", _l("Letter"))],
        validators=[InputRequired(_l("Choose how to send it."))])


class ChannelForm(ReasonForm):
    channel = _channel_field(_l("Send by"))


class PreferredChannelForm(ReasonForm):
    channel = _channel_field(_l("Send invitations and reminders by"))


class WithdrawalForm(ReasonForm):
    on_date = StringField(_l("Date of withdrawal"), validators=[PastDay()])


class DeathForm(ReasonForm):
    on_date = StringField(_l("Date of death"), validators=[PastDay()])


class MailedForm(ReasonForm):
    on_date = StringField(_l("Date posted"), validators=[PastDay()])


class ReceivedForm(ReasonForm):
    on_date = StringField(_l("Date received"), validators=[PastDay()])


# --- what each action checks and does ----------------------------------------------------


def _check_address(participant, channel):
    if not has_address(participant, channel):
        raise ParticipantActionError(
            f"participant {participant.study_id} has no address for {channel}",
            _l("The participant has no address for this way of sending. Choose another."))


def _sent(participant, message):
    """What to tell the coordinator after a send."""
    result = outcome(message)
    if result == "sent":
        return _("The link was sent to %(study_id)s.", study_id=participant.study_id)
    if result == "failed, will retry":
        return _("The link to %(study_id)s could not be sent just now. It will be tried "
                 "again automatically.", study_id=participant.study_id)
    return _("The link to %(study_id)s was not sent. Check the participant's status and "
             "address, then try again.", study_id=participant.study_id)


def invite(participant, form, user, now):
    channel = form.channel.data
    _check_address(participant, channel)
    invitation, _link = create_invitation(participant, now=now)
    record_change(staff_actor(user), "invite", "participant", participant.id,
                  field="open_invitation", new=invitation.id, reason=form.reason.data,
                  participant_id=participant.id, now=now)
    return _sent(participant, send_invitation(participant, channel, created_by=user, now=now))


def resend(participant, form, user, now):
    channel = form.channel.data
    _check_address(participant, channel)
    invitation = open_web_links(participant, now)[-1]
    last_channel = db.session.execute(
        db.select(OutboundMessage.channel).where(OutboundMessage.invitation_id == invitation.id)
        .order_by(OutboundMessage.id.desc()).limit(1)).scalar_one_or_none()
    record_change(staff_actor(user), "resend", "invitation", invitation.id, field="channel",
                  old=last_channel, new=channel, reason=form.reason.data,
                  participant_id=participant.id, now=now)
    return _sent(participant, send_invitation(participant, channel, created_by=user, now=now))


def revoke(participant, form, user, now):
    for invitation in open_web_links(participant, now):
        revoke_invitation(invitation, form.reason.data, staff_actor(user), now)
    return _("The link of %(study_id)s no longer works.", study_id=participant.study_id)


def new_link(participant, form, user, now):
    issue_new_link(participant, form.reason.data, staff_actor(user), now)
    return _("A new link is made for %(study_id)s and the old one no longer works. Send it "
             "with “Send the link again”.", study_id=participant.study_id)


def withdraw(participant, form, user, now):
    set_participant_status(participant, "withdrawn", form.on_date.day, form.reason.data,
                           staff_actor(user), now)
    return _("%(study_id)s is recorded as withdrawn.", study_id=participant.study_id)


def deceased(participant, form, user, now):
    set_participant_status(participant, "deceased", form.on_date.day, form.reason.data,
                           staff_actor(user), now)
    return _("%(study_id)s is recorded as deceased. No one will contact them again.",
             study_id=participant.study_id)


def opt_out(participant, form, user, now):
    record_opt_out(participant, form.reason.data, staff_actor(user), now=now)
    return _("%(study_id)s will get no more reminders.", study_id=participant.study_id)


def change_channel(participant, form, user, now):
    set_participant_channel(participant, form.channel.data, form.reason.data,
                            staff_actor(user), now)
    return _("%(study_id)s will be contacted this way from now on.",
             study_id=participant.study_id)


def paper_mailed(participant, form, user, now):
    record_paper_mailed(participant, form.on_date.day, form.reason.data, staff_actor(user), now)
    return _("The paper questionnaire to %(study_id)s is recorded as posted.",
             study_id=participant.study_id)


def paper_received(participant, form, user, now):
    record_paper_received(participant, form.on_date.day, form.reason.data, staff_actor(user),
                          now)
    return _("The paper questionnaire from %(study_id)s is recorded as received.",
             study_id=participant.study_id)


# --- the catalogue -----------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """One action: its page's title, what it will do, the form, when it is possible, doing it.

    `perform(participant, form, user, now)` changes things (the caller commits) and
    returns the sentence to show afterwards; it raises ParticipantActionError.
    """

    name: str
    title: str
    effect: str
    button: str
    form: type
    is_possible: object
    perform: object


def _active(p):
    return p.status == "active"


ACTIONS = {a.name: a for a in (
    Action("invite", _l("Send the invitation"), _l(
        "A personal link is made and sent to the participant the way you choose. Reminders "
        "follow on the study's schedule, unless the participant has opted out."),
        _l("Send the invitation"), ChannelForm,
        is_invitable, invite),
    Action("resend", _l("Send the link again"), _l(
        "The participant's open link is sent once more, the way you choose. The link itself "
        "does not change."),
        _l("Send the link again"), ChannelForm,
        lambda p, now: _active(p) and bool(open_web_links(p, now)), resend),
    Action("new-link", _l("Make a new link"), _l(
        "The participant's open link stops working at once and a new link is made. Answers "
        "saved through the old link are not carried over. Send the new link afterwards with "
        "“Send the link again”."),
        _l("Make a new link"), ReasonForm,
        lambda p, now: may_get_new_link(p), new_link),
    Action("revoke", _l("Revoke the link"), _l(
        "The participant's open link stops working at once: whoever opens it is told it no "
        "longer works. No reminders are sent for it."),
        _l("Revoke the link"), ReasonForm,
        lambda p, now: bool(open_web_links(p, now)), revoke),
    Action("channel", _l("Change the way of contact"), _l(
        "Invitations and reminders are sent to the participant this way from now on. "
        "Messages already sent are not sent again."),
        _l("Change the way of contact"), PreferredChannelForm,
        lambda p, now: p.status == "active", change_channel),
    Action("contact", _l("Correct the e-mail address or phone number"), _l(
        "The participant's e-mail address or mobile number is replaced by the one you type, "
        "checked as at import. The audit trail keeps a keyed digest of the old and the new "
        "one, never the address or number itself."),
        _l("Save the correction"), ContactForm,
        lambda p, now: True, correct),
    Action("erase-contact", _l("Erase the e-mail address or phone number"), _l(
        "What you choose is erased, and nothing will be sent to it again. If the "
        "participant was contacted that way, they are contacted by e-mail, SMS or letter, in "
        "that order, by what is left. The audit trail keeps only a keyed digest of what was "
        "erased."),
        _l("Erase"), EraseContactForm,
        has_contact, erase),
    Action("opt-out", _l("Record an opt-out of reminders"), _l(
        "No more reminders are sent to the participant. They can still answer with their "
        "link, and the study team can still send them the link on request."),
        _l("Record the opt-out"), ReasonForm,
        lambda p, now: p.opted_out_at is None, opt_out),
    Action("paper-mailed", _l("Record that a paper questionnaire was posted"), _l(
        "The date the paper questionnaire was posted to the participant is recorded. "
        "Reminders continue until it comes back."),
        _l("Record the date posted"), MailedForm,
        lambda p, now: _active(p), paper_mailed),
    Action("paper-received", _l("Record that the paper questionnaire came back"), _l(
        "The date the paper questionnaire came back is recorded, and no more reminders are "
        "sent. Then key in the answers under Paper questionnaires."),
        _l("Record the date received"), ReceivedForm,
        lambda p, now: p.paper_received_on is None, paper_received),
    Action("withdraw", _l("Record a withdrawal"), _l(
        "The participant is recorded as withdrawn from the study as of the date you give. "
        "Their link stops working and nothing more is sent to them. Answers already given "
        "are kept."),
        _l("Record the withdrawal"), WithdrawalForm,
        lambda p, now: _active(p), withdraw),
    Action("deceased", _l("Record a death"), _l(
        "The participant is recorded as deceased as of the date you give. Every open link "
        "is revoked at once, and no message or reminder will be sent again. Answers already "
        "given are kept."),
        _l("Record the death"), DeathForm,
        lambda p, now: p.status != "deceased", deceased),
)}


def issue_new_link(participant, reason, actor, now=None):
    """Revoke the open web link (if any) and make a new one; returns (invitation, link)."""
    reason = _check_reason(reason)
    now = now or now_utc()
    old = open_web_links(participant, now)
    for invitation in old:
        revoke_invitation(invitation, reason, actor, now)
    try:
        invitation, link = create_invitation(participant, replace=True, now=now)
    except InvitationError as error:
        raise ParticipantActionError(str(error), _l(
            "No new link can be made: the participant is not active or has already "
            "answered.")) from None
    _audit(actor, "new_link", participant, "open_invitation",
           ",".join(str(i.id) for i in old) or None, invitation.id, reason, now)
    return invitation, link
