"""Question pages kept per process (survey/responses/page_cache.py): byte for byte the page
drawn afresh, each participant's own answer and CSRF token, and nothing else kept."""
import pytest

from survey.extensions import db
from survey.instruments import instruments
from survey.invitations.services import create_invitation
from survey.participants.services import add_participant
from survey.responses import page_cache
from survey.responses.models import Response
from survey.responses.page_cache import PageCache

from ..conftest import BASE_URL, CSRF, ParticipantBrowser


def drawn_afresh(client, path, monkeypatch):
    """The page as render_template draws it, with the cache out of the way."""
    with monkeypatch.context() as patch:
        patch.setattr(page_cache, "CACHED_QUERIES", ())
        return client.get(path).get_data(as_text=True)


def kept_pages(app):
    return len(app.extensions[page_cache.EXTENSION].pages)


@pytest.mark.parametrize("suffix", ["", "?from=review"])
@pytest.mark.parametrize("lang", ["da", "en"])
def test_a_kept_page_is_the_page_drawn_afresh_for_every_question(app, make_invitation,
                                                                 monkeypatch, lang, suffix):
    browser = ParticipantBrowser(app.test_client())
    browser.open(make_invitation())  # a new participant: nothing answered yet
    client = browser.client
    client.get(f"/q/language/{lang}")
    with app.app_context():
        questions = [(code, item.number, item.scale.kind)
                     for code in ("xq", "vas") for item in instruments().current(code).items]
    for code, number, kind in questions:
        path = f"/q/{code}/{number}{suffix}"
        for stored in (None, 7 if kind == "rating" else 63):
            if stored is not None:
                assert browser.answer(code, number, stored).status_code == 302
            first = client.get(path).get_data(as_text=True)   # drawn and kept (or kept)
            kept = client.get(path).get_data(as_text=True)    # from the cache
            assert kept == first == drawn_afresh(client, path, monkeypatch), path
            assert f'<html lang="{lang}">' in kept
            shown = {"rating": f'value="{stored}" checked', "vas": f'\n value="{stored}"'}
            if stored is None:  # the page shows no answer: nothing checked, the number empty
                assert " checked" not in kept, path
                assert kind == "rating" or '\n value=""' in kept, path
            else:
                assert shown[kind] in kept, path


def test_the_key_holds_the_invitations_questionnaires_and_their_version(make_site_app,
                                                                       monkeypatch):
    """Three invitations in one process: both questionnaires on the site's current XQ
    wording, the VAS alone ("Part 1 of 1"), and an XQ response begun on the earlier
    wording. Each sees its own page, never one kept for another."""
    site = make_site_app("xq-1.0.toml", [
        ('version = "1.0"', 'version = "1.0-site"'),
        ("Hvor svært er det for dig at tale", "Hvor svært er det (site) for dig at tale")])
    with site.app_context():
        both = create_invitation(add_participant("P001", "da"))[1]
        vas_only = create_invitation(add_participant("P002", "da"), instrument_codes=["vas"])[1]
        invitation, earlier = create_invitation(add_participant("P003", "da"))
        db.session.add(Response(participant_id=invitation.participant_id,
                                invitation_id=invitation.id, instrument_code="xq",
                                instrument_version="1.0", mode="web", language="da"))
        db.session.commit()
    pages = {}
    for name, link, path in (("both", both, "/q/vas/1"), ("vas_only", vas_only, "/q/vas/1"),
                             ("both", both, "/q/xq/1"), ("earlier", earlier, "/q/xq/1")):
        browser = ParticipantBrowser(site.test_client())
        browser.open(link.removeprefix(BASE_URL))
        kept = browser.client.get(path).get_data(as_text=True)
        assert kept == drawn_afresh(browser.client, path, monkeypatch), (name, path)
        pages[name, path] = kept
    assert pages["both", "/q/vas/1"] != pages["vas_only", "/q/vas/1"]  # Del 2 af 2, Del 1 af 1
    assert "(site)" in pages["both", "/q/xq/1"]
    assert "(site)" not in pages["earlier", "/q/xq/1"]


def test_each_participant_sees_their_own_answer_and_token(app, make_invitation):
    first, second = ParticipantBrowser(app.test_client()), ParticipantBrowser(app.test_client())
    first.open(make_invitation())
    second.open(make_invitation())
    assert first.answer("xq", 2, 3).status_code == 302
    assert second.answer("xq", 2, 9).status_code == 302
    pages = [browser.client.get("/q/xq/2").get_data(as_text=True) for browser in (first, second)]
    assert 'value="3" checked' in pages[0] and 'value="9" checked' not in pages[0]
    assert 'value="9" checked' in pages[1] and 'value="3" checked' not in pages[1]
    tokens = [CSRF.search(page).group(1) for page in pages]
    assert tokens[0] != tokens[1]
    for browser, token, value in ((first, tokens[1], 4), (second, tokens[0], 5)):
        refused = browser.client.post("/q/xq/2", data={"csrf_token": token, "value": value})
        assert refused.status_code == 400  # the other one's token is no use
    for browser, token, value in ((first, tokens[0], 4), (second, tokens[1], 5)):
        saved = browser.client.post("/q/xq/2", data={"csrf_token": token, "value": value})
        assert saved.status_code == 302
    # The same participant, the answer changed: the page shows the new one at once.
    assert 'value="4" checked' in first.client.get("/q/xq/2").get_data(as_text=True)
    assert 'value="5" checked' in second.client.get("/q/xq/2").get_data(as_text=True)


def test_only_plain_gets_of_a_pages_own_address_are_kept(app, make_invitation,
                                                         participant_browser):
    participant_browser.open(make_invitation())
    client = participant_browser.client
    token = participant_browser.csrf_token("/q/xq/1")  # the plain page: kept
    kept = kept_pages(app)
    for other in ("/q/xq/1?from=elsewhere&x=1", "/q/xq/1?x=" + "y" * 500, "/q/xq/01",
                  "/q/xq/0001", "/q/xq/\u0661"):  # an Arabic-Indic one: the route takes it
        assert client.get(other).status_code == 200, other
    assert client.head("/q/xq/1").status_code == 200
    assert kept_pages(app) == kept
    invalid = client.post("/q/xq/1", data={"csrf_token": token, "value": "11"})
    assert invalid.status_code == 422
    notice = client.post("/q/xq/1", data={"csrf_token": token, "value": "", "action": "next"})
    assert notice.status_code == 200
    assert kept_pages(app) == kept  # a page with an error or a notice is drawn each time


def test_the_cache_keeps_the_most_recently_used_pages():
    cache = PageCache(max_pages=2)
    cache.put("a", "A")
    cache.put("b", "B")
    assert cache.get("a") == "A"  # a is now the most recent
    cache.put("c", "C")
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == ("A", None, "C")
    assert cache.token_placeholder != PageCache().token_placeholder


@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_language_switch_keeps_its_own_page(app, make_invitation, participant_browser, lang):
    participant_browser.open(make_invitation())
    client = participant_browser.client
    client.get(f"/q/language/{lang}")
    page = client.get("/q/xq/1").get_data(as_text=True)
    assert f'<html lang="{lang}">' in page
    other = "en" if lang == "da" else "da"
    client.get(f"/q/language/{other}")
    assert f'<html lang="{other}">' in client.get("/q/xq/1").get_data(as_text=True)
