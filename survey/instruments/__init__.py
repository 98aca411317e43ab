"""Questionnaire instruments defined as data: loading, scoring and form building."""
from flask import current_app

from .loader import InstrumentDefinitionError, load_registry

__all__ = ["InstrumentDefinitionError", "init_instruments", "instruments"]


def init_instruments(app):
    """Load and check every instrument definition; a bad one stops the app here."""
    registry = load_registry(
        app.config.get("SURVEY_INSTRUMENTS_DIR"), app.config.get("SURVEY_INSTRUMENT_VERSIONS", "")
    )
    for code in app.config["SURVEY_INSTRUMENTS"]:
        registry.current(code)  # the study's instruments must all be defined
    app.extensions["survey.instruments"] = registry


def instruments():
    """The running app's InstrumentRegistry."""
    return current_app.extensions["survey.instruments"]
