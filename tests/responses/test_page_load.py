"""What a questionnaire page costs: one query per page, form classes built once per item,
and still each participant's own, current answers."""
from sqlalchemy import event

from survey.database import in_read_only_request
from survey.extensions import db
from survey.instruments import instruments
from survey.instruments.forms import item_form_class

from ..conftest import BOTH_DATABASES

pytestmark = BOTH_DATABASES


def selects_during(app, call):
    """`call()`'s result and the SELECT statements sent while it ran."""
    with app.app_context():
        engine = db.engine
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        result = call()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return result, statements


def test_item_and_review_pages_read_everything_in_one_query(app, make_invitation,
                                                            participant_browser):
    participant_browser.open(make_invitation())
    for number, value in enumerate([3, 5, 0], start=1):
        assert participant_browser.answer("xq", number, value).status_code == 302
    client = participant_browser.client
    for path in ("/q/xq/2", "/q/review", "/q/"):
        page, selects = selects_during(app, lambda path=path: client.get(path))
        assert page.status_code == 200, path
        assert len(selects) == 1, (path, selects)


def test_pages_show_the_current_answer_of_this_participant_only(app, client, make_invitation,
                                                                participant_browser):
    from ..conftest import ParticipantBrowser

    first, second = participant_browser, ParticipantBrowser(app.test_client())
    first.open(make_invitation())
    second.open(make_invitation())
    assert first.answer("xq", 1, 7).status_code == 302
    assert second.answer("xq", 1, 2).status_code == 302
    assert 'value="7" checked' in first.client.get("/q/xq/1").get_data(as_text=True)
    assert 'value="2" checked' in second.client.get("/q/xq/1").get_data(as_text=True)
    assert first.answer("xq", 1, 4).status_code == 302  # changed: the next page load shows it
    html = first.client.get("/q/xq/1").get_data(as_text=True)
    assert 'value="4" checked' in html and 'value="7" checked' not in html
    assert 'value="2" checked' in second.client.get("/q/xq/1").get_data(as_text=True)


def test_item_form_class_is_built_once_per_item_and_forms_keep_their_own_data(app):
    with app.test_request_context():
        item = instruments().current("xq").item_at(1)
        form_class = item_form_class(item)
        assert item_form_class(item) is form_class
        other = instruments().current("xq").item_at(2)
        assert item_form_class(other) is not form_class
        one, two = form_class(meta={"csrf": False}), form_class(meta={"csrf": False})
        one.value.data = "3"
        assert two.value.data is None


def test_saving_an_answer_reads_the_page_then_writes_in_one_short_transaction(
        app, make_invitation, participant_browser):
    """On SQLite the page is read in a read-only transaction; the save, its audit record and
    where to go next take one write transaction, which starts with the claim (the write
    lock is held for the save alone) and reads only what the save writes on."""
    participant_browser.open(make_invitation())
    assert participant_browser.answer("xq", 1, 3).status_code == 302
    with app.app_context():
        engine = db.engine
    transactions = []

    def begin(connection):
        transactions.append((in_read_only_request(), []))

    def statement(conn, cursor, text, parameters, context, executemany):
        if transactions and "pg_advisory_xact_lock" not in text:  # audit chain lock
            transactions[-1][1].append(text.lstrip().split(None, 1)[0].upper())

    event.listen(engine, "begin", begin)
    event.listen(engine, "before_cursor_execute", statement)
    try:
        for value, action, target in ((5, "next", "/q/xq/2"), (6, "back", "/q/"),
                                      (7, "next", "/q/xq/2")):
            transactions.clear()
            response = participant_browser.answer("xq", 1, value, action=action)
            assert (response.status_code, response.location) == (302, target)
            statements = [(read_only, [s for s in sent if s not in ("PRAGMA", "BEGIN")])
                          for read_only, sent in transactions]
            # the CSRF token's page; the saved page read; the save: claim, the stored
            # response and answer, the answer's update, the audit head and its record.
            # On PostgreSQL (no database-wide write lock) the page is read in the save's
            # transaction, before the claim.
            save = ["UPDATE", "SELECT", "UPDATE", "UPDATE", "SELECT", "INSERT"]
            if engine.dialect.name == "sqlite":
                expected = [(True, ["SELECT"]), (True, ["SELECT"]), (False, save)]
            else:
                expected = [(True, ["SELECT"]), (False, ["SELECT", *save])]
            assert statements == expected, statements
    finally:
        event.remove(engine, "begin", begin)
        event.remove(engine, "before_cursor_execute", statement)
    html = participant_browser.client.get("/q/xq/1").get_data(as_text=True)
    assert 'value="7" checked' in html
