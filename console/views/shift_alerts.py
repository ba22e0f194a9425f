"""What asks a controller's attention during a shift: new urgent cases and clocks running out.

One :class:`ShiftAlerts` per connection (:func:`shift_alerts`, a child of the bridge), so the
windows of one console ring once. It raises an alert

- when a new P1 or P2 case arrives (``incident.created``) still waiting to be accepted;
- when a case's running clock reaches 80 % of its limit (amber) and again at 100 % (overdue):
  each stage's clock alerts once at each threshold.

Alerts follow the user's scope (:func:`in_scope`): a department desk hears the cases its
department leads or co-handles, a liaison officer the police cases, the center's other roles
every case; an administrator none. An alert sounds (the connection's :class:`AlertSound`) if
the user's setting for its kind is on — a wall display (the ``viewer`` role) starts with all
off — and sounds again every :attr:`ShiftAlerts.REPEAT_S` seconds until acknowledged; its row
flashes meanwhile. Acting on the case ends it too: a new case accepted, a clock stopped or
moved on to the next stage.

It also keeps the shift's counters: the cases in scope waiting to be accepted and those
overdue, and which of them is the oldest (:meth:`ShiftAlerts.oldest`).

Thresholds are kept in a heap by the time they are reached, so a tick looks only at the cases
whose time has come, never at every case; entries are checked against the replica when they
come up (a clock extended or stopped since leaves a stale entry, which is dropped). After a
snapshot the heap and the counters are rebuilt in slices, and nothing already passed alerts:
a console that (re)connects does not ring for the past.
"""

from __future__ import annotations

import heapq
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from PySide6.QtCore import QObject, QSettings, QTimer, Signal

from console.comms.bridge import Bridge
from console.comms.clock import hub_clock
from console.comms.replica import ChangeSet, UserInfo
from console.domain.incident import Incident
from console.domain.model import FINISHED_STATES, IncidentState, Priority
from console.domain.sla import SlaClock
from console.views.alerts import alert_sound

log = logging.getLogger(__name__)

#: The center's roles that hear every case.
_CENTER_ROLES = frozenset({"call_taker", "controller", "duty_leader", "viewer"})
URGENT = frozenset({Priority.P1, Priority.P2})
#: Work done in one slice of a rebuild after a snapshot, between events of the GUI.
_SLICE_S = 0.008


class AlertKind(StrEnum):
    NEW = "new"  # a new P1/P2 case waiting to be accepted
    AMBER = "amber"  # a clock at 80 % of its limit
    OVERDUE = "overdue"  # a clock at its deadline


@dataclass(frozen=True, slots=True)
class Alert:
    incident: str
    kind: AlertKind
    #: What makes it this alert and no other: the case, the kind, the clock's stage and due time.
    key: tuple[str, ...]


def in_scope(user: UserInfo | None, incident: Incident) -> bool:
    """Whether ``incident`` is one ``user`` works (and so hears and counts)."""
    if user is None or incident.state in FINISHED_STATES:
        return False
    roles = set(user.roles)
    if roles & _CENTER_ROLES:
        return True
    if "department" in roles and user.department is not None and (
            incident.lead_department == user.department
            or user.department in incident.co_handlers):
        return True
    return "police_liaison" in roles and incident.police is not None


def setting_key(user: UserInfo | None, kind: AlertKind) -> str:
    """Where a user's choice of whether ``kind`` sounds is kept: per account, so two
    controllers sharing a workstation keep their own."""
    return f"alerts/{user.username if user else '-'}/{kind.value}"


def sounds_by_default(user: UserInfo | None) -> bool:
    """A wall display (viewer) and an administrator start quiet; every desk starts hearing."""
    return user is not None and not set(user.roles) <= {"viewer", "admin"}


def _ts(moment: datetime) -> float:
    return moment.timestamp()


class ShiftAlerts(QObject):
    """The alerts and counters of one connection.

    Args:
        bridge: the connection; its replica is read when it says it changed.
        settings: where each user's sound choices are kept.
        clock: world time (the hub's, by default).

    Signals:
        changed(): the alerts waiting or the counters changed.
        rows_changed(list): these incidents' rows look different now (a level reached, an
            alert raised or ended): views repaint those rows only.
        flashed(): the flash phase turned; rows of :attr:`pending` alerts repaint.
    """

    changed = Signal()
    rows_changed = Signal(list)
    flashed = Signal()

    #: Seconds between rings while an alert waits to be acknowledged.
    REPEAT_S = 15.0
    FLASH_MS = 500

    def __init__(self, bridge: Bridge, settings: QSettings,
                 clock: Callable[[], datetime] = hub_clock.now) -> None:
        super().__init__(bridge)
        self.setObjectName("shiftAlerts")
        self.bridge = bridge
        self.settings = settings
        self._clock = clock
        self.sound = alert_sound(bridge)
        #: Unacknowledged alerts by incident, oldest first.
        self.pending: dict[str, list[Alert]] = {}
        #: Cases in scope waiting to be accepted, and overdue.
        self.unaccepted: set[str] = set()
        self.overdue: set[str] = set()
        #: Whether flashing rows show their flash colour now.
        self.phase = False
        self._heap: list[tuple[float, str, float, str]] = []  # (when, incident, due, kind)
        self._scheduled: dict[str, float] = {}  # the due time each case's entries are for
        self._rebuild: Iterator[str] | None = None
        self._last_ring = 0.0
        self._sound_settings: dict[str, bool] = {}
        self._tick = QTimer(self, interval=1000)
        self._tick.timeout.connect(self.tick)
        self._tick.start()
        self._flash = QTimer(self, interval=self.FLASH_MS)
        self._flash.timeout.connect(self._toggle)
        bridge.changed.connect(self.apply)
        bridge.logged_in.connect(lambda _user: self._start_rebuild())
        self._start_rebuild()

    # -- settings ----------------------------------------------------------------------------

    def sounds(self, kind: AlertKind) -> bool:
        # Kept once read: asked for every waiting alert at every tick, and QSettings may go to
        # the disk to answer.
        user = self.bridge.replica.user
        key = setting_key(user, kind)
        on = self._sound_settings.get(key)
        if on is None:
            value = self.settings.value(key, sounds_by_default(user))
            on = self._sound_settings[key] = value in (True, "true", "1", 1)
        return on

    def set_sounds(self, kind: AlertKind, on: bool) -> None:
        key = setting_key(self.bridge.replica.user, kind)
        self.settings.setValue(key, on)
        self._sound_settings[key] = on

    # -- what the views ask -------------------------------------------------------------------

    def flashing(self, incident_id: str) -> bool:
        return incident_id in self.pending

    def oldest(self) -> str | None:
        """The case waiting longest among those unaccepted or overdue (by when it came in)."""
        incidents = self.bridge.replica.incidents
        waiting = [incidents[i] for i in self.unaccepted | self.overdue if i in incidents]
        if not waiting:
            return None
        return min(waiting, key=lambda inc: (inc.created_at, inc.id)).id

    def acknowledge(self, incident_id: str | None = None) -> str | None:
        """Silence the alerts of ``incident_id`` (the oldest alert's when None); which."""
        if incident_id is None:
            incident_id = next(iter(self.pending), None)
        if incident_id is None or self.pending.pop(incident_id, None) is None:
            return None
        log.debug("alert acknowledged: %s", incident_id)
        self._ended([incident_id])
        return incident_id

    # -- following the replica ----------------------------------------------------------------

    def apply(self, change: ChangeSet) -> None:
        if change.reset:
            self._start_rebuild()
            return
        created = {e.data.get("id") for _, e in change.events if e.name == "incident.created"}
        now = self._clock()
        touched: list[str] = []
        for iid in change.incidents:
            if self._follow(iid, now):
                touched.append(iid)
            if iid in created:
                self._new_case(iid)
        if touched:
            self.rows_changed.emit(touched)
            self.changed.emit()

    def tick(self) -> None:
        """Raise what has come due; ring again for what still waits."""
        now = self._clock()
        limit, crossed = _ts(now), []
        incidents, deadlines = self.bridge.replica.incidents, self.bridge.replica.deadlines
        while self._heap and self._heap[0][0] <= limit:
            _, iid, due, kind = heapq.heappop(self._heap)
            if kind == AlertKind.OVERDUE and self._scheduled.get(iid) == due:
                del self._scheduled[iid]
            clock = deadlines.get(iid)
            incident = incidents.get(iid)
            if (clock is None or not clock.running or _ts(clock.due_at) != due or incident is None
                    or not in_scope(self.bridge.replica.user, incident)):
                continue  # extended, stopped or moved on since: a stale entry
            if kind == AlertKind.OVERDUE:
                self.overdue.add(iid)
            self._raise(Alert(iid, AlertKind(kind), (iid, kind, clock.stage.value, str(due))))
            crossed.append(iid)
        if crossed:
            self.rows_changed.emit(crossed)
            self.changed.emit()
        if self._ringing() and time.monotonic() - self._last_ring >= self.REPEAT_S:
            self._ring(next(a for alerts in self.pending.values() for a in alerts
                            if self.sounds(a.kind)), again=True)

    # -- inside -------------------------------------------------------------------------------

    def _follow(self, iid: str, now: datetime) -> bool:
        """Bring one case's counters, thresholds and alerts up to date; True if any changed."""
        incident = self.bridge.replica.incidents.get(iid)
        clock = self.bridge.replica.deadlines.get(iid)
        scoped = incident is not None and in_scope(self.bridge.replica.user, incident)
        before = (iid in self.unaccepted, iid in self.overdue, iid in self.pending)
        if scoped and incident is not None and incident.state is IncidentState.NEW:
            self.unaccepted.add(iid)
        else:
            self.unaccepted.discard(iid)
        if incident is None or incident.state in FINISHED_STATES:
            # Ended: what it scheduled can no longer come up (a reopened case runs new
            # clocks), and a console that runs for weeks must not keep it.
            self._scheduled.pop(iid, None)
        running = scoped and clock is not None and clock.running
        if running and clock is not None and clock.overdue(now):
            self.overdue.add(iid)
        else:
            self.overdue.discard(iid)
        alerts = self.pending.get(iid)
        if alerts is not None:
            kept = [a for a in alerts if self._still_true(a, incident, clock)]
            if kept:
                self.pending[iid] = kept
            else:
                del self.pending[iid]
        if running and clock is not None:
            self._schedule(iid, clock, now)
        self._flash_while_pending()
        return before != (iid in self.unaccepted, iid in self.overdue, iid in self.pending)

    @staticmethod
    def _still_true(alert: Alert, incident: Incident | None, clock: SlaClock | None) -> bool:
        if incident is None or incident.state in FINISHED_STATES:
            return False
        if alert.kind is AlertKind.NEW:
            return incident.state is IncidentState.NEW
        return (clock is not None and clock.running and clock.stage.value == alert.key[2]
                and str(_ts(clock.due_at)) == alert.key[3])

    def _schedule(self, iid: str, clock: SlaClock, now: datetime) -> None:
        due = _ts(clock.due_at)
        if self._scheduled.get(iid) == due:
            return
        self._scheduled[iid] = due
        amber = _ts(clock.started_at) + (due - _ts(clock.started_at)) * 0.8
        for when, kind in ((amber, AlertKind.AMBER), (due, AlertKind.OVERDUE)):
            if when > _ts(now):
                heapq.heappush(self._heap, (when, iid, due, kind.value))

    def _new_case(self, iid: str) -> None:
        incident = self.bridge.replica.incidents.get(iid)
        if (incident is not None and incident.priority in URGENT
                and incident.state is IncidentState.NEW
                and in_scope(self.bridge.replica.user, incident)):
            self._raise(Alert(iid, AlertKind.NEW, (iid, AlertKind.NEW.value)))
            self.rows_changed.emit([iid])
            self.changed.emit()

    def _raise(self, alert: Alert) -> None:
        # Each threshold of a clock comes off the heap once (its due time is scheduled once)
        # and a case is created once, so an alert is not raised twice; the check is for a
        # change set seen twice. The amber alert of a clock gone overdue says nothing more:
        # the overdue one takes its place (a centre may hold many thousands of them).
        waiting = self.pending.setdefault(alert.incident, [])
        if alert in waiting:
            return
        if alert.kind is AlertKind.OVERDUE:
            waiting[:] = [a for a in waiting
                          if not (a.kind is AlertKind.AMBER and a.key[2:] == alert.key[2:])]
        waiting.append(alert)
        log.debug("alert: %s %s", alert.kind.value, alert.incident)
        self._flash_while_pending()
        if self.sounds(alert.kind):
            self._ring(alert)

    def _ring(self, alert: Alert, *, again: bool = False) -> None:
        self._last_ring = time.monotonic()
        if again:
            self.sound.repeat(alert.key)
        else:
            self.sound.play(alert.key)

    def _ringing(self) -> bool:
        return any(self.sounds(a.kind) for alerts in self.pending.values() for a in alerts)

    def _ended(self, iids: list[str]) -> None:
        self._flash_while_pending()
        self.rows_changed.emit(iids)
        self.changed.emit()

    def _flash_while_pending(self) -> None:
        if self.pending and not self._flash.isActive():
            self._flash.start()
        elif not self.pending and self._flash.isActive():
            self._flash.stop()
            self.phase = False

    def _toggle(self) -> None:
        self.phase = not self.phase
        self.flashed.emit()

    def _start_rebuild(self) -> None:
        ended = list(self.pending)
        self.pending.clear()
        self.unaccepted.clear()
        self.overdue.clear()
        self._heap.clear()
        self._scheduled.clear()
        first = self._rebuild is None
        self._rebuild = iter(list(self.bridge.replica.incidents))
        if first:
            QTimer.singleShot(0, self, self._rebuild_slice)
        if ended:
            self._ended(ended)

    def _rebuild_slice(self) -> None:
        """Take up the cases of a snapshot a slice at a time; none alerts (they are the past)."""
        work = self._rebuild
        if work is None:
            return
        now, started = self._clock(), time.perf_counter()
        for iid in work:
            self._follow(iid, now)
            if time.perf_counter() - started > _SLICE_S:
                QTimer.singleShot(0, self, self._rebuild_slice)
                return
        self._rebuild = None
        self.changed.emit()


def shift_alerts(bridge: Bridge, settings: QSettings) -> ShiftAlerts:
    """The shift alerts of the console on ``bridge`` (made on first use, in the GUI thread)."""
    found = bridge.findChild(ShiftAlerts)
    return found if found is not None else ShiftAlerts(bridge, settings)

