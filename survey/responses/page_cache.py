"""Question pages drawn once and served again: they hold an answer, but nothing that says whose.

Drawing a question page (three templates, the scale, a dozen gettext calls) was a quarter
of the work a worker does for it. A GET of a question page is the same HTML for everyone
who sees that question in that language, with the same stored answer, at the same URL,
but for the session's CSRF token. So the page is drawn once with a placeholder for the
token, kept per process, and each request puts its own token in.

What the key holds is everything the templates read that can differ between two requests
(the rest is the app's settings and the instrument definitions, fixed while a process
runs): the language, the URL (path, query and the app's root), the invitation's
instruments, the instrument's version, the item and the answer stored for it. The stored
answer is read afresh for every request (the page reader), so a page can never show a
stale answer or anyone else's. The view gives the templates only what the key names
(no invitation). Pages with an error or a notice (a POST's), HEADs, any query but
`?from=review` and any address but the page's own (`/q/xq/01` for `/q/xq/1`) are drawn
as before and not kept; nor is anything while templates reload (debug).

`tests/responses/test_page_cache.py` compares the kept pages byte for byte with pages
drawn afresh, for every question in both languages, answered and not, and for
invitations with other questionnaires and an earlier wording.
"""
import secrets
import threading
from collections import OrderedDict

from flask import current_app, render_template, request
from flask_wtf.csrf import generate_csrf
from markupsafe import escape

#: Pages kept per process: about 3 KB each (a question page's HTML).
MAX_PAGES = 1000
#: Where an app keeps its cache, in app.extensions.
EXTENSION = "survey_page_cache"
#: The query strings of a question page that are kept (anything else is drawn each time).
CACHED_QUERIES = (b"", b"from=review")


class PageCache:
    """The most recently used pages, at most MAX_PAGES of them (thread-safe)."""

    def __init__(self, max_pages=MAX_PAGES):
        self.max_pages = max_pages
        self.pages = OrderedDict()
        self.lock = threading.Lock()
        #: Stands for the CSRF token in a kept page; random, so no page text can contain it.
        self.token_placeholder = "csrf-placeholder-" + secrets.token_hex(16)

    def get(self, key):
        with self.lock:
            page = self.pages.get(key)
            if page is not None:
                self.pages.move_to_end(key)
            return page

    def put(self, key, page):
        with self.lock:
            self.pages[key] = page
            self.pages.move_to_end(key)
            while len(self.pages) > self.max_pages:
                self.pages.popitem(last=False)


def init_page_cache(app):
    """Each app its own cache (tests make many apps in one process)."""
    app.extensions[EXTENSION] = PageCache()


def forget_pages(app):
    """Drop every kept page: for a test that changes a running app's settings (a real
    server reads them once, at its start, and a new process starts with no pages)."""
    init_page_cache(app)


def _may_keep():
    """A plain GET of the page's own address, with templates that do not reload."""
    # The route built again from its arguments (url_for's work, without its lookups):
    # "/q/xq/01" matches the route, but its own address is "/q/xq/1".
    return (request.method == "GET" and request.query_string in CACHED_QUERIES
            and not current_app.jinja_env.auto_reload
            and (request.url_rule.build(request.view_args, append_unknown=False)
                 or (None, None))[1] == request.path)


def render_question(template, key, context):
    """render_template(template, **context()), kept under `key` when the request may be
    (_may_keep). `key` must name everything in what context() returns that is not fixed
    while the process runs (see the module's doc). context() is called only when the page
    is drawn, so a kept page costs nothing the templates would have needed."""
    if not _may_keep():
        return render_template(template, **context())
    cache = current_app.extensions[EXTENSION]
    key = (template, request.script_root, request.path, request.query_string, *key)
    page = cache.get(key)
    if page is None:
        placeholder = cache.token_placeholder
        page = render_template(template, csrf_token=lambda: placeholder, **context())
        cache.put(key, page)
    # generate_csrf() also puts the session's token in the session when it has none yet.
    return page.replace(cache.token_placeholder, str(escape(generate_csrf())))
