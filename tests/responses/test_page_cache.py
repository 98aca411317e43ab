"""Question pages kept per process (survey/responses/page_cache.py): byte for byte the page
drawn afresh, each participant's own answer and CSRF token, and nothing else kept."""
import pytest

from survey.instruments import instruments
from survey.responses import page_cache
from survey.responses.page_cache import PageCache

from ..conftest import CSRF, ParticipantBrowser


def drawn_afresh(client, path, monkeypatch):
    """The page as render_template draws it, with the cache out of the way."""
    with monkeypatch.context() as patch:
        patch.setattr(page_cache, "CACHED_QUERIES", ())
        return client.get(path).get_data(as_text=True)


def test_a_kept_page_is_the_page_drawn_afresh_for_every_question(app, make_invitation,
                                                                 participant_browser,
                                                                 monkeypatch):
    participant_browser.open(make_invitation())
    client = participant_browser.client
    compared = 0
    with app.app_context():
        questions = [(code, item.number, item.scale.kind)
                     for code in ("xq", "vas") for item in instruments().current(code).items]
    for lang in ("da", "en"):
        client.get(f"/q/language/{lang}")
        for code, number, kind in questions:
            for suffix in ("", "?from=review"):
                path = f"/q/{code}/{number}{suffix}"
                for stored in (None, 7 if kind == "rating" else 63):
                    if stored is not None:
                        assert participant_browser.answer(code, number, stored).status_code == 302
                    first = client.get(path).get_data(as_text=True)   # drawn and kept
                    kept = client.get(path).get_data(as_text=True)    # from the cache
                    assert kept == first == drawn_afresh(client, path, monkeypatch), path
                    compared += 1
                    if stored is not None:
                        assert f'value="{stored}"' in kept
    assert compared == 2 * 2 * 2 * len(questions)


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


def test_only_plain_gets_are_kept(app, make_invitation, participant_browser):
    participant_browser.open(make_invitation())
    client = participant_browser.client
    with app.app_context():
        cache = app.extensions.setdefault("survey_page_cache", PageCache())
    before = len(cache.pages)
    assert client.get("/q/xq/1?from=elsewhere&x=1").status_code == 200
    assert client.get("/q/xq/1?x=" + "y" * 500).status_code == 200
    token = participant_browser.csrf_token("/q/xq/1")
    kept = len(cache.pages)
    assert kept == before + 1  # only the plain page
    invalid = client.post("/q/xq/1", data={"csrf_token": token, "value": "11"})
    assert invalid.status_code == 422
    notice = client.post("/q/xq/1", data={"csrf_token": token, "value": "", "action": "next"})
    assert notice.status_code == 200
    assert len(cache.pages) == kept  # a page with an error or a notice is drawn each time


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
