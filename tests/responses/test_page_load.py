"""What a questionnaire page costs: one query per page, form classes built once per item,
and still each participant's own, current answers."""
from sqlalchemy import event

from survey.database import PAGE_READER, in_read_only_request
from survey.extensions import db
from survey.instruments import instruments
from survey.instruments.forms import item_form_class

from ..conftest import BOTH_DATABASES

pytestmark = BOTH_DATABASES


def statements_during(app, call, begin=None):
    """`call()`'s result and the statements sent while it ran, as (engine, statement), the
    engine "app" (the app's own) or "reader" (the page reader). `begin(connection)`, if
    given, is called at each transaction the app's engine begins."""
    with app.app_context():
        engines = {"app": db.engine, "reader": db.engines[PAGE_READER]}
    statements = []

    def recorder(name):
        def record(conn, cursor, statement, parameters, context, executemany):
            statements.append((name, statement))
        return record

    listeners = {name: recorder(name) for name in engines}
    for name, engine in engines.items():
        event.listen(engine, "before_cursor_execute", listeners[name])
    if begin is not None:
        event.listen(engines["app"], "begin", begin)
    try:
        result = call()
    finally:
        for name, engine in engines.items():
            event.remove(engine, "before_cursor_execute", listeners[name])
        if begin is not None:
            event.remove(engines["app"], "begin", begin)
    return result, statements


def test_item_and_review_pages_read_everything_in_one_query(app, make_invitation,
                                                            participant_browser):
    participant_browser.open(make_invitation())
    for number, value in enumerate([3, 5, 0], start=1):
        assert participant_browser.answer("xq", number, value).status_code == 302
    client = participant_browser.client
    for path in ("/q/xq/2", "/q/review", "/q/"):
        page, sent = statements_during(app, lambda path=path: client.get(path))
        assert page.status_code == 200, path
        assert [(name, text.lstrip().split(None, 1)[0].upper()) for name, text in sent] == [
            ("reader", "SELECT")], (path, sent)


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
    """The page is read by the page reader (one statement, in no transaction of the
    request's); the save, its audit record and where to go next take one write
    transaction, which starts with the claim (on SQLite the write lock is held for the
    save alone) and reads only what the save writes on."""
    participant_browser.open(make_invitation())
    assert participant_browser.answer("xq", 1, 3).status_code == 302
    begun = []
    for value, action, target in ((5, "next", "/q/xq/2"), (6, "back", "/q/"),
                                  (7, "next", "/q/xq/2")):
        begun.clear()
        response, sent = statements_during(
            app, lambda value=value, action=action: participant_browser.answer(
                "xq", 1, value, action=action),
            begin=lambda connection: begun.append(in_read_only_request()))
        assert (response.status_code, response.location) == (302, target)
        verbs = [(name, text.lstrip().split(None, 1)[0].upper()) for name, text in sent
                 if "pg_advisory_xact_lock" not in text]  # the audit chain's lock left out
        # the CSRF token's page; the saved page read; the save: claim, the stored
        # response and answer, the answer's update, the audit head and its record.
        assert [verb for verb in verbs if verb[1] not in ("PRAGMA", "BEGIN")] == [
            ("reader", "SELECT"), ("reader", "SELECT"),
            *[("app", verb) for verb in
              ("UPDATE", "SELECT", "UPDATE", "UPDATE", "SELECT", "INSERT")]], verbs
        assert begun == [False]  # one transaction on the app's engine, a write one
    html = participant_browser.client.get("/q/xq/1").get_data(as_text=True)
    assert 'value="7" checked' in html
