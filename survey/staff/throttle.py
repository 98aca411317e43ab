"""How many logins one network address may try, counted where every server process sees it.

Each login try costs an Argon2id hash (about 50 ms of a core and 64 MiB), so
anyone could keep the server busy by sending passwords. Before a password is
checked, the try is counted for the client's address in the database, in
windows of SURVEY_LOGIN_WINDOW_MINUTES; past SURVEY_LOGIN_TRIES_PER_ADDRESS
the login is refused without hashing. A right password gives its try back, so
colleagues behind one hospital address who log in normally never reach it.

The address is kept only as a keyed digest, and only for the current and the
previous window. The counting itself is survey/ratelimit.py's, as for /start.
"""
from flask import current_app

from ..ratelimit import claim_try, give_back_try, keyed


def window_minutes():
    return current_app.config["SURVEY_LOGIN_WINDOW_MINUTES"]


def _bucket(address):
    return "login-a:" + keyed("login-address", address or "")


def claim_address_try(address, now):
    """Count one login try from `address`; False when it has used up its tries."""
    return claim_try(_bucket(address), current_app.config["SURVEY_LOGIN_TRIES_PER_ADDRESS"],
                     window_minutes(), now)


def give_back_address_try(address, now):
    """The password was right: the try does not count against the address."""
    give_back_try(_bucket(address), window_minutes(), now)
