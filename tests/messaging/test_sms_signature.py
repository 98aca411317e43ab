"""SURVEY_SMS_SIGNATURE_DA/EN: who sends the SMS, refused when an SMS would not fit."""
import pytest

from survey import create_app
from survey.config import ConfigurationError, sms_signature_limit

BASE_URL = "https://survey.example.dk"


@pytest.fixture
def environment(monkeypatch):
    monkeypatch.setenv("SURVEY_SECRET_KEY", "x")
    monkeypatch.setenv("SURVEY_AUDIT_KEY", "audit-key-" + "a" * 40)
    monkeypatch.setenv("SURVEY_BASE_URL", BASE_URL)
    monkeypatch.setenv("SURVEY_SMS_URL", "https://sms.example.dk/send")  # SMS really go out
    for lang in ("DA", "EN"):
        monkeypatch.delenv(f"SURVEY_SMS_SIGNATURE_{lang}", raising=False)
    return monkeypatch


def test_the_limit_with_the_example_host_is_18_characters():
    """160 - 64 (the longest text) - 78 (the link with https://survey.example.dk) = 18."""
    assert sms_signature_limit(BASE_URL) == 18
    assert sms_signature_limit("http://127.0.0.1:5000") == 22


def test_the_default_names_the_hospital_in_both_languages(environment):
    app = create_app()
    assert app.config["SURVEY_SMS_SIGNATURE"] == {"da": "Rigshospitalet", "en": "Rigshospitalet"}


def test_a_signature_of_exactly_the_limit_is_accepted(environment):
    environment.setenv("SURVEY_SMS_SIGNATURE_DA", "Øre-næse-hals, Rh.")  # 18 characters
    environment.setenv("SURVEY_SMS_SIGNATURE_EN", "ENT Dept. [Rh]")  # [ and ] count two
    app = create_app()
    assert app.config["SURVEY_SMS_SIGNATURE"]["da"] == "Øre-næse-hals, Rh."


@pytest.mark.parametrize("lang", ["DA", "EN"])
def test_one_character_too_many_stops_the_app_with_the_limit_named(environment, lang):
    environment.setenv(f"SURVEY_SMS_SIGNATURE_{lang}", "Øre-næse-hals, Rh.x")
    with pytest.raises(ConfigurationError) as raised:
        create_app()
    message = str(raised.value)
    assert message.startswith(f"SURVEY_SMS_SIGNATURE_{lang} has 19 characters")
    assert "at most 18 fit" in message and "SURVEY_BASE_URL" in message


def test_a_longer_base_url_leaves_less_room(environment):
    environment.setenv("SURVEY_BASE_URL", "https://spoergeskema.rigshospitalet.dk")
    with pytest.raises(ConfigurationError, match="at most 5 fit"):
        create_app()


def test_without_an_sms_gateway_the_length_is_not_held_against_a_long_base_url(environment):
    environment.delenv("SURVEY_SMS_URL")
    environment.setenv("SURVEY_BASE_URL", "https://spoergeskema.rigshospitalet.dk")
    assert create_app().config["SURVEY_SMS_SIGNATURE"]["da"] == "Rigshospitalet"
    environment.setenv("SURVEY_SMS_BACKEND", "http")  # the gateway chosen without its URL
    with pytest.raises(ConfigurationError, match="at most 5 fit"):
        create_app()


@pytest.mark.parametrize("signature", ["Rigshospitalet – ØNH", "Rigs\u00adhospitalet",
                                       "Rigshospitalet\nØNH", "Hôpital"])
def test_a_character_outside_gsm7_stops_the_app(environment, signature):
    environment.setenv("SURVEY_SMS_SIGNATURE_DA", signature)
    with pytest.raises(ConfigurationError, match="SURVEY_SMS_SIGNATURE_DA may only use"):
        create_app()
