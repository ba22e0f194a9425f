"""The console's copy of the live state, and the change sets that keep it current.

The client's loop thread turns the hub's snapshot and events into domain objects (immutable, so
they may cross threads) and hands the GUI thread one :class:`ChangeSet` at most every 100 ms. The
GUI thread owns the :class:`Replica`: it applies each change set, then tells the views what
changed. Nothing here imports Qt; the views read the replica and never write it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from console.domain.incident import Incident
from console.domain.major import MajorIncident
from console.domain.model import Event, UnitStatus
from console.domain.police import LinkState, waiting
from console.domain.sla import SlaClock
from console.domain.units import Position, Unit
from console.domain.warning import EarlyWarning


@dataclass(frozen=True)
class UserInfo:
    """Who is logged in, as the hub's ``welcome`` says."""

    username: str
    display_name: str
    roles: tuple[str, ...]
    department: str | None = None
    unit: str | None = None

    @classmethod
    def from_wire(cls, d: Mapping[str, Any]) -> UserInfo:
        return cls(username=d["username"], display_name=d.get("display_name") or d["username"],
                   roles=tuple(d.get("roles", ())), department=d.get("department"),
                   unit=d.get("unit"))


@dataclass(frozen=True)
class ChangeSet:
    """What changed since the last change set, coalesced: the latest state of each thing once.

    ``reset`` means "this is the whole state" (a snapshot): the replica drops what it held and
    the views rebuild. Otherwise ``incidents`` and ``units`` hold what was added or changed.
    ``deadlines`` holds, for every incident in ``incidents``, its next running SLA clock (None
    when no clock runs), computed in the loop thread so the GUI thread never walks calendars.
    ``events`` are the events folded in, in seq order, for timelines and notices.
    """

    seq: int
    reset: bool = False
    incidents: Mapping[str, Incident] = field(default_factory=dict)
    deadlines: Mapping[str, SlaClock | None] = field(default_factory=dict)
    units: Mapping[str, Unit] = field(default_factory=dict)
    positions: Mapping[str, Position] = field(default_factory=dict)
    cameras: tuple[Mapping[str, Any], ...] | None = None
    taxonomy: tuple[Mapping[str, Any], ...] | None = None
    events: tuple[tuple[int, Event], ...] = ()
    #: Every police center's link, when it changed (or with a reset).
    police_links: Mapping[str, LinkState] | None = None
    #: Every major incident held (active, or stood down lately), when one changed (or with a
    #: reset); likewise every early warning.
    major_incidents: Mapping[str, MajorIncident] | None = None
    warnings: Mapping[str, EarlyWarning] | None = None

    @property
    def empty(self) -> bool:
        return not (self.reset or self.incidents or self.units or self.positions or self.events
                    or self.cameras is not None or self.taxonomy is not None
                    or self.police_links is not None or self.major_incidents is not None
                    or self.warnings is not None)


class Replica:
    """Incidents, units, positions, cameras, police links, major incidents and early warnings
    as the console last heard them.

    Owned by the GUI thread; changed only by :meth:`apply`.
    """

    def __init__(self) -> None:
        self.seq = 0
        self.incidents: dict[str, Incident] = {}
        self.deadlines: dict[str, SlaClock | None] = {}
        self.units: dict[str, Unit] = {}
        self.positions: dict[str, Position] = {}
        self.cameras: tuple[Mapping[str, Any], ...] = ()
        self.taxonomy: tuple[Mapping[str, Any], ...] = ()
        self.police_links: Mapping[str, LinkState] = {}
        #: The incidents with a police hand-off (diverted or escalated), kept as change sets
        #: arrive so that the liaison dock and the status bar never walk every incident.
        self.police_incidents: dict[str, Incident] = {}
        self.major_incidents: Mapping[str, MajorIncident] = {}
        self.warnings: Mapping[str, EarlyWarning] = {}
        self.user: UserInfo | None = None
        #: When the last event or position frame arrived (GUI clock), for "n s since last event".
        self.last_event_at: datetime | None = None

    def apply(self, change: ChangeSet) -> None:
        if change.reset:
            self.incidents = dict(change.incidents)
            self.deadlines = dict(change.deadlines)
            self.units = dict(change.units)
            self.positions = dict(change.positions)
        else:
            self.incidents.update(change.incidents)
            self.deadlines.update(change.deadlines)
            self.units.update(change.units)
            self.positions.update(change.positions)
        self._follow_police(change)
        if change.cameras is not None:
            self.cameras = change.cameras
        if change.taxonomy is not None:
            self.taxonomy = change.taxonomy
        if change.police_links is not None:
            self.police_links = change.police_links
        if change.major_incidents is not None:
            self.major_incidents = change.major_incidents
        if change.warnings is not None:
            self.warnings = change.warnings
        self.seq = max(self.seq, change.seq) if not change.reset else change.seq
        if change.events or change.positions:
            self.last_event_at = datetime.now(UTC)

    @property
    def police_waiting(self) -> int:
        """How many messages to the police they have not yet acknowledged."""
        return waiting(self.police_incidents.values())

    def _follow_police(self, change: ChangeSet) -> None:
        if change.reset:
            self.police_incidents = {i: inc for i, inc in self.incidents.items()
                                     if inc.police is not None}
            return
        for incident_id, inc in change.incidents.items():
            if inc.police is not None:
                self.police_incidents[incident_id] = inc
            else:
                self.police_incidents.pop(incident_id, None)

    def unit_status(self, unit_id: str) -> UnitStatus | None:
        unit = self.units.get(unit_id)
        return unit.status if unit else None
