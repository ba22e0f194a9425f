"""Major incidents and early warnings: their current state beside the log, and their numbers'
day counters (longer keys: MI-20261127); incidents by creation time (the early-warning watch
reads the last week back at a hub's start).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 15:20:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table('major_incidents',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('level', sa.String(length=4), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('declared_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('stood_down_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('doc', JSON, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_major_incidents'))
    )
    with op.batch_alter_table('major_incidents', schema=None) as batch_op:
        batch_op.create_index('ix_major_incidents_current', ['active', 'stood_down_at'],
                              unique=False)

    op.create_table('early_warnings',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('area', sa.String(length=64), nullable=False),
    sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('doc', JSON, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_early_warnings'))
    )
    with op.batch_alter_table('early_warnings', schema=None) as batch_op:
        batch_op.create_index('ix_early_warnings_current', ['acknowledged_at', 'raised_at'],
                              unique=False)
        batch_op.create_index('ix_early_warnings_raised', ['raised_at'], unique=False)

    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.create_index('ix_incidents_created_at', ['created_at'], unique=False)

    with op.batch_alter_table('id_counters', schema=None) as batch_op:
        batch_op.alter_column('day', existing_type=sa.String(length=8),
                              type_=sa.String(length=16), existing_nullable=False)


def downgrade() -> None:
    op.execute("DELETE FROM id_counters WHERE day LIKE 'MI-%' OR day LIKE 'EW-%'")
    with op.batch_alter_table('id_counters', schema=None) as batch_op:
        batch_op.alter_column('day', existing_type=sa.String(length=16),
                              type_=sa.String(length=8), existing_nullable=False)
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_index('ix_incidents_created_at')
    with op.batch_alter_table('early_warnings', schema=None) as batch_op:
        batch_op.drop_index('ix_early_warnings_raised')
        batch_op.drop_index('ix_early_warnings_current')
    op.drop_table('early_warnings')
    with op.batch_alter_table('major_incidents', schema=None) as batch_op:
        batch_op.drop_index('ix_major_incidents_current')
    op.drop_table('major_incidents')
