"""wrong second-factor codes are counted, for the same lockout as wrong passwords

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 16:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('staff_user') as batch_op:
        batch_op.add_column(sa.Column('failed_codes', sa.Integer(), nullable=False,
                                      server_default='0'))


def downgrade():
    with op.batch_alter_table('staff_user') as batch_op:
        batch_op.drop_column('failed_codes')
