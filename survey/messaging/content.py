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
from ..timeutil import now_utc
from .optout import optout_link

TEMPLATES = ("invitation", "reminder", "reminder_started")

#: Everything a message needs to know, already in the participant's language.
#: `sent_on` is the day it is made; `sms_signature` starts an SMS; `sender` (the lines of
#: the sender's name and address) heads a letter; `short_code` is only set for letters;
#: `privacy_url` is the study's privacy notice (SURVEY_PRIVACY_URL_DA/EN), None if not set.
MessageContext = namedtuple(
    "MessageContext",
    "template language study_name contact link optout_link expires_on study_id start_address "
    "sent_on sms_signature sender short_code privacy_url",
    defaults=(None, None),
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
        start_address=start_address(), sent_on=format_date(now_utc(), "long"),
        sms_signature=config["SURVEY_SMS_SIGNATURE"][language],
        sender=config["SURVEY_LETTER_SENDER"][language], short_code=short_code,
        privacy_url=config["SURVEY_PRIVACY_URL"][language])


#: subject: also the letter's heading; paragraphs: before the link;
#: call: the line before the link; button: the e-mail's button;
#: saved: the general word that answers are kept (left out where a paragraph says it).
Wording = namedtuple("Wording", "subject paragraphs call button saved")


def _saved():
    return _("Your answers are saved as you go. You can take a break and come back later "
             "with the same link.")


def wording(template):
    """The words of one template (invitation, reminder, reminder_started)."""
    if template == "invitation":
        return Wording(
            subject=_("Your questionnaire about dry mouth"),
            paragraphs=(_("We would like to know how dry your mouth is these days. Please "
                          "answer some short questions about dry mouth. It takes about 10 "
                          "minutes."),),
            call=_("Open your personal link to start:"),
            button=_("Start the questionnaire"), saved=_saved())
    if template == "reminder":
        return Wording(
            subject=_("Reminder: questionnaire about dry mouth"),
            paragraphs=(
                _("A little while ago we sent you a link to some short questions about dry "
                  "mouth. We have not yet received your answers."),
                _("Your answers matter to the study, even if dry mouth does not bother you at "
                  "the moment. It takes about 10 minutes."),
                _("If you have already answered on paper, please ignore this message."),
            ),
            call=_("Open your personal link to start:"),
            button=_("Start the questionnaire"), saved=_saved())
    if template == "reminder_started":
        return Wording(
            subject=_("Reminder: you have not yet sent your answers about dry mouth"),
            paragraphs=(
                _("Thank you for starting the questionnaire about dry mouth. You have not yet "
                  "sent your answers."),
                _("The answers you have already given are saved. You can carry on where you "
                  "left off."),
                _("At the end, press “%(button)s” so that the study team gets your answers.",
                  button=_("Send answers")),
            ),
            call=_("Open your personal link to carry on:"),
            button=_("Carry on with the questionnaire"), saved=None)
    raise ValueError(f"unknown message template {template!r}; expected one of {TEMPLATES}")


def render_email(context):
    """(subject, plain text, HTML) of an e-mail."""
    words = wording(context.template)
    values = {"words": words, "message": context, "privacy_words": privacy_words(),
              "privacy_line": privacy_line(context)}
    return (words.subject, render_template("messages/email.txt", **values),
            render_template("messages/email.html", **values))


def privacy_line(context):
    """"How we handle your data: <address>" for e-mails and letters, or None without one."""
    if not context.privacy_url:
        return None
    return _("How we handle your data: %(address)s", address=context.privacy_url)


def privacy_words():
    return _("How we handle your data")


def sms_text(context):
    """The sender's signature, a few words and the link: one SMS of at most 160 characters;
    with the study's privacy notice set, its address on a second line, in an SMS of two
    linked parts (at most 306 characters; phones show it as one message).

    Without the study name, so that it fits; config.SMS_WORDS_MAX and
    config.SMS_PRIVACY_WORDS_MAX are the lengths of the longest of these texts, which
    limit how long the signature may be.
    """
    text = f"{context.sms_signature}: {_sms_words(context.template, context.link)}"
    return f"{text}\n{privacy_line(context)}" if context.privacy_url else text


def _sms_words(template, link):
    if template == "invitation":
        return _("Please answer questions about dry mouth. Your personal link: %(link)s",
                 link=link)
    if template == "reminder":
        return _("Please remember to answer the questions about dry mouth: %(link)s", link=link)
    if template == "reminder_started":
        return _("Remember to send your answers about dry mouth. Carry on here: %(link)s",
                 link=link)
    raise ValueError(f"unknown message template {template!r}; expected one of {TEMPLATES}")
