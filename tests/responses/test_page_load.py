"""What a questionnaire page costs: one query per page, form classes built once per item,
and still each participant's own, current answers."""
from sqlalchemy import event

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


def test_saving_an_answer_is_one_transaction(app, make_invitation, participant_browser):
    """The save, its audit record and where to go next: one write transaction (after
    the commit nothing is read again, which would take the write lock a second time)."""
    participant_browser.open(make_invitation())
    assert participant_browser.answer("xq", 1, 3).status_code == 302
    with app.app_context():
        engine = db.engine
    transactions = []

    def begin(connection):
        transactions.append(connection)

    event.listen(engine, "begin", begin)
    try:
        for value, action, target in ((5, "next", "/q/xq/2"), (6, "back", "/q/"),
                                      (7, "next", "/q/xq/2")):
            transactions.clear()
            response, selects = selects_during(
                app, lambda value=value, action=action: participant_browser.answer(
                    "xq", 1, value, action=action))
            assert (response.status_code, response.location) == (302, target)
            # the CSRF token's page, then the save
            assert len(transactions) == 2, transactions
            selects = [s for s in selects if "pg_advisory_xact_lock" not in s]  # audit chain lock
            # the page; the save: page load, audit head, and on PostgreSQL the invitation's
            # rows read again once the claim holds its row lock (concurrent saves)
            postgres = engine.dialect.name == "postgresql"
            assert len(selects) == 1 + 2 + postgres, selects
    finally:
        event.remove(engine, "begin", begin)
    html = participant_browser.client.get("/q/xq/1").get_data(as_text=True)
    assert 'value="7" checked' in html
