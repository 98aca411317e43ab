"""English dates are British (29 November 2026, 29/11/2026), never US month-first; Danish
dates keep their own form. The language code stays "en"."""
from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale, format_date, format_datetime, get_locale

from survey.i18n import current_language, staff_time

DAY = date(2026, 11, 29)
MOMENT = datetime(2026, 11, 29, 13, 30, tzinfo=UTC)  # 14.30 in Copenhagen


@pytest.mark.parametrize("width, shown", [
    ("short", "29/11/2026"), ("medium", "29 Nov 2026"), ("long", "29 November 2026"),
    ("full", "Sunday, 29 November 2026"), (None, "29 Nov 2026"),
])
def test_english_dates_are_british(app, width, shown):
    with app.test_request_context(), force_locale("en"):
        assert format_date(DAY, width) == shown
        assert current_language() == "en" and str(get_locale()) == "en"


def test_english_date_and_time_is_british_with_its_zone(app):
    with app.test_request_context(), force_locale("en"):
        assert format_datetime(MOMENT, "short") == "29/11/2026, 14:30"
        assert staff_time(MOMENT) == "29 Nov 2026, 14:30:00 (Danish time)"


def test_an_english_page_shows_british_dates(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert format_date(DAY, "long") == "29 November 2026"


def test_danish_dates_are_unchanged(app):
    with app.test_request_context(), force_locale("da"):
        assert format_date(DAY, "short") == "29.11.2026"
        assert format_date(DAY, "long") == "29. november 2026"
