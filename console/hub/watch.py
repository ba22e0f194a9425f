"""The hub's early-warning watch: follows the log and raises a warning when incidents spike.

At start it reads back from the store the incidents of the trailing baseline period (and the
warnings of the last day), so a restarted hub knows the baseline and which spikes are already
raised; then it follows the committed log in seq order, as every hub does. Each
``incident.created`` goes to the domain's :class:`~console.domain.warning.Detector`; a spike
becomes ``warning.raise``, written through the one write path as the system actor.

The detector decides from the log alone (times are the incidents' creation times), so every hub
on one database decides the same spike at the same seq. The command id is made from that seq and
the spike's area and category: whichever hub writes first raises it, the others' writes are
answered from the command table and change nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from datetime import datetime

from console.domain.model import SYSTEM
from console.domain.warning import Detector, EarlyWarning, Spike, WarningRules
from console.hub.services import HubServices
from console.store.writer import Command, LoggedEvent

log = logging.getLogger(__name__)

#: How often a warning the database could not take is tried again, and the longest wait.
ATTEMPTS = 5
MAX_DELAY_S = 8.0


def command_id(spike: Spike, seq: int) -> str:
    """The same on every hub for the same spike: the seq of the incident that tipped it, and a
    digest of its area and category (ids must stay within 64 characters)."""
    key = f"{spike.level}|{spike.area}|{spike.category}".encode()
    return f"warning-{seq}-{hashlib.sha256(key).hexdigest()[:20]}"


class Watch:
    """The early-warning task of one hub.

    Args:
        hub: what it uses of its hub: the log it follows, the write path it raises through,
            the store it reads back from.
        rules: the detector's parameters (default: ``resources/warning.toml``).

    Attributes:
        followed: the seq of the last event looked at.
        spikes: how many spikes this hub's detector found while following the log.
        raised: how many of them this hub wrote (a spike another hub wrote first is answered
            from the command table and does not count).
    """

    def __init__(self, hub: HubServices, rules: WarningRules | None = None) -> None:
        self.hub = hub
        self.detector = Detector(rules or WarningRules.load())
        self.followed = 0
        self.spikes = 0
        self.raised = 0

    async def run(self) -> None:
        """Read the record back, then follow the log until the hub stops."""
        log_ = self.hub.log
        previous = log_.head
        while True:
            try:
                await self._read_back()
                break
            except Exception:
                log.warning("early warning: reading the record back failed; retrying",
                            exc_info=True)
                await asyncio.sleep(1.0)
        while True:
            await log_.wait_beyond(previous)
            if log_.stopped:  # the hub is stopping
                return
            for event in await log_.after(previous, limit=5000):
                previous = event.seq
                try:
                    await self._on(event)
                except (KeyError, TypeError, ValueError):  # an event not as the domain wrote it
                    log.warning("early warning: event %d skipped", event.seq, exc_info=True)
                self.followed = event.seq

    async def _read_back(self) -> None:
        store = self.hub.store
        rules = self.detector.rules
        now = self.hub.config.clock.now()
        self.detector.start = await self.hub.run(store.first_incident_at)
        rows = await self.hub.run(store.incident_creations,
                                  now - rules.baseline - 2 * rules.window)
        # Silently: what these raised is in the log already. Off the event loop: a week of a
        # busy district is tens of thousands of incidents.
        await self.hub.run(self._observe_all, rows)
        for wire in await self.hub.run(store.warnings):
            warning = EarlyWarning.from_dict(wire)
            self.detector.mark_hot(warning.level, warning.area, warning.category,
                                   warning.raised_at + rules.window)
        log.info("early warning: read back %d incidents since %s", len(rows),
                 (now - rules.baseline).isoformat())

    def _observe_all(self, rows: list[tuple[str, datetime, str, str | None, str | None]]
                     ) -> None:
        for incident_id, at, category, grid, community in rows:
            self.detector.observe(incident_id, at, category, grid, community)

    async def _on(self, logged: LoggedEvent) -> None:
        event = logged.event
        d = event.data
        if event.name == "warning.raised":  # ours or another hub's: that spike is known
            self.detector.mark_hot(d["level"], d["area"], d["category"],
                                   event.at + self.detector.rules.window)
            return
        if event.name != "incident.created":
            return
        where = d.get("location") or {}
        spike = self.detector.observe(d["id"], event.at, d["category"], where.get("grid"),
                                      where.get("community"))
        if spike is not None:
            self.spikes += 1
            await self._raise(spike, logged.seq)

    async def _raise(self, spike: Spike, seq: int) -> None:
        command = Command(command_id(spike, seq), "warning.raise", spike.command_args())
        delay = 0.5
        for _ in range(ATTEMPTS):
            result = await self.hub.commands.submit(command, SYSTEM)
            if result.ok:
                if not result.replayed:
                    self.raised += 1
                log.info("early warning %s: %s in %s %s, %d in %d min (expected %.2f)",
                         result.data.get("id"), spike.category, spike.level, spike.area,
                         spike.count, spike.window_minutes, spike.expected)
                return
            error = result.error or {}
            if error.get("code") != "unavailable" or self.hub.log.stopped:
                log.warning("early warning for %s in %s %s not raised: %s", spike.category,
                            spike.level, spike.area, error.get("message"))
                return
            await asyncio.sleep(delay)
            delay = min(MAX_DELAY_S, delay * 2)
        log.error("early warning for %s in %s %s not raised: the database stayed unreachable",
                  spike.category, spike.level, spike.area)
