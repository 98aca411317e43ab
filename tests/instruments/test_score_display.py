"""Staff pages show a score to one decimal, rounded half-up as the exports round."""
from decimal import Decimal

import pytest
from flask_babel import force_locale

from survey.i18n import format_score


@pytest.mark.parametrize(("stored", "da", "en"), [
    (Decimal("41.25"), "41,3", "41.3"),     # half-even would give 41,2
    (Decimal("41.35"), "41,4", "41.4"),
    (Decimal("64.999999"), "65", "65"),
    (Decimal("65"), "65", "65"),
    (48.75, "48,8", "48.8"),                # a float (charts, older callers) alike
    (None, "", ""),
])
def test_scores_read_half_up_with_the_language_decimal_mark(app, stored, da, en):
    with app.test_request_context():
        with force_locale("da"):
            assert format_score(stored) == da
        with force_locale("en"):
            assert format_score(stored) == en
