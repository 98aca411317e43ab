"""How many logins one network address may try, counted where every server process sees it.

Each login try costs an Argon2id hash (about 50 ms of a core and 64 MiB), so
anyone could keep the server busy by sending passwords. Before a password is
checked, the try is counted for the client's address in the database, in
windows of SURVEY_LOGIN_WINDOW_MINUTES; past SURVEY_LOGIN_TRIES_PER_ADDRESS
the login is refused without hashing. A right password gives its try back, so
colleagues behind one hospital address who log in normally never reach it.

The address is kept only as a keyed digest, and only for the current and the
previous window.
"""
import hashlib
import hmac

from flask import current_app
from sqlalchemy import delete, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..extensions import db


class LoginAddressTries(db.Model):
    """Login tries from one address (its keyed digest) in one time window."""

    __tablename__ = "login_address_tries"

    address = db.Column(db.String(64), primary_key=True)
    #: Minutes since the epoch divided by the window's length.
    window_index = db.Column(db.Integer, primary_key=True)
    tries = db.Column(db.Integer, nullable=False, default=0)


def window_minutes():
    return current_app.config["SURVEY_LOGIN_WINDOW_MINUTES"]


def _key(address, now):
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), (address or "").encode(),
                      hashlib.sha256).hexdigest()
    return digest, int(now.timestamp() // 60) // window_minutes()


def claim_address_try(address, now):
    """Count one login try from `address`; False when it has used up its tries."""
    digest, window = _key(address, now)
    table = LoginAddressTries
    db.session.execute(delete(table).where(table.window_index < window - 1))
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(insert(table).values(address=digest, window_index=window, tries=0)
                       .on_conflict_do_nothing())
    claimed = db.session.execute(
        update(LoginAddressTries)
        .where(LoginAddressTries.address == digest, LoginAddressTries.window_index == window,
               LoginAddressTries.tries < current_app.config["SURVEY_LOGIN_TRIES_PER_ADDRESS"])
        .values(tries=LoginAddressTries.tries + 1)
        .returning(LoginAddressTries.tries)
        .execution_options(synchronize_session=False)
    ).first()
    return claimed is not None


def give_back_address_try(address, now):
    """The password was right: the try does not count against the address."""
    digest, window = _key(address, now)
    db.session.execute(
        update(LoginAddressTries)
        .where(LoginAddressTries.address == digest, LoginAddressTries.window_index == window,
               LoginAddressTries.tries > 0)
        .values(tries=LoginAddressTries.tries - 1)
        .execution_options(synchronize_session=False))
