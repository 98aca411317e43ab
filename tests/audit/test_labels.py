"""Pages for people show the audit trail's and access records' codes as words, not codes."""
import ast
import csv
import io
import re
from datetime import date
from html import unescape
from pathlib import Path

import pytest

from survey.audit.models import AccessRecord
from survey.audit.services import record_access
from survey.extensions import db
from survey.instruments import instruments
from survey.labels import ACTION_NAMES, ENTITY_NAMES, FIELD_NAMES, PURPOSE_NAMES
from survey.paper.services import save_entry
from survey.participants.services import get_participant, set_participant_status
from survey.responses.corrections import correct_answer
from survey.responses.models import Response
from survey.staff.models import StaffUser
from survey.staff.services import create_staff_user

from ..conftest import STAFF_PASSWORD, ParticipantBrowser
from ..paper.conftest import reading as paper_reading

SURVEY = Path(__file__).resolve().parents[2] / "survey"
XQ = [3, 5, 0, 10, 7, 8, 2, 4]
#: Item and score ids look like these; a page for people names them in words.
RAW_FIELD = re.compile(r"\b(xq|vas)\d+\b|_|: (total|eating|mean)$", re.MULTILINE)


def module_strings(tree):
    """{NAME: "text"} for module-level string constants (also NAME, OTHER = "a", "b")."""
    names = {}
    for node in tree.body:
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            pairs = (zip(target.elts, node.value.elts, strict=False)
                     if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple)
                     else [(target, node.value)])
            for name, value in pairs:
                if isinstance(name, ast.Name) and isinstance(value, ast.Constant):
                    names[name.id] = value.value
    return names


def literal(node, names):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return names.get(node.id)
    return None


def codes_in_source():
    """Every action, entity, field and purpose written as a literal where records are made."""
    found = {"action": set(), "entity": set(), "field": set(), "purpose": set()}
    positions = {"record_change": {"action": 1, "entity": 2},
                 "_audit": {"action": 1, "field": 3},  # participants.services
                 "record_access": {"purpose": 2}, "record_access_to_many": {"purpose": 2},
                 "seen": {"purpose": 1}, "_seen": {}}
    for path in SURVEY.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = module_strings(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in positions):
                continue
            for kind, index in positions[node.func.id].items():
                if index < len(node.args):
                    found[kind].add(literal(node.args[index], names))
            for keyword in node.keywords:
                if keyword.arg in ("field", "purpose"):
                    found[keyword.arg].add(literal(keyword.value, names))
        for name, value in names.items():  # ACCESS_PURPOSE = "follow-up", PAPER_ENTRY = ...
            if "PURPOSE" in name or name in ("PAPER_ENTRY", "DUPLICATE_DECISION", "CORRECTION"):
                found["purpose"].add(value)
    return {kind: codes - {None} for kind, codes in found.items()}


def test_every_code_the_system_records_has_words():
    """A new action, entity, field or access purpose must get its words in survey/labels.py."""
    found = codes_in_source()
    assert len(found["action"]) > 10 and "paper entry" in found["purpose"]  # the scan works
    assert found["action"] - set(ACTION_NAMES) == set()
    assert found["entity"] - set(ENTITY_NAMES) == set()
    assert found["field"] - set(FIELD_NAMES) == set()
    assert found["purpose"] - set(PURPOSE_NAMES) == set()


def table_cells(html, column):
    """The text of one column (0-based) of the audit table."""
    table = html.split('<table class="audit">', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr id=\"record-\d+\">(.*?)</tr>", table, re.DOTALL)
    return [unescape(re.sub(r"<[^>]+>", "", re.findall(r"<td>(.*?)</td>", row, re.DOTALL)[column])
                     ).strip() for row in rows]


@pytest.fixture
def trail(app, make_participant, make_invitation, make_staff):
    """P001 answers on the web (changing one answer), sends the same XQ on paper, a
    coordinator corrects xq3 of the paper form (web answers are never corrected) and the
    participant is later recorded as withdrawn: creates, updates, a submit, scores,
    a correction and status changes."""
    email = make_staff("coordinator")
    make_participant("P001")
    browser = ParticipantBrowser(app.test_client())
    browser.open(make_invitation(study_id="P001"))
    browser.answer("xq", 1, 9)
    browser.answer_all({"xq": XQ})
    assert browser.submit().status_code == 302
    with app.app_context():
        coordinator = db.session.execute(
            db.select(StaffUser).where(StaffUser.email == email)).scalar_one()
        participant = get_participant("P001")
        keyers = [create_staff_user(f"keyer{n}@example.dk", "data_entry", STAFF_PASSWORD)
                  for n in (1, 2)]
        for keyer in keyers:
            entry = save_entry(participant, instruments().current("xq"), paper_reading("xq", XQ),
                               keyer)
        correct_answer(entry.form.response, "xq3", "unreadable", None, coordinator,
                       "Læst forkert")
        set_participant_status(participant, "withdrawn", date(2026, 11, 1), "Ønsker ikke mere",
                               f"staff:{coordinator.id}")
        db.session.commit()
        return email


@pytest.mark.parametrize("lang", ["da", "en"])
def test_audit_table_names_actions_and_fields_in_words(client, staff_login, trail, lang):
    staff_login.login(trail)
    client.get(f"/staff/language/{lang}")
    html = client.get("/staff/participants/P001").get_data(as_text=True)
    actions, whats = table_cells(html, 3), table_cells(html, 4)
    olds, news = table_cells(html, 5), table_cells(html, 6)
    assert len(actions) > 20
    assert not set(actions) & set(ACTION_NAMES)
    assert [w for w in whats if RAW_FIELD.search(w)] == []
    assert not {w.split()[0] for w in whats} & set(ENTITY_NAMES)
    values = set(olds) | set(news)
    assert not values & {"not_answered", "unreadable", "in_progress", "submitted", "active",
                         "withdrawn"}
    if lang == "da":
        assert {"Oprettet", "Ændret", "Indsendt", "Rettet", "Status ændret"} <= set(actions)
        assert any(re.match(r"Svar \d+: XQ spørgsmål 3\b", w) for w in whats)
        assert any(re.match(r"Score \d+: XQ Samlet score", w) for w in whats)
        assert {"Ulæseligt", "Udtrådt af forsøget", "Indsendt", "01.11.2026"} <= values
    else:
        assert {"Created", "Changed", "Submitted", "Corrected", "Status changed"} <= set(actions)
        assert any(re.match(r"Answer \d+: XQ question 3\b", w) for w in whats)
        assert {"Unreadable", "Withdrawn", "Submitted"} <= values


def test_the_export_keeps_the_codes_and_says_them_in_words(client, staff_login, trail):
    """The codes as hashed, to re-check the chain; then the same in words, for people."""
    staff_login.login(trail)
    client.get("/staff/language/da")
    exported = list(csv.DictReader(io.StringIO(client.get(
        "/staff/audit/export.csv?participant=P001&excel=1").data.decode("utf-8-sig")),
        delimiter=";"))
    correction = next(r for r in exported if r["action"] == "correct")
    assert (correction["entity"], correction["field"], correction["old_value"],
            correction["new_value"]) == ("answer", "xq3", "0", "unreadable")
    assert re.fullmatch(r"Svar \d+: XQ spørgsmål 3", correction["what_text"])
    assert (correction["action_text"], correction["old_value_text"],
            correction["new_value_text"]) == ("Rettet", "0", "Ulæseligt")
    assert not {r["action_text"] for r in exported} & set(ACTION_NAMES)


def test_response_trail_and_schedule_history_use_the_same_words(client, staff_login, trail):
    staff_login.login(trail)
    client.get("/staff/language/da")
    html = client.get("/staff/audit/responses/1").get_data(as_text=True)
    assert "Ændringslog for besvarelse 1" in html
    assert {"Oprettet", "Indsendt"} <= set(table_cells(html, 3))


def purposes(app):
    with app.app_context():
        return [r for (r,) in db.session.execute(
            db.select(AccessRecord.purpose).order_by(AccessRecord.id))]


def test_corrections_and_decisions_log_their_own_purpose(app, client, staff_login, trail):
    """Opening the correction screen of a paper response is not 'paper entry'."""
    staff_login.login(trail)
    with app.app_context():
        paper_id = db.session.execute(db.select(Response.id).where(
            Response.mode == "paper")).scalar_one()
    assert client.get(f"/staff/paper/responses/{paper_id}/correct").status_code == 200
    assert purposes(app)[-1] == "correction"


def test_access_report_names_every_purpose_in_words(app, client, staff_login, trail):
    with app.app_context():
        user = db.session.execute(db.select(StaffUser).where(
            StaffUser.email == trail)).scalar_one()
        participant = get_participant("P001")
        for purpose in PURPOSE_NAMES:
            record_access(user, participant, purpose)
        db.session.commit()
    staff_login.login(trail)
    client.get("/staff/language/da")
    html = client.get("/staff/participants/P001/access").get_data(as_text=True)
    rows = re.findall(r"<tr><td>.*?</td><td>.*?</td><td>(.*?)</td></tr>", html)
    assert len(rows) >= len(PURPOSE_NAMES)
    assert not set(rows) & set(PURPOSE_NAMES)
    assert {"Breve til udskrivning", "Rettelse af svar",
            "Beslutning om, hvilken besvarelse der tæller"} <= set(rows)


def test_clinic_refusal_names_the_status_in_words(client, make_participant, staff_login):
    study_id = make_participant(status="withdrawn")
    staff_login.as_role("data_entry")
    client.get("/staff/language/da")
    client.post(f"/staff/clinic/{study_id}", data={
        "csrf_token": staff_login.csrf_token(f"/staff/clinic/{study_id}")})
    html = client.get("/staff/").get_data(as_text=True)
    assert "(status: Udtrådt af forsøget)" in html and "withdrawn" not in html
