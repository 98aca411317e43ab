"""Language choice and locale-aware formatting for everything a person reads."""
from babel.lists import format_list as babel_format_list
from flask import current_app, has_request_context, request, session
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from flask_babel import gettext as _

from .instruments.scoring import as_decimal, round_half_up

LANGUAGES = ("da", "en")
LANGUAGE_NAMES = {"da": "Dansk", "en": "English"}


def select_locale():
    """The participant's chosen language, else the browser's preference, else Danish.

    Outside a request (command line) messages are in English, like the CLI itself;
    e-mails and letters choose their language explicitly with force_locale.
    """
    if not has_request_context():
        return "en"
    lang = session.get("lang")
    if lang in LANGUAGES:
        return lang
    return request.accept_languages.best_match(LANGUAGES) or "da"


def current_language():
    return str(get_locale().language)


def localized(texts):
    """Pick the current language's text from a {"da": ..., "en": ...} mapping.

    Definitions are checked at start-up to have every language, so a missing
    one is a bug and raises rather than falling back to the other language.
    """
    return texts[current_language()]


def other_language():
    return "en" if current_language() == "da" else "da"


def format_score(value):
    """A score for reading: decimal comma in Danish, at most one decimal, rounded half-up
    as the exports round (41.25 -> 41.3), never half-even."""
    if value is None:
        return ""
    return format_decimal(round_half_up(as_decimal(value), 1), format="#,##0.#")


def format_list(items):
    """A list for reading: "7 og 14" in Danish, "7 and 14" in English."""
    return babel_format_list([str(item) for item in items], locale=get_locale())


def time_zone_name():
    """The study's time zone as staff say it: "dansk tid" for Copenhagen, else its name."""
    zone = current_app.config["SURVEY_TIMEZONE"]
    return _("Danish time") if zone == "Europe/Copenhagen" else zone


def staff_time(moment, format="medium"):
    """A date and clock time for staff, with its zone: "26.11.2026 14.30.00 (dansk tid)"."""
    if moment is None:
        return ""
    return f"{format_datetime(moment, format)} ({time_zone_name()})"


def init_i18n(app):
    app.jinja_env.globals.update(
        localized=localized, current_language=current_language, other_language=other_language,
        language_names=LANGUAGE_NAMES, format_score=format_score, format_date=format_date,
        format_datetime=format_datetime, format_list=format_list, staff_time=staff_time,
    )
    # Whitespace inside {% trans %} blocks is folded, so catalogue entries stay tidy.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
