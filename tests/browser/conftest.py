"""Real-browser fixtures: the app served over HTTP on 127.0.0.1, and a headless Chromium.

The server and the browser are started once for all the browser tests (starting
Chromium takes a second or two); each test makes its own participants and
invitations and its own browser contexts, so tests do not see each other's
cookies. Both are package-scoped rather than session-scoped: they stop as soon
as the last browser test has run, because while Playwright's sync API is
running, the thread counts as inside a running asyncio loop (asyncio.run()
would fail in any later test) and Chromium would sit in memory for the rest of
the suite.
"""
import os

import pytest

from ..external import find_chromium, skip_or_fail
from ..live_server import CHROMIUM_ARGS, LiveServer

#: Fail fast: a local page that has not answered in this time will not answer.
TIMEOUT_MS = 10_000

#: A phone held upright, as most participants will answer.
PHONE = {"viewport": {"width": 360, "height": 640}, "has_touch": True, "is_mobile": True,
         "device_scale_factor": 2}




@pytest.fixture(scope="package")
def live_server(tmp_path_factory):
    server = LiveServer(tmp_path_factory.mktemp("browser-db") / "survey.sqlite").start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium_path():
    path = find_chromium()
    if path is None:
        skip_or_fail("Chromium not found: install the Debian package chromium "
                     "(the browser tests never download a browser)")
    return path


@pytest.fixture(scope="package")
def browser(chromium_path, live_server):
    # live_server is set up first, so it is torn down after the browser has closed
    # its connections to it.
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
    except Exception:
        playwright.stop()
        raise
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def new_context(browser):
    """Factory: new_context(**options) -> a fresh browser context (own cookies and cache),
    closed after the test. Danish browser settings unless `locale` is given."""
    contexts = []

    def make(**options):
        options.setdefault("locale", "da-DK")
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def axe_script_path():
    import axe_playwright_python

    path = os.path.join(os.path.dirname(axe_playwright_python.__file__), "axe.min.js")
    assert os.path.isfile(path), path
    return path
