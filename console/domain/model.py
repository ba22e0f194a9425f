"""The vocabulary of the center: sources, priorities, states, roles, and who is acting.

Codes are English and stable (they go over the wire and into the log); labels are the console's
to translate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Source(StrEnum):
    HOTLINE = "hotline"
    POLICE = "police"
    GRID = "grid"
    PUBLIC = "public"
    VIDEO = "video"
    SENSOR = "sensor"
    DEPARTMENT = "department"
    WALK_IN = "walk_in"


class RequestType(StrEnum):
    COMPLAINT = "complaint"
    INQUIRY = "inquiry"
    OPINION = "opinion"
    SUGGESTION = "suggestion"
    HELP = "help"
    REPORT = "report"


#: Request types a call taker may answer on the spot and close at intake.
ANSWERABLE_AT_INTAKE = frozenset({RequestType.INQUIRY, RequestType.OPINION, RequestType.SUGGESTION})


class Priority(StrEnum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"


class IncidentState(StrEnum):
    NEW = "new"
    ACCEPTED = "accepted"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    VERIFIED = "verified"
    CLOSED = "closed"
    REJECTED = "rejected"
    MERGED = "merged"
    WITH_POLICE = "with_police"


#: States in which nobody owes the incident anything more (closed can still be reopened).
FINISHED_STATES = frozenset({IncidentState.CLOSED, IncidentState.REJECTED, IncidentState.MERGED})
#: States from which a controller may still hand the incident to the police.
ESCALATABLE_STATES = frozenset(
    {IncidentState.NEW, IncidentState.ACCEPTED, IncidentState.ASSIGNED, IncidentState.IN_PROGRESS}
)


class AssignmentState(StrEnum):
    DISPATCHED = "dispatched"
    ACKNOWLEDGED = "acknowledged"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    CLEARED = "cleared"
    CANCELLED = "cancelled"


#: The order a field unit moves through; a unit may skip ahead (a missed button press) but never
#: go back. ``cancelled`` (recalled by the center) is reachable from any step before on scene.
ASSIGNMENT_ORDER = (
    AssignmentState.DISPATCHED,
    AssignmentState.ACKNOWLEDGED,
    AssignmentState.EN_ROUTE,
    AssignmentState.ON_SCENE,
    AssignmentState.CLEARED,
)
ASSIGNMENT_FINISHED = frozenset({AssignmentState.CLEARED, AssignmentState.CANCELLED})


def assignment_steps(state: AssignmentState) -> tuple[AssignmentState, ...]:
    """Where an assignment in ``state`` may go next, in order: every later step of
    :data:`ASSIGNMENT_ORDER`, then ``cancelled`` while the unit is not yet on scene; nothing
    once it is finished. The hub refuses any other step; the console offers these."""
    if state in ASSIGNMENT_FINISHED:
        return ()
    later = ASSIGNMENT_ORDER[ASSIGNMENT_ORDER.index(state) + 1:]
    if state is AssignmentState.ON_SCENE:
        return later
    return (*later, AssignmentState.CANCELLED)


class UnitStatus(StrEnum):
    OFF_DUTY = "off_duty"
    AVAILABLE = "available"
    DISPATCHED = "dispatched"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    BUSY = "busy"
    OUT_OF_SERVICE = "out_of_service"


#: Statuses that only an assignment sets: a unit is in them exactly while it has an active one.
ASSIGNMENT_STATUSES = frozenset({UnitStatus.DISPATCHED, UnitStatus.EN_ROUTE, UnitStatus.ON_SCENE})


class UnitType(StrEnum):
    GRID_WORKER = "grid_worker"
    COMMUNITY_POLICE = "community_police"
    URBAN_MANAGEMENT = "urban_management"
    PATROL = "patrol"
    MEDIATOR = "mediator"
    EMERGENCY = "emergency"
    VOLUNTEER = "volunteer"
    DEPARTMENT_CREW = "department_crew"


class Role(StrEnum):
    CALL_TAKER = "call_taker"
    CONTROLLER = "controller"
    DUTY_LEADER = "duty_leader"
    POLICE_LIAISON = "police_liaison"
    DEPARTMENT = "department"
    POLICE = "police"
    FIELD = "field"
    ADMIN = "admin"
    VIEWER = "viewer"


@dataclass(frozen=True)
class Actor:
    """Who issues a command: the logged-in user, with the desk or unit they speak for."""

    username: str
    roles: frozenset[Role]
    department: str | None = None
    unit: str | None = None

    def has(self, role: Role) -> bool:
        return role in self.roles


#: The actor of events the center's own clockwork writes (reminders, overdue alarms).
SYSTEM = Actor("system", frozenset({Role.ADMIN}))


@dataclass(frozen=True)
class Event:
    """Something that happened, as the log records it.

    ``data`` is JSON-ready and names its subjects: ``id`` for the incident (``into`` for the
    incident another one is merged into), ``unit`` for a unit.
    """

    name: str
    at: datetime
    actor: str
    data: Mapping[str, Any] = field(default_factory=dict)
