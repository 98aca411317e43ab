"""Settings with a shape are checked when the app starts: a wrong one names itself."""
import logging

import pytest

from survey import create_app
from survey.config import ConfigurationError

from .conftest import app_settings


def make_app(tmp_path, **settings):
    database_url = f"sqlite:///{tmp_path / 'settings.sqlite'}"
    return create_app({**app_settings(database_url, tmp_path), **settings})


BAD_SETTINGS = [
    ("SURVEY_REMINDER_DAYS", "7,x", "whole days"),
    ("SURVEY_REMINDER_DAYS", "14,7", "increasing"),
    ("SURVEY_REMINDER_DAYS", "0,7", "positive"),
    ("SURVEY_REMINDER_MAX", "two", "whole number"),
    ("SURVEY_SENDING_HOURS", "18-9", "like '9-18'"),
    ("SURVEY_SENDING_HOURS", "9-25", "like '9-18'"),
    ("SURVEY_SENDING_HOURS", "nine", "like '9-18'"),
    ("SURVEY_PAPER_VERIFICATION", "single", "double_entry, visual"),
    ("SURVEY_MIN_ANSWERED_FRACTION", 0, "above 0"),
    ("SURVEY_MIN_ANSWERED_FRACTION", 1.5, "at most 1"),
    ("SURVEY_MIN_ANSWERED_FRACTION", "half", "number"),
    ("SURVEY_TIMEZONE", "Europe/Copenhagn", "time zone"),
    ("SURVEY_TIMEZONE", "../etc/passwd", "time zone"),
    ("SURVEY_INSTRUMENTS", ("xq", "xq"), "once each"),
    ("SURVEY_INVITATION_DAYS", 0, "at least 1"),
    ("SURVEY_STAFF_IDLE_MINUTES", -5, "at least 1"),
    ("SURVEY_PROXY_HOPS", -1, "at least 0"),
    ("SURVEY_REMINDERS_PER_RUN", "many", "whole number"),
    ("SURVEY_SMTP_PORT", 70000, "1 to 65535"),
    ("SURVEY_BASE_URL", "survey.example.dk", "https://"),
    ("SURVEY_BASE_URL", "https://survey.example.dk/?x=1", "without ? or #"),
    ("SURVEY_MAIL_FROM", "Study <study@example.dk>", "plain e-mail"),
    ("SURVEY_SMS_FROM", "Rigshospitalet ONH", "11 letters"),
    ("SURVEY_2FA_OPTIONAL_FOR_DATA_ENTRY", "maybe", "1 or 0"),
]


@pytest.mark.parametrize("name, value, words", BAD_SETTINGS)
def test_a_bad_setting_stops_the_app_and_is_named(tmp_path, name, value, words):
    with pytest.raises(ConfigurationError) as refused:
        make_app(tmp_path, **{name: value})
    assert name in str(refused.value)
    assert words in str(refused.value)


def test_every_wrong_setting_is_listed_at_once(tmp_path):
    with pytest.raises(ConfigurationError) as refused:
        make_app(tmp_path, SURVEY_SENDING_HOURS="8", SURVEY_PAPER_VERIFICATION="x")
    assert "SURVEY_SENDING_HOURS" in str(refused.value)
    assert "SURVEY_PAPER_VERIFICATION" in str(refused.value)


@pytest.mark.parametrize("name, value", [
    ("SURVEY_REMINDER_DAYS", "7,x"), ("SURVEY_SENDING_HOURS", "18-9"),
    ("SURVEY_PAPER_VERIFICATION", "single"), ("SURVEY_MIN_ANSWERED_FRACTION", "2"),
    ("SURVEY_TIMEZONE", "Mars/Olympus"), ("SURVEY_SMTP_PORT", "0"),
    ("SURVEY_PRIVACY_URL_DA", "privatliv.html"), ("SURVEY_2FA_OPTIONAL_FOR_DATA_ENTRY", "ja"),
    ("SURVEY_STUDY_NAME_EN", " "),
])
def test_a_bad_setting_in_the_environment_stops_the_app(monkeypatch, name, value):
    monkeypatch.setenv("SURVEY_SECRET_KEY", "x")
    monkeypatch.setenv("SURVEY_AUDIT_KEY", "audit-key-" + "a" * 40)
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=name):
        create_app()


def test_smtp_needs_a_host_and_an_sms_gateway_its_address(tmp_path):
    with pytest.raises(ConfigurationError, match="SURVEY_SMTP_HOST must be set"):
        make_app(tmp_path, SURVEY_MAIL_BACKEND="smtp", SURVEY_SMTP_HOST=None)
    with pytest.raises(ConfigurationError, match="SURVEY_SMS_URL must be"):
        make_app(tmp_path, SURVEY_SMS_BACKEND="http", SURVEY_SMS_URL="gateway")


def test_a_privacy_notice_in_one_language_only_is_refused(tmp_path):
    with pytest.raises(ConfigurationError, match="SURVEY_PRIVACY_URL_EN is not set"):
        make_app(tmp_path, SURVEY_PRIVACY_URL={"da": "https://example.dk/privatliv",
                                               "en": None})


def test_the_test_and_demo_settings_start(tmp_path, monkeypatch):
    assert make_app(tmp_path).config["SURVEY_REMINDER_DAYS"] == "7,14"
    # scripts/demo: production mode, keys in .env, an http:// base URL, everything else default
    monkeypatch.setenv("SURVEY_SECRET_KEY", "x" * 48)
    monkeypatch.setenv("SURVEY_AUDIT_KEY", "audit-key-" + "a" * 40)
    monkeypatch.setenv("SURVEY_BASE_URL", "http://127.0.0.1:5000")
    assert create_app().config["SURVEY_PRIVACY_URL"] == {"da": None, "en": None}


def test_production_without_a_privacy_notice_starts_with_a_warning(monkeypatch, caplog):
    monkeypatch.setenv("SURVEY_SECRET_KEY", "x" * 48)
    monkeypatch.setenv("SURVEY_AUDIT_KEY", "audit-key-" + "a" * 40)
    with caplog.at_level(logging.WARNING):
        create_app()
    assert "SURVEY_PRIVACY_URL_DA and SURVEY_PRIVACY_URL_EN are not set" in caplog.text
    caplog.clear()
    monkeypatch.setenv("SURVEY_PRIVACY_URL_DA", "https://example.dk/privatliv")
    monkeypatch.setenv("SURVEY_PRIVACY_URL_EN", "https://example.dk/privacy")
    with caplog.at_level(logging.WARNING):
        create_app()
    assert "SURVEY_PRIVACY_URL" not in caplog.text


def test_relaxed_two_factor_is_warned_about_in_the_log(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        make_app(tmp_path, SURVEY_2FA_OPTIONAL_FOR_DATA_ENTRY=True)
    assert "SURVEY_2FA_OPTIONAL_FOR_DATA_ENTRY is on" in caplog.text
