"""keyed audit chain: place in the chain, key id, bridge MAC; access log append-only; no TRUNCATE

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 17:30:00

Existing records keep their plain SHA-256 hash (key_id NULL); `seq` numbers
them in id order. New records are signed with SURVEY_AUDIT_KEY (survey/audit/chain.py).
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

TABLES = ("audit_record", "access_record")


# A snapshot of survey/audit/models.py's triggers as they are at this revision.
def append_only_sqlite(table):
    return [f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} rows are append-only'); END"
            for verb in ("UPDATE", "DELETE")]


def append_only_postgresql(table):
    return [
        f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$ "
        f"BEGIN RAISE EXCEPTION '{table} rows are append-only'; END; $$ LANGUAGE plpgsql",
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()",
    ]


NUMBER_IN_ID_ORDER = (
    "UPDATE audit_record SET seq = "
    "(SELECT count(*) FROM audit_record AS earlier WHERE earlier.id <= audit_record.id)")


def upgrade():
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table('audit_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('key_id', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('bridge_mac', sa.String(length=64), nullable=True))
    if dialect == "sqlite":
        # The table is copied to change the column; the copy gets the triggers afresh.
        op.execute("DROP TRIGGER audit_record_no_update")
        op.execute("DROP TRIGGER audit_record_no_delete")
        op.execute(NUMBER_IN_ID_ORDER)
    else:
        op.execute("ALTER TABLE audit_record DISABLE TRIGGER audit_record_append_only")
        op.execute(NUMBER_IN_ID_ORDER)
        op.execute("ALTER TABLE audit_record ENABLE TRIGGER audit_record_append_only")
    with op.batch_alter_table('audit_record', schema=None) as batch_op:
        batch_op.alter_column('seq', existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_audit_record_seq'), ['seq'])
    for table in TABLES:
        statements = (append_only_sqlite(table) if dialect == "sqlite"
                      else append_only_postgresql(table))
        for statement in statements:
            op.execute(statement)


def downgrade():
    raise RuntimeError(
        "Migration 0012 cannot be undone: going back would remove the audit chain's key "
        "ids and places and the guards of the audit and access-log tables. Restore a backup "
        "instead.")
