"""The hub's view of the event log: committed events in order, and who is waiting for more.

One follower task reads ``events WHERE seq > head`` whenever it is poked — by this hub's own
commits, by a PostgreSQL notification from another hub, or by a one-second timer as a safety
net — and appends what it finds to a ring of recent events. Because commit order is seq order,
reading past the head never misses an event, whichever hub wrote it. Sessions read from the ring
(or from the database when they are further behind) strictly from their own cursor, so they see
every event exactly once, in order.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
from collections.abc import Callable, Hashable
from typing import Any

from console.store.store import Store
from console.store.writer import LoggedEvent

log = logging.getLogger(__name__)

FRAMES_KEPT = 4_000


class EventLog:
    """Recent committed events and the head seq, shared by every session of one hub.

    Args:
        store: where the log is.
        run: runs a blocking store call off the event loop (returns an awaitable).
        keep: how many recent events stay in memory for sessions to read.
    """

    def __init__(self, store: Store, run: Callable[..., Any], keep: int = 20_000) -> None:
        self.store = store
        self.run = run
        self.head = 0
        self.recent: collections.deque[LoggedEvent] = collections.deque(maxlen=keep)
        # Encoded event frames by (seq, variant): one encoding per way of masking, not one per
        # session (fifty consoles see three or four variants of each event). Only the newest
        # are kept (a few megabytes): live fan-out is what repeats; a session catching up from
        # further back encodes its own.
        self._frames: collections.OrderedDict[tuple[int, Hashable], str] = (
            collections.OrderedDict())
        self._poked = asyncio.Event()
        self._grew = asyncio.Condition()
        self._stopped = False

    async def start(self) -> None:
        self.head = await self.run(self.store.last_seq)

    def poke(self) -> None:
        """Something was committed: look at the log now rather than at the next tick."""
        self._poked.set()

    def stop(self) -> None:
        self._stopped = True
        self._poked.set()

    async def follow(self, interval: float = 1.0) -> None:
        """The follower task: read new events whenever poked (or every ``interval``)."""
        while not self._stopped:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._poked.wait(), timeout=interval)
            self._poked.clear()
            try:
                while await self._read_more():
                    pass
            except Exception:
                log.warning("reading the event log failed; retrying", exc_info=True)

    async def _read_more(self) -> bool:
        events: list[LoggedEvent] = await self.run(self.store.events_after, self.head, 1000)
        if not events:
            return False
        for event in events:
            if event.seq != self.head + 1:  # cannot happen while commit order is seq order
                raise RuntimeError(f"event log gap: head {self.head}, next {event.seq}")
            self.recent.append(event)
            self.head = event.seq
        async with self._grew:
            self._grew.notify_all()
        return len(events) == 1000

    def frame(self, event: LoggedEvent, variant: Hashable,
              encode: Callable[[LoggedEvent], str]) -> str:
        """``event`` as sent to sessions of ``variant`` (how they mask it): ``encode(event)``
        the first time, the same text after that while it is recent."""
        key = (event.seq, variant)
        found = self._frames.get(key)
        if found is None:
            found = self._frames[key] = encode(event)
            if len(self._frames) > FRAMES_KEPT:
                self._frames.popitem(last=False)
        return found

    @property
    def stopped(self) -> bool:
        return self._stopped

    async def wait_beyond(self, seq: int) -> None:
        """Return once the head is past ``seq`` (or the log is stopping)."""
        async with self._grew:
            await self._grew.wait_for(lambda: self.head > seq or self._stopped)

    async def wait_beyond_or(self, seq: int, wake: asyncio.Event) -> None:
        """Return once the head is past ``seq``, the log is stopping, or ``wake`` is set (an
        outbox's ack made room)."""
        grown = asyncio.create_task(self.wait_beyond(seq))
        woken = asyncio.create_task(wake.wait())
        try:
            await asyncio.wait((grown, woken), return_when=asyncio.FIRST_COMPLETED)
        finally:
            grown.cancel()
            woken.cancel()

    async def after(self, seq: int, limit: int = 500) -> list[LoggedEvent]:
        """Committed events with seq > ``seq``, in order: from memory, or from the database
        when ``seq`` is older than what memory holds."""
        if self.recent and self.recent[0].seq <= seq + 1:
            start = seq + 1 - self.recent[0].seq
            return [self.recent[i] for i in range(start, min(len(self.recent), start + limit))]
        if seq >= self.head:
            return []
        events: list[LoggedEvent] = await self.run(self.store.events_after, seq, limit)
        return [e for e in events if e.seq <= self.head]
