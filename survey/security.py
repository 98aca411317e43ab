"""HTTP hardening shared by every page, and keeping tokens out of logs."""
import logging
import re
import time
from urllib.parse import quote, unquote, urlsplit

from flask import Request, current_app, g, has_request_context, request, session
from flask import logging as flask_logging
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature
from werkzeug.datastructures import ImmutableMultiDict

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


#: A run of characters that may be (part of) a URL in a log line, percent-encoded or not.
URL_LIKE = re.compile(r"[^\s\"']+")
#: Loggers that write request paths: the access logs, and the error logs whose
#: "Exception on /i/… [GET]" lines and tracebacks name the path.
REQUEST_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error", "flask.app")


def redact_tokens(text):
    """`text` with every /i/<token> replaced, also where the path is percent-encoded.

    The server decodes the path once before routing, so `/%69/…` and `/i/%41…`
    reach the link page: each URL-like run is decoded the same way and, if it
    names a link, written decoded with the token replaced (and anything not
    printable re-encoded, so a log line cannot be split).
    """
    if "/" not in text:
        return text

    def redact(match):
        chunk = match.group(0)
        decoded = unquote(chunk) if "%" in chunk else chunk
        if not TOKEN_IN_PATH.search(decoded):
            return chunk
        return quote(TOKEN_IN_PATH.sub("/i/[token]", decoded), safe=PRINTABLE_ASCII)

    return URL_LIKE.sub(redact, text)


PRINTABLE_ASCII = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) != "%")


class RedactTokensFilter(logging.Filter):
    """Replaces invitation tokens in log records (message and traceback) with a placeholder.

    Inside a request to a link, the request's own token is also replaced wherever
    it appears, e.g. in an exception's message.
    """

    def filter(self, record):
        token = _current_token()
        message = record.getMessage()
        redacted = _redact_record_text(message, token)
        if redacted != message:
            record.msg, record.args = redacted, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = _redact_record_text(record.exc_text, token)
        if record.stack_info:
            record.stack_info = _redact_record_text(record.stack_info, token)
        return True


def _redact_record_text(text, token):
    if token:
        text = text.replace(token, "[token]").replace(quote(token, safe=""), "[token]")
    return redact_tokens(text)


def _current_token():
    if not has_request_context():
        return None
    token = (request.view_args or {}).get("token")
    # A short value is no secret, and replacing it everywhere would garble the record.
    return token if isinstance(token, str) and len(token) >= 8 else None


def redact_tokens_in_logs(app=None):
    """Install the filter on the loggers that write request lines and errors, and on
    Flask's own log handler (which also writes the app's child loggers)."""
    names = REQUEST_LOGGERS + ((app.logger.name,) if app is not None else ())
    targets = [logging.getLogger(name) for name in names] + [flask_logging.default_handler]
    for target in targets:
        if not any(isinstance(f, RedactTokensFilter) for f in target.filters):
            target.addFilter(RedactTokensFilter())


class RequestWithoutFiles(Request):
    """No page of this system takes a file. A file sent in a form is dropped, so a
    form never gets a file where it expects text; the field is simply missing and
    the form says so, keeping the rest of what was typed."""

    @property
    def files(self):
        return ImmutableMultiDict()


#: Session values that a request cannot change in place (a remembered cookie's data is copied).
IMMUTABLE_VALUES = (str, int, float, bool, type(None))
#: An unchanged session cookie is signed and sent again at most this often.
SESSION_REFRESH_SECONDS = 60


class SessionCookie(SecureCookieSessionInterface):
    """Flask's signed session cookie, sent again less often.

    A permanent session (a participant's) ends PERMANENT_SESSION_LIFETIME after the
    cookie was last signed: the signature's time stamp is checked on every request,
    and the browser drops the cookie at the same moment. Flask signs and sends it
    again on every response so that the time counts from the last request; here an
    unchanged session is signed again only once its cookie is SESSION_REFRESH_SECONDS
    old, so a session ends between lifetime − 1 minute and lifetime after the last
    request, and most responses carry no Set-Cookie. A changed session is always
    sent. Static files never get a cookie: they are the same for everyone and may
    be cached.
    """

    #: Verified cookies remembered per process (a participant's page sends the same cookie
    #: until it changes or is re-signed a minute later): at most this many, then forgotten.
    VERIFIED_CACHE_SIZE = 4096

    def __init__(self):
        self._verified = {}
        self._serializers = {}

    def get_signing_serializer(self, app):
        """Flask's serializer, made once per key (Flask makes one, and tries it out on
        an empty dict, twice on every request)."""
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if keys not in self._serializers:
            self._serializers[keys] = super().get_signing_serializer(app)
        return self._serializers[keys]

    def open_session(self, app, request):
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        known = self._verified.get((app.secret_key, cookie))
        if known is not None:
            data, signed_at = known
            # The signature was checked when it was remembered; its age is checked each time.
            if 0 <= int(time.time()) - int(signed_at) <= max_age:
                return self._session(data, signed_at)  # the session is a copy of `data`
            return self.session_class()
        try:
            data, signed_at = serializer.loads(cookie, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if all(isinstance(value, IMMUTABLE_VALUES) for value in data.values()):
            # Only flat sessions: a list or dict in one would be shared by the copies.
            if len(self._verified) >= self.VERIFIED_CACHE_SIZE:
                self._verified.clear()
            self._verified[(app.secret_key, cookie)] = (data, signed_at.timestamp())
        return self._session(data, signed_at.timestamp())

    def _session(self, data, signed_at):
        session = self.session_class(data)
        session.signed_at = signed_at
        return session

    def should_set_cookie(self, app, session):
        if is_static_file():
            return False
        if session.modified:
            return True
        signed_at = getattr(session, "signed_at", None)
        return (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]
                and (signed_at is None or time.time() - signed_at >= SESSION_REFRESH_SECONDS))


class SignedCsrfTokens:
    """The signed form of each session's CSRF token, made once per process.

    Flask-WTF keeps a random token in the session and puts it in forms signed with a
    time stamp, signing it again on every request. The time stamp is never checked here
    (WTF_CSRF_TIME_LIMIT is None: the token lives as long as the session), so a token
    signed once is as valid as one signed now; checking a posted token is unchanged.
    """

    SIZE = 4096

    def __init__(self, app):
        self.signed = {}
        self.field = app.config["WTF_CSRF_FIELD_NAME"]
        app.before_request(self.reuse)
        app.after_request(self.remember)

    def reuse(self):
        raw = None if is_static_file() else session.get(self.field)
        signed = self.signed.get(raw) if raw else None
        if signed is not None and self.field not in g:
            setattr(g, self.field, signed)  # where Flask-WTF's generate_csrf() looks first

    def remember(self, response):
        signed = g.get(self.field)
        raw = session.get(self.field) if signed else None
        if raw and raw not in self.signed:
            if len(self.signed) >= self.SIZE:
                self.signed.clear()
            self.signed[raw] = signed
        return response


def init_security(app):
    app.request_class = RequestWithoutFiles
    app.session_interface = SessionCookie()
    if app.config["WTF_CSRF_TIME_LIMIT"] is None:
        SignedCsrfTokens(app)
    app.after_request(set_security_headers)
    redact_tokens_in_logs(app)


def local_path(target, prefix):
    """`target` if it is a path under `prefix` on this site, else None: never an open
    redirect, and never a control character (CR/LF would split the Location header)."""
    if not target or any(c < " " or c in "\\\x7f" for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith(prefix):
        return None
    return target
