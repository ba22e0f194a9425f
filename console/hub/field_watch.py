"""One follower of the event log for every field session of a hub (console/hub/field.py).

A field session has nothing to send until an event owes its unit a task
(:data:`console.domain.field.CAUSES`). Were each session to follow the log itself, every event
would wake every session — twenty thousand devices, each scanning each dispatch of the district
to find the few of its own. Here one task reads each event once and wakes only the sessions it
may concern: those of the event's unit, every gateway (it serves every unit), and for a major
incident's broadcast every session (rare, and its units are the major's, not the event's).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from console.domain.field import CAUSES
from console.hub.log import EventLog


class FieldWatch:
    """The field sessions' wake-ups, by unit (None: a gateway, for every unit)."""

    def __init__(self, log: EventLog) -> None:
        self.log = log
        self._units: dict[str, set[asyncio.Event]] = {}
        self._gateways: set[asyncio.Event] = set()

    def add(self, unit: str | None, wake: asyncio.Event) -> None:
        """Set ``wake`` whenever an event may owe ``unit`` (every unit, for None) a task."""
        if unit is None:
            self._gateways.add(wake)
        else:
            self._units.setdefault(unit, set()).add(wake)

    def remove(self, unit: str | None, wake: asyncio.Event) -> None:
        if unit is None:
            self._gateways.discard(wake)
            return
        wakes = self._units.get(unit)
        if wakes is not None:
            wakes.discard(wake)
            if not wakes:
                del self._units[unit]

    @property
    def sessions(self) -> int:
        return len(self._gateways) + sum(len(w) for w in self._units.values())

    async def run(self) -> None:
        """Follow the log until it stops, waking the sessions each event concerns."""
        seen = self.log.head
        while True:
            await self.log.wait_beyond(seen)
            if self.log.stopped:
                return
            while seen < self.log.head:
                events = await self.log.after(seen)
                if not events:
                    break
                for logged in events:
                    event = logged.event
                    if event.name not in CAUSES:
                        continue
                    if event.name.startswith("major."):
                        self._wake(self._gateways, *self._units.values())
                    else:
                        unit = event.data.get("unit")
                        self._wake(self._gateways,
                                   self._units.get(unit, ()) if isinstance(unit, str) else ())
                seen = events[-1].seq

    @staticmethod
    def _wake(*groups: Iterable[asyncio.Event]) -> None:
        for group in groups:
            for wake in group:
                wake.set()
