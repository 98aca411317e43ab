"""Small rules written once (issue 12): the languages and the other stored codes, the scoring
methods, the versioned static-file URL and the participant lookup that answers 404 each have
one home."""
import ast
import hashlib
from pathlib import Path

import pytest
from werkzeug.exceptions import NotFound

from survey import codes, i18n, settings_check
from survey.assets import asset_url
from survey.instruments import loader, scoring
from survey.participants import models, services

SURVEY = Path(__file__).resolve().parent.parent / "survey"


def assignments(name):
    """The modules (relative paths) that assign `name` at their top level."""
    found = []
    for path in sorted(SURVEY.rglob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            targets = node.targets if isinstance(node, ast.Assign) else \
                [node.target] if isinstance(node, ast.AnnAssign) else []
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                found.append(str(path.relative_to(SURVEY)))
    return found


def definitions(name):
    """The modules that define a function called `name`."""
    return [str(path.relative_to(SURVEY)) for path in sorted(SURVEY.rglob("*.py"))
            if any(isinstance(node, ast.FunctionDef) and node.name == name
                   for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))))]


@pytest.mark.parametrize("name, home", [
    ("LANGUAGES", ["codes.py"]),
    ("STATUSES", ["codes.py"]),
    ("CHANNELS", ["codes.py"]),
    ("PURPOSES", ["codes.py"]),
    ("STATES", ["codes.py"]),
    ("ANSWER_STATES", ["codes.py"]),
    ("DUPLICATE_STATES", ["codes.py"]),
    ("SCORE_METHODS", ["instruments/scoring.py"]),
])
def test_each_constant_is_assigned_in_one_module(name, home):
    assert assignments(name) == home


def test_every_module_reads_the_one_list_of_languages():
    for module in (i18n, settings_check, services, loader):
        assert module.LANGUAGES is codes.LANGUAGES


def test_the_loader_checks_methods_against_the_scoring_functions():
    assert loader.SCORE_METHODS is scoring.SCORE_METHODS


@pytest.mark.parametrize("name, home", [
    ("_file_hash", ["assets.py"]),
    ("participant_or_404", ["participants/models.py"]),
    ("find_participant", ["participants/models.py"]),
])
def test_each_helper_is_defined_once(name, home):
    assert definitions(name) == home


def test_no_module_builds_its_own_versioned_static_url():
    for path in SURVEY.rglob("*.py"):
        if path.name != "assets.py":
            assert ".static\", filename" not in path.read_text(encoding="utf-8"), path


@pytest.mark.parametrize("blueprint, filename, url", [
    (None, "survey.css", "/static/survey.css"),
    ("messaging", "letter.css", "/messaging-static/letter.css"),
    ("dashboard", "dashboard.css", "/staff/dashboard/static/dashboard.css"),
])
def test_a_static_url_carries_the_hash_of_the_file(app, blueprint, filename, url):
    folder = app.blueprints[blueprint].static_folder if blueprint else app.static_folder
    digest = hashlib.sha256((Path(folder) / filename).read_bytes()).hexdigest()[:10]
    with app.test_request_context():
        assert asset_url(filename, blueprint) == f"{url}?v={digest}"


def test_the_participant_lookup_ignores_case_and_answers_404_for_no_one(app, make_participant):
    make_participant(study_id="P100")
    with app.test_request_context():
        assert models.participant_or_404("p100 ").study_id == "P100"
        with pytest.raises(NotFound):
            models.participant_or_404("P101")
