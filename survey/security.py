"""HTTP hardening shared by every page, and keeping tokens out of logs."""
import logging
import re

from flask import current_app, request

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
#: One year, subdomains included, as OWASP recommends.
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"
TOKEN_IN_PATH = re.compile(r"/i/[^\s/?\"]+", re.IGNORECASE)


def set_security_headers(response):
    # The token and the answers must not leak to another site or stay in a
    # shared computer's cache; static files carry neither and may be cached.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    if not is_static_file():
        response.headers["Cache-Control"] = "no-store"
    # Only once the site is really served over HTTPS: sent over http (a local demo) it
    # would make the browser refuse the plain-http address for a year.
    if current_app.config["SURVEY_BASE_URL"].startswith("https://"):
        response.headers["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY
    return response


def is_static_file():
    """The app's or a blueprint's static files: the same for everyone, no personal data."""
    endpoint = request.endpoint or ""
    return endpoint == "static" or endpoint.endswith(".static")


class RedactTokensFilter(logging.Filter):
    """Replaces invitation tokens in log lines (request paths) with a placeholder."""

    def filter(self, record):
        message = record.getMessage()
        if "/i/" in message.lower():
            record.msg, record.args = TOKEN_IN_PATH.sub("/i/[token]", message), ()
        return True


def redact_tokens_in_logs():
    """Install the filter on the loggers that write request lines."""
    for name in ("werkzeug", "gunicorn.access", "gunicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokensFilter) for f in logger.filters):
            logger.addFilter(RedactTokensFilter())


def init_security(app):
    app.after_request(set_security_headers)
    redact_tokens_in_logs()
