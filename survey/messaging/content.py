"""What each message says: the words live in templates/messages/ (see the README).

E-mail, SMS and letter share the wording of each kind (messages/<kind>/wording.txt).

Everything here uses gettext: call it inside ``flask_babel.force_locale(language)``
(services.deliver does), so a message is in the participant's language whoever
sends it.
"""
from collections import namedtuple

from flask import current_app, render_template
from flask_babel import format_date

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


#: The parts of messages/<kind>/wording.txt (see there): subject (also the letter's
#: heading), paragraphs, call, button, saved (None where a paragraph says it) and sms.
Wording = namedtuple("Wording", "subject paragraphs call button saved sms")


def words_in(name, context):
    """The words templates/messages/<name>.txt sets, in the current language, as attributes."""
    return current_app.jinja_env.get_template(f"messages/{name}.txt").make_module(
        {"message": context})


def _paragraphs(text):
    return tuple(part.strip() for part in text.split("\n\n") if part.strip())


def wording(context):
    """The words of the message kind `context.template` (invitation, reminder, ...)."""
    if context.template not in TEMPLATES:
        raise ValueError(f"unknown message template {context.template!r}; "
                         f"expected one of {TEMPLATES}")
    words = words_in(f"{context.template}/wording", context)
    return Wording(subject=words.subject, paragraphs=_paragraphs(words.paragraphs),
                   call=words.call, button=words.button,
                   saved=getattr(words, "saved", None), sms=words.sms)


def render_email(context):
    """(subject, plain text, HTML) of an e-mail."""
    words, shared = wording(context), words_in("shared", context)
    values = {"words": words, "message": context, "privacy_words": shared.privacy_words,
              "privacy_line": shared.privacy_line or None}
    return (words.subject, render_template("messages/email.txt", **values),
            render_template("messages/email.html", **values))


def privacy_line(context):
    """"How we handle your data: <address>" for e-mails and letters, or None without one."""
    return words_in("shared", context).privacy_line or None


def sms_text(context):
    """The sender's signature, a few words and the link: one SMS of at most 160 characters;
    with the study's privacy notice set, its address on a second line, in an SMS of two
    linked parts (at most 306 characters; phones show it as one message).

    Without the study name, so that it fits; config.SMS_WORDS_MAX and
    config.SMS_PRIVACY_WORDS_MAX are the lengths of the longest of these texts, which
    limit how long the signature may be.
    """
    return render_template("messages/sms.txt", message=context, words=wording(context),
                           privacy_line=privacy_line(context))
