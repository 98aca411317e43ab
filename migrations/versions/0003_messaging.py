"""contact channels, opt-out, paper mailing, short codes, outbound messages

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 02:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('channel', sa.String(length=8), server_default='email', nullable=False))
        batch_op.add_column(sa.Column('opted_out_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('paper_mailed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('paper_received_on', sa.Date(), nullable=True))
        batch_op.create_check_constraint('channel', "channel IN ('email', 'sms', 'letter')")

    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('short_code', sa.String(length=16), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_invitation_short_code'), ['short_code'])

    op.create_table('outbound_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=12), nullable=False),
    sa.Column('reminder_number', sa.Integer(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=60), nullable=True),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('template', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('provider_message_id', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retry_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("channel IN ('email', 'sms', 'letter')", name=op.f('ck_outbound_message_channel')),
    sa.CheckConstraint("purpose IN ('invitation', 'reminder')", name=op.f('ck_outbound_message_purpose')),
    sa.CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')", name=op.f('ck_outbound_message_status')),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff_user.id'], name=op.f('fk_outbound_message_created_by_id_staff_user')),
    sa.ForeignKeyConstraint(['invitation_id'], ['invitation.id'], name=op.f('fk_outbound_message_invitation_id_invitation')),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_outbound_message_participant_id_participant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbound_message')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_outbound_message_dedupe_key'))
    )
    with op.batch_alter_table('outbound_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbound_message_invitation_id'), ['invitation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbound_message_participant_id'), ['participant_id'], unique=False)


def downgrade():
    op.drop_table('outbound_message')
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_invitation_short_code'), type_='unique')
        batch_op.drop_column('short_code')
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_participant_channel'), type_='check')
        for column in ('paper_received_on', 'paper_mailed_on', 'opted_out_at', 'channel',
                       'status_date'):
            batch_op.drop_column(column)
