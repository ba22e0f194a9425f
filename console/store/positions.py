"""Unit positions: appended in batches to the track history, the latest kept on the unit.

Positions are not events (they are too many): they bypass the log, and a batch is one
transaction: the fixes appended, then each unit that moved updated once with its latest fix.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import delete, select

from console.store import schema as s
from console.store.db import Database


class PositionFix(NamedTuple):
    unit: str
    lat: float
    lon: float
    heading: float
    speed: float
    at: datetime


#: A fix as a plain tuple in PositionFix's order: what the hub keeps and sends to be stored.
Fix = tuple[str, float, float, float, float, datetime]
#: A unit's latest position as stored: (id, lat, lon, heading, speed, status, at).
Moved = tuple[str, float, float, float, float, str, datetime]


class Positions:
    def __init__(self, db: Database) -> None:
        self.db = db
        dialect = db.writer.dialect
        # How SQLite stores a time: converted once per distinct time in a batch, not per fix.
        self._sqlite_time = s.positions.c.at.type.dialect_impl(dialect).bind_processor(dialect)

    def append(self, fixes: Sequence[Fix]) -> int:
        """Store a batch of fixes in one transaction; returns how many were stored. A fix is a
        :class:`PositionFix` or a plain tuple in its order.

        Fixes of unknown units are kept in the history but move nothing; a fix older than the
        unit's latest never moves the unit back. This is the hot path of the field feed, so it
        talks to the driver directly: COPY on PostgreSQL, executemany on SQLite.
        """
        if not fixes:
            return 0
        with self.db.writer.begin() as conn:
            cursor = conn.connection.cursor()
            try:
                if self.db.dialect == "postgresql":
                    _append_postgresql(cursor, fixes)
                else:
                    self._append_sqlite(cursor, fixes)
            finally:
                cursor.close()
        return len(fixes)

    def _append_sqlite(self, cursor: Any, fixes: Sequence[Fix]) -> None:
        latest: dict[str, Fix] = {}
        for fix in fixes:
            if fix[0] not in latest or fix[5] >= latest[fix[0]][5]:
                latest[fix[0]] = fix
        times: dict[datetime, Any] = {}

        def at(value: datetime) -> Any:
            if value not in times:
                times[value] = self._sqlite_time(value) if self._sqlite_time else value
            return times[value]

        cursor.executemany("INSERT INTO positions (unit_id, at, lat, lon, heading, speed) "
                           "VALUES (?, ?, ?, ?, ?, ?)",
                           [(unit, at(when), lat, lon, heading, speed)
                            for unit, lat, lon, heading, speed, when in fixes])
        cursor.executemany("UPDATE units SET lat = ?, lon = ?, heading = ?, speed = ?, "
                           "position_at = ?5 WHERE id = ?6 "
                           "AND (position_at IS NULL OR position_at <= ?5)",
                           [(lat, lon, heading, speed, at(when), unit)
                            for unit, lat, lon, heading, speed, when in latest.values()])

    def prune(self, before: datetime) -> int:
        """Forget the stored fixes older than ``before`` (a unit's latest position stays on its
        row in ``units``); returns how many went."""
        with self.db.writer.begin() as conn:
            return conn.execute(delete(s.positions).where(s.positions.c.at < before)).rowcount

    def moved_since(self, since: datetime) -> tuple[list[Moved], datetime | None]:
        """Every unit whose latest position is newer than ``since``, and the newest time among
        them (None if none): how a hub sees what other hubs' field clients moved."""
        u = s.units.c
        query = (select(u.id, u.lat, u.lon, u.heading, u.speed, u.status, u.position_at)
                 .where(u.position_at > since))
        with self.db.reader.connect() as conn:
            rows = [tuple(row) for row in conn.execute(query)]
        return rows, max((row[6] for row in rows), default=None)

    def track(self, unit: str, since: datetime, until: datetime,
              limit: int | None = None) -> list[PositionFix]:
        """A unit's stored positions in [since, until], oldest first; with ``limit``, only the
        newest ``limit`` of them."""
        query = (select(s.positions).where(s.positions.c.unit_id == unit,
                                           s.positions.c.at >= since, s.positions.c.at <= until)
                 .order_by(s.positions.c.at.desc()))
        if limit is not None:
            query = query.limit(limit)
        with self.db.reader.connect() as conn:
            rows = conn.execute(query).all()
        return [PositionFix(r.unit_id, r.lat, r.lon, r.heading, r.speed, r.at)
                for r in reversed(rows)]


def _append_postgresql(cursor: Any, fixes: Sequence[Fix]) -> None:
    # One COPY of the batch into the connection's temporary table (console/store/db.py, emptied
    # at commit); from there the server appends the history and moves each unit to its latest
    # fix. COPY is far cheaper than sending thousands of parameters.
    with cursor.copy("COPY unit_moves (id, at, lat, lon, heading, speed) FROM STDIN") as copy:
        copy.write(_copy_text(fixes))
    cursor.execute("INSERT INTO positions (unit_id, at, lat, lon, heading, speed) "
                   "SELECT id, at, lat, lon, heading, speed FROM unit_moves")
    cursor.execute(
        "UPDATE units SET lat = m.lat, lon = m.lon, heading = m.heading, speed = m.speed, "
        "position_at = m.at FROM (SELECT DISTINCT ON (id) * FROM unit_moves "
        "ORDER BY id, at DESC) AS m "
        "WHERE units.id = m.id AND (units.position_at IS NULL OR units.position_at <= m.at)")


# COPY's text format: tab-separated, one row per line, with these characters escaped.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(fixes: Sequence[Fix]) -> str:
    """Fixes as COPY text rows (unit, at, lat, lon, heading, speed), built in one pass:
    formatting each value through the driver's adapters costs more than the database's work."""
    stamps: dict[datetime, str] = {}
    lines = []
    for unit, lat, lon, heading, speed, when in fixes:
        stamp = stamps.get(when)
        if stamp is None:
            stamp = stamps[when] = when.isoformat()
        lines.append(f"{unit.translate(_COPY_ESCAPES)}\t{stamp}\t{lat!r}\t{lon!r}\t"
                     f"{heading!r}\t{speed!r}\n")
    return "".join(lines)
