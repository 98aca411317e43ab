"""Without SURVEY_SECRET_KEY no mode signs with a key that is written in the source."""
import ast
import os
import pathlib
from types import SimpleNamespace

import pytest
from itsdangerous import BadSignature

import survey
from survey import create_app

SOURCE = pathlib.Path(survey.__file__).parent


def string_constants():
    """Every string literal in the package's source: where a hard-coded key would be."""
    found = set()
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value:
                found.add(node.value)
    return found


def forge_session(app, key, data):
    """A session cookie as someone who guessed `key` would sign it."""
    forger = app.session_interface.get_signing_serializer(
        SimpleNamespace(secret_key=key, config={"SECRET_KEY_FALLBACKS": None}))
    return forger.dumps(data)


@pytest.fixture
def no_key_in_environment(monkeypatch):
    monkeypatch.delenv("SURVEY_SECRET_KEY", raising=False)


def debug_app(tmp_path, key_file):
    return create_app({"DEBUG": True, "SURVEY_SECRET_KEY_FILE": str(key_file),
                       "SURVEY_AUDIT_KEY_FILE": str(tmp_path / "audit_key"),
                       "SURVEY_AUDIT_ANCHOR_FILE": str(tmp_path / "audit_anchor"),
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'debug.sqlite'}"})


@pytest.mark.parametrize("mode", ["DEBUG", "TESTING"])
def test_no_string_in_the_source_forges_a_session(no_key_in_environment, tmp_path, mode):
    app = create_app({mode: True, "SURVEY_SECRET_KEY_FILE": str(tmp_path / "secret_key"),
                      "SURVEY_AUDIT_KEY_FILE": str(tmp_path / "audit_key"),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite'}"})
    checker = app.session_interface.get_signing_serializer(app)
    candidates = string_constants()
    assert len(candidates) > 1000  # the whole package was read
    for candidate in candidates:
        with pytest.raises(BadSignature):
            checker.loads(forge_session(app, candidate, {"_user_id": "1:1"}))


def test_a_forged_admin_session_gets_nowhere(no_key_in_environment, tmp_path):
    from survey.extensions import db
    from survey.staff.services import create_staff_user
    from survey.timeutil import now_utc

    app = debug_app(tmp_path, tmp_path / "secret_key")
    with app.app_context():
        db.create_all()
        admin = create_staff_user("admin@example.dk", "admin", "a long and unusual passphrase")
        admin.totp_secret, admin.totp_confirmed_at = "JBSWY3DPEHPK3PXP", now_utc()
        db.session.commit()
        session_id = admin.get_id()
    client = app.test_client()
    for key in ("development-only-not-secret", "dev", "secret"):
        client.set_cookie("survey_session", forge_session(app, key, {
            "_user_id": session_id, "_fresh": True, "staff_last_seen": 9e9}))
        assert client.get("/staff/accounts/").status_code == 302, key


def test_debug_key_is_made_once_and_kept_across_restarts(no_key_in_environment, tmp_path):
    key_file = tmp_path / "instance" / "secret_key"
    key_file.parent.mkdir()
    first = debug_app(tmp_path, key_file).secret_key
    again = debug_app(tmp_path, key_file).secret_key
    assert first == again and len(first) >= 40
    assert key_file.read_text().strip() == first
    assert os.stat(key_file).st_mode & 0o077 == 0  # only the owner may read it
    key_file.unlink()
    assert debug_app(tmp_path, key_file).secret_key != first  # a fresh random one


def test_default_key_file_is_in_the_instance_folder(monkeypatch):
    monkeypatch.setenv("SURVEY_SECRET_KEY", "x")
    monkeypatch.setenv("SURVEY_AUDIT_KEY", "audit-key-" + "a" * 40)
    app = create_app()
    assert app.config["SURVEY_SECRET_KEY_FILE"] == os.path.join(app.instance_path, "secret_key")
