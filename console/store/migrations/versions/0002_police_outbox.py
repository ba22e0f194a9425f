"""The police link: the outbox of messages owed to police centers, and hand-offs by shared id.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 11:40:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('police_outbox',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('message_id', sa.String(length=80), nullable=False),
    sa.Column('incident_id', sa.String(length=32), nullable=False),
    sa.Column('center', sa.String(length=64), nullable=True),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('body', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_police_outbox')),
    sa.UniqueConstraint('message_id', name=op.f('uq_police_outbox_message_id'))
    )
    with op.batch_alter_table('police_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_police_outbox_waiting', ['delivered_at', 'id'], unique=False)

    op.create_table('police_cases',
    sa.Column('shared_id', sa.String(length=64), nullable=False),
    sa.Column('incident_id', sa.String(length=32), nullable=False),
    sa.Column('direction', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('shared_id', name=op.f('pk_police_cases'))
    )


def downgrade() -> None:
    op.drop_table('police_cases')
    with op.batch_alter_table('police_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_police_outbox_waiting')
    op.drop_table('police_outbox')
