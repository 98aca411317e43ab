"""What the browser benchmarks share: the app served for real on 127.0.0.1 with a throw-away
SQLite database, and the system's headless Chromium (never a downloaded one).

    from served import chromium_missing, served_with_chromium

Needs the test extras (`pip install -e '.[test]'`) for Playwright.
"""
import contextlib
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tests.external import find_chromium  # noqa: E402 (the repository root, just added)
from tests.live_server import CHROMIUM_ARGS, LiveServer  # noqa: E402


def chromium_missing():
    """True (and says so) when there is no Chromium to measure with; the bench then stops."""
    if find_chromium() is None:
        print("Chromium not found: install the Debian package chromium. Nothing measured.")
        return True
    return False


@contextlib.contextmanager
def served_with_chromium(name):
    """(server, browser): the app on a free port (its database in a temporary folder named
    after `name`, removed afterwards) and a headless Chromium, both stopped on leaving."""
    from playwright.sync_api import sync_playwright

    workdir = tempfile.mkdtemp(prefix=f"survey-{name}-")
    try:
        with LiveServer(os.path.join(workdir, "bench.sqlite")) as server, \
                sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=find_chromium(),
                                                 args=CHROMIUM_ARGS)
            try:
                yield server, browser
            finally:
                browser.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
