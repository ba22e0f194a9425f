"""The track history partitioned by day on PostgreSQL, so that a day's fixes go at once
(console/store/tracks.py). SQLite keeps its one table and prunes it.

The existing table is renamed aside, a partitioned ``positions`` made in its place with a
partition for every day it has fixes of (and for today and the next three), its rows copied over,
and the old table dropped: every fix is kept.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08 01:00:00
"""

from datetime import UTC, date, datetime, timedelta

from alembic import op
from sqlalchemy import text

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

_COLUMNS = ("unit_id varchar(64) NOT NULL, at timestamptz NOT NULL, lat float8 NOT NULL, "
            "lon float8 NOT NULL, heading float8 NOT NULL, speed float8 NOT NULL")
_COPY = "unit_id, at, lat, lon, heading, speed"


def _bound(day: date) -> str:
    return f"{day.isoformat()} 00:00:00+00"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE positions RENAME TO positions_unpartitioned")
    op.execute("ALTER INDEX ix_positions_unit_at RENAME TO ix_positions_unpartitioned_unit_at")
    op.execute(f"CREATE TABLE positions ({_COLUMNS}) PARTITION BY RANGE (at)")
    op.execute("CREATE INDEX ix_positions_unit_at ON positions (unit_id, at)")
    days = set(bind.execute(text(
        "SELECT DISTINCT (at AT TIME ZONE 'UTC')::date FROM positions_unpartitioned")).scalars())
    today = datetime.now(UTC).date()
    days |= {today + timedelta(days=n) for n in range(4)}
    for day in sorted(days):
        op.execute(f"CREATE TABLE positions_{day:%Y%m%d} PARTITION OF positions FOR VALUES "
                   f"FROM ('{_bound(day)}') TO ('{_bound(day + timedelta(days=1))}')")
    op.execute(f"INSERT INTO positions ({_COPY}) SELECT {_COPY} FROM positions_unpartitioned")
    op.execute("DROP TABLE positions_unpartitioned")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE positions RENAME TO positions_partitioned")
    op.execute("ALTER INDEX ix_positions_unit_at RENAME TO ix_positions_partitioned_unit_at")
    op.execute(f"CREATE TABLE positions ({_COLUMNS})")
    op.execute("CREATE INDEX ix_positions_unit_at ON positions (unit_id, at)")
    op.execute(f"INSERT INTO positions ({_COPY}) SELECT {_COPY} FROM positions_partitioned")
    op.execute("DROP TABLE positions_partitioned")  # its partitions with it
