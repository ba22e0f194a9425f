"""Duty rosters and patrol checkpoints in the database (console/domain/roster.py).

Both are reference data an admin imports, not events: ``admin import-roster FILE.csv`` replaces,
for every unit and local day the file names, the shifts that unit had that day (so an edited file
imported again is the edit); ``admin import-checkpoints`` adds or replaces checkpoints. The write
path reads them through :class:`RosterLookups` (the transaction's world), the assessment in
bulk.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, and_, delete, insert, or_, select

from console.domain.roster import Checkpoint, Fix, Shift, in_utc
from console.store import schema as s
from console.store.db import Database


def import_shifts(db: Database, shifts: Sequence[Shift], tz: ZoneInfo, now: datetime
                  ) -> tuple[int, int]:
    """Store ``shifts``, first removing what each (unit, local day) they name had; in one
    transaction. Returns (removed, added)."""
    days: dict[str, set[Any]] = {}
    for shift in shifts:
        days.setdefault(shift.unit, set()).add(shift.starts_at.astimezone(tz).date())
    r = s.roster_shifts.c
    removed = 0
    with db.writer.begin() as conn:
        for unit, unit_days in days.items():
            spans = []
            for day in unit_days:
                start = datetime.combine(day, datetime.min.time(), tz)
                spans.append(and_(r.starts_at >= start, r.starts_at < start + timedelta(days=1)))
            removed += conn.execute(delete(s.roster_shifts).where(
                r.unit_id == unit, or_(*spans))).rowcount or 0
        ids = [shift.id for shift in shifts]
        for at in range(0, len(ids), 500):  # an id reused from another day moves here
            removed += conn.execute(delete(s.roster_shifts).where(
                r.id.in_(ids[at:at + 500]))).rowcount or 0
        if shifts:
            conn.execute(insert(s.roster_shifts), [
                {"id": x.id, "unit_id": x.unit, "kind": x.kind, "starts_at": x.starts_at,
                 "ends_at": x.ends_at, "note": x.note, "imported_at": now}
                for x in map(in_utc, shifts)])
    return removed, len(shifts)


def remove_shifts(db: Database, unit: str, since: datetime, until: datetime) -> int:
    """Remove ``unit``'s shifts starting in [since, until); how many."""
    r = s.roster_shifts.c
    with db.writer.begin() as conn:
        return conn.execute(delete(s.roster_shifts).where(
            r.unit_id == unit, r.starts_at >= since, r.starts_at < until)).rowcount or 0


def shifts(conn: Connection, units: Collection[str] | None, since: datetime, until: datetime
           ) -> list[Shift]:
    """The shifts of ``units`` (every unit's when None) overlapping [since, until)."""
    r = s.roster_shifts.c
    query = (select(r.id, r.unit_id, r.kind, r.starts_at, r.ends_at, r.note)
             .where(r.starts_at < until, r.ends_at > since).order_by(r.unit_id, r.starts_at))
    if units is not None:
        query = query.where(r.unit_id.in_(list(units)))
    return [Shift(row.id, row.unit_id, row.kind, row.starts_at, row.ends_at, row.note)
            for row in conn.execute(query)]


def put_checkpoints(db: Database, rows: Sequence[dict[str, Any]]) -> int:
    """Add or replace checkpoints (``id``, ``zh``, ``en``, ``lat``, ``lon``, ``grid``,
    ``community``, as ``resources/geography/checkpoints.json`` has them).

    Raises:
        ValueError: a checkpoint without a field or with coordinates out of range (nothing is
            written).
    """
    clean = []
    for row in rows:
        try:
            lat, lon = float(row["lat"]), float(row["lon"])
            item = {"id": str(row["id"])[:64], "name_zh": str(row.get("zh") or row["id"])[:100],
                    "name_en": str(row.get("en") or row["id"])[:100], "lat": lat, "lon": lon,
                    "grid": row.get("grid"), "community": row.get("community")}
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"checkpoint {row.get('id')!r}: {error!r}") from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValueError(f"checkpoint {item['id']!r}: coordinates out of range")
        clean.append(item)
    with db.writer.begin() as conn:
        ids = [c["id"] for c in clean]
        for start in range(0, len(ids), 500):
            conn.execute(delete(s.checkpoints).where(s.checkpoints.c.id.in_(
                ids[start:start + 500])))
        if clean:
            conn.execute(insert(s.checkpoints), clean)
    return len(clean)


def all_checkpoints(conn: Connection) -> list[Checkpoint]:
    c = s.checkpoints.c
    return [Checkpoint(r.id, r.name_zh, r.name_en, r.lat, r.lon, r.grid, r.community)
            for r in conn.execute(select(s.checkpoints).order_by(c.id))]


class RosterLookups:
    """What the write path's world adds for the roster checks (console/domain/roster.py
    :class:`~console.domain.roster.RosterWorld`): mixed into the transaction's world, which
    has ``conn``; ``fix_hint`` is the last fix the hub holds for the command's unit and has not
    stored yet (the newer of it and the stored one counts)."""

    conn: Connection
    fix_hint: tuple[str, Fix] | None = None

    def shifts(self, unit: str, since: datetime, until: datetime) -> list[Shift]:
        return shifts(self.conn, (unit,), since, until)

    def checkpoint(self, checkpoint_id: str) -> Checkpoint | None:
        row = self.conn.execute(select(s.checkpoints).where(
            s.checkpoints.c.id == checkpoint_id)).first()
        return None if row is None else Checkpoint(row.id, row.name_zh, row.name_en, row.lat,
                                                   row.lon, row.grid, row.community)

    def last_fix(self, unit: str) -> Fix | None:
        u = s.units.c
        row = self.conn.execute(select(u.lat, u.lon, u.position_at).where(u.id == unit)).first()
        stored = (Fix(row.lat, row.lon, row.position_at)
                  if row is not None and row.position_at is not None else None)
        hint = self.fix_hint[1] if self.fix_hint and self.fix_hint[0] == unit else None
        if hint is not None and (stored is None or hint.at >= stored.at):
            return hint
        return stored
