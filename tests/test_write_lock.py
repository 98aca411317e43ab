"""Only requests that may write take the database's write lock (survey/database.py).

The questionnaire's GET pages run in read-only transactions: on SQLite they
never wait for a writer, a write in them is refused by the database (so it
fails every time in tests rather than now and then under load), and pages
read and answers saved at the same time by many clients all succeed.
"""
import sqlite3
import threading
import time

import pytest
from sqlalchemy.exc import DBAPIError, OperationalError

from survey import create_app, database
from survey.database import dispose_engines
from survey.extensions import db
from survey.invitations.models import Invitation
from survey.responses.models import Answer

from .conftest import BOTH_DATABASES, ParticipantBrowser, app_settings


def test_questionnaire_pages_do_not_wait_for_a_writer_on_sqlite(app, make_invitation,
                                                               participant_browser, monkeypatch):
    monkeypatch.setattr(database, "SQLITE_BUSY_TIMEOUT_MS", 3000)
    with app.app_context():
        dispose_engines(db)  # new connections get the shorter timeout
        path = db.engine.url.database
    participant_browser.open(make_invitation())
    participant_browser.answer("xq", 1, 4)
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another request holds the write lock
    writer.execute("UPDATE invitation SET last_activity_at = last_activity_at")
    try:
        for page in ("/q/", "/q/xq/1", "/q/xq/2", "/q/review"):
            started = time.monotonic()
            response = participant_browser.client.get(page)
            assert response.status_code == 200, page
            assert time.monotonic() - started < 2.5, page  # waiting would take 3 s
        token = participant_browser.csrf_token("/q/xq/2")
        started = time.monotonic()
        with pytest.raises(OperationalError, match="database is locked"):
            participant_browser.client.post("/q/xq/2", data={
                "csrf_token": token, "value": "5", "action": "next"})
        assert time.monotonic() - started >= 2.5  # saving queued for the lock, as it should
    finally:
        writer.execute("ROLLBACK")
        writer.close()


@BOTH_DATABASES
def test_a_write_in_a_read_only_page_is_refused_by_the_database(app, make_invitation):
    make_invitation()
    with app.test_request_context("/q/review", method="GET"):
        assert database.in_read_only_request()
        with pytest.raises(DBAPIError):
            db.session.execute(db.update(Invitation).values(last_activity_at=None))
            db.session.flush()
        db.session.rollback()
    with app.test_request_context("/q/xq/1", method="POST"):
        assert not database.in_read_only_request()
        db.session.execute(db.update(Invitation).values(last_activity_at=None))
        db.session.commit()
    with app.test_request_context("/i/some-token", method="GET"):
        assert not database.in_read_only_request()  # opening a link writes


def test_the_page_reader_reads_without_the_write_lock_on_sqlite(app, make_invitation):
    """A page's reads (read_page) go on while another writer holds the lock, and the
    request's own session then begins a write transaction as before."""
    make_invitation()
    with app.app_context():
        path = db.engine.url.database
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another request holds the write lock
    try:
        with app.test_request_context("/q/xq/1", method="POST"):
            started = time.monotonic()
            count = database.read_page(db, lambda connection: connection.execute(
                db.select(db.func.count(Invitation.id))).scalar())
            assert count == 1
            assert time.monotonic() - started < 1  # it did not queue for the writer
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    with app.test_request_context("/q/xq/1", method="POST"):
        assert not database.in_read_only_request()
        db.session.execute(db.update(Invitation).values(last_activity_at=None))
        db.session.commit()


@BOTH_DATABASES
def test_the_database_refuses_a_write_through_the_page_reader(app, make_invitation):
    make_invitation()
    with app.test_request_context("/q/xq/1", method="POST"):
        with pytest.raises(DBAPIError, match="readonly|read-only|query_only"):
            database.read_page(db, lambda connection: connection.execute(
                db.update(Invitation).values(instrument_codes="vas")))
        assert db.session.execute(db.select(Invitation.instrument_codes)).scalar() != "vas"


@pytest.mark.parametrize("db_backend", ["postgresql"], indirect=True)
def test_the_page_reader_keeps_the_options_of_the_database_url(database_url, tmp_path):
    """Read-only is set on each new connection, so a deployment's own settings in the URL
    (here a statement_timeout) reach the page reader too."""
    app = create_app(app_settings(database_url + "?options=-c%20statement_timeout%3D4321",
                                  tmp_path))
    try:
        with app.test_request_context("/q/xq/1"):
            settings = database.read_page(db, lambda connection: connection.execute(db.text(
                "SELECT current_setting('statement_timeout'),"
                " current_setting('transaction_read_only')")).one())
        assert tuple(settings) == ("4321ms", "on")
    finally:
        with app.app_context():
            dispose_engines(db)


@pytest.mark.parametrize("db_backend", ["postgresql"], indirect=True)
def test_a_page_read_survives_a_dropped_connection(app, make_invitation, participant_browser):
    """The page reader has no pre-ping: a read on a connection the server dropped (a restart,
    an idle timeout) is tried once more on a new one, and the participant sees the page."""
    participant_browser.open(make_invitation())
    assert participant_browser.client.get("/q/xq/1").status_code == 200  # a pooled connection
    with app.app_context():
        with db.engine.connect() as admin:
            dropped = admin.execute(db.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
    assert dropped >= 1
    assert participant_browser.client.get("/q/xq/1").status_code == 200


@BOTH_DATABASES
def test_many_clients_reading_and_saving_at_once_all_succeed(app, make_invitation):
    browsers = []
    for _ in range(6):
        browser = ParticipantBrowser(app.test_client())
        browser.open(make_invitation())
        browsers.append(browser)
    failures = []
    barrier = threading.Barrier(len(browsers))

    def participant(browser):
        barrier.wait()
        try:
            for number in range(1, 9):
                for page in (f"/q/xq/{number}", "/q/review", "/q/"):
                    status = browser.client.get(page).status_code
                    if status != 200:
                        failures.append((page, status))
                saved = browser.answer("xq", number, number)
                if saved.status_code != 302:
                    failures.append((number, saved.status_code))
        except Exception as error:  # noqa: BLE001 (reported below)
            failures.append(error)

    threads = [threading.Thread(target=participant, args=(b,)) for b in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with app.app_context():
        stored = db.session.execute(db.select(db.func.count(Answer.id))).scalar()
    assert stored == 6 * 8


def queue_is_free(path):
    """True when no connection holds the SQLite writer queue (database.WriterQueue)."""
    import fcntl
    import os

    fd = os.open(f"{path}-writers", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def writer_queue_files_open(path):
    """How many of this process's file descriptors are the SQLite writer queue's file."""
    import os

    target = os.path.realpath(f"{path}-writers")
    found = 0
    for descriptor in os.listdir("/proc/self/fd"):
        try:
            found += os.readlink(f"/proc/self/fd/{descriptor}") == target
        except OSError:
            continue  # closed since it was listed
    return found


def test_only_connections_that_write_open_the_writer_queue(
        app, make_invitation, participant_browser):
    participant_browser.open(make_invitation())
    with app.app_context():
        dispose_engines(db)
        path = db.engine.url.database
    assert writer_queue_files_open(path) == 0
    for number in (1, 2, 1):
        assert participant_browser.client.get(f"/q/xq/{number}").status_code == 200
    assert writer_queue_files_open(path) == 0  # the page reader's connections only read
    participant_browser.answer("xq", 1, 4)
    assert writer_queue_files_open(path) == 1


def test_sqlite_writers_queue_until_the_transaction_ends(app, monkeypatch):
    monkeypatch.setattr(database, "SQLITE_BUSY_TIMEOUT_MS", 1000)
    with app.app_context():
        dispose_engines(db)
        path = db.engine.url.database
        with db.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")  # a write transaction (outside a request)
            assert not queue_is_free(path)
            connection.commit()
            assert queue_is_free(path)
            connection.exec_driver_sql("SELECT 1")
            connection.rollback()
            assert queue_is_free(path)
        with app.test_request_context("/q/review", method="GET"), db.engine.connect() as reader:
            reader.exec_driver_sql("SELECT 1")  # read-only pages never queue
            assert queue_is_free(path)
        writer = sqlite3.connect(path, isolation_level=None)  # holds SQLite's lock, not the queue
        writer.execute("BEGIN IMMEDIATE")
        try:
            with db.engine.connect() as connection, pytest.raises(OperationalError):
                connection.exec_driver_sql("SELECT 1")
            assert queue_is_free(path)  # a BEGIN that failed leaves the queue
        finally:
            writer.execute("ROLLBACK")
            writer.close()
        dispose_engines(db)


def test_a_queued_sqlite_writer_goes_on_as_soon_as_the_lock_is_free(app):
    """SQLite's busy handler sleeps up to 100 ms between looks; the queue wakes the next
    writer within milliseconds of the commit."""
    with app.app_context():
        engine = db.engine
    late = []
    for _ in range(3):
        first = engine.connect()
        first.exec_driver_sql("UPDATE invitation SET last_activity_at = NULL")
        began = []

        def second(began=began):
            with engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
                began.append(time.monotonic())
                connection.rollback()

        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.4)  # SQLite's own waits have grown to 100 ms by now
        first.commit()
        committed = time.monotonic()
        first.close()
        thread.join()
        late.append(began[0] - committed)
    assert sorted(late)[1] < 0.04, late  # the median of three
