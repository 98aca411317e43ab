"""the reminder schedule as coordinators change it on the web

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reminder_schedule',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('days', sa.String(length=40), nullable=False),
    sa.Column('start_hour', sa.Integer(), nullable=False),
    sa.Column('end_hour', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_reminder_schedule_single_row')),
    sa.CheckConstraint('start_hour >= 0 AND start_hour < end_hour AND end_hour <= 24', name=op.f('ck_reminder_schedule_sending_hours')),
    sa.ForeignKeyConstraint(['changed_by_id'], ['staff_user.id'], name=op.f('fk_reminder_schedule_changed_by_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_schedule'))
    )


def downgrade():
    op.drop_table('reminder_schedule')
