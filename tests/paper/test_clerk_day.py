"""A clerk's day at the paper screens: the batch's received date, the questionnaire chosen by
button, warnings before keying, and differences marked by more than colour."""
import re
from datetime import UTC, date

from survey.participants.services import get_participant
from survey.timeutil import study_today

from .conftest import VAS, XQ
from .test_duplicates_and_corrections import answered_on_the_web
from .test_views import field_value, text

ENTRY = "/staff/paper/participants/P001/xq"


def today_text(app):
    with app.app_context():
        return study_today().strftime("%d.%m.%Y")


def test_the_questionnaire_is_chosen_by_its_button(client, screens, make_participant,
                                                   make_staff):
    make_participant("P001")
    screens.login(make_staff("data_entry"))
    page = text(client.get("/staff/paper/"))
    assert re.findall(r'<button[^>]*name="instrument" value="(\w+)"', page) == ["xq", "vas"]
    assert client.get("/staff/paper/?study_id=P001&instrument=vas").location == (
        "/staff/paper/participants/P001/vas")


def test_received_date_is_today_until_the_batch_changes_it(app, client, screens,
                                                           make_participant, make_staff):
    for study_id in ("P001", "P002", "P003"):
        make_participant(study_id)
    screens.login(make_staff("data_entry"))
    today = today_text(app)
    page = text(client.get(ENTRY))
    assert field_value(page, "received_on") == today
    assert re.search(r'<input[^>]*data-select-on-focus[^>]*name="received_on"', page)

    # A batch that came back earlier: the changed date is offered for the next sheets.
    assert screens.key_in("P001", XQ, received="20.11.2026").status_code == 302
    assert field_value(text(client.get("/staff/paper/participants/P002/xq")),
                       "received_on") == "20.11.2026"
    assert field_value(text(client.get("/staff/paper/participants/P002/vas")),
                       "received_on") == "20.11.2026"
    # Still editable: back to today, and today is offered again.
    assert screens.key_in("P002", VAS, code="vas", received=today).status_code == 302
    assert field_value(text(client.get("/staff/paper/participants/P003/xq")),
                       "received_on") == today


def test_bad_input_keeps_the_typed_date_and_not_the_batch_date(app, client, screens,
                                                               make_participant, make_staff):
    make_participant("P001")
    screens.login(make_staff("data_entry"))
    refused = screens.key_in("P001", ["x", *XQ[1:]], received="19.11.2026")
    assert refused.status_code == 422
    assert field_value(text(refused), "received_on") == "19.11.2026"
    assert field_value(text(refused), "xq1") == "x"
    # Nothing was saved, so the batch date did not change.
    assert field_value(text(client.get(ENTRY)), "received_on") == today_text(app)


def test_warns_when_the_sheet_is_verified_or_waits_for_the_coordinator(app, client, screens,
                                                                       make_participant,
                                                                       make_staff):
    make_participant("P001")
    make_participant("P002")
    first, second = make_staff("data_entry"), make_staff("data_entry")
    screens.login(first)
    assert "Look before you key in" not in text(client.get(ENTRY))
    screens.key_in("P001", XQ)
    screens.key_in("P002", XQ)
    screens.login(second)
    screens.key_in("P001", XQ)  # agrees: verified
    screens.key_in("P002", [9, *XQ[1:]])  # differs: waits for the coordinator
    screens.login(make_staff("data_entry"))
    verified = text(client.get(ENTRY))
    assert "already verified and saved" in verified
    assert "waiting for the coordinator" not in verified
    waiting = text(client.get("/staff/paper/participants/P002/xq"))
    assert "two entries that differ, waiting for the coordinator" in waiting
    assert "already verified" not in waiting
    # Only this questionnaire's sheets count.
    assert "Look before you key in" not in text(client.get("/staff/paper/participants/P001/vas"))


def test_warns_when_the_participant_answered_on_the_web(app, client, screens, make_participant,
                                                        make_staff):
    make_participant("P001")
    screens.login(make_staff("data_entry"))
    assert "answered this questionnaire on the web" not in text(client.get(ENTRY))
    with app.app_context():
        answered_on_the_web(get_participant("P001"))
    assert "already answered this questionnaire on the web or at the clinic" in text(
        client.get(ENTRY))
    make_participant("P002")  # another participant's answers do not count
    assert "answered this questionnaire on the web" not in text(
        client.get("/staff/paper/participants/P002/xq"))


def test_resolve_marks_differing_rows_by_text_and_shape(client, screens, make_participant,
                                                        make_staff):
    make_participant("P001")
    for keyer, values, completed in ((make_staff("data_entry"), XQ, "17.11.2026"),
                                     (make_staff("data_entry"), [9, *XQ[1:]], "18.11.2026")):
        screens.login(keyer)
        screens.key_in("P001", values, completed=completed)
    screens.login(make_staff("coordinator"))
    page = text(client.get("/staff/paper/forms/1/resolve"))
    rows = re.findall(r"<tr class=\"differs\">(.*?)</tr>", page, re.S)
    assert len(rows) == 2  # the date filled in and item 1
    assert all('class="differs-mark"' in row and "Differs" in row and "≠" in row
               for row in rows)
    assert page.count('class="differs-mark"') == 2


def test_today_is_the_study_timezone_date(app, monkeypatch):
    """Copenhagen's date, not the server's: just after midnight there it is already the
    next day."""
    from datetime import datetime

    import survey.timeutil as timeutil

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 11, 29, 23, 30, tzinfo=UTC).astimezone(tz)

    monkeypatch.setattr(timeutil, "datetime", Clock)
    with app.app_context():
        assert study_today() == date(2026, 11, 30)
