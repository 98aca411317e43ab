"""The study's privacy notice (SURVEY_PRIVACY_URL_DA/EN) on every participant page and in
every e-mail, letter and SMS (an SMS then goes as two linked parts)."""
import re

import pytest
from flask_babel import force_locale
from werkzeug.routing import IntegerConverter

from survey.config import (
    SMS_PRIVACY_WORDS_MAX,
    ConfigurationError,
    settings_from_environment,
    sms_signature_limit,
)
from survey.invitations.tokens import link_for_key, new_invitation_key
from survey.messaging.content import TEMPLATES, render_email, sms_text
from survey.messaging.letters import letter_text, letters_pdf
from survey.messaging.sms import SMS_LIMIT, SMS_TWO_PART_LIMIT, gsm7_length

from .test_content import fixed_context
from .test_letters import pdf_text

PRIVACY = {"da": "https://www.rigshospitalet.dk/privatliv-mundtoerhed",
           "en": "https://www.rigshospitalet.dk/privacy-dry-mouth"}
WORDS = {"da": "Sådan behandler vi dine oplysninger", "en": "How we handle your data"}


@pytest.fixture
def privacy(app):
    app.config["SURVEY_PRIVACY_URL"] = dict(PRIVACY)


def privacy_link(lang):
    return f'<a href="{PRIVACY[lang]}">{WORDS[lang]}</a>'


def participant_urls(app):
    """Every GET route outside /staff/ (and static files), with dummy arguments."""
    adapter = app.url_map.bind("survey.example.dk")
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/staff/") or "static" in rule.endpoint or \
                "GET" not in rule.methods:
            continue
        values = {name: 1 if isinstance(rule._converters.get(name), IntegerConverter) else "x"
                  for name in rule.arguments}
        urls.append(adapter.build(rule.endpoint, values))
    return urls


@pytest.mark.parametrize("lang", ["da", "en"])
def test_every_participant_page_links_the_privacy_notice(app, client, privacy, make_invitation,
                                                         participant_browser, lang):
    anonymous = app.test_client()
    pages = {}
    for url in participant_urls(app) + ["/q/xq/1?c=1", "/i/tampered.token", "/no-such-page"]:
        response = anonymous.get(url, headers={"Accept-Language": lang})
        if response.mimetype == "text/html" and response.status_code != 302:
            pages[url] = response.get_data(as_text=True)
    participant_browser.open(make_invitation(lang=lang))
    for url in ("/q/", "/q/xq/1", "/q/vas/1", "/q/review"):
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.get_data(as_text=True)
    participant_browser.answer_all({"xq": [5] * 8, "vas": [50] * 4})
    participant_browser.submit()
    pages["/q/done"] = client.get("/q/done").get_data(as_text=True)
    assert {"/start", "/q/", "/q/done", "/i/tampered.token", "/no-such-page"} <= set(pages)
    missing = [url for url, html in pages.items() if privacy_link(lang) not in html]
    assert missing == []


def test_staff_pages_and_pages_without_the_setting_have_no_privacy_link(
        app, client, make_invitation, participant_browser):
    assert WORDS["da"] not in client.get("/start").get_data(as_text=True)
    app.config["SURVEY_PRIVACY_URL"] = dict(PRIVACY)
    assert WORDS["da"] not in client.get("/staff/login").get_data(as_text=True)


@pytest.mark.parametrize("lang", ["da", "en"])
@pytest.mark.parametrize("template", TEMPLATES)
def test_every_email_and_letter_links_the_privacy_notice(app_ctx, template, lang):
    context = fixed_context(template, lang)._replace(privacy_url=PRIVACY[lang])
    with force_locale(lang):
        _subject, text, html = render_email(context)
        letter = letter_text(context._replace(short_code="K7QM-3XHD-92"))
        pdf = letters_pdf([letter])
        sms = sms_text(context)
    assert f"\n{WORDS[lang]}: {PRIVACY[lang]}\n" in text
    assert f'<a href="{PRIVACY[lang]}" style="color:#0b4f9c">{WORDS[lang]}</a>' in html
    assert letter.privacy == f"{WORDS[lang]}: {PRIVACY[lang]}"
    assert PRIVACY[lang].encode("latin-1") in pdf_text(pdf)
    assert re.findall(rb"/Count (\d+)", pdf) == [b"1"]  # still one page
    assert sms.endswith(f"{context.link}\n{WORDS[lang]}: {PRIVACY[lang]}")
    assert gsm7_length(sms) <= SMS_TWO_PART_LIMIT


def test_without_the_setting_messages_carry_no_privacy_line(app_ctx):
    context = fixed_context("invitation", "da")
    with force_locale("da"):
        _subject, text, html = render_email(context)
        letter = letter_text(context)
        sms = sms_text(context)
    assert WORDS["da"] not in text and WORDS["da"] not in html and letter.privacy is None
    assert WORDS["da"] not in sms and gsm7_length(sms) <= SMS_LIMIT  # one message


def test_the_privacy_words_of_an_sms_are_counted_right(app_ctx):
    """SMS_PRIVACY_WORDS_MAX is the longest "<words>: " before the address, in any language."""
    lengths = []
    for lang in ("da", "en"):
        context = fixed_context("invitation", lang)._replace(privacy_url="x")
        with force_locale(lang):
            lengths.append(gsm7_length(sms_text(context).rsplit("\n", 1)[1]) - len("x"))
    assert max(lengths) == SMS_PRIVACY_WORDS_MAX


@pytest.mark.parametrize("lang", ["da", "en"])
@pytest.mark.parametrize("template", TEMPLATES)
def test_the_longest_accepted_signature_still_fits_two_parts_with_the_notice(
        app, template, lang):
    base_url = "https://spoergeskema.rigshospitalet.dk"
    privacy = "https://www.rigshospitalet.dk/forskning/privatlivspolitik-mundtoerhed-studiet"
    limit = sms_signature_limit(base_url, privacy)
    signature = ("Ærø Sygehus " * 20)[:limit - 2] + "€"  # € costs two
    assert gsm7_length(signature) == limit
    app.config["SURVEY_BASE_URL"] = base_url
    with app.app_context(), force_locale(lang):
        link = link_for_key(new_invitation_key())
        context = fixed_context(template, lang, link=link, sms_signature={lang: signature})
        sms = sms_text(context._replace(privacy_url=privacy))
    assert sms.startswith(f"{signature}: ") and sms.endswith(privacy)
    assert gsm7_length(sms) <= SMS_TWO_PART_LIMIT


def test_a_signature_too_long_for_two_parts_with_the_notice_is_refused(monkeypatch, tmp_path):
    base_url, privacy = "https://spoergeskema.rigshospitalet.dk", "https://example.dk/p"
    monkeypatch.setenv("SURVEY_BASE_URL", base_url)
    monkeypatch.setenv("SURVEY_SMS_URL", "https://gateway.example.dk/send")
    monkeypatch.setenv("SURVEY_PRIVACY_URL_DA", privacy)
    monkeypatch.setenv("SURVEY_PRIVACY_URL_EN", privacy)
    fits = "A" * sms_signature_limit(base_url, privacy)
    monkeypatch.setenv("SURVEY_SMS_SIGNATURE_DA", fits)
    monkeypatch.setenv("SURVEY_SMS_SIGNATURE_EN", fits)
    settings_from_environment(str(tmp_path))  # accepted
    monkeypatch.setenv("SURVEY_SMS_SIGNATURE_DA", fits + "A")
    with pytest.raises(ConfigurationError, match="SURVEY_SMS_SIGNATURE_DA.*306"):
        settings_from_environment(str(tmp_path))
