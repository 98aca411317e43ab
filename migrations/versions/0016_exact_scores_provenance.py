"""exact scores (text, not float) with their half-rule fraction; software version and commit
on every response

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-29 19:30:00

Every stored score becomes the exact decimal it stood for (scoring.legacy_float_score:
64.99999999999999 -> 65, 41.875 stays 41.875); `audit verify` applies the same rule to
scores audited before this migration. Scores and responses from before it have no
recorded fraction or software version: those stay empty (unknown), never guessed.
"""
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

# Plain ADD COLUMN (no batch rebuild on SQLite) for the new columns.
COLUMNS = [
    ("response", "software_version", sa.String(length=40)),
    ("response", "software_commit", sa.String(length=40)),
    ("score", "min_fraction", sa.String(length=24)),
]


def exact_text(value):
    """Kept here, not imported: a migration must not change when the code does.
    The same rule as survey.instruments.scoring.legacy_float_score + decimal_text."""
    exact = Decimal(repr(float(value))).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
    text = format(exact, "f").rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def upgrade():
    bind = op.get_bind()
    for table, column, column_type in COLUMNS:
        op.execute(f"ALTER TABLE {table} ADD COLUMN {column} "
                   f"{column_type.compile(dialect=bind.dialect)}")
    scores = bind.execute(sa.text("SELECT id, value FROM score WHERE value IS NOT NULL")).all()
    if bind.dialect.name == "postgresql":
        op.execute("ALTER TABLE score ALTER COLUMN value TYPE VARCHAR(24) USING NULL")
    else:
        with op.batch_alter_table("score") as batch:
            batch.alter_column("value", existing_type=sa.Float(), type_=sa.String(length=24))
        op.execute("UPDATE score SET value = NULL")
    for score_id, value in scores:
        bind.execute(sa.text("UPDATE score SET value = :value WHERE id = :id"),
                     {"value": exact_text(value), "id": score_id})


def downgrade():
    bind = op.get_bind()
    # Plain DROP COLUMN (SQLite 3.35+): rebuilding response would fail on the tables
    # that refer to it.
    for table, column, _ in COLUMNS:
        op.drop_column(table, column)
    scores = bind.execute(sa.text("SELECT id, value FROM score WHERE value IS NOT NULL")).all()
    if bind.dialect.name == "postgresql":
        op.execute("ALTER TABLE score ALTER COLUMN value TYPE FLOAT USING NULL")
    else:
        op.execute("UPDATE score SET value = NULL")
        with op.batch_alter_table("score") as batch:
            batch.alter_column("value", existing_type=sa.String(length=24), type_=sa.Float())
    for score_id, value in scores:
        bind.execute(sa.text("UPDATE score SET value = :value WHERE id = :id"),
                     {"value": float(value), "id": score_id})
