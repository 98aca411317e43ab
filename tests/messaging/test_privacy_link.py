"""The study's privacy notice (SURVEY_PRIVACY_URL_DA/EN) on every participant page and in
every e-mail and letter; an SMS has no room for it (its link leads to the pages)."""
import re

import pytest
from flask_babel import force_locale
from werkzeug.routing import IntegerConverter

from survey.messaging.content import TEMPLATES, render_email, sms_text
from survey.messaging.letters import letter_text, letters_pdf

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
    assert PRIVACY[lang] not in sms and len(sms) <= 160


def test_without_the_setting_messages_carry_no_privacy_line(app_ctx):
    context = fixed_context("invitation", "da")
    with force_locale("da"):
        _subject, text, html = render_email(context)
        letter = letter_text(context)
    assert WORDS["da"] not in text and WORDS["da"] not in html and letter.privacy is None
