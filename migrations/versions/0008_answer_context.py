"""answer context: each answer's language and VAS input method; who answered an invitation

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 16:00:00

"""
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# Plain ADD COLUMN with its CHECK works on both databases and, unlike a batch
# rebuild on SQLite, keeps the triggers that watch the invitation table.
COLUMNS = [
    ("answer", "language", "VARCHAR(2)", "language IN ('da', 'en')"),
    ("answer", "input_method", "VARCHAR(8)", "input_method IN ('tap', 'keyboard', 'typed')"),
    ("invitation", "who_answered", "VARCHAR(8)", "who_answered IN ('self', 'helped', 'proxy')"),
]


def upgrade():
    for table, column, sql_type, check in COLUMNS:
        op.execute(f"ALTER TABLE {table} ADD COLUMN {column} {sql_type} "
                   f"CONSTRAINT ck_{table}_{column} CHECK ({check})")


def downgrade():
    for table, column, _, _ in reversed(COLUMNS):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
