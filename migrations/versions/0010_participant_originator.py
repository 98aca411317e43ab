"""the participant is the originator: notes on answers, exclusion from analysis,
participant-requested changes; paper entries for withdrawn or deceased participants

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 17:30:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# Plain ADD COLUMN (no batch rebuild on SQLite): keeps any trigger on these tables.
COLUMNS = [
    ("response", "excluded_at", sa.DateTime(timezone=True)),
    ("response", "exclusion_reason", sa.Text()),
    ("paper_entry", "participant_status", sa.String(length=12)),
    ("paper_entry", "status_reason", sa.Text()),
]


def upgrade():
    dialect = op.get_bind().dialect
    for table, column, column_type in COLUMNS:
        op.execute(f"ALTER TABLE {table} ADD COLUMN {column} "
                   f"{column_type.compile(dialect=dialect)}")
    # SQLite cannot add a CHECK to an existing table; the application keeps the pair
    # together there, PostgreSQL also in the database.
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE response ADD CONSTRAINT ck_response_excluded_with_reason "
                   "CHECK ((excluded_at IS NULL) = (exclusion_reason IS NULL))")
    op.create_table(
        'answer_note',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('response_id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.String(length=40), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('written_by_id', sa.Integer(), nullable=False),
        sa.Column('written_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['response_id'], ['response.id'],
                                name=op.f('fk_answer_note_response_id_response')),
        sa.ForeignKeyConstraint(['written_by_id'], ['staff_user.id'],
                                name=op.f('fk_answer_note_written_by_id_staff_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_answer_note')),
    )
    op.create_index(op.f('ix_answer_note_response_id'), 'answer_note', ['response_id'])
    op.create_table(
        'requested_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('response_id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.String(length=40), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('value', sa.Integer(), nullable=True),
        sa.Column('requested_on', sa.Date(), nullable=False),
        sa.Column('channel', sa.String(length=12), nullable=False),
        sa.Column('participant_words', sa.Text(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('taken_by_id', sa.Integer(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("state IN ('answered', 'not_answered')",
                           name=op.f('ck_requested_change_state')),
        sa.CheckConstraint("(state = 'answered') = (value IS NOT NULL)",
                           name=op.f('ck_requested_change_value_iff_answered')),
        sa.CheckConstraint("channel IN ('phone', 'letter', 'in_person')",
                           name=op.f('ck_requested_change_channel')),
        sa.ForeignKeyConstraint(['response_id'], ['response.id'],
                                name=op.f('fk_requested_change_response_id_response')),
        sa.ForeignKeyConstraint(['taken_by_id'], ['staff_user.id'],
                                name=op.f('fk_requested_change_taken_by_id_staff_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_requested_change')),
    )
    op.create_index(op.f('ix_requested_change_response_id'), 'requested_change',
                    ['response_id'])


def downgrade():
    op.drop_index('ix_requested_change_response_id', table_name='requested_change')
    op.drop_table('requested_change')
    op.drop_index('ix_answer_note_response_id', table_name='answer_note')
    op.drop_table('answer_note')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE response DROP CONSTRAINT ck_response_excluded_with_reason")
    for table, column, _ in reversed(COLUMNS):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
