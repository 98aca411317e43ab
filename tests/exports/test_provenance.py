"""Exact scores in the database and in `audit verify`; software version on every response."""
import importlib.util
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from survey.audit.services import record_change
from survey.audit_reports.verify import clinical_data_problems
from survey.extensions import db
from survey.provenance import package_version
from survey.responses.models import Response, Score

from ..conftest import BOTH_DATABASES

MIGRATION = Path(__file__).parents[2] / "migrations/versions/0016_exact_scores_provenance.py"


def migration():
    spec = importlib.util.spec_from_file_location("migration_0016", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("stored, exact", [
    (64.99999999999999, "65"), (47.50000000000001, "47.5"), (41.875, "41.875"),
    (41.42857142857143, "41.428571"), (0.0, "0"), (100.0, "100"), (12.5, "12.5"),
])
def test_migration_stores_each_float_score_as_the_decimal_it_stood_for(stored, exact):
    assert migration().exact_text(stored) == exact


def score_of(participant_code, score_id):
    return db.session.execute(
        db.select(Score).join(Response).where(Response.instrument_code == participant_code,
                                              Score.score_id == score_id)
        .where(Response.mode == "web")).scalar_one()


@BOTH_DATABASES
def test_scores_are_stored_and_audited_as_the_same_exact_text(study):
    mean = score_of("vas", "mean")
    stored = db.session.execute(text("SELECT value FROM score WHERE id = :id"),
                                {"id": mean.id}).scalar_one()
    assert stored == "41.875"
    assert clinical_data_problems() == []


@BOTH_DATABASES
def test_a_score_audited_as_a_float_before_0016_still_verifies_and_a_change_is_caught(study):
    total = score_of("xq", "total")
    assert total.value == Decimal("41.428571")
    # Written before migration 0016: the float's text.
    record_change("system:test", "update", "score", total.id, field="total",
                  new="41.42857142857143")
    db.session.commit()
    assert clinical_data_problems() == []
    db.session.execute(text("UPDATE score SET value = '41.43' WHERE id = :id"),
                       {"id": total.id})
    db.session.commit()
    problems = clinical_data_problems()
    assert len(problems) == 1
    assert "41.428571" in problems[0] and "41.43" in problems[0]


@BOTH_DATABASES
def test_every_response_records_the_software_version(study):
    responses = db.session.execute(db.select(Response).where(
        Response.status == "submitted")).scalars().all()
    assert len(responses) == 3
    assert {r.software_version for r in responses} == {package_version()}
    commits = {r.software_commit for r in responses}
    assert len(commits) == 1 and (commits == {None} or len(commits.pop()) == 40)


@BOTH_DATABASES
def test_scores_record_the_fraction_they_were_computed_with(app, study):
    assert {s.min_fraction for s in db.session.execute(db.select(Score)).scalars()} == {
        Decimal("0.5")}


@BOTH_DATABASES
def test_migration_0016_up_and_down_keeps_every_score(app):
    from flask_migrate import downgrade, upgrade

    moment = "2026-11-01 10:00:00+00:00"
    with app.app_context():
        db.drop_all()
        upgrade(revision="0013")
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO participant (id, study_id, language, status, created_at, channel) "
                "VALUES (1, 'P001', 'da', 'active', :t, 'email')"), {"t": moment})
            connection.execute(text(
                "INSERT INTO response (id, participant_id, instrument_code, instrument_version, "
                "mode, status, language, started_at, updated_at, submitted_at) VALUES (1, 1, "
                "'xq', '1.0', 'paper', 'submitted', 'da', :t, :t, :t)"), {"t": moment})
            connection.execute(text(
                "INSERT INTO score (id, response_id, score_id, value, n_answered, n_items, "
                "prorated, computed_at) VALUES (1, 1, 'total', 64.99999999999999, 7, 8, :y, :t), "
                "(2, 1, 'eating', NULL, 1, 4, :n, :t), (3, 1, 'not_eating', 41.875, 4, 4, :n, :t)"),
                {"t": moment, "y": True, "n": False})
        upgrade()
        scores = db.session.execute(db.select(Score.id, Score.value, Score.min_fraction)
                                    .order_by(Score.id)).all()
        assert scores == [(1, Decimal("65"), None), (2, None, None),
                          (3, Decimal("41.875"), None)]
        assert db.session.execute(db.select(Response.software_version)).scalar_one() is None
        db.session.rollback()
        downgrade(revision="0013")
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT value FROM score ORDER BY id")).scalars(
            ).all() == [65.0, None, 41.875]
        upgrade()
