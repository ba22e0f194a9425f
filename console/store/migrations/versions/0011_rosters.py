"""Grid workers' duty rosters and the patrol checkpoints.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08 01:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'roster_shifts',
        sa.Column('id', sa.String(length=80), nullable=False),
        sa.Column('unit_id', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('note', sa.String(length=200), nullable=False),
        sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_shifts')),
    )
    op.create_index('ix_roster_shifts_unit_id', 'roster_shifts', ['unit_id', 'starts_at'])
    op.create_table(
        'checkpoints',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('name_zh', sa.String(length=100), nullable=False),
        sa.Column('name_en', sa.String(length=100), nullable=False),
        sa.Column('lat', sa.Float(), nullable=False),
        sa.Column('lon', sa.Float(), nullable=False),
        sa.Column('grid', sa.String(length=64), nullable=True),
        sa.Column('community', sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_checkpoints')),
    )
    op.create_index('ix_checkpoints_grid', 'checkpoints', ['grid'])


def downgrade() -> None:
    op.drop_index('ix_checkpoints_grid', table_name='checkpoints')
    op.drop_table('checkpoints')
    op.drop_index('ix_roster_shifts_unit_id', table_name='roster_shifts')
    op.drop_table('roster_shifts')
