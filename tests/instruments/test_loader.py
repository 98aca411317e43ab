"""Instrument definitions are checked at start-up, and a site can bring its own wording."""
import dataclasses

import pytest

from survey import create_app
from survey.database import dispose_engines
from survey.extensions import db
from survey.instruments.loader import (
    BUILT_IN_DIR,
    InstrumentDefinitionError,
    InstrumentRegistry,
    load_instrument_file,
    load_registry,
)
from survey.invitations.services import create_invitation
from survey.participants.services import add_participant
from survey.responses.models import Response

from ..conftest import BASE_URL, ParticipantBrowser

XQ1_DA = "Hvor svært er det for dig at tale på grund af mundtørhed?"
XQ1_EN = "How difficult is it for you to talk because your mouth is dry?"
SITE_XQ1_DA = "Hvor besværligt er det at tale, fordi munden er tør? (klinikkens ordlyd)"


def copy_definition(folder, name, replacements=(), target=None):
    """Copy a built-in definition into `folder`, applying (old, new) text replacements once."""
    text = (BUILT_IN_DIR / name).read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, f"{old!r} not in {name}: the test no longer breaks anything"
        text = text.replace(old, new, 1)
    path = folder / (target or name)
    path.write_text(text, encoding="utf-8")
    return path


# (built-in file, replacements that break it, what the message must say)
BROKEN = {
    "missing-danish-text": (
        "xq-1.0.toml", [(f'text = {{ da = "{XQ1_DA}", en =', "text = { en =")],
        "item 'xq1': 'text' has no 'da' text"),
    "empty-danish-text": (
        "xq-1.0.toml", [(f'da = "{XQ1_DA}"', 'da = "  "')],
        "item 'xq1': 'text' has no 'da' text"),
    "missing-english-text": (
        "xq-1.0.toml", [(f', en = "{XQ1_EN}" }}', " }")],
        "item 'xq1': 'text' has no 'en' text"),
    "missing-english-anchor": (
        "vas-1.0.toml", [('max_anchor = { da = "Meget spyt", en = "A lot of saliva" }',
                          'max_anchor = { da = "Meget spyt" }')],
        "scale 'saliva': 'max_anchor' has no 'en' text"),
    "missing-danish-title": (
        "xq-1.0.toml", [('title = { da = "Spørgeskema om mundtørhed", en =',
                         "title = { en =")],
        "'title' has no 'da' text"),
    "text-not-per-language": (
        "xq-1.0.toml", [(f'text = {{ da = "{XQ1_DA}", en = "{XQ1_EN}" }}', f'text = "{XQ1_EN}"')],
        "item 'xq1': 'text' must give each language"),
    "extra-unknown-language": (
        "xq-1.0.toml", [('title = { da = "Spørgeskema',
                         'title = { de = "Fragebogen", da = "Spørgeskema')],
        "'title' has unknown languages ['de']"),
    "extra-language-in-item": (
        "vas-1.0.toml", [('en = "How much saliva do you have in your mouth?" }',
                          'en = "How much saliva do you have in your mouth?", '
                          'sv = "Hur mycket saliv?" }')],
        "item 'vas3': 'text' has unknown languages ['sv']"),
    "duplicate-item-id": (
        "xq-1.0.toml", [('id = "xq2"', 'id = "xq1"')],
        "duplicate item id 'xq1'"),
    "item-without-id": (
        "xq-1.0.toml", [('id = "xq2"\n', "")],
        "item 2: missing 'id'"),
    "unknown-scale-kind": (
        "xq-1.0.toml", [('kind = "rating"', 'kind = "slider"')],
        "scale 'difficulty': unknown kind 'slider'"),
    "item-on-unknown-scale": (
        "vas-1.0.toml", [('scale = "thirst"', 'scale = "thirsty"')],
        "item 'vas8': unknown scale 'thirsty'"),
    "scale-min-not-a-number": (
        "xq-1.0.toml", [("min = 0", 'min = "0"')],
        "min and max must be whole numbers"),
    "scale-min-above-max": (
        "vas-1.0.toml", [("max = 100", "max = 0")],
        "min and max must be whole numbers, min < max"),
    "unknown-scoring-method": (
        "xq-1.0.toml", [('method = "scaled_mean"', 'method = "sum"')],
        "score 'total': unknown method 'sum'"),
    "score-names-missing-item": (
        "xq-1.0.toml", [('items = ["xq2", "xq3", "xq5", "xq7"]',
                         'items = ["xq2", "xq3", "xq5", "xq9"]')],
        "score 'eating': items ['xq9'] are not in the instrument"),
    "score-without-items": (
        "vas-1.0.toml", [('items = ["vas1"]', "items = []")],
        "score 'item1_aligned': items () are not in the instrument"),
    "duplicate-score-id": (
        "xq-1.0.toml", [('id = "eating"', 'id = "total"')],
        "duplicate score id 'total'"),
    "missing-version": (
        "xq-1.0.toml", [('version = "1.0"\n', "")],
        "missing 'version'"),
    "recall-without-english": (
        "xq-1.0.toml", [('instructions = {', 'recall = { da = "Tænk på den seneste uge." }\n'
                                            'instructions = {')],
        "'recall' has no 'en' text"),
    "recall-not-per-language": (
        "vas-1.0.toml", [('instructions = {', 'recall = "the past week"\ninstructions = {')],
        "'recall' must give each language"),
    "invalid-toml": (
        "xq-1.0.toml", [("[[items]]", "[[items]")],
        "not valid TOML"),
    "unclosed-string": (
        "vas-1.0.toml", [('code = "vas"', 'code = "vas')],
        "not valid TOML"),
}


@pytest.fixture(params=sorted(BROKEN))
def broken_definition(request, tmp_path):
    """(path of a broken copy of a built-in definition, expected message fragment)."""
    name, replacements, message = BROKEN[request.param]
    folder = tmp_path / "site-instruments"
    folder.mkdir()
    return copy_definition(folder, name, replacements, target=f"broken-{name}"), message


def app_config(tmp_path, **settings):
    return {"TESTING": True, "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'loader.sqlite'}",
            "SURVEY_BASE_URL": BASE_URL,
            # Two apps on one database sign one audit chain: one key, one anchor file.
            "SURVEY_AUDIT_KEY": "loader-audit-key-" + "k" * 32,
            "SURVEY_AUDIT_ANCHOR_FILE": str(tmp_path / "audit_anchor"), **settings}


def test_built_in_definitions_load():
    for path in sorted(BUILT_IN_DIR.glob("*.toml")):
        assert load_instrument_file(path).key == path.stem
    registry = load_registry()
    assert set(registry.codes) == {"xq", "vas"}


RECALL = {"da": "Tænk på den seneste uge.", "en": "Think about the past week."}


def test_recall_period_is_optional_and_read_per_language(tmp_path):
    assert all(load_instrument_file(path).recall is None
               for path in sorted(BUILT_IN_DIR.glob("*.toml")))
    path = copy_definition(tmp_path, "xq-1.0.toml", [(
        'instructions = {',
        f'recall = {{ da = "{RECALL["da"]}", en = "{RECALL["en"]}" }}\ninstructions = {{')])
    assert load_instrument_file(path).recall == RECALL


def test_broken_file_is_refused_naming_file_and_problem(broken_definition):
    path, message = broken_definition
    with pytest.raises(InstrumentDefinitionError) as error:
        load_instrument_file(path)
    assert str(path) in str(error.value)
    assert message in str(error.value)


def test_broken_file_in_site_folder_stops_the_registry(broken_definition):
    path, message = broken_definition
    with pytest.raises(InstrumentDefinitionError) as error:
        load_registry(path.parent)
    assert str(path) in str(error.value) and message in str(error.value)


def test_app_refuses_to_start_with_a_broken_definition(broken_definition, tmp_path):
    path, message = broken_definition
    with pytest.raises(InstrumentDefinitionError) as error:
        create_app(app_config(tmp_path, SURVEY_INSTRUMENTS_DIR=str(path.parent)))
    assert str(path) in str(error.value) and message in str(error.value)


@pytest.mark.parametrize("settings, message", [
    pytest.param({"SURVEY_INSTRUMENTS_DIR": "/nonexistent/site-instruments"},
                 "instrument folder /nonexistent/site-instruments does not exist",
                 id="missing-folder"),
    pytest.param({"SURVEY_INSTRUMENT_VERSIONS": "xq=9.9"}, "no instrument 'xq' version '9.9'",
                 id="pinned-unknown-version"),
    pytest.param({"SURVEY_INSTRUMENT_VERSIONS": "eortc=1.0"},
                 "no instrument 'eortc' version '1.0'", id="pinned-unknown-code"),
    pytest.param({"SURVEY_INSTRUMENT_VERSIONS": "xq"}, "expected CODE=VERSION, got 'xq'",
                 id="pin-without-version"),
    pytest.param({"SURVEY_INSTRUMENT_VERSIONS": "xq="}, "expected CODE=VERSION, got 'xq='",
                 id="pin-empty-version"),
    pytest.param({"SURVEY_INSTRUMENTS": ("xq", "eortc")}, "no instrument with code 'eortc'",
                 id="study-asks-unknown-instrument"),
])
def test_app_refuses_to_start_with_bad_instrument_settings(tmp_path, settings, message):
    with pytest.raises(InstrumentDefinitionError, match=message):
        create_app(app_config(tmp_path, **settings))


def test_same_version_defined_twice_is_refused(tmp_path):
    copy_definition(tmp_path, "xq-1.0.toml")
    with pytest.raises(InstrumentDefinitionError, match="instrument xq-1.0 is defined twice"):
        load_registry(tmp_path)


# --- a site's own wording -----------------------------------------------------------------


@pytest.fixture
def site_dir(tmp_path):
    """A folder with XQ version 1.0-site: the same items, the site's Danish wording."""
    folder = tmp_path / "site-instruments"
    folder.mkdir()
    copy_definition(folder, "xq-1.0.toml", [('version = "1.0"', 'version = "1.0-site"'),
                                            (f'da = "{XQ1_DA}"', f'da = "{SITE_XQ1_DA}"')],
                    target="xq-1.0-site.toml")
    return folder


def test_site_version_loads_beside_the_built_in_one(site_dir):
    registry = load_registry(site_dir)
    site, built_in = registry.get("xq", "1.0-site"), registry.get("xq", "1.0")
    assert site.item("xq1").text == {"da": SITE_XQ1_DA, "en": XQ1_EN}
    assert built_in.item("xq1").text == {"da": XQ1_DA, "en": XQ1_EN}
    assert [i.id for i in site.items] == [i.id for i in built_in.items]
    assert site.scores == built_in.scores


@pytest.mark.parametrize("pinned, xq_version", [
    pytest.param("", "1.0-site", id="unpinned-named-version-sorts-newest"),
    pytest.param("xq=1.0", "1.0", id="pinned-built-in"),
    pytest.param("xq=1.0-site", "1.0-site", id="pinned-site"),
    pytest.param(" xq = 1.0 , vas=1.0 ", "1.0", id="pinned-with-spaces"),
])
def test_current_version_is_newest_unless_pinned(site_dir, pinned, xq_version):
    registry = load_registry(site_dir, pinned)
    assert registry.current("xq").version == xq_version
    assert registry.current("vas").version == "1.0"


def test_without_site_folder_the_built_in_version_is_current():
    assert load_registry().current("xq").version == "1.0"


@pytest.mark.parametrize("versions, newest", [
    (["1.0", "1.0-site"], "1.0-site"),   # a named part sorts after the plain number
    (["1.0-site", "1.1"], "1.1"),        # ... but a higher number still wins
    (["1.9", "1.10"], "1.10"),           # numbers compare as numbers, not text
    (["2.0", "10.0", "9.5"], "10.0"),
    (["1.0", "1.0.1"], "1.0.1"),
    (["1.0-a", "1.0-b"], "1.0-b"),
])
def test_newest_version_order(versions, newest):
    xq = load_registry().current("xq")
    registry = InstrumentRegistry([dataclasses.replace(xq, version=v) for v in versions])
    assert registry.current("xq").version == newest
    reordered = InstrumentRegistry([dataclasses.replace(xq, version=v)
                                    for v in reversed(versions)])
    assert reordered.current("xq").version == newest


def test_current_of_unknown_code_raises():
    with pytest.raises(InstrumentDefinitionError, match="no instrument with code 'eortc'"):
        load_registry().current("eortc")


@pytest.fixture
def site_app(tmp_path, site_dir):
    """Factory: an app on one shared database with the site folder and `pinned` versions."""
    apps = []

    def make(pinned=""):
        app = create_app(app_config(tmp_path, SURVEY_INSTRUMENTS_DIR=str(site_dir),
                                    SURVEY_INSTRUMENT_VERSIONS=pinned))
        with app.app_context():
            db.create_all()
        apps.append(app)
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.session.remove()
            dispose_engines(db)


def new_link(app, study_id):
    with app.app_context():
        _, link = create_invitation(add_participant(study_id, "da"))
        db.session.commit()
    return link.removeprefix(BASE_URL)


def response_versions(app):
    with app.app_context():
        return {(r.participant.study_id, r.instrument_code): (r.instrument_version, r.status)
                for r in db.session.execute(db.select(Response)).scalars()}


@pytest.mark.parametrize("pinned, version, wording", [
    ("", "1.0-site", SITE_XQ1_DA),
    ("xq=1.0", "1.0", XQ1_DA),
])
def test_app_asks_the_current_version_and_records_it(site_app, pinned, version, wording):
    app = site_app(pinned)
    browser = ParticipantBrowser(app.test_client())
    browser.open(new_link(app, "P001"))
    assert wording in browser.client.get("/q/xq/1").get_data(as_text=True)
    browser.answer("xq", 1, 4)
    assert response_versions(app) == {("P001", "xq"): (version, "in_progress")}


def test_response_keeps_its_version_when_the_site_changes_the_current_one(site_app):
    """A response started on the site wording is finished and scored on it after a re-pin."""
    before = site_app()
    link = new_link(before, "P001")
    browser = ParticipantBrowser(before.test_client())
    browser.open(link)
    browser.answer("xq", 1, 3)

    after = site_app(pinned="xq=1.0")  # same database, new setting
    browser = ParticipantBrowser(after.test_client())
    browser.open(link)
    page = browser.client.get("/q/xq/1").get_data(as_text=True)
    assert SITE_XQ1_DA in page and XQ1_DA not in page
    assert 'value="3" checked' in page
    browser.answer_all({"xq": [3, 5, 0, 10, 7, 8, 2, 4], "vas": [50] * 8})
    assert browser.submit().status_code == 302

    browser = ParticipantBrowser(after.test_client())
    browser.open(new_link(after, "P002"))
    assert XQ1_DA in browser.client.get("/q/xq/1").get_data(as_text=True)
    browser.answer("xq", 1, 1)

    assert response_versions(after) == {
        ("P001", "xq"): ("1.0-site", "submitted"),
        ("P001", "vas"): ("1.0", "submitted"),
        ("P002", "xq"): ("1.0", "in_progress"),
    }
    with after.app_context():
        response = db.session.execute(db.select(Response).where(
            Response.instrument_code == "xq", Response.status == "submitted")).scalar_one()
        assert {s.score_id: s.value for s in response.scores}["total"] == pytest.approx(48.75)
