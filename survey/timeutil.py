"""Time handling: everything is stored in UTC and read back timezone-aware."""
from datetime import UTC, datetime

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
