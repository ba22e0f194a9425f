"""The live state the hub client builds in its loop thread, and the change sets it hands over.

:class:`LiveState` is sans-I/O: it takes the hub's ``snapshot``, ``event`` and ``positions``
messages (already decoded by ``console.comms.protocol``) and folds them into domain objects —
incidents and units through the domain's own :class:`Aggregates`, so an event changes the
console's copy by exactly the rules it changed the hub's — and :meth:`LiveState.take` gives what
changed since the last call as one :class:`ChangeSet`. When and how often to call it is the
client's business (at most every 100 ms).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from console.comms.replica import ChangeSet
from console.domain.deadlines import next_deadline
from console.domain.incident import Incident
from console.domain.major import MajorIncident
from console.domain.model import Event
from console.domain.police import LinkState
from console.domain.rules import Rules
from console.domain.sla import SlaClock
from console.domain.units import Position, Unit
from console.domain.warning import EarlyWarning
from console.domain.world import Aggregates

log = logging.getLogger(__name__)

Notice = Callable[[str, str], None]


class OutOfStep(Exception):
    """The state can no longer follow the log (a gap, or an event about something it never
    held): only a fresh snapshot puts it right."""


class LiveState:
    """Incidents, units, positions, police links, major incidents and early warnings as of
    :attr:`seq`, and what changed since :meth:`take`.

    Args:
        rules: the rule data next deadlines are computed with.
        notice: told ``("warning", message)`` about parts of a snapshot it had to leave out.
    """

    def __init__(self, rules: Rules, notice: Notice) -> None:
        self.rules = rules
        self._notice = notice
        self.seq = 0
        #: Whether a snapshot was taken: a reconnect may then resume from :attr:`seq`.
        self.has_snapshot = False
        self._world = Aggregates()
        self._positions: dict[str, Position] = {}
        self._cameras: tuple[Mapping[str, Any], ...] = ()
        self._taxonomy: tuple[Mapping[str, Any], ...] = ()
        self._links: dict[str, LinkState] = {}
        self._links_changed = False
        # What the next change set holds.
        self._reset = False
        self._moved: dict[str, Position] = {}
        self._events: list[tuple[int, Event]] = []

    @property
    def incidents(self) -> Mapping[str, Incident]:
        return self._world.incidents

    @property
    def units(self) -> Mapping[str, Unit]:
        return self._world.units

    @property
    def changed(self) -> bool:
        """Whether :meth:`take` has something to hand over."""
        world = self._world
        return bool(self._reset or world.dirty_incidents or world.dirty_units or self._moved
                    or self._events or self._links_changed or world.dirty_majors
                    or world.dirty_warnings)

    def snapshot(self, message: Mapping[str, Any]) -> None:
        """Replace everything with a ``snapshot``; the next change set is a reset."""
        world = Aggregates()
        positions: dict[str, Position] = {}
        for wire in message.get("incidents", ()):
            try:
                incident = Incident.from_dict(wire)  # extra keys such as next_due_at: ignored
            except (KeyError, TypeError, ValueError) as error:
                self._left_out("Incident", wire, error)
                continue
            world.incidents[incident.id] = incident
        for wire in message.get("units", ()):
            try:
                unit = Unit.from_dict(wire)
                position = _position(wire.get("position"))
            except (KeyError, TypeError, ValueError) as error:
                self._left_out("Unit", wire, error)
                continue
            world.units[unit.id] = unit
            if position is not None:
                positions[unit.id] = position
        for wire in message.get("major_incidents", ()):
            try:
                major = MajorIncident.from_dict(wire)
            except (KeyError, TypeError, ValueError) as error:
                self._left_out("Major incident", wire, error)
                continue
            world.majors[major.id] = major
        for wire in message.get("warnings", ()):
            try:
                warning = EarlyWarning.from_dict(wire)
            except (KeyError, TypeError, ValueError) as error:
                self._left_out("Warning", wire, error)
                continue
            world.warnings[warning.id] = warning
        self._world = world
        self._positions = positions
        self._cameras = tuple(message.get("cameras", ()))
        self._taxonomy = tuple(message.get("taxonomy", ()))
        self._links = {}
        for wire in message.get("police_links", ()):
            try:
                link = LinkState.from_wire(wire)
            except (KeyError, TypeError, ValueError) as error:
                self._left_out("Police link", wire, error)
                continue
            self._links[link.center] = link
        self.seq = int(message["seq"])
        self.has_snapshot = True
        self._reset = True
        self._moved = {}

    def event(self, message: Mapping[str, Any]) -> bool:
        """Fold in one ``event``; False if it was already held (a duplicate, skipped).

        Raises:
            OutOfStep: if events are missing before it, or it could not be applied (the event
                is counted as held either way: resuming goes on after it).
            KeyError, TypeError, ValueError: if the message is malformed (nothing changes).
        """
        seq = int(message["seq"])
        if seq <= self.seq:
            return False
        event = Event(str(message["name"]), datetime.fromisoformat(message["at"]),
                      str(message["actor"]), dict(message.get("data") or {}))
        gap = seq != self.seq + 1
        previous = self.seq
        self.seq = seq
        self._events.append((seq, event))
        if (link := LinkState.from_event(event)) is not None:
            self._links[link.center] = link
            self._links_changed = True
        try:
            self._world.apply(event)
        except Exception as error:
            raise OutOfStep(f"Event {seq} ({event.name}) could not be applied "
                            f"({type(error).__name__}: {error}).") from error
        if gap:
            raise OutOfStep(f"The hub's event {seq} came after {previous}: events are missing.")
        return True

    def positions(self, message: Mapping[str, Any]) -> None:
        """Take a ``positions`` frame: the latest position of each unit in it."""
        at = datetime.fromisoformat(message["at"])
        moved = self._moved  # folded into _positions by take(), in one C-level update
        new = tuple.__new__  # Position(...) is a Python-level __new__: this is the same tuple
        for row in message["units"]:
            # [id, lat, lon, heading, speed, status]: the status follows events, not frames.
            # Up to every unit several times a second, in the loop thread, holding the GIL.
            moved[row[0]] = new(Position, (float(row[1]), float(row[2]), float(row[3]),
                                           float(row[4]), at))

    def take(self) -> ChangeSet | None:
        """What changed since the last call — the latest state of each thing once, with the
        events in seq order — or None if nothing did."""
        if not self.changed:
            return None
        world = self._world
        self._positions.update(self._moved)
        if self._reset:
            incidents = dict(world.incidents)
            units = dict(world.units)
            positions = dict(self._positions)
        else:
            incidents = {i: world.incidents[i] for i in world.dirty_incidents
                         if i in world.incidents}
            units = {u: world.units[u] for u in world.dirty_units if u in world.units}
            positions = self._moved
        change = ChangeSet(
            seq=self.seq, reset=self._reset, incidents=incidents,
            deadlines={i: self._deadline(incident) for i, incident in incidents.items()},
            units=units, positions=positions,
            cameras=self._cameras if self._reset else None,
            taxonomy=self._taxonomy if self._reset else None,
            events=tuple(self._events),
            police_links=dict(self._links) if self._reset or self._links_changed else None,
            major_incidents=(dict(world.majors) if self._reset or world.dirty_majors
                             else None),
            warnings=dict(world.warnings) if self._reset or world.dirty_warnings else None)
        world.dirty_incidents.clear()
        world.dirty_units.clear()
        world.dirty_majors.clear()
        world.dirty_warnings.clear()
        world.created.clear()
        self._reset = False
        self._links_changed = False
        self._moved = {}
        self._events = []
        return change

    def _deadline(self, incident: Incident) -> SlaClock | None:
        try:
            return next_deadline(incident, self.rules)
        except Exception:  # a rule table without this class or priority: no countdown
            log.warning("no deadline for %s", incident.id, exc_info=True)
            return None

    def _left_out(self, kind: str, wire: Any, error: Exception) -> None:
        ident = wire.get("id") if isinstance(wire, Mapping) else None
        self._notice("warning", f"{kind} {ident} in the snapshot could not be read "
                     f"({type(error).__name__}: {error}); it is not shown.")


def _position(wire: Mapping[str, Any] | None) -> Position | None:
    if not wire:
        return None
    return Position(float(wire["lat"]), float(wire["lon"]), float(wire.get("heading") or 0.0),
                    float(wire.get("speed") or 0.0), datetime.fromisoformat(wire["at"]))
