"""The parts of an incident (console/domain/incident.py): its place, its reporter, a run of an SLA
stage, an extension request, a field assignment and its police hand-off; plain frozen values
with their wire forms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from console.domain.model import AssignmentState


@dataclass(frozen=True)
class Location:
    lat: float
    lon: float
    address: str = ""
    grid: str | None = None
    community: str | None = None
    street: str | None = None
    #: A police diversion's point outside the district (console commands refuse one): kept
    #: as sent, on no street, community or grid cell, and shown as outside.
    outside_district: bool = False


@dataclass(frozen=True)
class Reporter:
    name: str = ""
    phone: str = ""
    #: The feed left this user without the reporter (no need, or a confidential case).
    withheld: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "phone": self.phone,
                **({"withheld": True} if self.withheld else {})}


@dataclass(frozen=True)
class StageRun:
    """One run of an SLA stage: when its clock started and, if it has, when it stopped."""

    started_at: datetime
    stopped_at: datetime | None = None


class ExtensionStatus(StrEnum):
    """Where a deadline extension request stands (a refusal names it: "was already approved")."""

    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


@dataclass(frozen=True)
class ExtensionRequest:
    id: str
    stage: str
    value: int
    unit: str
    reason: str
    requested_by: str
    requested_at: datetime
    run_started_at: datetime
    status: str = ExtensionStatus.PENDING.value
    decided_by: str | None = None
    decided_at: datetime | None = None


def assignment_id(incident_id: str, number: int) -> str:
    """The id of an incident's ``number``-th assignment (from 1): ``CH-20261127-000123/2``."""
    return f"{incident_id}/{number}"


def incident_of_assignment(assignment: str) -> str:
    """The id of the incident an assignment id belongs to."""
    return assignment.rpartition("/")[0]


@dataclass(frozen=True)
class Assignment:
    """A field unit sent to the incident, moving dispatched → … → cleared."""

    id: str
    unit: str
    state: AssignmentState
    dispatched_at: datetime
    dispatched_by: str
    times: tuple[tuple[str, datetime], ...] = ()
    #: ``respond`` (handle the incident) or ``verify`` (核查, check on site).
    purpose: str = "respond"

    @property
    def active(self) -> bool:
        return self.state not in (AssignmentState.CLEARED, AssignmentState.CANCELLED)

    def time_of(self, state: str) -> datetime | None:
        """When the assignment reached ``state`` (or ``DELIVERED``: its unit's device had it)."""
        return next((at for name, at in self.times if name == state), None)


@dataclass(frozen=True)
class PoliceLink:
    """The incident's hand-off with a police center (docs/police-interface.md).

    ``direction`` is ``diverted`` (the police sent it here) or ``escalated`` (the center sent it
    to the police); ``shared_id`` names the current hand-off in both centers. ``sent`` counts the
    messages this incident has sent the police (their ids are ``<incident>/M<n>``); ``pending``
    holds those not yet acknowledged by the police.
    """

    direction: str
    shared_id: str
    center: str | None = None
    remarks: tuple[str, ...] = ()
    sent: int = 0
    pending: tuple[str, ...] = ()

    @property
    def diverted(self) -> bool:
        return self.direction == DIVERTED

    def to_dict(self) -> dict[str, Any]:
        return {"direction": self.direction, "shared_id": self.shared_id, "center": self.center,
                "remarks": list(self.remarks), "sent": self.sent, "pending": list(self.pending)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PoliceLink:
        return cls(d["direction"], d["shared_id"], d.get("center"), tuple(d.get("remarks", ())),
                   d.get("sent", 0), tuple(d.get("pending", ())))


#: The step in an assignment's ``times`` when its dispatch reached the unit's device.
DELIVERED = "delivered"
#: The two directions of a police hand-off.
DIVERTED = "diverted"
ESCALATED = "escalated"
