"""How long the track history (``positions``) is kept, and what it costs on disk.

A year of a district's fixes is billions of rows, so old ones go a whole day at a time:

- PostgreSQL: ``positions`` is partitioned by range of ``at``, one partition per UTC day named
  ``positions_YYYYMMDD`` (migration 0009). :func:`maintain` drops the partitions of days wholly
  older than the retention (``DROP TABLE``: no row-by-row delete, no vacuum debt) and creates
  those of the days ahead; the writer creates a missing day itself (:class:`DayPartitions`), so
  a fix never finds no partition. Each drop is its own transaction with a short lock timeout: a
  drop that would queue behind a long track read (and so hold up every insert behind it) gives
  up and is tried again at the next maintenance.
- SQLite (the embedded hub): one table; :func:`maintain` deletes the fixes older than the
  retention in slices of ``PRUNE_SLICE`` rows, oldest rows first (the rowid order, the order they
  were stored in), so the write lock is never held for long.

Days are UTC days: a partition's bounds do not move with a time zone or its summer time.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Connection, delete, func, literal_column, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.sql.expression import ColumnClause

from console.store import schema as s
from console.store.db import Database

#: Days of track kept by default.
KEEP_DAYS = 180
#: Days ahead whose partitions maintenance creates (PostgreSQL).
DAYS_AHEAD = 3
#: Rows one SQLite prune transaction deletes at most, and the pause between two of them.
PRUNE_SLICE = 5000
PRUNE_PAUSE_S = 0.01
#: How long a partition drop waits for its lock before it gives up until the next maintenance.
DROP_LOCK_TIMEOUT = "2s"
#: The advisory lock under which partitions are created and dropped (one hub at a time).
PARTITION_LOCK = 0x7472_6B73  # "trks"
#: PostgreSQL's SQLSTATE of a lock timeout.
LOCK_NOT_AVAILABLE = "55P03"

_NAME = re.compile(r"^positions_(\d{8})$")


def partition_name(day: date) -> str:
    return f"positions_{day:%Y%m%d}"


def day_of(at: datetime) -> date:
    """The UTC day a fix belongs to."""
    return at.astimezone(UTC).date()


def _bound(day: date) -> str:
    return f"{day.isoformat()} 00:00:00+00"


def create_partition(conn: Connection, day: date) -> bool:
    """Create ``day``'s partition if it does not exist (PostgreSQL); whether it was created."""
    name = partition_name(day)
    exists = conn.execute(text("SELECT to_regclass(:name) IS NOT NULL"), {"name": name}).scalar()
    if exists:
        return False
    conn.execute(text(
        f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF positions "
        f"FOR VALUES FROM ('{_bound(day)}') TO ('{_bound(day + timedelta(days=1))}')"))
    return True


def partition_days(conn: Connection) -> list[date]:
    """The days that have a partition (PostgreSQL), oldest first."""
    rows = conn.execute(text(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = 'positions'::regclass"))
    days = []
    for (name,) in rows:
        match = _NAME.match(name)
        if match:
            days.append(datetime.strptime(match.group(1), "%Y%m%d").date())
    return sorted(days)


class DayPartitions:
    """The writer's knowledge of which days have a partition: checked in memory for every
    batch, so the hot path pays a set lookup per distinct time, and goes to the database only
    for a day it has not seen yet."""

    def __init__(self) -> None:
        self._known: set[date] = set()

    def ensure(self, db: Database, times: Iterable[datetime]) -> None:
        missing = {day_of(at) for at in times} - self._known
        if not missing:
            return
        with db.writer.begin() as conn:
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PARTITION_LOCK})
            for day in sorted(missing):
                create_partition(conn, day)
        self._known |= missing

    def forget(self) -> None:
        """After a failed batch: a partition may have been dropped under us."""
        self._known.clear()


@dataclass
class Maintenance:
    """What one :func:`maintain` did."""

    dropped: list[date] = field(default_factory=list)
    created: list[date] = field(default_factory=list)
    busy: list[date] = field(default_factory=list)  # drops that gave up on their lock
    deleted: int = 0  # SQLite: fixes pruned


def maintain(db: Database, now: datetime, *, keep_days: int = KEEP_DAYS,
             days_ahead: int = DAYS_AHEAD) -> Maintenance:
    """Apply the retention at ``now``: keep the fixes of the last ``keep_days`` days.

    On PostgreSQL a day's partition goes once the whole day is older than that (so up to a day
    more is kept than on SQLite, which deletes fix by fix), and the partitions of today and the
    ``days_ahead`` days after it are made.
    """
    if keep_days < 1:
        raise ValueError("the track must be kept at least one day")
    cutoff = now - timedelta(days=keep_days)
    if db.dialect == "postgresql":
        return _maintain_postgresql(db, now, cutoff, days_ahead)
    return Maintenance(deleted=_prune_sqlite(db, cutoff))


def _maintain_postgresql(db: Database, now: datetime, cutoff: datetime,
                         days_ahead: int) -> Maintenance:
    done = Maintenance()
    today = day_of(now)
    with db.writer.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PARTITION_LOCK})
        for n in range(days_ahead + 1):
            if create_partition(conn, today + timedelta(days=n)):
                done.created.append(today + timedelta(days=n))
        days = partition_days(conn)
    for day in days:
        end = datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC)
        if end > cutoff:
            break
        try:
            with db.writer.begin() as conn:
                conn.execute(text(f"SET LOCAL lock_timeout = '{DROP_LOCK_TIMEOUT}'"))
                conn.execute(text(f"DROP TABLE IF EXISTS {partition_name(day)}"))
        except OperationalError as error:
            if getattr(error.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
                raise
            done.busy.append(day)  # the next maintenance tries again
        else:
            done.dropped.append(day)
    return done


def _prune_sqlite(db: Database, cutoff: datetime) -> int:
    p = s.positions.c
    rowid: ColumnClause[int] = literal_column("rowid")
    deleted = 0
    while True:
        with db.writer.begin() as conn:
            old = select(rowid).select_from(s.positions).where(p.at < cutoff).limit(PRUNE_SLICE)
            count = conn.execute(delete(s.positions).where(rowid.in_(old))).rowcount
        deleted += count
        if count < PRUNE_SLICE:
            return deleted
        time.sleep(PRUNE_PAUSE_S)  # a waiting command takes the write lock now


@dataclass(frozen=True)
class Storage:
    """The track history's size: fixes stored, and the bytes they take with their index."""

    fixes: int
    bytes: int

    @property
    def bytes_per_fix(self) -> float | None:
        return self.bytes / self.fixes if self.fixes else None


def storage(db: Database) -> Storage:
    """Count the stored fixes and measure their tables and indexes on disk."""
    with db.reader.connect() as conn:
        fixes = int(conn.execute(select(func.count()).select_from(s.positions)).scalar_one())
        if db.dialect == "postgresql":
            size = conn.execute(text(
                "SELECT coalesce(sum(pg_total_relation_size(i.inhrelid)), 0) "
                "FROM pg_inherits i WHERE i.inhparent = 'positions'::regclass")).scalar_one()
        else:
            # dbstat: Python's SQLite is built with it (SQLITE_ENABLE_DBSTAT_VTAB).
            size = conn.execute(text(
                "SELECT coalesce(sum(pgsize), 0) FROM dbstat "
                "WHERE name IN ('positions', 'ix_positions_unit_at')")).scalar_one()
    return Storage(fixes, int(size))
