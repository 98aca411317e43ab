"""Page weight of each participant page: requests and bytes on the wire, cold cache.

    .venv/bin/python bench/page_weight.py

Serves the app for real on 127.0.0.1 (free port, throw-away SQLite database),
walks one participant through the questionnaire in headless Chromium (the
system's, never a downloaded one), and opens each page in a fresh browser
context, so nothing comes from the cache. For every page it counts the network
requests and the bytes received (response headers + bodies, as Chromium's
network stack reports them) and compares them with the budget:

    at most 15 KB (15360 bytes) and at most 3 requests a page, nothing from another site.

One extra line measures a question page reached from the one before, with the
cache that page left (what a participant gets on every page but the first).

It only prints figures: the exit status is 0 whatever they are. The dev server
sends pages uncompressed; behind a compressing proxy they are smaller still.
Needs the test extras (`pip install -e '.[test]'`) for Playwright.
"""
import sys
from urllib.parse import urlsplit

from served import chromium_missing, served_with_chromium  # the bench's own helpers

BUDGET_BYTES = 15 * 1024
BUDGET_REQUESTS = 3
PHONE = {"viewport": {"width": 360, "height": 640}, "has_touch": True, "is_mobile": True,
         "locale": "da-DK"}


def measure(browser, url, origin, storage_state=None, after=None):
    """Open `url` in a fresh context (empty cache); the requests it made, with sizes.

    With `after`, open that page first in the same context and measure `url` as the
    next page, with whatever the first left in the cache.
    """
    context = browser.new_context(**PHONE, storage_state=storage_state)
    try:
        page = context.new_page()
        if after:
            page.goto(after, wait_until="load")
            page.wait_for_load_state("networkidle")
        requests = []
        page.on("request", lambda request: requests.append(request))
        page.goto(url, wait_until="load")
        page.wait_for_load_state("networkidle")
        rows = []
        for request in requests:
            if request.url.startswith("data:"):
                continue  # inline, never on the wire
            sizes = request.sizes()
            received = max(sizes["responseHeadersSize"], 0) + max(sizes["responseBodySize"], 0)
            parts = urlsplit(request.url)
            response = request.response()
            rows.append({
                "url": request.url, "received": received,
                "status": response.status if response else None,
                "third_party": f"{parts.scheme}://{parts.netloc}" != origin,
            })
        return rows
    finally:
        context.close()


def walk_through(page, server_url):
    """Answer every question with the browser, stopping at the review page."""
    page.goto(server_url + "/q/xq/1")
    while "/q/review" not in page.url:
        if page.locator("input[type=radio][name=value]").count():
            page.locator(".choice").nth(5).click()
        else:  # with JavaScript the VAS line is the answer (the number box is hidden)
            page.locator("[role=slider]").click()
        with page.expect_navigation():
            page.locator("button[value=next]").click()


def main():
    if chromium_missing():
        return 0
    results = []
    with served_with_chromium("page-weight") as (server, browser):
        _, link = server.invite()
        origin = server.url
        # The participant's own browser, which makes the session the pages need.
        driver = browser.new_context(**PHONE)
        page = driver.new_page()
        page.goto(link)

        def state():
            return driver.storage_state()

        results.append(("welcome (link + redirects)", measure(browser, link, origin)))
        results.append(("XQ item", measure(browser, origin + "/q/xq/1", origin, state())))
        results.append(("VAS item", measure(browser, origin + "/q/vas/1", origin, state())))
        results.append(("next XQ item (warm cache)", measure(
            browser, origin + "/q/xq/2", origin, state(), after=origin + "/q/xq/1")))
        walk_through(page, origin)
        results.append(("review", measure(browser, origin + "/q/review", origin, state())))
        with page.expect_navigation():
            page.locator("form[action$='/q/submit'] button").click()
        assert page.url.endswith("/q/done"), page.url
        results.append(("done", measure(browser, origin + "/q/done", origin, state())))
        bad_link = link[:-4] + ("AAAA" if not link.endswith("AAAA") else "BBBB")
        results.append(("invalid link (404)", measure(browser, bad_link, origin)))
        driver.close()

    print(f"Budget per page: at most {BUDGET_BYTES} bytes received, at most {BUDGET_REQUESTS} "
          "requests besides redirects, no third-party requests. Cold cache, uncompressed dev "
          "server.\n")
    print(f"{'page':<28} {'requests':>8} {'bytes':>7}  {'3rd party':>9}  verdict")
    for name, rows in results:
        total = sum(r["received"] for r in rows)
        third = sum(r["third_party"] for r in rows)
        # The link's redirects (token for cookie, then the cookie's return) carry no content.
        requests = sum(1 for r in rows if not 300 <= r["status"] < 400)
        ok = total <= BUDGET_BYTES and requests <= BUDGET_REQUESTS and third == 0
        print(f"{name:<28} {len(rows):>8} {total:>7}  {third:>9}  {'PASS' if ok else 'FAIL'}")
        for r in rows:
            path = urlsplit(r["url"]).path
            if path.startswith("/i/"):
                path = "/i/[token]"
            print(f"    {r['received']:>7}  {r['status']}  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
