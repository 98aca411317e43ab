"""The paper field: a number on the item's scale or a code letter, from the same form builder."""
import pytest
from werkzeug.datastructures import MultiDict

from survey.instruments import instruments
from survey.paper.forms import PaperEntryForm, entry_form, parse_day


@pytest.mark.parametrize("code, typed, expected", [
    ("xq", "0", ("answered", 0)),
    ("xq", " 10 ", ("answered", 10)),
    ("xq", "07", ("answered", 7)),
    ("xq", "n", ("not_answered", None)),
    ("xq", "N", ("not_answered", None)),
    ("xq", "-", ("not_answered", None)),
    ("xq", "m", ("multiple_marks", None)),
    ("xq", "u", ("unreadable", None)),
    ("vas", "100", ("answered", 100)),
    ("vas", "0", ("answered", 0)),
    ("xq", "11", None),
    ("xq", "-1", None),
    ("xq", "5.5", None),
    ("xq", "", None),
    ("xq", "x", None),
    ("vas", "101", None),
    ("vas", "mu", None),
])
def test_paper_value_or_code(app, code, typed, expected):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        instrument = instruments().current(code)
        data = MultiDict({**{item.id: "1" for item in instrument.items},
                          f"{code}1": typed, "received_on": "20.11.2026"})
        form = entry_form(instrument, PaperEntryForm, formdata=data, meta={"csrf": False})
        valid = form.validate()
        field = form[f"{code}1"]
        if expected is None:
            assert not valid and field.errors
            assert "or one of the codes n, m or u" in str(field.errors[0])
        else:
            assert valid, form.errors
            assert (field.code, field.value) == expected


@pytest.mark.parametrize("typed, expected", [
    ("26.11.2026", (2026, 11, 26)), ("1.2.2026", (2026, 2, 1)), ("26-11-2026", (2026, 11, 26)),
    ("26/11/2026", (2026, 11, 26)), ("2026-11-26", (2026, 11, 26)), ("31.02.2026", None),
    ("26.11.26", None), ("i går", None),
])
def test_dates_as_written_on_danish_paper(typed, expected):
    day = parse_day(typed)
    assert ((day.year, day.month, day.day) if day else None) == expected
