"""Filters on every format, counted responses by default, --all with their state; audited."""
import getpass

import pytest

from survey.audit.models import AuditRecord
from survey.extensions import db

from .conftest import read_csv


def keys(data, fmt="csv"):
    _, rows = read_csv(data)
    return sorted({(r["study_id"], r["instrument"]) for r in rows})


@pytest.mark.parametrize("options, expected", [
    ([], [("P002", "xq"), ("W001", "vas"), ("W001", "xq")]),
    (["--instrument", "xq"], [("P002", "xq"), ("W001", "xq")]),
    (["--mode", "paper"], [("P002", "xq")]),
    (["--mode", "web", "--instrument", "vas"], [("W001", "vas")]),
    (["--mode", "clinic"], []),
    (["--since", "2026-11-18"], [("P002", "xq")]),  # verified today, W001 on 17 Nov
    (["--until", "2026-11-17"], [("W001", "vas"), ("W001", "xq")]),
    (["--status", "withdrawn"], []),
    (["--status", "withdrawn", "--all"], [("W003", "xq")]),  # began the XQ only
    (["--all", "--instrument", "xq"], [("P002", "xq"), ("W001", "xq"), ("W003", "xq")]),
])
@pytest.mark.parametrize("fmt", ["csv", "long"])
def test_filters(study, export, options, expected, fmt):
    assert keys(export("--format", fmt, *options)) == expected


def test_all_adds_the_rest_with_their_state(study, export):
    _, rows = read_csv(export("--all"))
    states = {(r["study_id"], r["instrument"]): r["export_state"] for r in rows}
    assert states["W003", "xq"] == "in_progress" and states["W001", "xq"] == "counted"
    late = next(r for r in rows if (r["study_id"], r["instrument"]) == ("W003", "xq"))
    assert (late["xq1"], late["submitted_at"], late["participant_status"]) == (
        "9", "", "withdrawn")
    assert late["participant_status_date"] == "2026-11-25"


def test_unverified_paper_forms_come_with_all_only(study, export, app):
    from datetime import date

    from survey.instruments import instruments
    from survey.paper.services import save_entry
    from survey.staff.models import StaffUser

    from ..paper.conftest import reading

    keyer = db.session.execute(db.select(StaffUser).limit(1)).scalar_one()
    save_entry(study.web, instruments().current("xq"),
               reading("xq", [1] * 8, received=date(2026, 11, 26)), keyer)
    db.session.commit()
    assert ("W001", "xq") in keys(export("--mode", "paper", "--all"))
    _, rows = read_csv(export("--mode", "paper", "--all"))
    waiting = [r for r in rows if r["study_id"] == "W001"]
    assert [(r["export_state"], r["response_id"], r["xq1"]) for r in waiting] == [
        ("paper_awaiting_second_entry", "", "")]
    assert keys(export("--mode", "paper")) == [("P002", "xq")]


def test_unknown_instrument_is_refused(study, runner):
    result = runner.invoke(args=["responses", "export", "--instrument", "eortc"])
    assert result.exit_code == 2 and "eortc" in result.output


def test_every_export_is_audited_with_format_filter_and_rows(study, export):
    export("--format", "long", "--instrument", "xq", "--mode", "paper", "--excel")
    export("--all")
    records = db.session.execute(db.select(AuditRecord).where(
        AuditRecord.action == "export").order_by(AuditRecord.seq)).scalars().all()
    actor = f"system:cli:{getpass.getuser()}"
    assert [(r.actor, r.entity, r.entity_id, r.field, r.new_value, r.reason)
            for r in records] == [
        (actor, "responses", "long-excel", "rows", "8", "instrument=xq; mode=paper; counted"),
        (actor, "responses", "csv", "rows", "4", "all states"),
    ]
