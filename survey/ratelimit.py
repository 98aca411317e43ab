"""Tries counted in the database per bucket and time window: every server process counts together.

A bucket is a short name for what is counted (a keyed digest of an address,
the first characters of a short code, …). Each try is claimed
*before* the thing it tries is checked, by one conditional statement
(`UPDATE … SET tries = tries + 1 WHERE tries < limit RETURNING`) after an
`INSERT … ON CONFLICT DO NOTHING` that makes sure the row exists. Requests sent
at the same time, from any number of processes, therefore cannot get past the
limit, on SQLite and on PostgreSQL alike. Windows are fixed (minutes since the
epoch divided by the window's length); a bucket keeps only its current and
previous window.
"""
import hashlib
import hmac

from flask import current_app
from sqlalchemy import delete, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .extensions import db


class RateLimitTries(db.Model):
    """Tries counted in one bucket in one time window."""

    __tablename__ = "rate_limit_tries"

    bucket = db.Column(db.String(80), primary_key=True)
    #: Minutes since the epoch divided by the window's length.
    window_index = db.Column(db.Integer, primary_key=True)
    tries = db.Column(db.Integer, nullable=False, default=0)


def keyed(purpose, value):
    """A keyed digest, so an address or code is never stored as it is."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()[:64]


def window_index(now, minutes):
    return int(now.timestamp() // 60) // minutes


def claim_try(bucket, limit, minutes, now):
    """Count one try in `bucket`; False (nothing counted) when it has used up its `limit`."""
    window, table = window_index(now, minutes), RateLimitTries
    db.session.execute(delete(table).where(table.bucket == bucket,
                                           table.window_index < window - 1))
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(insert(table).values(bucket=bucket, window_index=window, tries=0)
                       .on_conflict_do_nothing())
    claimed = db.session.execute(
        update(table)
        .where(table.bucket == bucket, table.window_index == window, table.tries < limit)
        .values(tries=table.tries + 1)
        .returning(table.tries)
        .execution_options(synchronize_session=False)
    ).first()
    return claimed is not None


def give_back_try(bucket, minutes, now):
    """The try turned out right: it does not count against the bucket."""
    window, table = window_index(now, minutes), RateLimitTries
    db.session.execute(
        update(table)
        .where(table.bucket == bucket, table.window_index == window, table.tries > 0)
        .values(tries=table.tries - 1)
        .execution_options(synchronize_session=False))
