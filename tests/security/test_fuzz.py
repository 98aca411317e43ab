"""Fuzzing: generated values posted to every form, and given to every CLI command.

The forms are found by walking the app's url_map (every rule that takes POST),
so a new form is covered without touching this file; each page's field names
come from its own HTML. Values are wrong types, huge, empty, whitespace,
unicode, NUL, files and duplicate fields. Every answer must be below 500, and a
refused request (4xx) must not have changed the study's data (no partial
writes). Bounded: a few examples per form, no deadline, no example database.
"""
import io
import re

import click
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey import create_app
from survey.extensions import db
from survey.models import (
    Answer,
    Invitation,
    OutboundMessage,
    PaperEntry,
    PaperForm,
    Participant,
    Response,
    StaffUser,
)

from ..conftest import CSRF

EXAMPLES = 12
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
               suppress_health_check=list(HealthCheck))
#: The study's data: a refused request must leave every count as it was.
DATA_TABLES = (Participant, Invitation, Response, Answer, PaperForm, PaperEntry, StaffUser,
               OutboundMessage)
URL_VALUES = {"study_id": "P001", "code": "xq", "number": 1, "token": "not-a-token",
              "lang": "en", "action": "revoke", "user_id": 1, "form_id": 1, "response_id": 1}
FIELD_NAME = re.compile(r'<(?:input|textarea|select)\b[^>]*\bname="([^"]+)"')
NASTY = ["", " ", "\t\r\n", "\x00", "\x00abc", "٣", "１２", "1_0", "+7", "-1", "0", "10",
         "9" * 40, "1e309", "NaN", "x" * 20_000, "<script>alert(1)</script>", "' OR 1=1 --",
         "=cmd|' /C calc'!A0", "../../etc/passwd", "victim<attacker@evil.example>", "\ud7ff",
         "P001", "xq", "answered", "n", "m", "u", "17.11.2026", "2026-11-17", "31.02.2026"]
FILE = object()


def post_rules():
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "SURVEY_BASE_URL": "https://survey.example.dk"})
    return sorted((rule.rule, rule.endpoint) for rule in app.url_map.iter_rules()
                  if "POST" in rule.methods)


def a_value():
    return st.one_of(st.sampled_from(NASTY), st.text(max_size=40), st.integers().map(str),
                     st.just(FILE))


def form_values(fields):
    """{field: None (left out) | a value | [values] (the field sent twice)}."""
    one = st.one_of(st.none(), a_value(), st.lists(a_value(), min_size=2, max_size=3))
    return st.fixed_dictionaries({name: one for name in fields})


def as_request_data(values, token):
    data, files = {"csrf_token": token}, False
    for name, value in values.items():
        if value is None:
            continue
        items = value if isinstance(value, list) else [value]
        converted = []
        for item in items:
            if item is FILE:
                files = True
                converted.append((io.BytesIO(b"3\x00\xff"), "x.txt"))
            else:
                converted.append(item)
        data[name] = converted if len(converted) > 1 else converted[0]
    return data, files


def counts():
    return {model.__tablename__: db.session.query(model).count() for model in DATA_TABLES}


@pytest.fixture
def study(app, make_participant, make_invitation, participant_browser, staff_login):
    """P001 with an open link, P002 who has answered on the web; an admin logged in."""
    make_invitation(study_id=make_participant("P001", email="karen@example.dk"))
    participant_browser.open(make_invitation(study_id=make_participant("P002")))
    participant_browser.answer_all({"xq": [3] * 8, "vas": [50] * 8})
    assert participant_browser.submit().status_code == 302
    return staff_login


def url_for_rule(rule):
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(URL_VALUES[m.group(1)]), rule)


def fields_of(client, url):
    page = client.get(url)
    names = FIELD_NAME.findall(page.get_data(as_text=True)) if page.status_code == 200 else []
    return sorted(set(names) - {"csrf_token"}) or ["value", "reason", "email", "code"], page


def session_for(rule, app, study, make_participant, make_invitation):
    """A client in the right session for the rule: a participant's, a logged-in admin's, or none."""
    client = app.test_client()
    if rule.startswith("/q/"):
        response = client.get(make_invitation(study_id=make_participant("P003")))
        client.get(client.get(response.location).location)
    elif rule.startswith("/staff/") and not rule.startswith("/staff/login"):
        study.client = client
        study.as_role("admin")
    return client


@pytest.mark.parametrize("rule, endpoint", post_rules())
def test_no_generated_form_makes_a_server_error_or_a_partial_write(
        app, study, make_participant, make_invitation, rule, endpoint):
    url = url_for_rule(rule)
    client = session_for(rule, app, study, make_participant, make_invitation)
    fields, page = fields_of(client, url)
    token_match = CSRF.search(page.get_data(as_text=True))
    token = token_match.group(1) if token_match else CSRF.search(
        app.test_client().get("/start").get_data(as_text=True)).group(1)

    @FUZZ
    @given(values=form_values(fields))
    def post_generated(values):
        data, files = as_request_data(values, token)
        with app.app_context():
            before = counts()
        response = client.post(url, data=data,
                               content_type="multipart/form-data" if files else None)
        assert response.status_code < 500, (url, data)
        if 400 <= response.status_code < 500:
            with app.app_context():
                assert counts() == before, (url, response.status_code)

    post_generated()


def cli_commands():
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "SURVEY_BASE_URL": "https://survey.example.dk"})
    found = []

    def walk(command, path):
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                walk(sub, path + [name])
        else:
            found.append(path)

    for name, command in app.cli.commands.items():
        if name not in ("db", "routes", "shell", "run"):  # Flask's and Flask-Migrate's own
            walk(command, [name])
    return sorted(found)


def command_args(command):
    """Strategy: generated values for the command's arguments and some of its options.

    Without NUL: a real command line cannot hold one (argv is C strings)."""
    value = (st.sampled_from(NASTY[:20]) | st.text(max_size=20)).filter(lambda v: "\x00" not in v)
    parts = []
    for param in command.params:
        if isinstance(param, click.Argument):
            parts.append(st.lists(value, min_size=1, max_size=2 if param.nargs != 1 else 1))
        elif isinstance(param, click.Option) and param.opts[0].startswith("--"):
            if param.is_flag:
                parts.append(st.one_of(st.just([]), st.just([param.opts[0]])))
            else:
                parts.append(st.one_of(st.just([]), value.map(lambda v, o=param.opts[0]: [o, v])))
    return st.tuples(*parts).map(lambda lists: [a for chunk in lists for a in chunk])


@pytest.mark.parametrize("path", cli_commands(), ids=" ".join)
def test_no_generated_command_line_makes_a_traceback(
        app, runner, study, path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a generated file name is written here, not in the project
    command = app.cli
    for name in path:
        command = command.commands[name]

    @settings(FUZZ, max_examples=8)
    @given(args=command_args(command), stdin=st.sampled_from(["", "\x00\n", "y\n", "x" * 500]))
    def run_generated(args, stdin):
        with app.app_context():
            before = counts()
        result = runner.invoke(args=path + args, input=stdin)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        assert result.exit_code in (0, 1, 2), (path + args, result.output)
        if result.exit_code != 0:
            with app.app_context():
                assert counts() == before, (path + args, result.output)

    run_generated()
