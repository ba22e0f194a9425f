"""Field units: who they are, their status, and how assignments and status changes move them.

A unit's status follows its assignment while it has one (dispatched, en route, on scene); the
center sets the other statuses (available, busy, off duty, out of service) directly.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, NamedTuple

from console.domain.model import AssignmentState, Event, UnitStatus, UnitType


class Position(NamedTuple):
    """A unit's latest reported position.

    A named tuple rather than a dataclass: a console takes in up to every unit's position
    several times a second, and a tuple of floats and a datetime is built in a third of the time
    and is one object instead of two (no ``__dict__``). (The collector keeps tracking it, as it
    does every tuple subclass; the bridge freezes what a change set brought, so full
    collections do not walk the positions a replica holds.)
    """

    lat: float
    lon: float
    heading: float
    speed: float
    at: datetime


@dataclass(frozen=True)
class Sos:
    """A unit's call for help (``unit.sos``), waiting until a controller clears it."""

    lat: float
    lon: float
    at: datetime
    text: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"lat": self.lat, "lon": self.lon, "at": self.at.isoformat(), "text": self.text}

    @classmethod
    def from_dict(cls, d: Any) -> Sos | None:
        if not isinstance(d, dict):
            return None
        return cls(d["lat"], d["lon"], datetime.fromisoformat(d["at"]), d.get("text"))


@dataclass(frozen=True)
class Unit:
    id: str
    name: str
    type: UnitType
    status: UnitStatus
    status_since: datetime
    tier: int | None = None
    street: str | None = None
    community: str | None = None
    grid: str | None = None
    skills: tuple[str, ...] = ()
    assignment: str | None = None
    version: int = 1
    sos: Sos | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "type": self.type.value,
            "status": self.status.value,
            "status_since": self.status_since.isoformat(),
            "tier": self.tier,
            "street": self.street,
            "community": self.community,
            "grid": self.grid,
            "skills": list(self.skills),
            "assignment": self.assignment,
            "version": self.version,
            "sos": self.sos.to_dict() if self.sos else None,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Unit:
        return cls(
            id=d["id"],
            name=d["name"],
            type=UnitType(d["type"]),
            status=UnitStatus(d["status"]),
            status_since=datetime.fromisoformat(d["status_since"]),
            tier=d.get("tier"),
            street=d.get("street"),
            community=d.get("community"),
            grid=d.get("grid"),
            skills=tuple(d.get("skills", ())),
            assignment=d.get("assignment"),
            version=d.get("version", 1),
            sos=Sos.from_dict(d.get("sos")),
        )


# The unit status an assignment step puts the unit in; None means "the assignment is over".
_STATUS_FOR_STEP: dict[AssignmentState, UnitStatus | None] = {
    AssignmentState.DISPATCHED: UnitStatus.DISPATCHED,
    AssignmentState.ACKNOWLEDGED: UnitStatus.DISPATCHED,
    AssignmentState.EN_ROUTE: UnitStatus.EN_ROUTE,
    AssignmentState.ON_SCENE: UnitStatus.ON_SCENE,
    AssignmentState.CLEARED: None,
    AssignmentState.CANCELLED: None,
}


def registered(event: Event) -> Unit:
    """The unit a ``unit.registered`` event brings into being."""
    d = event.data
    return Unit(
        id=d["unit"],
        name=d["name"],
        type=UnitType(d["type"]),
        status=UnitStatus(d["status"]),
        status_since=event.at,
        tier=d.get("tier"),
        street=d.get("street"),
        community=d.get("community"),
        grid=d.get("grid"),
        skills=tuple(d.get("skills", ())),
    )


def evolve(unit: Unit, event: Event) -> Unit:
    """The unit after ``event``; events about other units leave it unchanged."""
    d = event.data
    if d.get("unit") != unit.id:
        return unit
    at = event.at
    if event.name in ("unit.status_changed", "unit.clocked_in", "unit.clocked_out"):
        new = replace(unit, status=UnitStatus(d["status"]))
    elif event.name == "unit.sos":
        new = replace(unit, sos=Sos(d["lat"], d["lon"], at, d.get("text")))
    elif event.name == "unit.sos_cleared":
        new = replace(unit, sos=None)
    elif event.name == "assignment.dispatched":
        new = replace(unit, status=UnitStatus.DISPATCHED, assignment=d["assignment"])
    elif event.name == "assignment.updated":
        status = _STATUS_FOR_STEP[AssignmentState(d["status"])]
        if status is None:
            new = replace(unit, status=UnitStatus.AVAILABLE, assignment=None)
        else:
            new = replace(unit, status=status)
    else:
        return replace(unit, version=unit.version + 1)
    if new.status != unit.status:
        new = replace(new, status_since=at)
    return replace(new, version=unit.version + 1)
