"""No raw code (`withdrawn`, `update`, `letter`, ...) reaches a staff page or a people's export.

Every staff page a participant's study ID opens, and every staff page without arguments,
is read in Danish for a round with a participant in every state (tests/dashboard/conftest.py)
and with messages, paper forms and audit records behind them, and so is each participant's
certified copy (both variants); the text must carry the codes' words (survey/labels.py),
never the codes themselves.
"""
import re
from html.parser import HTMLParser

import pytest
from flask_babel import force_locale

from survey import codes, labels
from survey.extensions import db
from survey.participants.services import get_participant
from survey.records.content import VARIANTS, certified_record
from survey.timeutil import now_utc

from .conftest import build_round

#: Codes that are also Danish words (or a name) a page may rightly show in Danish text.
ALSO_WORDS = {"status", "note", "import", "export", "login", "send", "sms", "invitation"}
CODES = sorted(
    {code for table in (codes.STATES, codes.STATUSES, codes.MODES, codes.CHANNELS,
                        codes.PURPOSES, codes.ANSWER_STATES, codes.DUPLICATE_STATES,
                        codes.FORM_STATUSES, labels.ACTION_NAMES, labels.PURPOSE_NAMES)
     for code in table} - ALSO_WORDS)
RAW_CODE = re.compile(r"(?<![\w@.-])(" + "|".join(map(re.escape, CODES)) + r")(?![\w@-])")


class VisibleText(HTMLParser):
    """The text a person reads: outside <script> and <style>, with title and alt text."""

    def __init__(self):
        super().__init__()
        self.parts, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in ("script", "style")
        self.parts += [value for name, value in attrs if name in ("title", "alt", "aria-label")
                       and value]

    def handle_endtag(self, tag):
        self.hidden -= tag in ("script", "style")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(html):
    parser = VisibleText()
    parser.feed(html)
    return "\n".join(parser.parts)


def staff_urls(app, study_ids):
    """Every GET page under /staff/ with no argument or only a study ID."""
    urls = []
    adapter = app.url_map.bind("survey.example.dk")
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/staff/") or "GET" not in rule.methods or \
                rule.endpoint.endswith("static") or "logout" in rule.endpoint:
            continue
        if not rule.arguments:
            urls.append(adapter.build(rule.endpoint))
        elif rule.arguments == {"study_id"}:
            urls += [adapter.build(rule.endpoint, {"study_id": s}) for s in study_ids]
    return urls


@pytest.fixture
def danish_coordinator(staff_login):
    staff_login.as_role("admin")
    staff_login.client.get("/staff/language/da")
    return staff_login.client


def test_no_staff_page_shows_a_raw_code(app, danish_coordinator):
    with app.app_context():
        study_ids = sorted(build_round(now_utc()))
        db.session.commit()
    leaks = {}
    for url in staff_urls(app, study_ids):
        response = danish_coordinator.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        found = set(RAW_CODE.findall(visible_text(response.get_data(as_text=True))))
        if found:
            leaks[url] = sorted(found)
    assert leaks == {}


def strings(value):
    """Every string inside nested tuples, lists and dicts (a certified copy's Record)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (tuple, list)):
        return [text for part in value for text in strings(part)]
    return []


@pytest.mark.parametrize("variant", VARIANTS)
def test_no_certified_copy_shows_a_raw_code(app_ctx, variant):
    """The certified copy (a PDF for the study team or for the participant's access request)."""
    study_ids = sorted(build_round(now_utc()))
    db.session.commit()
    leaks, texts = {}, []
    with force_locale("da"):
        for study_id in study_ids:
            text = "\n".join(strings(certified_record(get_participant(study_id), variant)))
            texts.append(text)
            found = set(RAW_CODE.findall(text))
            if found:
                leaks[study_id] = sorted(found)
        withdrawn = str(labels.STATUS_NAMES["withdrawn"])
    assert leaks == {}
    assert any(withdrawn in text for text in texts), "the copies name statuses in words"


@pytest.mark.parametrize("text, found", [
    ("Status: Udtrådt", []), ("Status: withdrawn", ["withdrawn"]),
    ("a02@example.dk", []), ("Sendt som letter", ["letter"]), ("update", ["update"]),
])
def test_the_check_finds_codes_as_words_only(text, found):
    assert RAW_CODE.findall(text) == found


@pytest.mark.parametrize("codes_of, words", [
    (codes.STATES, labels.STATE_NAMES), (codes.STATUSES, labels.STATUS_NAMES),
    (codes.MODES, labels.MODE_NAMES), (codes.CHANNELS, labels.CHANNEL_NAMES),
    (codes.DUPLICATE_STATES, labels.DUPLICATE_NAMES),
    (codes.FORM_STATUSES, labels.PAPER_STATUS_NAMES),
    (tuple(c for c in codes.ANSWER_STATES if c != "answered"), labels.ANSWER_STATE_NAMES),
])
def test_every_code_has_its_word(codes_of, words):
    assert set(codes_of) <= set(words)
