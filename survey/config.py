"""Settings read from environment variables, with safe defaults for local use.

Every setting a site may change is an environment variable named ``SURVEY_*``.
Production mode (neither debug nor testing) refuses to start without
``SURVEY_SECRET_KEY``: a guessable key would let anyone forge invitation links
and staff sessions. No mode falls back to a key written in the source.
"""
import os
import secrets
from datetime import timedelta

from .messaging.sms import SMS_LIMIT, SMS_TWO_PART_LIMIT, gsm7_length

DEFAULT_STUDY_NAME = {
    "da": "Opfølgning på forsøget med stamceller mod mundtørhed",
    "en": "Follow-up of the stem cell trial for dry mouth",
}
#: On participants' pages, where a long name would push the question below the fold.
DEFAULT_STUDY_SHORT_NAME = {"da": "Opfølgning: mundtørhed", "en": "Follow-up: dry mouth"}
DEFAULT_CONTACT = {
    "da": "Forsøgsteamet, Øre-næse-halskirurgisk afdeling, tlf. 35 45 00 00, "
    "e-mail mundtoerhed@example.dk (hverdage kl. 9–15)",
    "en": "The study team, Ear, Nose and Throat (ENT) Department, phone +45 35 45 00 00, "
    "e-mail mundtoerhed@example.dk (weekdays 9 am to 3 pm)",
}
#: Starts every SMS, so that the reader sees who sends the link (see sms_signature_limit).
DEFAULT_SMS_SIGNATURE = {"da": "Rigshospitalet", "en": "Rigshospitalet"}
#: The sender at the top of a letter: its lines, separated by "|" in the setting.
DEFAULT_LETTER_SENDER = {
    "da": "Rigshospitalet|Øre-næse-halskirurgisk afdeling|Blegdamsvej 9|2100 København Ø",
    "en": "Rigshospitalet|Ear, Nose and Throat (ENT) Department|Blegdamsvej 9|2100 København Ø",
}
#: GSM-7 characters in the longest SMS (templates/messages/*/wording.txt, the Danish invitation)
#: besides its signature and link, counting the ": " after the signature and the space
#: before the link. tests/messaging/test_content.py checks that no SMS is longer.
SMS_WORDS_MAX = 64
#: "/i/" and a 50-character token (survey/invitations/tokens.py) follow the base URL.
LINK_PATH_LENGTH = 53
#: GSM-7 characters of the longest privacy-notice words before its address in an SMS
#: (the Danish "Sådan behandler vi dine oplysninger: "); tests check it.
SMS_PRIVACY_WORDS_MAX = 37


class ConfigurationError(RuntimeError):
    """The app was asked to start with settings it cannot run safely on."""


def _env(name, default=None):
    value = os.environ.get(name)
    return default if value in (None, "") else value


def _env_int(name, default):
    raw = _env(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, got {raw!r}") from None


def _env_float(name, default):
    raw = _env(name)
    if raw is None:
        return default
    try:
        return float(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number, got {raw!r}") from None


def _env_switch(name, default=False):
    """A setting that is on (1, true, yes, on) or off (0, false, no, off)."""
    raw = _env(name)
    if raw is None:
        return default
    if raw.strip().lower() in ("1", "true", "yes", "on"):
        return True
    if raw.strip().lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigurationError(f"{name} must be 1 or 0, got {raw!r}")


def _bilingual(name, default):
    """A setting given in both languages: SURVEY_X_DA and SURVEY_X_EN."""
    return {lang: _env(f"{name}_{lang.upper()}", default[lang]) for lang in ("da", "en")}


def sms_limit(privacy_url=None):
    """The GSM-7 characters an SMS may have: one message, or two linked parts when it
    carries the privacy notice's address."""
    return SMS_TWO_PART_LIMIT if privacy_url else SMS_LIMIT


def sms_signature_limit(base_url, privacy_url=None):
    """The most GSM-7 characters a signature may have so that every SMS fits its limit."""
    room = sms_limit(privacy_url) - SMS_WORDS_MAX - len(base_url) - LINK_PATH_LENGTH
    if privacy_url:  # "\n" + the words + the address
        room -= 1 + SMS_PRIVACY_WORDS_MAX + len(privacy_url)
    return room


def _sms_signatures(base_url, privacy_urls):
    """SURVEY_SMS_SIGNATURE_DA/EN, refused unless every SMS with the link stays one message.

    The length is only checked when SMS really go out through a gateway: a site that
    sends none (or a demo writing them to a folder) need not shorten its signature
    to suit a long base URL.
    """
    signatures = _bilingual("SURVEY_SMS_SIGNATURE", DEFAULT_SMS_SIGNATURE)
    sends_sms = _env("SURVEY_SMS_BACKEND", "http" if _env("SURVEY_SMS_URL") else "folder") == "http"
    for lang, signature in signatures.items():
        limit = sms_signature_limit(base_url, privacy_urls[lang])
        name, length = f"SURVEY_SMS_SIGNATURE_{lang.upper()}", gsm7_length(signature)
        if length is None or any(c in signature for c in "\n\r\f"):
            raise ConfigurationError(
                f"{name} may only use the GSM-7 characters an SMS has on one line (letters "
                f"including æ, ø and å, digits, spaces and common punctuation, no en dash), "
                f"got {signature!r}")
        if sends_sms and length > limit:
            raise ConfigurationError(
                f"{name} has {length} characters, but with SURVEY_BASE_URL {base_url!r} "
                f"({len(base_url)} characters) at most {limit} fit, so that every SMS with "
                f"its link stays within {sms_limit(privacy_urls[lang])} characters: shorten "
                f"the signature, the base URL or SURVEY_PRIVACY_URL_{lang.upper()}")
    return signatures


def settings_from_environment(instance_path):
    """Build the Flask config mapping from the environment."""
    base_url = _env("SURVEY_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    privacy_urls = _bilingual("SURVEY_PRIVACY_URL", {"da": None, "en": None})
    return {
        "SECRET_KEY": _env("SURVEY_SECRET_KEY"),
        #: Debug mode without SURVEY_SECRET_KEY makes a random key once and keeps it here.
        "SURVEY_SECRET_KEY_FILE": os.path.join(instance_path, "secret_key"),
        **audit_settings(instance_path),
        "SQLALCHEMY_DATABASE_URI": _env(
            "SURVEY_DATABASE_URL", "sqlite:///" + os.path.join(instance_path, "survey.sqlite")
        ),
        "SURVEY_BASE_URL": base_url,
        "SURVEY_STUDY_NAME": _bilingual("SURVEY_STUDY_NAME", DEFAULT_STUDY_NAME),
        "SURVEY_STUDY_SHORT_NAME": _bilingual("SURVEY_STUDY_SHORT_NAME", DEFAULT_STUDY_SHORT_NAME),
        "SURVEY_CONTACT": _bilingual("SURVEY_CONTACT", DEFAULT_CONTACT),
        #: The study's privacy notice, linked from every participant page and message.
        "SURVEY_PRIVACY_URL": privacy_urls,
        #: Starts every SMS: who sends it (e.g. the hospital's name).
        "SURVEY_SMS_SIGNATURE": _sms_signatures(base_url, privacy_urls),
        #: The sender's name and address at the top of a letter, one line each.
        "SURVEY_LETTER_SENDER": {lang: tuple(line.strip() for line in value.split("|"))
                                 for lang, value in _bilingual(
                                     "SURVEY_LETTER_SENDER", DEFAULT_LETTER_SENDER).items()},
        "SURVEY_INVITATION_DAYS": _env_int("SURVEY_INVITATION_DAYS", 60),
        #: Instruments each invitation asks, in this order.
        "SURVEY_INSTRUMENTS": tuple(_env("SURVEY_INSTRUMENTS", "xq,vas").split(",")),
        #: Fraction of a scale's items that must be answered for a (prorated) score.
        "SURVEY_MIN_ANSWERED_FRACTION": _env_float("SURVEY_MIN_ANSWERED_FRACTION", 0.5),
        #: Extra folder of instrument definitions, e.g. a site's licensed wording.
        "SURVEY_INSTRUMENTS_DIR": _env("SURVEY_INSTRUMENTS_DIR"),
        #: Pin instrument versions, e.g. "xq=1.0-site,vas=1.0"; default: newest.
        "SURVEY_INSTRUMENT_VERSIONS": _env("SURVEY_INSTRUMENT_VERSIONS", ""),
        "SURVEY_TIMEZONE": _env("SURVEY_TIMEZONE", "Europe/Copenhagen"),
        #: Reverse proxies in front of the app (e.g. 1 for nginx) whose X-Forwarded-* to trust.
        "SURVEY_PROXY_HOPS": _env_int("SURVEY_PROXY_HOPS", 0),
        #: Staff sessions end after this many minutes without activity.
        "SURVEY_STAFF_IDLE_MINUTES": _env_int("SURVEY_STAFF_IDLE_MINUTES", 30),
        #: Data-entry accounts may log in without two-factor authentication (not advised).
        "SURVEY_2FA_OPTIONAL_FOR_DATA_ENTRY": _env_switch("SURVEY_2FA_OPTIONAL_FOR_DATA_ENTRY"),
        #: How paper forms are checked: "double_entry" (keyed in twice) or "visual".
        "SURVEY_PAPER_VERIFICATION": _env("SURVEY_PAPER_VERIFICATION", "double_entry"),
        #: Reminder n is due this many days after the invitation was sent.
        "SURVEY_REMINDER_DAYS": _env("SURVEY_REMINDER_DAYS", "7,14"),
        #: At most this many reminders (default: one per day in SURVEY_REMINDER_DAYS).
        "SURVEY_REMINDER_MAX": _env("SURVEY_REMINDER_MAX"),
        #: A reminder run sends at most this many (the rest go in the next run); 0: no limit.
        "SURVEY_REMINDERS_PER_RUN": _env_int("SURVEY_REMINDERS_PER_RUN", 150),
        #: Local hours when messages may be sent, e.g. "9-18" (from 9.00 to 17.59).
        "SURVEY_SENDING_HOURS": _env("SURVEY_SENDING_HOURS", "9-18"),
        **messaging_settings(instance_path),
        "BABEL_DEFAULT_LOCALE": "da",
        "BABEL_DEFAULT_TIMEZONE": _env("SURVEY_TIMEZONE", "Europe/Copenhagen"),
        "SESSION_COOKIE_SECURE": base_url.startswith("https://"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "survey_session",
        # A shared computer should not keep a half-answered questionnaire open for long.
        "PERMANENT_SESSION_LIFETIME": timedelta(minutes=_env_int("SURVEY_SESSION_MINUTES", 120)),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "WTF_CSRF_TIME_LIMIT": None,  # the CSRF token lives as long as the session
        "WTF_I18N_ENABLED": False,  # our own messages are translated; WTForms has no Danish
    }


SMTP_TLS_MODES = {"none": 25, "starttls": 587, "ssl": 465}  # mode: its usual port


def _env_choice(name, choices, default):
    value = _env(name, default)
    if value not in choices:
        raise ConfigurationError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def messaging_settings(instance_path):
    """Sending e-mail, SMS and letters (survey/messaging/), and the /start page's limits."""
    smtp_tls = _env_choice("SURVEY_SMTP_TLS", tuple(SMTP_TLS_MODES), "starttls")
    sms_url = _env("SURVEY_SMS_URL")
    return {
        #: smtp sends through SURVEY_SMTP_HOST; folder writes .eml files (development).
        "SURVEY_MAIL_BACKEND": _env_choice("SURVEY_MAIL_BACKEND", ("smtp", "folder"),
                                           "smtp" if _env("SURVEY_SMTP_HOST") else "folder"),
        "SURVEY_MAIL_FOLDER": _env("SURVEY_MAIL_FOLDER",
                                   os.path.join(instance_path, "mail-outbox")),
        "SURVEY_MAIL_FROM": _env("SURVEY_MAIL_FROM", "survey@localhost"),
        "SURVEY_SMTP_HOST": _env("SURVEY_SMTP_HOST"),
        "SURVEY_SMTP_PORT": _env_int("SURVEY_SMTP_PORT", SMTP_TLS_MODES[smtp_tls]),
        "SURVEY_SMTP_TLS": smtp_tls,
        "SURVEY_SMTP_USER": _env("SURVEY_SMTP_USER"),
        "SURVEY_SMTP_PASSWORD": _env("SURVEY_SMTP_PASSWORD"),
        #: http posts to SURVEY_SMS_URL; folder appends JSON lines to a file (development).
        "SURVEY_SMS_BACKEND": _env_choice("SURVEY_SMS_BACKEND", ("http", "folder"),
                                          "http" if sms_url else "folder"),
        "SURVEY_SMS_URL": sms_url,
        "SURVEY_SMS_KEY": _env("SURVEY_SMS_KEY"),
        #: The sender shown on the phone: a number, or up to 11 letters and digits.
        "SURVEY_SMS_FROM": _env("SURVEY_SMS_FROM", "Survey"),
        "SURVEY_SMS_FOLDER": _env("SURVEY_SMS_FOLDER", os.path.join(instance_path, "sms-outbox")),
        #: Letters (PDF) are written here, for printing or Digital Post.
        "SURVEY_LETTER_FOLDER": _env("SURVEY_LETTER_FOLDER",
                                     os.path.join(instance_path, "letters")),
        #: Wrong short codes allowed on /start per client address and per code prefix, per window.
        "SURVEY_START_TRIES_PER_ADDRESS": _env_int("SURVEY_START_TRIES_PER_ADDRESS", 10),
        "SURVEY_START_TRIES_PER_PREFIX": _env_int("SURVEY_START_TRIES_PER_PREFIX", 3),
        "SURVEY_START_WINDOW_MINUTES": _env_int("SURVEY_START_WINDOW_MINUTES", 15),
        "SURVEY_LOGIN_TRIES_PER_ADDRESS": _env_int("SURVEY_LOGIN_TRIES_PER_ADDRESS", 60),
        "SURVEY_LOGIN_WINDOW_MINUTES": _env_int("SURVEY_LOGIN_WINDOW_MINUTES", 15),
    }


def audit_settings(instance_path):
    """The audit chain's key (never stored in the database) and its anchor file."""
    return {
        #: Signs every audit record (HMAC-SHA-256); separate from SURVEY_SECRET_KEY.
        "SURVEY_AUDIT_KEY": _env("SURVEY_AUDIT_KEY"),
        #: Keys that signed older records, comma-separated, newest first (key rotation).
        "SURVEY_AUDIT_KEY_PREVIOUS": tuple(
            key.strip() for key in (_env("SURVEY_AUDIT_KEY_PREVIOUS") or "").split(",")
            if key.strip()),
        #: Debug mode without SURVEY_AUDIT_KEY makes a random key once and keeps it here.
        "SURVEY_AUDIT_KEY_FILE": os.path.join(instance_path, "audit_key"),
        #: After each commit that adds audit records the new head is appended here.
        "SURVEY_AUDIT_ANCHOR_FILE": _env("SURVEY_AUDIT_ANCHOR_FILE",
                                         os.path.join(instance_path, "audit_anchor")),
    }


def check_production_safety(app):
    """Refuse to run with unsafe settings: keys that are only safe locally (outside
    debug and tests), and a CSRF check switched off (never)."""
    check_secret_key(app)
    check_audit_key(app)
    check_csrf(app)


def check_csrf(app):
    """Every POST relies on CSRFProtect's check before any view runs (the question page's
    form makes no check of its own), so the app never starts with it switched off."""
    for name in ("WTF_CSRF_ENABLED", "WTF_CSRF_CHECK_DEFAULT"):
        if not app.config.get(name, True):
            raise ConfigurationError(
                f"{name} is off: every form relies on the CSRF check of every POST.")


def check_secret_key(app):
    if app.config.get("SECRET_KEY"):
        return
    if app.testing:
        app.config["SECRET_KEY"] = secrets.token_urlsafe(48)  # made now, gone at exit
        return
    if app.debug:
        app.config["SECRET_KEY"] = development_key(app.config["SURVEY_SECRET_KEY_FILE"])
        return
    raise ConfigurationError(
        "SURVEY_SECRET_KEY is not set. Set it to a long random value, e.g. "
        "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`, "
        "or run with FLASK_DEBUG=1 for local development."
    )


def check_audit_key(app):
    """SURVEY_AUDIT_KEY is required in production, long, and not the secret key."""
    key = app.config.get("SURVEY_AUDIT_KEY")
    if not key and app.testing:
        key = secrets.token_urlsafe(48)  # made now, gone at exit
    elif not key and app.debug:
        key = development_key(app.config["SURVEY_AUDIT_KEY_FILE"])
    elif not key:
        raise ConfigurationError(
            "SURVEY_AUDIT_KEY is not set. Set it to a long random value, different from "
            "SURVEY_SECRET_KEY and kept outside the database, e.g. "
            "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`, "
            "or run with FLASK_DEBUG=1 for local development.")
    if len(key) < 32:
        raise ConfigurationError(
            f"SURVEY_AUDIT_KEY must have at least 32 characters, got {len(key)}")
    if key == app.config.get("SECRET_KEY") or key in app.config["SURVEY_AUDIT_KEY_PREVIOUS"]:
        raise ConfigurationError(
            "SURVEY_AUDIT_KEY must differ from SURVEY_SECRET_KEY and from every key in "
            "SURVEY_AUDIT_KEY_PREVIOUS")
    app.config["SURVEY_AUDIT_KEY"] = key


def development_key(path):
    """The key in `path`, made at random the first time (readable by the owner only).

    Kept in a file so that links printed by one `flask` command still work in the
    development server, and sessions outlive a restart. Two processes starting at
    once both end up with the first key written: it is linked into place, never
    overwritten.
    """
    if not os.path.exists(path):
        draft = f"{path}.{os.getpid()}.new"
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as draft_file:
            draft_file.write(secrets.token_urlsafe(48) + "\n")
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(draft)
    with open(path, encoding="ascii") as key_file:
        key = key_file.read().strip()
    if len(key) < 32:
        raise ConfigurationError(f"{path} holds no usable key: delete it to have a new one made")
    return key
