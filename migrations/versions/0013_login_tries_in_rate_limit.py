"""login tries per address counted in rate_limit_tries, like /start's: drop login_address_tries

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 18:25:00

The counts are at most one window old, so nothing worth keeping is dropped.
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_table('login_address_tries')


def downgrade():
    op.create_table(
        'login_address_tries',
        sa.Column('address', sa.String(length=64), nullable=False),
        sa.Column('window_index', sa.Integer(), nullable=False),
        sa.Column('tries', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('address', 'window_index', name=op.f('pk_login_address_tries')),
    )
