"""tries counted per bucket (address, short-code prefix) where every server process sees them

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 17:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'rate_limit_tries',
        sa.Column('bucket', sa.String(length=80), nullable=False),
        sa.Column('window_index', sa.Integer(), nullable=False),
        sa.Column('tries', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('bucket', 'window_index', name=op.f('pk_rate_limit_tries')),
    )


def downgrade():
    op.drop_table('rate_limit_tries')
