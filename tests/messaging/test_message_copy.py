"""Every message kind × language × channel, with the privacy notice set, byte for byte.

test_content.py pins the messages without a privacy notice; these snapshots pin them
with one, and the printable letter's HTML (the page staff print) besides. Rewrite them
as test_content.py says, after a deliberate change of wording or layout.
"""
import re
from pathlib import Path

import pytest
from flask import render_template
from flask_babel import force_locale

from survey.messaging import content, letters
from survey.messaging.content import TEMPLATES, render_email, sms_text
from survey.messaging.letters import letter_text, qr_svg

from .conftest import snapshot
from .test_content import LANGUAGES, fixed_context

GETTEXT_CALL = re.compile(r"(?<![\w.])(_|_l|gettext|lazy_gettext|ngettext)\(")
MESSAGES = Path(__file__).resolve().parents[2] / "templates" / "messages"
PRIVACY = {"da": "https://www.rigshospitalet.dk/privatliv-mundtoerhed",
           "en": "https://www.rigshospitalet.dk/privacy-dry-mouth"}


def context_with_privacy(template, lang):
    return fixed_context(template, lang, short_code="K7QM-3XHD-92")._replace(
        privacy_url=PRIVACY[lang])


def letter_fields(letter):
    """Every field of a LetterText, one per line, as the PDF and the page use them."""
    return "".join(f"{name}: {value!r}\n" for name, value in letter._asdict().items())


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("template", TEMPLATES)
def test_every_channel_with_the_privacy_notice_matches_the_snapshot(app_ctx, template, lang):
    context = context_with_privacy(template, lang)
    with force_locale(lang):
        subject, text, html = render_email(context)
        sms = sms_text(context)
        letter = letter_text(context)
        page = render_template("messages/letter.html", letter=letter, qr=qr_svg(letter.link))
    actual = "\n".join((f"Subject: {subject}", "", text, "", "=" * 40, html, "=" * 40, sms,
                        "=" * 40, letter_fields(letter) + "=" * 40, page, ""))
    assert actual == snapshot(f"{template}.{lang}.privacy.txt", actual)


def test_the_words_of_messages_are_in_templates_not_in_python():
    """content.py and letters.py assemble messages; every word is in templates/messages/."""
    for module in (content, letters):
        source = Path(module.__file__).read_text(encoding="utf-8")
        assert not GETTEXT_CALL.search(source), module.__name__
    kinds = {path.parent.name for path in MESSAGES.glob("*/wording.txt")}
    assert kinds == set(TEMPLATES)
