"""electronic signatures: staff full names and the signature table (append-only)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29 19:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


# A snapshot of survey/audit/models.py's append-only triggers, for the signature table.
def append_only_sqlite(table):
    return [f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} rows are append-only'); END"
            for verb in ("UPDATE", "DELETE")]


def append_only_postgresql(table):
    return [
        f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$ "
        f"BEGIN RAISE EXCEPTION '{table} rows are append-only'; END; $$ LANGUAGE plpgsql",
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()",
    ]


def upgrade():
    # Plain ADD COLUMN: no copy of the table on SQLite.
    op.add_column('staff_user', sa.Column('full_name', sa.String(length=200), nullable=True))
    op.create_table(
        'signature',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('signer_id', sa.Integer(), nullable=False),
        sa.Column('printed_name', sa.String(length=200), nullable=False),
        sa.Column('meaning', sa.String(length=40), nullable=False),
        sa.Column('meaning_text', sa.Text(), nullable=False),
        sa.Column('language', sa.String(length=2), nullable=False),
        sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('time_zone', sa.String(length=60), nullable=False),
        sa.Column('entity', sa.String(length=40), nullable=False),
        sa.Column('entity_id', sa.String(length=40), nullable=False),
        sa.Column('participant_id', sa.Integer(), nullable=True),
        sa.Column('response_id', sa.Integer(), nullable=True),
        sa.Column('content', sa.Text(), nullable=False),
        sa.Column('key_id', sa.String(length=16), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.CheckConstraint("language IN ('da', 'en')", name=op.f('ck_signature_language')),
        sa.ForeignKeyConstraint(['signer_id'], ['staff_user.id'],
                                name=op.f('fk_signature_signer_id_staff_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_signature')),
        sa.UniqueConstraint('digest', name=op.f('uq_signature_digest')),
    )
    op.create_index(op.f('ix_signature_participant_id'), 'signature', ['participant_id'])
    op.create_index(op.f('ix_signature_response_id'), 'signature', ['response_id'])
    dialect = op.get_bind().dialect.name
    for statement in (append_only_sqlite if dialect == "sqlite"
                      else append_only_postgresql)("signature"):
        op.execute(statement)


def downgrade():
    # Signatures are records a trial keeps, like the audit trail: never dropped with data.
    signed = op.get_bind().execute(sa.text("SELECT count(*) FROM signature")).scalar()
    if signed:
        raise RuntimeError(
            f"refusing to downgrade below 0014: the signature table holds {signed} electronic "
            "signatures, which must be kept; export them and the audit trail first")
    op.drop_table('signature')  # empty: its triggers go with it
    op.drop_column('staff_user', 'full_name')
