"""login tries counted per network address, before any password is hashed

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 17:05:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'login_address_tries',
        sa.Column('address', sa.String(length=64), nullable=False),
        sa.Column('window_index', sa.Integer(), nullable=False),
        sa.Column('tries', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('address', 'window_index', name=op.f('pk_login_address_tries')),
    )


def downgrade():
    op.drop_table('login_address_tries')
