import pytest

from survey import create_app
from survey.config import ConfigurationError


def test_production_refuses_to_start_without_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.delenv("SURVEY_SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(ConfigurationError, match="SURVEY_SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite'}"})


@pytest.mark.parametrize("setting", ["WTF_CSRF_ENABLED", "WTF_CSRF_CHECK_DEFAULT"])
def test_the_csrf_check_cannot_be_switched_off(setting, tmp_path):
    with pytest.raises(ConfigurationError, match=setting):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite'}",
                    "TESTING": True, setting: False})


def test_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SURVEY_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("SURVEY_AUDIT_KEY", "audit-key-" + "a" * 40)
    monkeypatch.setenv("SURVEY_DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite'}")
    monkeypatch.setenv("SURVEY_BASE_URL", "https://xq.example.dk/")
    monkeypatch.setenv("SURVEY_INVITATION_DAYS", "30")
    monkeypatch.setenv("SURVEY_CONTACT_DA", "Ring til Hanne på 12 34 56 78")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("env.sqlite")
    assert app.config["SURVEY_BASE_URL"] == "https://xq.example.dk"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SURVEY_INVITATION_DAYS"] == 30
    assert app.config["SURVEY_CONTACT"]["da"] == "Ring til Hanne på 12 34 56 78"


def test_a_bad_number_setting_names_the_variable(monkeypatch):
    monkeypatch.setenv("SURVEY_SECRET_KEY", "x")
    monkeypatch.setenv("SURVEY_AUDIT_KEY", "audit-key-" + "a" * 40)
    monkeypatch.setenv("SURVEY_INVITATION_DAYS", "sixty")
    with pytest.raises(ConfigurationError, match="SURVEY_INVITATION_DAYS"):
        create_app()


def test_default_database_is_sqlite_in_the_instance_folder(monkeypatch):
    monkeypatch.setenv("SURVEY_SECRET_KEY", "x")
    monkeypatch.setenv("SURVEY_AUDIT_KEY", "audit-key-" + "a" * 40)
    monkeypatch.delenv("SURVEY_DATABASE_URL", raising=False)
    app = create_app()
    expected = "sqlite:///" + app.instance_path + "/survey.sqlite"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == expected
