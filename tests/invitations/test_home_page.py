"""`/`: the way in for someone who typed the address; it leads to /start for a letter code."""
import re


def test_the_root_page_links_to_start_for_a_letter_code(client):
    page = client.get("/", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert re.search(r'<a href="/start">Type your code</a>', html)
    assert "Got a letter with a code?" in html
    start = client.get("/start", headers={"Accept-Language": "en"})
    assert start.status_code == 200


def test_the_link_is_in_danish_for_danish_readers(client):
    html = client.get("/", headers={"Accept-Language": "da"}).get_data(as_text=True)
    assert '<a href="/start">' in html and "Got a letter" not in html
