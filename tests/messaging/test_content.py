"""What participants read: e-mails, SMS and letters compared with reviewed snapshots.

The files in snapshots/ were read by a Danish reader; any change in wording
makes these tests fail. After a deliberate change, rewrite them with
`SURVEY_UPDATE_SNAPSHOTS=1 scripts/test tests/messaging/test_content.py` and
review the diff before committing.
"""
from datetime import UTC, datetime

import pytest
from flask_babel import force_locale, format_date

from survey.config import (
    DEFAULT_CONTACT,
    DEFAULT_LETTER_SENDER,
    DEFAULT_SMS_SIGNATURE,
    DEFAULT_STUDY_NAME,
    LINK_PATH_LENGTH,
    SMS_WORDS_MAX,
    sms_signature_limit,
)
from survey.invitations.tokens import link_for_key, new_invitation_key
from survey.messaging.content import TEMPLATES, MessageContext, render_email, sms_text
from survey.messaging.letters import letter_text
from survey.messaging.sms import SMS_LIMIT, gsm7_length

from ..conftest import BASE_URL
from .conftest import snapshot

TOKEN = "Xq3vL9aB2cD4eF6gH8jK1m.AbCdEfGhIjKlMnOpQrStUvWxYz0"
LINK = f"{BASE_URL}/i/{TOKEN}"
OPTOUT_LINK = f"{BASE_URL}/optout/MQ.AbCdEfGhIjKlMnOpQrStUvWxYz0"
EXPIRES = datetime(2027, 1, 25, 22, 59, 59, 999999, tzinfo=UTC)  # 23.59 Copenhagen time
SENT = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
LANGUAGES = ("da", "en")


def fixed_context(template, lang, link=LINK, short_code=None,
                  sms_signature=DEFAULT_SMS_SIGNATURE):
    with force_locale(lang):
        expires_on, sent_on = format_date(EXPIRES, "long"), format_date(SENT, "long")
    return MessageContext(
        template=template, language=lang, study_name=DEFAULT_STUDY_NAME[lang],
        contact=DEFAULT_CONTACT[lang], link=link, optout_link=OPTOUT_LINK,
        expires_on=expires_on, study_id="P001", start_address="survey.example.dk/start",
        sent_on=sent_on, sms_signature=sms_signature[lang],
        sender=tuple(DEFAULT_LETTER_SENDER[lang].split("|")), short_code=short_code)


def letter_as_text(letter):
    """The letter's lines in reading order, as a reviewer reads the printed page."""
    lines = [*letter.sender, "", letter.date, "", letter.study_name, "", letter.heading, "",
             letter.greeting, ""]
    for paragraph in letter.paragraphs:
        lines += [paragraph, ""]
    lines += [letter.ways, f"1. {letter.qr_step}  [QR code]", f"2. {letter.start_step}",
              f"   {letter.start_address}", f"   {letter.code_step}", f"   {letter.code}",
              f"3. {letter.link_step}", f"   {letter.link}", "",
              " ".join(filter(None, (letter.validity, letter.saved))), "", letter.personal, "",
              letter.contact_intro, letter.contact, "", letter.regards, letter.signature, "",
              letter.reference]
    return "\n".join(lines) + "\n"


def test_the_fixed_link_is_as_long_as_a_real_one(app_ctx):
    assert len(LINK) == len(link_for_key(new_invitation_key()))


def test_a_link_fits_in_80_characters_with_a_typical_host(app_ctx):
    """https://survey.example.dk/i/ + a 50-character token = 78."""
    link = link_for_key(new_invitation_key())
    assert link.startswith("https://survey.example.dk/i/")
    assert len(link) == 78 <= 80


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("template", TEMPLATES)
def test_email_matches_the_reviewed_snapshot(app_ctx, template, lang):
    with force_locale(lang):
        subject, text, html = render_email(fixed_context(template, lang))
    assert f"Subject: {subject}\n\n{text}\n" == snapshot(f"{template}.{lang}.email.txt",
                                                        f"Subject: {subject}\n\n{text}\n")
    assert html + "\n" == snapshot(f"{template}.{lang}.email.html", html + "\n")


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("template", TEMPLATES)
def test_sms_matches_the_reviewed_snapshot(app_ctx, template, lang):
    with force_locale(lang):
        text = sms_text(fixed_context(template, lang)) + "\n"
    assert text == snapshot(f"{template}.{lang}.sms.txt", text)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("template", TEMPLATES)
def test_letter_matches_the_reviewed_snapshot(app_ctx, template, lang):
    with force_locale(lang):
        text = letter_as_text(letter_text(fixed_context(template, lang,
                                                        short_code="K7QM-3XHD-92")))
    assert text == snapshot(f"{template}.{lang}.letter.txt", text)


def test_the_link_path_length_the_signature_limit_counts_on_is_right(app_ctx):
    link = link_for_key(new_invitation_key())
    assert len(link) == len(BASE_URL) + LINK_PATH_LENGTH


#: Base URLs of several lengths, each with the longest signature the settings accept.
BASE_URLS = ("http://127.0.0.1:5000", BASE_URL, "https://spoergeskema.regionh.dk")


def longest_signature(base_url):
    """The longest accepted signature: Danish letters, and a GSM-7 character that costs two."""
    limit = sms_signature_limit(base_url)
    return ("Ærø Sygehus " * 5)[:limit - 2] + "€"


@pytest.mark.parametrize("base_url", BASE_URLS)
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("template", TEMPLATES)
def test_every_sms_fits_one_message_with_the_longest_accepted_signature(
        app, template, lang, base_url):
    signature = longest_signature(base_url)
    assert gsm7_length(signature) == sms_signature_limit(base_url)
    app.config["SURVEY_BASE_URL"] = base_url
    with app.app_context(), force_locale(lang):
        link = link_for_key(new_invitation_key())
        text = sms_text(fixed_context(template, lang, link=link,
                                      sms_signature={lang: signature}))
    assert text.startswith(f"{signature}: ") and text.endswith(link)
    assert "–" not in text
    assert gsm7_length(text) is not None, "a character outside GSM-7 makes it a UCS-2 SMS"
    assert gsm7_length(text) <= SMS_LIMIT


def test_the_limit_is_tight_one_more_character_would_not_fit(app_ctx):
    """Some SMS uses all of SMS_WORDS_MAX, so the signature limit is not needlessly low."""
    lengths = []
    for lang in LANGUAGES:
        for template in TEMPLATES:
            with force_locale(lang):
                text = sms_text(fixed_context(template, lang, sms_signature={lang: ""}))
            lengths.append(gsm7_length(text) - len(LINK))
    assert max(lengths) == SMS_WORDS_MAX


def test_danish_messages_are_in_danish(app_ctx):
    """A guard for the snapshots: the Danish catalogue is compiled and in use."""
    with force_locale("da"):
        subject, text, _ = render_email(fixed_context("invitation", "da"))
        sms = sms_text(fixed_context("invitation", "da"))
    assert subject == "Dit spørgeskema om mundtørhed"
    assert "Kære deltager" in text and "25. januar 2027" in text
    assert sms.startswith("Rigshospitalet: Vil du svare på spørgsmål om mundtørhed?")


@pytest.mark.parametrize("text, length", [
    ("abc", 3), ("æøå ÆØÅ", 7), ("Påmindelse: spørgeskema", 23), ("€", 2), ("[x]", 5),
    ("ł", None), ("“quoted”", None), ("", 0),
])
def test_gsm7_length(text, length):
    assert gsm7_length(text) == length
