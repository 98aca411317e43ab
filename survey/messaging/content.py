"""What each message says. E-mail, SMS and letter share the wording of each template.

Everything here uses gettext: call it inside ``flask_babel.force_locale(language)``
(services.deliver does), so a message is in the participant's language whoever
sends it.
"""
from collections import namedtuple

from flask import current_app, render_template
from flask_babel import format_date
from flask_babel import gettext as _

from ..invitations.tokens import link_for_key
from .optout import optout_link

TEMPLATES = ("invitation", "reminder", "reminder_started")

#: Everything a message needs to know, already in the participant's language.
#: `short_code` is only set for letters.
MessageContext = namedtuple(
    "MessageContext",
    "template language study_name contact link optout_link expires_on study_id start_address "
    "short_code",
    defaults=(None,),
)


def start_address():
    """The /start page's address as people type it: without https://."""
    return current_app.config["SURVEY_BASE_URL"].removeprefix("https://") + "/start"


def context_for(participant, invitation, template, short_code=None):
    """The MessageContext of a message to `participant` about `invitation`."""
    config, language = current_app.config, participant.language
    return MessageContext(
        template=template, language=language, study_name=config["SURVEY_STUDY_NAME"][language],
        contact=config["SURVEY_CONTACT"][language], link=link_for_key(invitation.key),
        optout_link=optout_link(participant),
        expires_on=format_date(invitation.expires_at, "long"), study_id=participant.study_id,
        start_address=start_address(), short_code=short_code)


#: subject: also the letter's heading; paragraphs: before the link;
#: call: the line before the link; button: the e-mail's button.
Wording = namedtuple("Wording", "subject paragraphs call button")


def wording(template):
    """The words of one template (invitation, reminder, reminder_started)."""
    if template == "invitation":
        return Wording(
            subject=_("Your questionnaire about dry mouth"),
            paragraphs=(_("We would like to know how your mouth feels now. Please answer some "
                          "short questions about dry mouth. It takes about 10 minutes."),),
            call=_("Open your personal link to start:"),
            button=_("Start the questionnaire"))
    if template == "reminder":
        return Wording(
            subject=_("Reminder: questionnaire about dry mouth"),
            paragraphs=(
                _("A little while ago we sent you a link to some short questions about dry "
                  "mouth. We have not yet received your answers."),
                _("Your answers matter to the study, even if your mouth feels fine now. It "
                  "takes about 10 minutes."),
                _("If you have already answered on paper, please ignore this message."),
            ),
            call=_("Open your personal link to start:"),
            button=_("Start the questionnaire"))
    if template == "reminder_started":
        return Wording(
            subject=_("Reminder: please finish your questionnaire about dry mouth"),
            paragraphs=(
                _("Thank you for starting the questionnaire about dry mouth. You have not yet "
                  "sent your answers."),
                _("The answers you have already given are saved. You can carry on where you "
                  "left off."),
                _("At the end, press “%(button)s” so that the study team gets your answers.",
                  button=_("Send answers")),
            ),
            call=_("Open your personal link to carry on:"),
            button=_("Carry on with the questionnaire"))
    raise ValueError(f"unknown message template {template!r}; expected one of {TEMPLATES}")


def render_email(context):
    """(subject, plain text, HTML) of an e-mail."""
    words = wording(context.template)
    values = {"words": words, "message": context}
    return (words.subject, render_template("emails/message.txt", **values),
            render_template("emails/message.html", **values))


def sms_text(context):
    """A short text with the link; without the study name, so that it fits one SMS."""
    link = context.link
    if context.template == "invitation":
        return _("Please answer the questionnaire about dry mouth. Your personal link: %(link)s",
                 link=link)
    if context.template == "reminder":
        return _("Reminder: please answer the questionnaire about dry mouth: %(link)s",
                 link=link)
    if context.template == "reminder_started":
        return _("Reminder: please finish the questionnaire about dry mouth: %(link)s",
                 link=link)
    raise ValueError(f"unknown message template {context.template!r}; expected one of "
                     f"{TEMPLATES}")
