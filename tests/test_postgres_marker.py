"""Every test that runs on PostgreSQL carries the `postgres` marker (tests/conftest.py)."""
import pytest

from .conftest import BOTH_DATABASES


@BOTH_DATABASES
def test_the_marker_follows_the_database(request, db_backend):
    marked = request.node.get_closest_marker("postgres") is not None
    assert marked == (db_backend == "postgresql")


@pytest.mark.parametrize("db_backend", ["postgresql"], indirect=True)
def test_a_postgresql_only_test_is_marked(request, db_backend):
    assert request.node.get_closest_marker("postgres") is not None


def test_a_test_asking_for_the_server_is_marked(request, postgres_server):
    assert request.node.get_closest_marker("postgres") is not None


def test_an_sqlite_test_is_not_marked(request, app):
    assert request.node.get_closest_marker("postgres") is None


def test_deselecting_postgres_leaves_no_postgresql_test(pytestconfig):
    """The fast loop's -m "not postgres" deselects every PostgreSQL test of the suite."""
    session = pytestconfig.pluginmanager.get_plugin("session")
    for item in session.items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("db_backend") == "postgresql":
            assert item.get_closest_marker("postgres") is not None, item.nodeid
