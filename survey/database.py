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
  most). The database itself refuses a write in such a transaction (SQLite's
  `PRAGMA query_only`, PostgreSQL's `SET TRANSACTION READ ONLY`), so a write
  added to such a page later fails every time in the tests, never now and
  then under load.

Foreign keys are enforced. The embedded database is meant for a study of
tens to hundreds of participants; PostgreSQL is the production database.
"""
import sqlite3

from flask import current_app, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

SQLITE_BUSY_TIMEOUT_MS = 15000
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


@event.listens_for(Engine, "begin")
def _begin(connection):
    read_only = in_read_only_request()
    if connection.dialect.name == "sqlite":
        info = connection.connection.info  # lives as long as the DBAPI connection
        if info.get("query_only") != read_only:
            connection.exec_driver_sql(f"PRAGMA query_only={int(read_only)}")
            info["query_only"] = read_only
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
    elif read_only:
        connection.exec_driver_sql("SET TRANSACTION READ ONLY")


def read_only_get(blueprint):
    """Declare that the blueprint's GET (and HEAD) pages never write to the database."""
    blueprint.read_only_get = True
    return blueprint


def in_read_only_request():
    """True while serving a GET or HEAD of a blueprint declared with read_only_get()."""
    if not has_request_context() or request.method not in READ_ONLY_METHODS:
        return False
    name = request.blueprint
    blueprint = current_app.blueprints.get(name) if name else None
    return bool(getattr(blueprint, "read_only_get", False))
