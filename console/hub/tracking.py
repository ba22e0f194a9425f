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
from console.domain.roster import Fix as RosterFix
from console.store import schema
from console.store.position_writer import PositionsNotStored, PositionWriter
from console.store.positions import Fix, Moved
from console.store.store import Store
from console.store.writer import LoggedEvent

log = logging.getLogger(__name__)

# (id, lat, lon, heading, speed, status). Rows and fixes are plain tuples of atoms: the garbage
# collector stops tracking them at its first pass, so 10,000 a second do not bring on full
# collections (a named tuple or a list stays tracked).
Row = tuple[str, float, float, float, float, str]
PEER_LOOKBACK = timedelta(seconds=10)
#: Fixes waiting to be stored, at most: about a minute of a whole district's feed. A store that
#: cannot keep up must not grow the hub without end; beyond it the older half of what waits is
#: thinned to each unit's newest fix in it (every unit keeps a point there, and all its fixes
#: after), and the hub logs how many it dropped.
MAX_UNSTORED = 600_000


class Tracker:
    """Args:
        store: where positions are read from at start (and, with several hubs, from peers).
        run: runs a blocking call off the event loop (returns an awaitable).
        clock: the world clock.
        writer: stores fixes and reads other hubs' (blocking calls, run through ``run``): by
            default the store's own ``positions``, in the hub a :class:`PositionWriter`.
    """

    def __init__(self, store: Store, run: Callable[..., Any],
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 writer: PositionWriter | None = None,
                 max_unstored: int = MAX_UNSTORED) -> None:
        self.store = store
        self.max_unstored = max_unstored
        #: Fixes dropped unstored because the store fell behind, since start.
        self.thinned = 0
        #: Fixes taken from field clients since start (the hub's metrics).
        self.taken = 0
        #: Since when (loop time) storing has failed without a success in between; None: not.
        self.failing_since: float | None = None
        self.run = run
        self.clock = clock
        self.append: Callable[[list[Fix]], int] = (writer or store.positions).append
        self.moved: Callable[[datetime], tuple[list[Moved], datetime | None]] = (
            writer or store.positions).moved_since
        self.status: dict[str, str] = {}
        self.latest: dict[str, Row] = {}
        self._changed: dict[str, Row] = {}
        self._unstored: list[Fix] = []
        self._storing: list[Fix] = []  # taken by a flush, not committed yet
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
                self.latest[row.id] = (row.id, row.lat, row.lon, row.heading, row.speed,
                                       row.status)
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
            row = (*self.latest[unit][:5], status)
            self.latest[unit] = row
            self._changed[unit] = row

    def take(self, units: Iterable[tuple[str, float, float, float, float]],
             at: datetime) -> int:
        """Fixes from a field client: stored at the next flush, sent at the next frame."""
        count = 0
        for unit, lat, lon, heading, speed in units:
            # Frames carry what a map can show (about 0.1 m, whole degrees, 0.1 m/s): a third
            # of the bytes of full floats, sent to every console several times a second.
            row = (unit, round(lat, 6), round(lon, 6), round(heading), round(speed, 1),
                   self.status.get(unit, "unknown"))
            self.latest[unit] = row
            self._changed[unit] = row
            self._seen_at[unit] = at
            self._unstored.append((unit, lat, lon, heading, speed, at))
            count += 1
        self.taken += count
        if len(self._unstored) > self.max_unstored:
            self._thin()
        return count

    def fix(self, unit: str) -> RosterFix | None:
        """``unit``'s latest position this hub knows of, stored or not (None: none)."""
        row, at = self.latest.get(unit), self._seen_at.get(unit)
        return None if row is None or at is None else RosterFix(row[1], row[2], at)

    def waiting(self) -> list[Fix]:
        """The fixes not handed to the store yet, oldest first."""
        return list(self._unstored)

    def _thin(self) -> None:
        half = len(self._unstored) // 2
        older = self._unstored[:half]
        newest = {fix[0]: fix for fix in older}
        kept = [fix for fix in older if newest[fix[0]] is fix]
        self._unstored = kept + self._unstored[half:]
        dropped = len(older) - len(kept)
        self.thinned += dropped
        log.warning("the store is behind: %d older positions of %d units dropped unstored "
                    "(%d since start)", dropped, len(kept), self.thinned)

    async def flush(self) -> None:
        if not self._unstored:
            return
        batch, self._unstored = self._unstored, []
        self._storing = batch
        try:
            await self.run(self.append, batch)
            self.failing_since = None
        except PositionsNotStored as error:
            self._failed()
            log.warning("storing %d positions failed (%s); will retry the rest", len(batch),
                        error)
            self._unstored = batch[error.stored:] + self._unstored
        except Exception:
            self._failed()
            log.warning("storing %d positions failed; will retry", len(batch), exc_info=True)
            self._unstored = batch + self._unstored
        finally:
            if len(self._unstored) > self.max_unstored:
                self._thin()
            self._storing = []

    def _failed(self) -> None:
        if self.failing_since is None:
            self.failing_since = asyncio.get_running_loop().time()

    def lag(self) -> float:
        """World seconds since the oldest fix not stored yet was taken (0: none waits)."""
        oldest = self._storing[:1] or self._unstored[:1]
        return max(0.0, (self.clock() - oldest[0][5]).total_seconds()) if oldest else 0.0

    def unstored(self) -> dict[str, Row]:
        """The latest row of every unit with a fix the store does not hold yet: what a snapshot
        read now would miss."""
        return {fix[0]: self.latest[fix[0]] for fix in (*self._storing, *self._unstored)
                if fix[0] in self.latest}

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
        # Positions commit up to a flush interval (and a flush) after their time: look back far
        # enough that a peer's late commit is not missed; what was seen already is skipped.
        rows, newest = await self.run(self.moved, self._peer_cursor - PEER_LOOKBACK)
        for unit, lat, lon, heading, speed, status, at in rows:
            seen = self._seen_at.get(unit)
            if seen is not None and at <= seen:
                continue
            self._seen_at[unit] = at
            self.status[unit] = status
            fresh = (unit, lat, lon, heading, speed, status)
            self.latest[unit] = fresh
            self._changed[unit] = fresh
        if newest is not None:
            self._peer_cursor = max(self._peer_cursor, newest)

    async def run_loops(self, *, frame_interval: float, flush_interval: float,
                        peers: bool, stopping: asyncio.Event) -> None:
        # Storing and reading other hubs' positions run beside the frames, one of each at a
        # time: storing a busy half second takes longer than a frame interval, and frames do
        # not wait for it.
        loop = asyncio.get_running_loop()
        last_flush = last_peers = loop.time()
        flushing: asyncio.Task[None] | None = None
        peering: asyncio.Task[None] | None = None
        while not stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), timeout=frame_interval)
            now = loop.time()
            if now - last_flush >= flush_interval and (flushing is None or flushing.done()):
                last_flush = now
                flushing = asyncio.create_task(self.flush(), name="positions-flush")
            if peers and now - last_peers >= flush_interval and (peering is None
                                                                 or peering.done()):
                last_peers = now
                peering = asyncio.create_task(self._read_peers_logged(), name="positions-peers")
            self.tick()
        if peering is not None:
            peering.cancel()
        if flushing is not None:
            await flushing
        await self.flush()

    async def _read_peers_logged(self) -> None:
        try:
            await self.read_peers()
        except Exception:
            log.warning("reading other hubs' positions failed", exc_info=True)
