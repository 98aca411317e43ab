"""Time handling: everything is stored in UTC and read back timezone-aware."""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy.types import DateTime, TypeDecorator


def now_utc():
    """The current time, timezone-aware in UTC (use as a column default callable)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored as UTC that always comes back timezone-aware.

    SQLite keeps no offset, so without this a value written aware would come
    back naive and comparisons with now_utc() would fail.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"expected a timezone-aware datetime, got naive {value!r}")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


#: Dates as Danes write them, and ISO (what a browser's date picker sends).
TYPED_DATE_FORMATS = ("%d.%m.%Y", "%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d")


def parse_typed_date(text):
    """'26.11.2026' (or 26-11-2026, 26/11/2026, 2026-11-26) -> date; None if it is not one."""
    for fmt in TYPED_DATE_FORMATS:
        try:
            return datetime.strptime((text or "").strip(), fmt).date()
        except ValueError:
            continue
    return None


def study_today():
    """Today's date where the study is (SURVEY_TIMEZONE), e.g. for "not in the future"."""
    return datetime.now(ZoneInfo(current_app.config["SURVEY_TIMEZONE"])).date()
