"""Database engine tuning that SQLAlchemy leaves to us, and who takes the write lock.

SQLite allows one writer at a time; with WAL, readers go on beside it. A
transaction that starts as a reader and later writes must *upgrade* its lock,
and an upgrade that meets another writer fails at once with "database is
locked" (SQLITE_BUSY) instead of waiting. So no transaction here ever
upgrades:

- A **write transaction** (the default: every request that may write, every
  command) starts with BEGIN IMMEDIATE. It takes the write lock before its
  first read, so concurrent writers queue up (busy_timeout) and the reads it
  makes are the state it writes on.
- A **read-only transaction** starts with a plain BEGIN and never waits for a
  writer. Requests declared read-only get one (`read_only_get()`: the GET pages
  of the participant's questionnaire) should they use the app's session at all:
  what those pages show comes from the page reader (below), and the database
  itself refuses a write in such a transaction (SQLite's `PRAGMA query_only`,
  PostgreSQL's `BEGIN READ ONLY`), so a write added to such a page later fails
  every time in the tests, never now and then under load.
- The **page reader** is a second engine on the same database whose connections
  can only read and run each statement as its own transaction (autocommit). The
  questionnaire's pages read what they show through it (`read_page()`), the page
  of a saved answer included: one round trip a read, no BEGIN or ROLLBACK, never
  waiting for a writer. A save then takes the write lock for its own statements
  alone, and reads again, after its claim, what it writes on.

On SQLite, writers also queue on a lock file beside the database (`WriterQueue`)
before BEGIN IMMEDIATE: SQLite's own busy handler waits by sleeping (up to 100 ms
at a time), so a writer often slept on after the lock was free; the lock file's
next writer goes on within a millisecond of the commit.

Foreign keys are enforced. The embedded database is meant for a study of
tens to hundreds of participants; PostgreSQL is the production database.
"""
import fcntl
import os
import sqlite3
import time

from flask import current_app, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import Pool

SQLITE_BUSY_TIMEOUT_MS = 15000
#: How often a writer waiting in the queue looks again (SQLite's own waits grow to 100 ms).
WRITER_QUEUE_POLL_S = 0.0005
READ_ONLY_METHODS = frozenset({"GET", "HEAD"})
#: The bind key (and execution option) of the engine the questionnaire's pages read with.
PAGE_READER = "page_reader"


@event.listens_for(Engine, "connect")
def _tune_sqlite_connection(dbapi_connection, connection_record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()
    connection_record.info["query_only"] = False


class WriterQueue:
    """A lock file beside an SQLite database that writers take before BEGIN IMMEDIATE
    and leave at the end of their transaction (one open file per connection that has
    written, opened at its first write transaction, so it queues threads and processes
    alike; the page reader's connections never open it). It adds no guarantee, only a
    faster wake-up: SQLite's write lock still decides, and a writer that waited here
    longer than the busy timeout goes on to BEGIN IMMEDIATE and gets SQLite's "database
    is locked"."""

    def __init__(self, path):
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        self.held = False

    @classmethod
    def beside(cls, dbapi_connection):
        """The queue of a file database; None for an in-memory one."""
        row = dbapi_connection.execute("PRAGMA database_list").fetchone()
        return cls(row[2] + "-writers") if row and row[2] else None

    def enter(self, timeout_s):
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self.held = True
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return
                time.sleep(WRITER_QUEUE_POLL_S)

    def leave(self):
        if self.held:
            self.held = False
            fcntl.flock(self.fd, fcntl.LOCK_UN)


def _writer_queue(connection):
    return connection.connection.info.get("writer_queue")


def _queue_for_writing(connection):
    """The connection's writer queue, opened at its first write transaction."""
    info = connection.connection.info
    if "writer_queue" not in info:
        info["writer_queue"] = WriterQueue.beside(connection.connection.dbapi_connection)
    return info["writer_queue"]


@event.listens_for(Engine, "commit")
def _commit(connection):
    queue = _writer_queue(connection) if connection.dialect.name == "sqlite" else None
    if queue is not None and queue.held:
        try:  # commit here, so the queue moves on only once it is done (the driver's
            connection.connection.dbapi_connection.commit()  # own commit is then a no-op)
        finally:
            queue.leave()


@event.listens_for(Engine, "rollback")
def _rollback(connection):
    queue = _writer_queue(connection) if connection.dialect.name == "sqlite" else None
    if queue is not None and queue.held:
        try:
            connection.connection.dbapi_connection.rollback()
        finally:
            queue.leave()


@event.listens_for(Pool, "checkin")
def _leave_on_checkin(dbapi_connection, connection_record):
    queue = connection_record.info.get("writer_queue")
    if queue is not None:  # a transaction that ended neither way (an invalidated connection)
        queue.leave()


@event.listens_for(Pool, "close")
def _close_queue(dbapi_connection, connection_record):
    queue = connection_record.info.pop("writer_queue", None)
    if queue is not None:
        queue.leave()
        os.close(queue.fd)


@event.listens_for(Engine, "begin")
def _begin(connection):
    if connection.get_execution_options().get(PAGE_READER):
        return  # autocommit: each statement is its own (read-only) transaction
    read_only = in_read_only_request()
    if connection.dialect.name == "sqlite":
        info = connection.connection.info  # lives as long as the DBAPI connection
        if info.get("query_only") != read_only:
            connection.exec_driver_sql(f"PRAGMA query_only={int(read_only)}")
            info["query_only"] = read_only
        queue = None if read_only else _queue_for_writing(connection)
        if queue is not None:
            queue.enter(SQLITE_BUSY_TIMEOUT_MS / 1000)
        try:
            connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
        except Exception:
            if queue is not None:
                queue.leave()
            raise
    else:
        # psycopg starts the transaction itself at the first statement; told the
        # transaction is read-only, it sends "BEGIN READ ONLY", one round trip instead
        # of a BEGIN and a SET TRANSACTION READ ONLY. A plain BEGIN otherwise.
        driver_connection = connection.connection.dbapi_connection
        wanted = True if read_only else None
        if driver_connection.read_only != wanted:
            driver_connection.read_only = wanted


def init_database(app, db):
    """db.init_app(app), with the page reader beside the app's engine.

    The page reader is the same database through connections that can only read, each
    statement its own transaction (autocommit): a page's read is one round trip, without
    BEGIN and ROLLBACK around it. No pre-ping either: read_page() retries a read whose
    connection the database dropped. It is one of Flask-SQLAlchemy's binds, so it gets the
    app's engine options and its `sqlite:///` path rules. An in-memory SQLite database
    (`sqlite://`) would give the reader a database of its own: only for apps that never
    serve a page (tests that list routes or commands).
    """
    options = {**app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
               "url": app.config["SQLALCHEMY_DATABASE_URI"], "isolation_level": "AUTOCOMMIT",
               "pool_pre_ping": False, "execution_options": {PAGE_READER: True}}
    app.config["SQLALCHEMY_BINDS"] = {**app.config.get("SQLALCHEMY_BINDS", {}),
                                      PAGE_READER: options}
    db.init_app(app)
    with app.app_context():
        engine = db.engines[PAGE_READER]
    sqlite = engine.dialect.name == "sqlite"
    event.listen(engine, "connect", _sqlite_read_only if sqlite else _postgres_read_only)


def _sqlite_read_only(dbapi_connection, connection_record):
    dbapi_connection.execute("PRAGMA query_only=1")  # for good: it never begins a transaction


def _postgres_read_only(dbapi_connection, connection_record):
    # A statement once per new connection, not a startup option, which would replace any
    # `options` the database URL or PGOPTIONS carries (a search_path, a statement_timeout).
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    dbapi_connection.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    dbapi_connection.autocommit = autocommit


def read_page(db, reads):
    """reads(connection) on a page-reader connection: what a page shows, read without
    waiting for any writer and without a transaction of the request's.

    A connection the database dropped (a restart) fails at its first statement; the
    pool then discards it and every connection made before it, and the reads run once
    more on a new connection. Safe to repeat: they only read."""
    engine = db.engines[PAGE_READER]
    for attempt in (1, 2):
        try:
            with engine.connect() as connection:
                return reads(connection)
        except DBAPIError as error:
            if attempt == 2 or not error.connection_invalidated:
                raise


def dispose_engines(db):
    """Close every pooled connection of the app's engines (the app's and the page reader's)."""
    for engine in db.engines.values():
        engine.dispose()


def read_only_get(blueprint):
    """Declare that the blueprint's GET (and HEAD) pages never write to the database."""
    blueprint.read_only_get = True
    return blueprint


def in_read_only_request():
    """True while serving a GET or HEAD of a blueprint declared with read_only_get()."""
    if not has_request_context():
        return False
    if request.method not in READ_ONLY_METHODS:
        return False
    name = request.blueprint
    blueprint = current_app.blueprints.get(name) if name else None
    return bool(getattr(blueprint, "read_only_get", False))
