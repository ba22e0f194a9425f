"""Unit positions: appended in batches to the track history, the latest kept on the unit.

Positions are not events (they are too many): they bypass the log, and a batch is one
transaction: the fixes appended, then each unit that moved updated once with its latest fix.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import select

from console.store import schema as s
from console.store.db import Database


class PositionFix(NamedTuple):
    unit: str
    lat: float
    lon: float
    heading: float
    speed: float
    at: datetime


class Positions:
    def __init__(self, db: Database) -> None:
        self.db = db
        dialect = db.writer.dialect
        # Each distinct time is converted for the driver once per batch, not once per fix.
        to_driver = s.positions.c.at.type.dialect_impl(dialect).bind_processor(dialect)
        self._at: Callable[[datetime], Any] = to_driver or (lambda at: at)

    def append(self, fixes: Sequence[PositionFix]) -> int:
        """Store a batch of fixes in one transaction; returns how many were stored.

        Fixes of unknown units are kept in the history but move nothing; a fix older than the
        unit's latest never moves the unit back. This is the hot path of the field feed, so it
        talks to the driver directly: COPY on PostgreSQL, executemany on SQLite.
        """
        if not fixes:
            return 0
        converted: dict[datetime, Any] = {}

        def at(value: datetime) -> Any:
            if value not in converted:
                converted[value] = self._at(value)
            return converted[value]

        latest: dict[str, PositionFix] = {}
        for fix in fixes:
            if fix.unit not in latest or fix.at >= latest[fix.unit].at:
                latest[fix.unit] = fix
        rows = [(f.unit, at(f.at), f.lat, f.lon, f.heading, f.speed) for f in fixes]
        moves = [(f.lat, f.lon, f.heading, f.speed, at(f.at), f.unit) for f in latest.values()]
        with self.db.writer.begin() as conn:
            cursor = conn.connection.cursor()
            try:
                if self.db.dialect == "postgresql":
                    self._append_postgresql(cursor, rows, moves)
                else:
                    self._append_sqlite(cursor, rows, moves)
            finally:
                cursor.close()
        return len(fixes)

    @staticmethod
    def _append_sqlite(cursor: Any, rows: list[tuple[Any, ...]],
                       moves: list[tuple[Any, ...]]) -> None:
        cursor.executemany("INSERT INTO positions (unit_id, at, lat, lon, heading, speed) "
                           "VALUES (?, ?, ?, ?, ?, ?)", rows)
        cursor.executemany("UPDATE units SET lat = ?, lon = ?, heading = ?, speed = ?, "
                           "position_at = ?5 WHERE id = ?6 "
                           "AND (position_at IS NULL OR position_at <= ?5)", moves)

    @staticmethod
    def _append_postgresql(cursor: Any, rows: list[tuple[Any, ...]],
                           moves: list[tuple[Any, ...]]) -> None:
        with cursor.copy("COPY positions (unit_id, at, lat, lon, heading, speed) "
                         "FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        lat, lon, heading, speed, at, unit = (list(column) for column in zip(*moves,
                                                                            strict=True))
        cursor.execute(
            "UPDATE units SET lat = m.lat, lon = m.lon, heading = m.heading, speed = m.speed, "
            "position_at = m.at "
            "FROM unnest(%s::float8[], %s::float8[], %s::float8[], %s::float8[], "
            "%s::timestamptz[], %s::text[]) AS m(lat, lon, heading, speed, at, id) "
            "WHERE units.id = m.id AND (units.position_at IS NULL OR units.position_at <= m.at)",
            (lat, lon, heading, speed, at, unit))

    def track(self, unit: str, since: datetime, until: datetime) -> list[PositionFix]:
        """A unit's stored positions in [since, until], oldest first."""
        with self.db.reader.connect() as conn:
            rows = conn.execute(
                select(s.positions).where(s.positions.c.unit_id == unit,
                                          s.positions.c.at >= since, s.positions.c.at <= until)
                .order_by(s.positions.c.at, s.positions.c.id)).all()
        return [PositionFix(r.unit_id, r.lat, r.lon, r.heading, r.speed, r.at) for r in rows]
