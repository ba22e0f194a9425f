"""The live layers: what the page shows of the replica, kept current from the bridge's change sets.

- **units** — positions are folded into :class:`~console.map.feeds.UnitFeed` as they come and
  sent as one binary batch at most 4 times a second (:data:`MOVE_INTERVAL_MS`), and never while
  the page has not yet painted the previous batch: a page that falls behind gets fewer, fuller
  batches rather than a queue. Status changes and new units go at once.
- **incidents** — added, redrawn or removed as they change; a pin turns overdue when its clock
  runs out (checked every 5 s against a heap of deadlines, no event needed).
- **heat** — incidents registered in the last N hours, resent a few seconds after new ones
  and every minute while shown (the window slides).
- **cameras** and **checkpoints** — with every reset of the page.

The feeds are kept whether or not a page is showing (the nearest-units list reads the unit
positions); what would go to the page is dropped until it is ready, and
:meth:`LiveLayers.reset` sends everything when it is.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from console.comms.bridge import Bridge
from console.comms.clock import hub_clock
from console.comms.replica import ChangeSet
from console.domain.incident import Incident
from console.map.district import Checkpoint
from console.map.feeds import Datum, HeatFeed, IncidentFeed, UnitFeed
from console.map.view import MapView
from console.map.web import map_web

#: At most this many unit batches a second (the issue's bound).
MOVE_INTERVAL_MS = 250
#: A batch not acknowledged as painted after this long no longer holds the next one back.
PAINT_WAIT_S = 1.0


class LiveLayers(QObject):
    """Units, incidents, heat, cameras and checkpoints for one map page.

    Args:
        incident_label: an incident's hover text in the user's language.
        checkpoint_label: a checkpoint's name in the user's language.

    Signals:
        moves_painted(int, float, bool): a batch of unit moves is on screen: its sequence
            number, seconds from sending it to hearing it was painted, whether anything was
            drawn (False while the page is hidden).
        changed(): the change set has been applied (the dock updates its buttons).
    """

    moves_painted = Signal(int, float, bool)
    changed = Signal()

    def __init__(self, bridge: Bridge, incident_label: Callable[[Incident], str],
                 checkpoint_label: Callable[[Checkpoint], str], checkpoints: Sequence[Checkpoint],
                 heat_hours: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.datum = Datum()
        self.view: MapView | None = None
        self.units = UnitFeed()
        self.incidents = IncidentFeed(incident_label)
        self.heat = HeatFeed(heat_hours)
        self.heat_shown = False
        #: The SOS markers sent last: [unit id, lat, lon, label] (tests read it).
        self.sos: list[list[Any]] = []
        self.checkpoints = tuple(checkpoints)
        self._checkpoint_label = checkpoint_label
        self._seq = 0
        self._epoch = 0  # bumped by every unitsReset: older batches index other units
        self._in_flight: tuple[int, float] | None = None
        self._last_sent = 0.0
        self._move_timer = QTimer(self, singleShot=True)
        # A coarse timer may fire 5 % early: that would be more than 4 batches a second.
        self._move_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._move_timer.timeout.connect(self._flush_moves)
        self._heat_timer = QTimer(self, singleShot=True, interval=3000)
        self._heat_timer.timeout.connect(self.send_heat)
        self._clock_timer = QTimer(self, interval=5000)
        self._clock_timer.timeout.connect(self._tick)
        self._clock_timer.start()
        bridge.changed.connect(self.apply)

    def attach(self, view: MapView) -> None:
        self.view = view
        view.channel.frame_painted.connect(self._painted)

    def call(self, function: str, *args: Any) -> bool:
        return self.view is not None and self.view.call(function, *args)

    # -- everything at once ---------------------------------------------------------------------

    def reset(self) -> None:
        """Rebuild the feeds from the replica and send them all (a snapshot, a new page)."""
        replica = self.bridge.replica
        units = self.units.reset(replica.units, replica.positions, self.datum)
        rows = self.incidents.reset(replica.incidents, replica.deadlines, hub_clock.now(),
                                    self.datum)
        self.heat.reset(replica.incidents)
        self._epoch += 1
        self._in_flight = None
        self.call("unitsReset", self._epoch, *units)
        self.call("incidentsReset", rows)
        self.send_cameras()
        self.send_checkpoints()
        self.send_sos()
        if self.heat_shown:
            self.send_heat()

    def resend_incidents(self) -> None:
        """Every incident again (their labels changed language)."""
        replica = self.bridge.replica
        self.call("incidentsReset", self.incidents.reset(
            replica.incidents, replica.deadlines, hub_clock.now(), self.datum))

    def send_checkpoints(self) -> None:
        self.call("checkpointsSet", [[c.id, *self.datum.point(c.lat, c.lon), 0,
                                      self._checkpoint_label(c)] for c in self.checkpoints])

    def send_sos(self) -> None:
        """The units calling for help, marked until a controller clears the call."""
        self.sos = [[u.id, *self.datum.point(u.sos.lat, u.sos.lon), f"SOS {u.name}"]
                    for u in self.bridge.replica.units.values() if u.sos is not None]
        self.call("sosSet", self.sos)

    def send_cameras(self) -> None:
        rows = []
        for camera in self.bridge.replica.cameras:
            try:
                lat, lon = self.datum.point(float(camera["lat"]), float(camera["lon"]))
            except (KeyError, TypeError, ValueError):
                continue
            rows.append([str(camera["id"]), lat, lon, 0, str(camera.get("name") or camera["id"])])
        self.call("camerasSet", rows)

    def send_heat(self) -> None:
        if self.heat_shown:
            _count, arrays = self.heat.points(hub_clock.now(), self.datum)
            self.call("heatSet", *arrays)
            self._heat_timer.start(60_000)  # the window slides even without new incidents

    def set_heat_hours(self, hours: int) -> None:
        self.heat.hours = hours
        self.heat.reset(self.bridge.replica.incidents)
        self.send_heat()

    # -- following the hub ----------------------------------------------------------------------

    def apply(self, change: ChangeSet) -> None:
        if change.reset:
            self.reset()
            self.changed.emit()
            return
        if change.units:
            fresh = [u for u in change.units.values() if u.id not in self.units.index]
            if fresh:
                self.call("unitsAppend", *self.units.add(fresh, self.bridge.replica.positions,
                                                         self.datum))
            if any(u.sos is not None or u.id in {r[0] for r in self.sos}
                   for u in change.units.values()):
                self.send_sos()
            restyled = self.units.restyle(change.units.values())
            if restyled is not None:
                self.call("unitsRestyle", *restyled)
        if change.positions:
            self.units.note_moves(change.positions)
            self._moves_arrived()
        if change.incidents:
            rows, gone = self.incidents.apply(change.incidents, change.deadlines,
                                              hub_clock.now(), self.datum)
            if rows:
                self.call("incidentsUpsert", rows)
            if gone:
                self.call("incidentsRemove", gone)
            if self.heat.add(change.incidents) and self.heat_shown \
                    and not 0 <= self._heat_timer.remainingTime() <= 3000:
                self._heat_timer.start(3000)
        if change.cameras is not None:
            self.send_cameras()
        self.changed.emit()

    def _moves_arrived(self) -> None:
        """Send the pending moves as soon as the rate and the page allow."""
        if self._move_timer.isActive():
            return
        now = time.monotonic()
        if self._in_flight is not None and now - self._in_flight[1] < PAINT_WAIT_S:
            return  # _painted() comes back here
        wait = MOVE_INTERVAL_MS / 1000 - (now - self._last_sent)
        self._move_timer.start(max(0, round(wait * 1000)))

    def _flush_moves(self) -> None:
        taken = self.units.take_moves(self.datum)  # also keeps the arrays current
        if taken is None or self.view is None or not self.view.ready:
            return
        self._seq += 1
        url = map_web().data.offer(taken[1])
        sent = time.monotonic()
        self.view.call("unitsMove", self._seq, self._epoch, url)
        self._in_flight = (self._seq, sent)
        self._last_sent = sent

    def _painted(self, seq: int, drawn: bool, _took_ms: float) -> None:
        if self._in_flight is not None and self._in_flight[0] == seq:
            self.moves_painted.emit(seq, time.monotonic() - self._in_flight[1], drawn)
            self._in_flight = None
        if self.units.pending:
            self._moves_arrived()

    def _tick(self) -> None:
        replica = self.bridge.replica
        rows = self.incidents.tick(replica.incidents, replica.deadlines, hub_clock.now(),
                                   self.datum)
        if rows:
            self.call("incidentsUpsert", rows)
