"""Calm, translated error pages: never a stack trace, never a hint about who exists.

The person who sees these may have no session and so no known language: each
page says the same thing in the browser's preferred language first and in the
other language below.
"""
import re

from flask import render_template, request, session
from flask_babel import force_locale
from flask_wtf.csrf import CSRFError
from markupsafe import Markup

from .i18n import current_language, other_language


def render_error(name, status):
    """The error page `name` in both languages, with HTTP `status`."""
    first = current_language()
    parts = []
    for level, lang in ((1, first), (2, other_language())):
        with force_locale(lang):
            parts.append((lang, Markup(render_template(f"errors/{name}.html", level=level))))
    heading = re.search(r"<h1>(.*?)</h1>", parts[0][1], re.S)
    title = heading.group(1).strip() if heading else ""
    return render_template("errors/page.html", parts=parts, title=title), status


def init_error_pages(app):
    @app.errorhandler(404)
    def not_found(error):
        if request.path.startswith("/staff/"):
            return render_template("errors/staff_not_found.html"), 404
        return render_error("link_invalid", 404)

    @app.errorhandler(410)
    def gone(error):
        return render_error("link_invalid", 410)

    @app.errorhandler(403)
    def forbidden(error):
        return render_template("errors/forbidden.html"), 403

    @app.errorhandler(405)
    def method_not_allowed(error):
        return render_error("link_invalid", 405)

    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        # Usually a session that ended (timeout, cookies cleared) in the middle of a form.
        if "invitation_id" not in session:
            return render_error("session_ended", 400)
        return render_error("form_expired", 400)

    @app.errorhandler(500)
    def server_error(error):
        return render_error("server_error", 500)
