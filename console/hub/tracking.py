"""Unit positions through the hub: taken from field clients, stored in batches, and sent to
consoles as coalesced frames (latest position per unit, at most a few frames a second).

Positions are not events: they never enter the log. With several hubs on one PostgreSQL, each
hub also picks up, every flush interval, the units that other hubs' field clients moved.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from console.comms import protocol as p
from console.store import schema
from console.store.positions import PositionFix
from console.store.store import Store
from console.store.writer import LoggedEvent

log = logging.getLogger(__name__)

Row = list[Any]  # [id, lat, lon, heading, speed, status]


class Tracker:
    def __init__(self, store: Store, run: Callable[..., Any],
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.store = store
        self.run = run
        self.clock = clock
        self.status: dict[str, str] = {}
        self.latest: dict[str, Row] = {}
        self._changed: dict[str, Row] = {}
        self._unstored: list[PositionFix] = []
        self._storing: list[PositionFix] = []  # taken by a flush, not committed yet
        self._seen_at: dict[str, datetime] = {}
        self._peer_cursor = clock() - timedelta(seconds=5)
        self.listeners: list[Callable[[dict[str, Row], str], None]] = []

    async def start(self) -> None:
        u = schema.units.c
        query = select(u.id, u.lat, u.lon, u.heading, u.speed, u.status, u.position_at)

        def read() -> list[Any]:
            with self.store.db.reader.connect() as conn:
                return list(conn.execute(query))

        for row in await self.run(read):
            self.status[row.id] = row.status
            if row.position_at is not None:
                self.latest[row.id] = [row.id, row.lat, row.lon, row.heading, row.speed,
                                       row.status]
                self._seen_at[row.id] = row.position_at

    def on_event(self, event: LoggedEvent) -> None:
        """Keep unit statuses current from the log, so frames carry them."""
        d = event.event.data
        unit = d.get("unit")
        if not isinstance(unit, str):
            return
        name = event.event.name
        if name in ("unit.registered", "unit.status_changed", "unit.clocked_in",
                    "unit.clocked_out"):
            status = d["status"]
        elif name == "assignment.dispatched":
            status = "dispatched"
        elif name == "assignment.updated":
            status = {"en_route": "en_route", "on_scene": "on_scene", "cleared": "available",
                      "cancelled": "available"}.get(d["status"], "dispatched")
        else:
            return
        self.status[unit] = status
        if unit in self.latest:
            row = [*self.latest[unit][:5], status]
            self.latest[unit] = row
            self._changed[unit] = row

    def take(self, units: Iterable[tuple[str, float, float, float, float]],
             at: datetime) -> int:
        """Fixes from a field client: stored at the next flush, sent at the next frame."""
        count = 0
        for unit, lat, lon, heading, speed in units:
            # Frames carry what a map can show (about 0.1 m, whole degrees, 0.1 m/s): a third
            # of the bytes of full floats, sent to every console several times a second.
            row = [unit, round(lat, 6), round(lon, 6), round(heading), round(speed, 1),
                   self.status.get(unit, "unknown")]
            self.latest[unit] = row
            self._changed[unit] = row
            self._seen_at[unit] = at
            self._unstored.append(PositionFix(unit, lat, lon, heading, speed, at))
            count += 1
        return count

    async def flush(self) -> None:
        if not self._unstored:
            return
        batch, self._unstored = self._unstored, []
        self._storing = batch
        try:
            await self.run(self.store.positions.append, batch)
        except Exception:
            log.warning("storing %d positions failed; will retry", len(batch), exc_info=True)
            self._unstored = batch + self._unstored
        finally:
            self._storing = []

    def unstored(self) -> dict[str, Row]:
        """The latest row of every unit with a fix the store does not hold yet: what a snapshot
        read now would miss."""
        return {fix.unit: self.latest[fix.unit] for fix in (*self._storing, *self._unstored)
                if fix.unit in self.latest}

    def tick(self) -> None:
        """Hand the changes since the last tick to every listener (the console sessions), with
        the frame already encoded once for all of them."""
        if not self._changed:
            return
        changed, self._changed = self._changed, {}
        frame = p.encode(p.positions_frame(self.clock(), list(changed.values())))
        for listener in list(self.listeners):
            listener(changed, frame)

    async def read_peers(self) -> None:
        """Units other hubs moved since the last look (PostgreSQL only)."""
        cursor = self._peer_cursor
        query = (select(schema.units.c.id, schema.units.c.lat, schema.units.c.lon,
                        schema.units.c.heading, schema.units.c.speed, schema.units.c.status,
                        schema.units.c.position_at)
                 .where(schema.units.c.position_at > cursor - timedelta(seconds=10)))

        def read() -> list[Any]:
            with self.store.db.reader.connect() as conn:
                return list(conn.execute(query))

        for row in await self.run(read):
            if self._seen_at.get(row.id) is not None and row.position_at <= self._seen_at[row.id]:
                continue
            self._seen_at[row.id] = row.position_at
            self.status[row.id] = row.status
            fresh = [row.id, row.lat, row.lon, row.heading, row.speed, row.status]
            self.latest[row.id] = fresh
            self._changed[row.id] = fresh
            self._peer_cursor = max(self._peer_cursor, row.position_at)

    async def run_loops(self, *, frame_interval: float, flush_interval: float,
                        peers: bool, stopping: asyncio.Event) -> None:
        last_flush = last_peers = asyncio.get_running_loop().time()
        while not stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), timeout=frame_interval)
            now = asyncio.get_running_loop().time()
            if now - last_flush >= flush_interval:
                last_flush = now
                await self.flush()
            if peers and now - last_peers >= flush_interval:
                last_peers = now
                try:
                    await self.read_peers()
                except Exception:
                    log.warning("reading other hubs' positions failed", exc_info=True)
            self.tick()
        await self.flush()
