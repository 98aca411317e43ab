"""Language choice and locale-aware formatting for everything a person reads."""
from babel import Locale
from babel.lists import format_list as babel_format_list
from flask import current_app, g, has_request_context, request, session
from flask_babel import format_date, format_datetime, format_decimal, get_locale, get_translations
from flask_babel import gettext as _

from .codes import LANGUAGES
from .instruments.scoring import as_decimal, round_half_up

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


def current_locale():
    """The locale Flask-Babel chose for this request (or forced for an e-mail or letter).

    Read where Flask-Babel keeps it once chosen: its get_locale() reaches it through
    several context lookups, and a page asks for it dozens of times (every gettext).
    """
    state = g.get("_flask_babel") if g else None
    locale = getattr(state, "babel_locale", None)
    return locale if locale is not None else get_locale()


def current_language():
    return current_locale().language


def current_translations():
    """The catalogue of the current locale, looked up once per request and locale."""
    state = g.get("_flask_babel") if g else None
    locale = getattr(state, "babel_locale", None)
    if locale is None:
        return get_translations()  # chooses the locale; the next call finds it in `state`
    catalogues = state.__dict__.setdefault("survey_catalogues", {})
    key = (locale.language, locale.territory)
    if key not in catalogues:
        catalogues[key] = get_translations()
    return catalogues[key]


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


#: English is read in British style ("29 Nov 2026", "29/11/2026"), never US month-first. The
#: language code stays "en" (catalogues, sessions, participants' language); only the date and
#: time patterns are those of en_GB.
BRITISH = Locale.parse("en_GB")
WIDTHS = ("short", "medium", "long", "full")
BRITISH_PATTERNS = {f"{kind}.{width}": pattern for width in WIDTHS for kind, pattern in (
    ("date", BRITISH.date_formats[width].pattern),
    ("time", BRITISH.time_formats[width].pattern),
    ("datetime", BRITISH.datetime_formats[width].format(BRITISH.time_formats[width].pattern,
                                                        BRITISH.date_formats[width].pattern)),
)}


class DateFormats(dict):
    """Flask-Babel's named date formats: British patterns whenever the locale is plain English
    (as selected, or forced for an e-mail, letter or export); the locale's own otherwise."""

    def __getitem__(self, key):
        locale = get_locale()
        if locale is not None and locale.language == "en" and not locale.territory:
            return BRITISH_PATTERNS.get(key) or super().__getitem__(key)
        return super().__getitem__(key)


def init_i18n(app):
    # format_date, format_datetime and format_time everywhere read these (flask_babel's own).
    formats = app.extensions["babel"].instance
    formats.date_formats = DateFormats(formats.date_formats)
    app.jinja_env.globals.update(
        localized=localized, current_language=current_language, other_language=other_language,
        language_names=LANGUAGE_NAMES, format_score=format_score, format_date=format_date,
        format_datetime=format_datetime, format_list=format_list, staff_time=staff_time,
        time_zone_name=time_zone_name,
    )
    # The templates' gettext, as Flask-Babel installs it, but finding the catalogue
    # without its context lookups on every call (there are dozens on a page).
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: current_translations().ugettext(s),
        ngettext=lambda s, p, n: current_translations().ungettext(s, p, n),
        pgettext=lambda c, s: current_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: current_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    # Whitespace inside {% trans %} blocks is folded, so catalogue entries stay tidy.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
