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
  writer. Only requests declared read-only get one (`read_only_get()`: the GET
  pages of the participant's questionnaire, the pages a participant reloads
  most), and the reads a request makes before it writes, where it asks for
  that on SQLite (`read_only_transaction()`: a saved answer's page is read, then
  the save takes the write lock only for its own statements). The database itself refuses
  a write in such a transaction (SQLite's `PRAGMA query_only`, PostgreSQL's
  `BEGIN READ ONLY`), so a write added to such a page later fails every time in
  the tests, never now and then under load.

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
from contextlib import contextmanager

from flask import current_app, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import scoped_session
from sqlalchemy.pool import Pool

SQLITE_BUSY_TIMEOUT_MS = 15000
#: How often a writer waiting in the queue looks again (SQLite's own waits grow to 100 ms).
WRITER_QUEUE_POLL_S = 0.0005
READ_ONLY_METHODS = frozenset({"GET", "HEAD"})


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
    connection_record.info["writer_queue"] = WriterQueue.beside(dbapi_connection)


class WriterQueue:
    """A lock file beside an SQLite database that writers take before BEGIN IMMEDIATE
    and leave at the end of their transaction (one open file per connection, so it
    queues threads and processes alike). It adds no guarantee, only a faster wake-up:
    SQLite's write lock still decides, and a writer that waited here longer than the
    busy timeout goes on to BEGIN IMMEDIATE and gets SQLite's "database is locked"."""

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
    read_only = in_read_only_request()
    if connection.dialect.name == "sqlite":
        info = connection.connection.info  # lives as long as the DBAPI connection
        if info.get("query_only") != read_only:
            connection.exec_driver_sql(f"PRAGMA query_only={int(read_only)}")
            info["query_only"] = read_only
        queue = None if read_only else info.get("writer_queue")
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


def read_only_get(blueprint):
    """Declare that the blueprint's GET (and HEAD) pages never write to the database."""
    blueprint.read_only_get = True
    return blueprint


@contextmanager
def read_only_transaction(session):
    """On SQLite, run the block in a read-only transaction of its own (the database
    refuses a write in it), ended when the block ends, so the request's next statement
    begins a new transaction. For the reads a request makes before it writes: the
    write lock is then held only for the writes, not while the page is read and
    checked. What the write depends on it must read again in its own transaction.

    On PostgreSQL, which has no database-wide write lock, and inside a transaction
    already begun, the block simply runs in the transaction it is in (nothing is
    committed or refused): a second transaction would only cost round trips there."""
    plain = session() if isinstance(session, scoped_session) else session
    if session.get_bind().dialect.name != "sqlite" or plain.in_transaction():
        yield
        return
    outer, g.reading_only = g.get("reading_only", False), True
    try:
        yield
        session.commit()  # a read-only transaction: there is nothing it could commit
    finally:
        g.reading_only = outer
        session.rollback()  # a no-op after the commit; ends the transaction on an error


def in_read_only_request():
    """True while serving a GET or HEAD of a blueprint declared with read_only_get(),
    and inside read_only_transaction()."""
    if not has_request_context():
        return False
    if g.get("reading_only"):
        return True
    if request.method not in READ_ONLY_METHODS:
        return False
    name = request.blueprint
    blueprint = current_app.blueprints.get(name) if name else None
    return bool(getattr(blueprint, "read_only_get", False))
