"""Every setting with a shape, checked once when the app starts.

create_app calls check_settings after the environment and any overrides are read,
so a wrong value stops `flask` commands, the development server and gunicorn
alike with one ConfigurationError that names each wrong setting and says what
is wrong, instead of failing later at the first reminder run or page. Settings
that are allowed but unwise (no privacy notice in production, two-factor
authentication relaxed) are logged as warnings.
"""
import re
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .codes import LANGUAGES
from .config import ConfigurationError
from .paper.services import VERIFICATION_MODES
from .schedule.policy import ReminderPolicyError, parse_days, parse_hours

#: Settings that count something: (name, smallest value allowed).
WHOLE_NUMBERS = (
    ("SURVEY_INVITATION_DAYS", 1), ("SURVEY_STAFF_IDLE_MINUTES", 1),
    ("SURVEY_REMINDERS_PER_RUN", 0), ("SURVEY_PROXY_HOPS", 0),
    ("SURVEY_START_TRIES_PER_ADDRESS", 1), ("SURVEY_START_TRIES_PER_PREFIX", 1),
    ("SURVEY_START_WINDOW_MINUTES", 1), ("SURVEY_LOGIN_TRIES_PER_ADDRESS", 1),
    ("SURVEY_LOGIN_WINDOW_MINUTES", 1),
)
#: Settings given once per language (SURVEY_X_DA and SURVEY_X_EN), none of which may be empty.
BILINGUAL = ("SURVEY_STUDY_NAME", "SURVEY_STUDY_SHORT_NAME", "SURVEY_CONTACT",
             "SURVEY_SMS_SIGNATURE", "SURVEY_LETTER_SENDER")
#: What an SMS gateway accepts as sender: a phone number, or up to 11 letters and digits.
#: One plain address (the default survey@localhost too, which email-validator refuses).
PLAIN_ADDRESS = re.compile(r"[^@\s<>\"(),;:]+@[^@\s<>\"(),;:]+")
SMS_SENDER = re.compile(r"^(\+?[0-9]{3,15}|[A-Za-z0-9]{1,11})$")


def check_settings(app):
    """Raise ConfigurationError listing every setting whose value cannot work; log warnings."""
    config = app.config
    problems = [problem for check in CHECKS for problem in check(config) if problem]
    if problems:
        raise ConfigurationError("The settings cannot be used:\n- " + "\n- ".join(problems))
    for warning in warnings(app):
        app.logger.warning("%s", warning)


def _whole_number(value):
    return isinstance(value, int) and not isinstance(value, bool)


def check_numbers(config):
    for name, least in WHOLE_NUMBERS:
        value = config.get(name)
        if not _whole_number(value) or value < least:
            yield f"{name} must be a whole number of at least {least}, got {value!r}"
    port = config.get("SURVEY_SMTP_PORT")
    if not _whole_number(port) or not 1 <= port <= 65535:
        yield f"SURVEY_SMTP_PORT must be a port number from 1 to 65535, got {port!r}"
    fraction = config.get("SURVEY_MIN_ANSWERED_FRACTION")
    if (isinstance(fraction, bool) or not isinstance(fraction, int | float)
            or not 0 < fraction <= 1):
        yield ("SURVEY_MIN_ANSWERED_FRACTION must be a number above 0 and at most 1 "
               f"(e.g. 0.5 for the half rule), got {fraction!r}")


def check_reminders(config):
    maximum = config.get("SURVEY_REMINDER_MAX")
    if maximum is not None and not (str(maximum).isdigit() and str(maximum).isascii()):
        yield f"SURVEY_REMINDER_MAX must be a whole number of 0 or more, got {maximum!r}"
        maximum = None
    try:
        parse_days(config.get("SURVEY_REMINDER_DAYS"), maximum)
    except ReminderPolicyError as error:
        yield str(error)
    try:
        parse_hours(config.get("SURVEY_SENDING_HOURS"))
    except ReminderPolicyError as error:
        yield f"{error} (from 0 to 24, the first before the second)"


def check_choices(config):
    mode = config.get("SURVEY_PAPER_VERIFICATION")
    if mode not in VERIFICATION_MODES:
        yield (f"SURVEY_PAPER_VERIFICATION must be one of {', '.join(VERIFICATION_MODES)}, "
               f"got {mode!r}")
    zone = config.get("SURVEY_TIMEZONE")
    try:
        ZoneInfo(str(zone))
    except (ZoneInfoNotFoundError, ValueError):
        yield f"SURVEY_TIMEZONE must be a time zone such as Europe/Copenhagen, got {zone!r}"
    codes = config.get("SURVEY_INSTRUMENTS") or ()
    if not codes or any(not code.strip() for code in codes) or len(set(codes)) != len(codes):
        yield ("SURVEY_INSTRUMENTS must list instrument codes once each, separated by commas "
               f"(e.g. xq,vas), got {','.join(codes)!r}")


def _is_web_address(value):
    parts = urlsplit(value) if isinstance(value, str) else None
    return bool(parts and parts.scheme in ("http", "https") and parts.hostname
                and not any(c.isspace() for c in value))


def check_addresses(config):
    base_url = config.get("SURVEY_BASE_URL")
    if not _is_web_address(base_url) or urlsplit(base_url).query or urlsplit(base_url).fragment:
        yield ("SURVEY_BASE_URL must be the site's address starting with https:// (or http:// "
               f"for a local demo), without ? or #, got {base_url!r}")
    if not PLAIN_ADDRESS.fullmatch(str(config.get("SURVEY_MAIL_FROM"))):
        yield (f"SURVEY_MAIL_FROM must be one plain e-mail address, "
               f"got {config.get('SURVEY_MAIL_FROM')!r}")
    if config.get("SURVEY_MAIL_BACKEND") == "smtp" and not config.get("SURVEY_SMTP_HOST"):
        yield "SURVEY_SMTP_HOST must be set when SURVEY_MAIL_BACKEND is smtp"
    if config.get("SURVEY_SMS_BACKEND") == "http" and not _is_web_address(
            config.get("SURVEY_SMS_URL")):
        yield ("SURVEY_SMS_URL must be the gateway's https:// address when SURVEY_SMS_BACKEND "
               f"is http, got {config.get('SURVEY_SMS_URL')!r}")
    if not SMS_SENDER.fullmatch(str(config.get("SURVEY_SMS_FROM"))):
        yield ("SURVEY_SMS_FROM must be a phone number or up to 11 letters (a-z) and digits, "
               f"got {config.get('SURVEY_SMS_FROM')!r}")
    yield from check_privacy_urls(config)


def check_privacy_urls(config):
    urls = config.get("SURVEY_PRIVACY_URL") or {}
    given = {lang for lang in LANGUAGES if urls.get(lang)}
    for lang in sorted(given):
        if not _is_web_address(urls[lang]):
            yield (f"SURVEY_PRIVACY_URL_{lang.upper()} must be a web address starting with "
                   f"https://, got {urls[lang]!r}")
    if given and given != set(LANGUAGES):
        missing = (set(LANGUAGES) - given).pop().upper()
        yield (f"SURVEY_PRIVACY_URL_{missing} is not set, but the other language's is: set "
               "both (they may be the same address)")


def check_languages(config):
    for name in BILINGUAL:
        values = config.get(name)
        for lang in LANGUAGES:
            value = values.get(lang) if isinstance(values, dict) else None
            if not value or (isinstance(value, str) and not value.strip()):
                yield f"{name}_{lang.upper()} must not be empty"


def check_switches(config):
    value = config.get("SURVEY_2FA_OPTIONAL_FOR_DATA_ENTRY")
    if not isinstance(value, bool):
        yield f"SURVEY_2FA_OPTIONAL_FOR_DATA_ENTRY must be 1 or 0, got {value!r}"


CHECKS = (check_numbers, check_reminders, check_choices, check_addresses, check_languages,
          check_switches)


def warnings(app):
    """Allowed but unwise settings, as sentences for the log."""
    config = app.config
    if config["SURVEY_2FA_OPTIONAL_FOR_DATA_ENTRY"]:
        yield ("SURVEY_2FA_OPTIONAL_FOR_DATA_ENTRY is on: data-entry accounts may log in with "
               "a password alone, although they read participants' answers")
    production = not (app.debug or app.testing)
    if production and not any((config.get("SURVEY_PRIVACY_URL") or {}).values()):
        yield ("SURVEY_PRIVACY_URL_DA and SURVEY_PRIVACY_URL_EN are not set: participants' "
               "pages and messages carry no link to the study's privacy notice")
