"""earlier time points imported from the trial: historical_response, _value, _score

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29 19:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('historical_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('timepoint', sa.String(length=40), nullable=False),
    sa.Column('collected_on', sa.Date(), nullable=False),
    sa.Column('instrument_code', sa.String(length=20), nullable=False),
    sa.Column('instrument_version', sa.String(length=40), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source_sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_historical_response_participant_id_participant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_historical_response')),
    sa.UniqueConstraint('participant_id', 'timepoint', 'instrument_code', name=op.f('uq_historical_response_participant_id_timepoint_instrument_code'))
    )
    op.create_index(op.f('ix_historical_response_participant_id'), 'historical_response', ['participant_id'], unique=False)
    op.create_table('historical_value',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.String(length=40), nullable=False),
    sa.Column('value', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['response_id'], ['historical_response.id'], name=op.f('fk_historical_value_response_id_historical_response')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_historical_value')),
    sa.UniqueConstraint('response_id', 'item_id', name=op.f('uq_historical_value_response_id_item_id'))
    )
    op.create_table('historical_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('score_id', sa.String(length=40), nullable=False),
    sa.Column('value', sa.String(length=24), nullable=True),
    sa.Column('min_fraction', sa.String(length=24), nullable=True),
    sa.Column('n_answered', sa.Integer(), nullable=False),
    sa.Column('n_items', sa.Integer(), nullable=False),
    sa.Column('prorated', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['response_id'], ['historical_response.id'], name=op.f('fk_historical_score_response_id_historical_response')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_historical_score')),
    sa.UniqueConstraint('response_id', 'score_id', name=op.f('uq_historical_score_response_id_score_id'))
    )


def downgrade():
    op.drop_table('historical_score')
    op.drop_table('historical_value')
    op.drop_index(op.f('ix_historical_response_participant_id'), table_name='historical_response')
    op.drop_table('historical_response')
