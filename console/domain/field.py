"""The field loop (DESIGN §5c): what the center owes a unit's device, and what the device says.

- :func:`owed` — the tasks an event owes field units: a dispatch or a verification on site
  (``assignment.dispatched``),
  a recall (an assignment cancelled), a broadcast (a major incident's, to every unit committed
  to it, and its latest message to a unit committed later), a message from the center
  (``unit.message_sent``). The store writes them to the units' outbox in the event's own
  transaction; the task's id is made there from the event's seq and the unit, so the same
  event always owes the same tasks.
- :func:`body` — the ``task`` message as the wire carries it: the incident as the field role
  may see it (the reporter withheld, numbers in free text masked).
- :func:`decide` — ``unit.message`` (the center writes to a unit), ``unit.sos`` (a unit calls
  for help) and ``unit.sos_clear`` (a controller has seen to it), and ``field.delivered`` (the
  device stored a task; a dispatch's delivery is ``assignment.delivered`` on its incident, so
  every console knows when the unit got it; a verification's too).

On-site verification (核查) is a dispatch whose ``purpose`` is ``verify``
(``incident.dispatch`` with ``{"purpose":"verify"}``): its task has the kind ``verify``, its
delivery is the assignment's like any dispatch's, and the unit reports with ``incident.verify``
(``method`` ``site``), which the field role may send for an incident it was sent to.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from console.domain import args as a
from console.domain import permissions
from console.domain.errors import Refused
from console.domain.incident import DELIVERED, Assignment, Incident
from console.domain.lifecycle import World
from console.domain.major import MajorIncident
from console.domain.model import AssignmentState, Event, Role
from console.domain.privacy import personal_view, shown
from console.domain.rules import Context

#: The kinds of task (the wire's ``kind``).
KINDS = ("dispatch", "verify", "broadcast", "message", "recall")
#: The events that may owe a task; a field session looks again at its outbox after one.
CAUSES = frozenset({"assignment.dispatched", "assignment.updated", "major.broadcast",
                    "major.unit_committed", "unit.message_sent"})
#: How the field role sees an incident's reporter and free text.
_FIELD_VIEW = personal_view({Role.FIELD})
#: How long a dispatch may wait for its unit's device before the consoles flag it.
UNDELIVERED_AFTER_S = 60.0


@dataclass(frozen=True)
class Owed:
    """A task an event owes one unit, before the store gives it its id."""

    unit: str
    kind: str
    incident: str | None = None
    assignment: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class FieldTask:
    """A task in a unit's outbox, as a delivery is decided on."""

    id: str
    unit: str
    kind: str
    incident: str | None
    assignment: str | None
    delivered_at: datetime | None = None


@runtime_checkable
class FieldWorld(World, Protocol):
    """A world that also finds a task in the outbox."""

    def field_task(self, task_id: str) -> FieldTask: ...


def undelivered(assignment: Assignment, now: datetime) -> bool:
    """Whether ``assignment`` is a dispatch still not on its unit's device after
    :data:`UNDELIVERED_AFTER_S` (the roster and the detail flag it)."""
    return (assignment.active and assignment.time_of(DELIVERED) is None
            and (now - assignment.dispatched_at).total_seconds() >= UNDELIVERED_AFTER_S)


def task_id(seq: int, unit: str) -> str:
    """A task's id: an event owes a unit at most one task."""
    return f"T{seq}-{unit}"


def owed(event: Event, majors: Mapping[str, MajorIncident]) -> list[Owed]:
    """The tasks ``event`` owes (``majors`` as they are after it)."""
    d = event.data
    if event.name == "assignment.dispatched":
        kind = "verify" if d.get("purpose") == "verify" else "dispatch"
        return [Owed(d["unit"], kind, d["id"], d["assignment"])]
    if event.name == "assignment.updated" and d.get("status") == AssignmentState.CANCELLED:
        return [Owed(d["unit"], "recall", d["id"], d["assignment"])]
    if event.name == "unit.message_sent":
        return [Owed(d["unit"], "message", d.get("incident"), None, d["text"])]
    if event.name in ("major.broadcast", "major.unit_committed"):
        major = majors.get(d["id"])
        if major is None:
            return []
        units = major.units if event.name == "major.broadcast" else (d["unit"],)
        text = f"{major.title}: {major.message}" if major.message else major.title
        return [Owed(unit, "broadcast", None, None, text) for unit in units]
    return []


def body(task: str, owed_: Owed, sent_at: datetime, incident: Incident | None) -> dict[str, Any]:
    """The ``task`` message for ``owed_`` (DESIGN §5c), the incident as it is now."""
    return {"type": "task", "id": task, "unit": owed_.unit, "kind": owed_.kind,
            "sent_at": sent_at.isoformat(),
            "incident": None if incident is None else incident_for_field(incident),
            "assignment": owed_.assignment, "text": owed_.text}


def incident_for_field(inc: Incident) -> dict[str, Any]:
    """What a unit needs of an incident: its kind, urgency, words and place; its reporter as
    the field role may see it (withheld)."""
    doc = shown({"description": inc.description,
                 "reporter": {"name": inc.reporter.name, "phone": inc.reporter.phone}},
                _FIELD_VIEW)
    loc = inc.location
    return {"id": inc.id, "category": inc.category, "priority": inc.priority.value,
            "description": doc["description"],
            "location": {"lat": loc.lat, "lon": loc.lon, "address": loc.address},
            "reporter": dict(doc["reporter"])}


# -- deciding ------------------------------------------------------------------------------------

def decide(name: str, args: Mapping[str, Any], ctx: Context, world: World) -> list[Event]:
    """The events of ``unit.message``, ``unit.sos``, ``unit.sos_clear`` and ``field.delivered``.

    Raises:
        Refused: who may not, what is missing, a task not in the outbox or delivered already.
    """
    if name == "field.delivered":
        return _delivered(args, ctx, world)
    unit = world.unit(a.ident(args, "id"))
    permissions.check(ctx.rules.roles, ctx.actor, name, unit=unit.id)
    actor = ctx.actor.username
    if name == "unit.message":
        data: dict[str, Any] = {"unit": unit.id,
                                "text": a.text(args, "text", max_len=1000, multiline=True)}
        if args.get("incident") is not None:
            data["incident"] = world.incident(a.ident(args, "incident")).id
        return [Event("unit.message_sent", ctx.now, actor, data)]
    if name == "unit.sos":
        lat = a.number(args, "lat", -90.0, 90.0)
        lon = a.number(args, "lon", -180.0, 180.0)
        text = a.text(args, "text", required=False, max_len=500, multiline=True)
        return [Event("unit.sos", ctx.now, actor,
                      {"unit": unit.id, "lat": lat, "lon": lon, "text": text or None})]
    if unit.sos is None:
        raise Refused("conflict", "Unit {unit} has no SOS waiting.", unit=unit.id)
    return [Event("unit.sos_cleared", ctx.now, actor, {"unit": unit.id})]


def _delivered(args: Mapping[str, Any], ctx: Context, world: World) -> list[Event]:
    if not isinstance(world, FieldWorld):
        raise Refused("unavailable", "Tasks cannot be confirmed here.")
    task = world.field_task(a.ident(args, "task"))
    permissions.check(ctx.rules.roles, ctx.actor, "field.delivered", unit=task.unit)
    if task.delivered_at is not None:
        raise Refused("conflict", "Task {task} was delivered already.", task=task.id)
    actor = ctx.actor.username
    if (task.kind in ("dispatch", "verify") and task.incident is not None
            and task.assignment is not None):
        return [Event("assignment.delivered", ctx.now, actor,
                      {"id": task.incident, "assignment": task.assignment, "unit": task.unit,
                       "task": task.id})]
    return [Event("unit.task_delivered", ctx.now, actor,
                  {"unit": task.unit, "task": task.id, "kind": task.kind})]
