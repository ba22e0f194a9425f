"""Login throttling and lockout: each account's wrong passwords since its last good login, the
last of them, and when it was locked for them.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 15:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('last_failed_at', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('locked_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('locked_at')
        batch_op.drop_column('last_failed_at')
        batch_op.drop_column('failed_logins')
