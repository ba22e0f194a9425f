"""The audit trail (append-only, hash-chained), and what a session needs to be ended: when its
token was last used, where from, by which client, and why it was ended.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 18:10:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'audit',
        sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor', sa.String(length=64), nullable=True),
        sa.Column('action', sa.String(length=64), nullable=False),
        sa.Column('subject', sa.String(length=128), nullable=True),
        sa.Column('detail', sa.JSON().with_variant(JSONB(), 'postgresql'), nullable=False),
        sa.Column('address', sa.String(length=64), nullable=True),
        sa.Column('client', sa.String(length=128), nullable=True),
        sa.Column('prev_hash', sa.String(length=64), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('seq'),
    )
    op.create_index('ix_audit_action', 'audit', ['action'])
    op.create_index('ix_audit_at', 'audit', ['at'])
    op.create_index('ix_audit_actor_at', 'audit', ['actor', 'at'])
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('address', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('client', sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column('revoked_reason', sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.drop_column('revoked_reason')
        batch_op.drop_column('client')
        batch_op.drop_column('address')
        batch_op.drop_column('last_used_at')
    op.drop_index('ix_audit_actor_at', table_name='audit')
    op.drop_index('ix_audit_at', table_name='audit')
    op.drop_index('ix_audit_action', table_name='audit')
    op.drop_table('audit')
