"""The field loop: the outbox of tasks owed to field units, and a unit's waiting call for help.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-14 10:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(JSONB(), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'field_tasks',
        sa.Column('id', sa.String(length=80), nullable=False),
        sa.Column('unit_id', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('incident_id', sa.String(length=32), nullable=True),
        sa.Column('assignment_id', sa.String(length=40), nullable=True),
        sa.Column('seq', sa.BigInteger(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('body', _JSON, nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_field_tasks')),
    )
    with op.batch_alter_table('field_tasks', schema=None) as batch_op:
        batch_op.create_index('ix_field_tasks_waiting', ['unit_id', 'delivered_at', 'seq'],
                              unique=False)
        batch_op.create_index('ix_field_tasks_pending', ['delivered_at', 'seq'], unique=False)
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sos', _JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_column('sos')
    with op.batch_alter_table('field_tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_field_tasks_pending')
        batch_op.drop_index('ix_field_tasks_waiting')
    op.drop_table('field_tasks')
