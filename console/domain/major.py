"""Major incidents (重大事件): declared by a duty leader, followed to their stand-down.

A major incident is an aggregate of its own (``MI-20261127-01``, numbered per local day), not an
incident: it gathers incidents (linked) and field units (committed) under one commander and
one area, keeps a timeline of everything said and done, carries the latest message broadcast to
every console, and ends with a stand-down and its summary.

```
declare ──▶ active ──link / commit / note / broadcast──▶ active ──stand down──▶ stood_down
```

Commands ``major.declare|link|commit|note|broadcast|stand_down`` (duty leader and admin in
``resources/roles.toml``); events ``major.declared``, ``major.incident_linked``,
``major.unit_committed``, ``major.noted``, ``major.broadcast``, ``major.stood_down``. Their
``data`` names the major incident as ``id`` (and the incident linked as ``incident``, the unit
committed as ``unit``). Committing a unit does not change its status: the unit is earmarked for
the major incident, and is still sent to a scene by ``incident.dispatch`` of a linked incident.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from console.domain import args as a
from console.domain import permissions
from console.domain.errors import Refused
from console.domain.lifecycle import World
from console.domain.model import Event
from console.domain.rules import Context

#: The commands of this module, with the events they make.
COMMANDS = {
    "major.declare": "major.declared",
    "major.link": "major.incident_linked",
    "major.commit": "major.unit_committed",
    "major.note": "major.noted",
    "major.broadcast": "major.broadcast",
    "major.stand_down": "major.stood_down",
}
#: The largest area a polygon may describe, in points, and a circle's radius, in metres.
MAX_POINTS = 1000
MAX_RADIUS_M = 50_000.0


class Level(StrEnum):
    """Severity, as the national emergency plans grade it: I is the gravest (特别重大)."""

    I = "I"  # noqa: E741 - the grade's own name
    II = "II"
    III = "III"
    IV = "IV"


ACTIVE = "active"
STOOD_DOWN = "stood_down"


@dataclass(frozen=True)
class Entry:
    """One line of a major incident's timeline: what happened (the event name without
    ``major.``), who did it, and its text (a title, incident or unit id, note or message)."""

    at: datetime
    actor: str
    kind: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "actor": self.actor, "kind": self.kind,
                "text": self.text}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Entry:
        return cls(datetime.fromisoformat(d["at"]), str(d["actor"]), str(d["kind"]),
                   str(d.get("text") or ""))


@dataclass(frozen=True)
class MajorIncident:
    id: str
    level: Level
    title: str
    commander: str
    area: Mapping[str, Any]
    declared_at: datetime
    declared_by: str
    #: The latest message broadcast to every console (the declaration's, at first).
    message: str = ""
    message_at: datetime | None = None
    state: str = ACTIVE
    incidents: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    timeline: tuple[Entry, ...] = ()
    stood_down_at: datetime | None = None
    summary: str | None = None
    version: int = 1

    @property
    def active(self) -> bool:
        return self.state == ACTIVE

    @property
    def updated_at(self) -> datetime:
        return self.timeline[-1].at if self.timeline else self.declared_at

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "level": self.level.value, "title": self.title,
            "commander": self.commander, "area": dict(self.area),
            "declared_at": self.declared_at.isoformat(), "declared_by": self.declared_by,
            "message": self.message,
            "message_at": self.message_at.isoformat() if self.message_at else None,
            "state": self.state, "incidents": list(self.incidents), "units": list(self.units),
            "timeline": [e.to_dict() for e in self.timeline],
            "stood_down_at": self.stood_down_at.isoformat() if self.stood_down_at else None,
            "summary": self.summary, "version": self.version,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> MajorIncident:
        def when(key: str) -> datetime | None:
            value = d.get(key)
            return datetime.fromisoformat(value) if value else None

        declared_at = datetime.fromisoformat(d["declared_at"])
        state = str(d.get("state") or ACTIVE)
        if state not in (ACTIVE, STOOD_DOWN):
            raise ValueError(f"unknown major incident state {state!r}")
        return cls(
            id=str(d["id"]), level=Level(d["level"]), title=str(d["title"]),
            commander=str(d["commander"]), area=dict(d["area"]), declared_at=declared_at,
            declared_by=str(d.get("declared_by") or ""), message=str(d.get("message") or ""),
            message_at=when("message_at"), state=state,
            incidents=tuple(d.get("incidents", ())), units=tuple(d.get("units", ())),
            timeline=tuple(Entry.from_dict(e) for e in d.get("timeline", ())),
            stood_down_at=when("stood_down_at"), summary=d.get("summary"),
            version=int(d.get("version", 1)),
        )


@runtime_checkable
class MajorWorld(World, Protocol):
    """A world that also holds major incidents and numbers new ones."""

    def major(self, major_id: str) -> MajorIncident: ...

    def next_number(self, prefix: str) -> int: ...


# -- deciding ------------------------------------------------------------------------------------

def decide(name: str, args: Mapping[str, Any], ctx: Context, world: World) -> list[Event]:
    """The events one ``major.*`` command makes.

    Raises:
        Refused: who may not, what is missing or wrong, or a major incident already stood down.
    """
    if not isinstance(world, MajorWorld):
        raise Refused("unavailable", "Major incidents cannot be declared here.")
    permissions.check(ctx.rules.roles, ctx.actor, name)
    if name == "major.declare":
        return _declare(args, ctx, world)
    major = world.major(a.ident(args, "id"))
    if refused := guard(name, major):
        raise refused
    if name == "major.link":
        incident = world.incident(a.ident(args, "incident"))
        if incident.id in major.incidents:
            raise Refused("conflict", "{incident} is already linked to {id}.",
                          incident=incident.id, id=major.id)
        return [_event(name, major, ctx, incident=incident.id)]
    if name == "major.commit":
        unit = world.unit(a.ident(args, "unit"))
        if unit.id in major.units:
            raise Refused("conflict", "Unit {unit} is already committed to {id}.",
                          unit=unit.id, id=major.id)
        return [_event(name, major, ctx, unit=unit.id)]
    if name == "major.note":
        return [_event(name, major, ctx, text=a.text(args, "text", max_len=2000, multiline=True))]
    if name == "major.broadcast":
        return [_event(name, major, ctx,
                       message=a.text(args, "message", max_len=500, multiline=True))]
    return [_event(name, major, ctx, summary=a.text(args, "summary", max_len=2000, multiline=True))]


def guard(name: str, major: MajorIncident) -> Refused | None:
    """Why ``name`` may not happen to ``major`` now (None: it may)."""
    if name != "major.declare" and not major.active:
        return Refused("conflict", "{id} was stood down; it takes no more changes.", id=major.id)
    return None


def allowed(major: MajorIncident | None, ctx: Context) -> dict[str, str | None]:
    """For every major incident command: None if this user may do it now (to ``major``, or
    declare one when None), else why not — for the console's buttons."""
    return {name: refused.message if refused else None
            for name, refused in refusals(major, ctx).items()}


def refusals(major: MajorIncident | None, ctx: Context) -> dict[str, Refused | None]:
    """:func:`allowed` with each reason as its refusal, to be shown in the user's language."""
    result: dict[str, Refused | None] = {}
    for name in COMMANDS:
        try:
            permissions.check(ctx.rules.roles, ctx.actor, name)
            refused = None if name == "major.declare" else (
                guard(name, major) if major is not None
                else Refused("invalid", "Choose a major incident first."))
        except Refused as refusal:
            refused = refusal
        result[name] = refused
    return result


def _declare(args: Mapping[str, Any], ctx: Context, world: MajorWorld) -> list[Event]:
    level = a.choice(args, "level", Level)
    title = a.text(args, "title", max_len=200)
    commander = a.text(args, "commander", max_len=64)
    area = read_area(args)
    message = a.text(args, "message", required=False, max_len=500, multiline=True)
    day = ctx.now.astimezone(ctx.rules.calendar.tz).strftime("%Y%m%d")
    prefix = f"MI-{day}-"
    major_id = f"{prefix}{world.next_number(prefix):02d}"
    return [Event("major.declared", ctx.now, ctx.actor.username,
                  {"id": major_id, "level": level.value, "title": title,
                   "commander": commander, "area": area, "message": message})]


def read_area(args: Mapping[str, Any]) -> dict[str, Any]:
    """The ``area`` argument, checked: a GeoJSON Polygon (``[lon, lat]`` rings, closed) or
    ``{"center": {"lat", "lon"}, "radius_m"}``.

    Raises:
        Refused: ``invalid``, saying what is wrong.
    """
    area = a.mapping(args, "area")
    if area.get("type") == "Polygon":
        rings = area.get("coordinates")
        if not isinstance(rings, list) or not rings or len(rings) > 10:
            raise Refused("invalid", "'area' must be a Polygon with 1 to 10 rings.")
        checked: list[list[list[float]]] = []
        points = 0
        for ring in rings:
            if not isinstance(ring, list) or len(ring) < 4:
                raise Refused("invalid", "Each ring of 'area' needs at least 4 positions.")
            points += len(ring)
            if points > MAX_POINTS:
                raise Refused("invalid", "'area' has more than {limit} positions.",
                              limit=MAX_POINTS)
            positions = [_position(p) for p in ring]
            if positions[0] != positions[-1]:
                raise Refused("invalid", "Each ring of 'area' must end where it starts.")
            checked.append(positions)
        return {"type": "Polygon", "coordinates": checked}
    if "center" in area:
        center = a.mapping(area, "center")
        return {"center": {"lat": a.number(center, "lat", -90, 90),
                           "lon": a.number(center, "lon", -180, 180)},
                "radius_m": a.number(area, "radius_m", 1, MAX_RADIUS_M)}
    raise Refused("invalid", "'area' must be a GeoJSON Polygon or a centre with a radius.")


def _position(value: Any) -> list[float]:
    if not isinstance(value, list) or len(value) != 2:
        raise Refused("invalid", "A position of 'area' must be [lon, lat].")
    pair = {"lon": value[0], "lat": value[1]}
    return [a.number(pair, "lon", -180, 180), a.number(pair, "lat", -90, 90)]


def _event(command: str, major: MajorIncident, ctx: Context, **data: Any) -> Event:
    return Event(COMMANDS[command], ctx.now, ctx.actor.username, {"id": major.id, **data})


# -- evolving ------------------------------------------------------------------------------------

def declared(event: Event) -> MajorIncident:
    """The major incident ``major.declared`` brings into being."""
    d = event.data
    message = str(d.get("message") or "")
    return MajorIncident(
        id=d["id"], level=Level(d["level"]), title=d["title"], commander=d["commander"],
        area=dict(d["area"]), declared_at=event.at, declared_by=event.actor, message=message,
        message_at=event.at if message else None,
        timeline=(Entry(event.at, event.actor, "declared", d["title"]),))


_TEXT_OF = {"major.incident_linked": "incident", "major.unit_committed": "unit",
            "major.noted": "text", "major.broadcast": "message", "major.stood_down": "summary"}


def evolve(major: MajorIncident, event: Event) -> MajorIncident:
    """``major`` after one more event about it.

    Raises:
        ValueError: an event this module does not know.
    """
    if event.name not in _TEXT_OF:
        raise ValueError(f"{event.name} does not apply to a major incident")
    d = event.data
    text = str(d[_TEXT_OF[event.name]])
    new = replace(major, version=major.version + 1, timeline=(
        *major.timeline, Entry(event.at, event.actor, event.name.removeprefix("major."), text)))
    if event.name == "major.incident_linked":
        return replace(new, incidents=(*major.incidents, text))
    if event.name == "major.unit_committed":
        return replace(new, units=(*major.units, text))
    if event.name == "major.broadcast":
        return replace(new, message=text, message_at=event.at)
    if event.name == "major.stood_down":
        return replace(new, state=STOOD_DOWN, stood_down_at=event.at, summary=text)
    return new
