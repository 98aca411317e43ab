"""index for the last contact per participant

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 02:45:00

"""
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbound_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbound_message_participant_id'))
        batch_op.create_index('ix_outbound_message_participant_id_sent_at',
                              ['participant_id', 'sent_at'], unique=False)


def downgrade():
    with op.batch_alter_table('outbound_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbound_message_participant_id_sent_at')
        batch_op.create_index(batch_op.f('ix_outbound_message_participant_id'),
                              ['participant_id'], unique=False)
