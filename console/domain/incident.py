"""The incident and its field assignments, and how each event changes them.

An :class:`Incident` is immutable; :func:`evolve` returns the incident an event turns it into.
The lifecycle rules that decide *whether* an event may happen live in
:mod:`console.domain.lifecycle`; here is only what each event does. The SLA stage anchors kept
here are event timestamps; the clocks themselves are computed from them in
:mod:`console.domain.deadlines`, never stored.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

# The parts of an incident (re-exported, as the incident's own) are in incident_parts.
from console.domain.incident_parts import DELIVERED as DELIVERED
from console.domain.incident_parts import DIVERTED as DIVERTED
from console.domain.incident_parts import ESCALATED as ESCALATED
from console.domain.incident_parts import Assignment as Assignment
from console.domain.incident_parts import ExtensionRequest as ExtensionRequest
from console.domain.incident_parts import ExtensionStatus as ExtensionStatus
from console.domain.incident_parts import Location as Location
from console.domain.incident_parts import PoliceLink as PoliceLink
from console.domain.incident_parts import Reporter as Reporter
from console.domain.incident_parts import StageRun as StageRun
from console.domain.incident_parts import assignment_id as assignment_id
from console.domain.incident_parts import incident_of_assignment as incident_of_assignment
from console.domain.model import (
    AssignmentState,
    Event,
    IncidentState,
    Priority,
    RequestType,
    Source,
)
from console.domain.taxonomy import UNCLASSIFIED


@dataclass(frozen=True)
class Incident:
    id: str
    state: IncidentState
    source: Source
    request_type: RequestType
    category: str
    priority: Priority
    sla_class: str
    description: str
    location: Location
    reporter: Reporter
    created_at: datetime
    created_by: str
    version: int = 1
    police_case_no: str | None = None
    lead_department: str | None = None
    co_handlers: tuple[str, ...] = ()
    merged_into: str | None = None
    duplicates: tuple[str, ...] = ()
    supervised: bool = False
    resolution: str | None = None
    answer: str | None = None
    verified_by: str | None = None
    verified_at: datetime | None = None
    reopen_count: int = 0
    escalated_from: IncidentState | None = None
    police_acknowledged: bool = False
    police: PoliceLink | None = None
    #: The police's own classification of a diverted case (their 警情 code), as they sent it.
    police_code: str | None = None
    stages: tuple[tuple[str, StageRun], ...] = ()
    extensions: tuple[ExtensionRequest, ...] = ()
    assignments: tuple[Assignment, ...] = ()
    updated_at: datetime | None = None
    #: 保密件: the reporter is hidden from all but the intake and the duty leader.
    confidential: bool = False

    def stage(self, name: str) -> StageRun | None:
        return next((run for stage, run in self.stages if stage == name), None)

    def assignment(self, assignment_id: str) -> Assignment | None:
        return next((a for a in self.assignments if a.id == assignment_id), None)

    @property
    def awaiting_classification(self) -> bool:
        """A police diversion whose code could not be mapped, until someone classifies it."""
        return self.category == UNCLASSIFIED

    @property
    def finished(self) -> bool:
        return self.state in (IncidentState.CLOSED, IncidentState.REJECTED, IncidentState.MERGED)

    # -- serialisation: the store keeps the whole incident as one JSON document -------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "state": self.state.value,
            "source": self.source.value,
            "request_type": self.request_type.value,
            "category": self.category,
            "priority": self.priority.value,
            "sla_class": self.sla_class,
            "description": self.description,
            "location": {
                "lat": self.location.lat,
                "lon": self.location.lon,
                "address": self.location.address,
                "grid": self.location.grid,
                "community": self.location.community,
                "street": self.location.street,
                # Only when set: every other incident's document stays as it was.
                **({"outside_district": True} if self.location.outside_district else {}),
            },
            "reporter": self.reporter.to_dict(),
            "created_at": _iso(self.created_at),
            "created_by": self.created_by,
            "version": self.version,
            "police_case_no": self.police_case_no,
            "lead_department": self.lead_department,
            "co_handlers": list(self.co_handlers),
            "merged_into": self.merged_into,
            "duplicates": list(self.duplicates),
            "supervised": self.supervised,
            "resolution": self.resolution,
            "answer": self.answer,
            "verified_by": self.verified_by,
            "verified_at": _iso(self.verified_at),
            "reopen_count": self.reopen_count,
            "escalated_from": self.escalated_from.value if self.escalated_from else None,
            "police_acknowledged": self.police_acknowledged,
            "police": self.police.to_dict() if self.police else None,
            "police_code": self.police_code,
            "stages": {
                name: {"started_at": _iso(run.started_at), "stopped_at": _iso(run.stopped_at)}
                for name, run in self.stages
            },
            "extensions": [
                {
                    "id": x.id,
                    "stage": x.stage,
                    "value": x.value,
                    "unit": x.unit,
                    "reason": x.reason,
                    "requested_by": x.requested_by,
                    "requested_at": _iso(x.requested_at),
                    "run_started_at": _iso(x.run_started_at),
                    "status": x.status,
                    "decided_by": x.decided_by,
                    "decided_at": _iso(x.decided_at),
                }
                for x in self.extensions
            ],
            "assignments": [
                {
                    "id": a.id,
                    "unit": a.unit,
                    "state": a.state.value,
                    "dispatched_at": _iso(a.dispatched_at),
                    "dispatched_by": a.dispatched_by,
                    "times": {name: _iso(at) for name, at in a.times},
                    # Only a verification says so: a response's document stays as it was.
                    **({"purpose": a.purpose} if a.purpose != "respond" else {}),
                }
                for a in self.assignments
            ],
            "updated_at": _iso(self.updated_at),
            # Only when set: every other incident's document stays as it was.
            **({"confidential": True} if self.confidential else {}),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Incident:
        loc = d["location"]
        return cls(
            id=d["id"],
            state=IncidentState(d["state"]),
            source=Source(d["source"]),
            request_type=RequestType(d["request_type"]),
            category=d["category"],
            priority=Priority(d["priority"]),
            sla_class=d["sla_class"],
            description=d["description"],
            location=Location(
                lat=loc["lat"],
                lon=loc["lon"],
                address=loc.get("address", ""),
                grid=loc.get("grid"),
                community=loc.get("community"),
                street=loc.get("street"),
                outside_district=bool(loc.get("outside_district", False)),
            ),
            reporter=Reporter(**d["reporter"]),
            created_at=_dt(d["created_at"]),
            created_by=d["created_by"],
            version=d["version"],
            police_case_no=d.get("police_case_no"),
            lead_department=d.get("lead_department"),
            co_handlers=tuple(d.get("co_handlers", ())),
            merged_into=d.get("merged_into"),
            duplicates=tuple(d.get("duplicates", ())),
            supervised=d.get("supervised", False),
            resolution=d.get("resolution"),
            answer=d.get("answer"),
            verified_by=d.get("verified_by"),
            verified_at=_opt_dt(d.get("verified_at")),
            reopen_count=d.get("reopen_count", 0),
            escalated_from=IncidentState(d["escalated_from"]) if d.get("escalated_from") else None,
            police_acknowledged=d.get("police_acknowledged", False),
            police=PoliceLink.from_dict(d["police"]) if d.get("police") else None,
            police_code=d.get("police_code"),
            stages=tuple(
                (name, StageRun(_dt(run["started_at"]), _opt_dt(run["stopped_at"])))
                for name, run in d.get("stages", {}).items()
            ),
            extensions=tuple(
                ExtensionRequest(
                    id=x["id"],
                    stage=x["stage"],
                    value=x["value"],
                    unit=x["unit"],
                    reason=x["reason"],
                    requested_by=x["requested_by"],
                    requested_at=_dt(x["requested_at"]),
                    run_started_at=_dt(x["run_started_at"]),
                    status=x["status"],
                    decided_by=x.get("decided_by"),
                    decided_at=_opt_dt(x.get("decided_at")),
                )
                for x in d.get("extensions", ())
            ),
            assignments=tuple(
                Assignment(
                    id=a["id"],
                    unit=a["unit"],
                    state=AssignmentState(a["state"]),
                    dispatched_at=_dt(a["dispatched_at"]),
                    dispatched_by=a["dispatched_by"],
                    times=tuple((name, _dt(at)) for name, at in a.get("times", {}).items()),
                    purpose=a.get("purpose", "respond"),
                )
                for a in d.get("assignments", ())
            ),
            updated_at=_opt_dt(d.get("updated_at")),
            confidential=bool(d.get("confidential", False)),
        )


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _opt_dt(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


# -- evolution ---------------------------------------------------------------------------------

# Which SLA stages an event starts and which it stops. A stage that starts again (after a return,
# a failed verification or a reopen) begins a new run with the full limit.
_STARTS: dict[str, tuple[str, ...]] = {
    "incident.created": ("accept", "reply"),
    "incident.accepted": ("assign",),
    "incident.assigned": ("sign", "resolve"),
    "incident.returned": ("assign",),
    "incident.verification_failed": ("resolve",),
    "incident.reopened": ("assign", "reply"),
    "incident.police_rejected": ("assign",),
    "incident.police_aborted": ("assign",),
}
_ALL_STAGES = ("accept", "assign", "sign", "resolve", "reply")
_STOPS: dict[str, tuple[str, ...]] = {
    "incident.accepted": ("accept",),
    "incident.rejected": ("accept", "reply"),
    "incident.answered": ("accept", "reply"),
    "incident.merged": _ALL_STAGES,
    "incident.assigned": ("assign",),
    "incident.signed": ("sign",),
    "incident.returned": ("sign", "resolve"),
    "incident.resolved": ("sign", "resolve"),
    "incident.verified": ("reply",),
    "incident.escalated": _ALL_STAGES,
    "incident.closed": _ALL_STAGES,
}

_STATE_AFTER: dict[str, IncidentState] = {
    "incident.accepted": IncidentState.ACCEPTED,
    "incident.rejected": IncidentState.REJECTED,
    "incident.answered": IncidentState.CLOSED,
    "incident.assigned": IncidentState.ASSIGNED,
    "incident.signed": IncidentState.IN_PROGRESS,
    "incident.returned": IncidentState.ACCEPTED,
    "incident.resolved": IncidentState.RESOLVED,
    "incident.verified": IncidentState.VERIFIED,
    "incident.verification_failed": IncidentState.IN_PROGRESS,
    "incident.closed": IncidentState.CLOSED,
    "incident.reopened": IncidentState.ACCEPTED,
    "incident.merged": IncidentState.MERGED,
    "incident.escalated": IncidentState.WITH_POLICE,
    "incident.police_rejected": IncidentState.ACCEPTED,
    "incident.police_aborted": IncidentState.ACCEPTED,
    "incident.police_disposed": IncidentState.RESOLVED,
}


#: The same tables, for what reads the record without building incidents (domain/reports.py).
STAGE_STARTS = _STARTS
STAGE_STOPS = _STOPS
STATE_AFTER = _STATE_AFTER

def created(event: Event) -> Incident:
    """The incident an ``incident.created`` event brings into being."""
    d = event.data
    at = event.at
    inc = Incident(
        id=d["id"],
        state=IncidentState.NEW,
        source=Source(d["source"]),
        request_type=RequestType(d["request_type"]),
        category=d["category"],
        priority=Priority(d["priority"]),
        sla_class=d["sla_class"],
        description=d["description"],
        location=Location(**d["location"]),
        reporter=Reporter(**d["reporter"]),
        created_at=at,
        created_by=event.actor,
        police_case_no=d.get("police_case_no"),
        police=_diverted(d["police"], event.actor) if d.get("police") else None,
        police_code=d.get("police_code"),
        version=0,
        confidential=bool(d.get("confidential", False)),
    )
    return _touch(_stages(inc, event.name, at), at)


def evolve(inc: Incident, event: Event) -> Incident:
    """The incident after ``event``; events about other incidents leave it unchanged.

    The version rises by one for every event that concerns this incident, except the links'
    delivery receipts (``police.message_delivered``, ``assignment.delivered``).
    """
    d = event.data
    if d.get("id") != inc.id and d.get("into") != inc.id:
        return inc
    at = event.at
    name = event.name
    if name == "incident.merged" and d.get("into") == inc.id:
        return _touch(replace(inc, duplicates=(*inc.duplicates, d["id"])), at)

    if name == "police.message_delivered":
        # Bookkeeping of the link, not a change to the case: the version stays.
        link = inc.police
        if link is None or d["message"] not in link.pending:
            return inc
        return replace(inc, police=replace(
            link, pending=tuple(m for m in link.pending if m != d["message"])))

    if name == "assignment.delivered":
        # The unit's device has the task (console/domain/field.py): bookkeeping of the field
        # link, not a change to the case, so the version stays — a controller's next command,
        # sent a moment after the dispatch, must not be refused as a conflict for it.
        return replace(inc, assignments=tuple(
            replace(a, times=(*a.times, (DELIVERED, at))) if a.id == d["assignment"] else a
            for a in inc.assignments))

    new = inc
    if name == "incident.police_cancelled":
        if inc.state is IncidentState.NEW:  # nobody signed for it yet: it ends here
            new = _stages(replace(new, state=IncidentState.CLOSED), "incident.closed", at)
        return _touch(new, at)
    if name == "incident.resolved" and inc.police and inc.police.diverted:
        # The police's feedback clock runs on the reply stage; the resolution sends it.
        new = _stages(new, "incident.verified", at)
    if name == "incident.verification_failed" and inc.lead_department is None:
        # Nobody here handled it (the police did): it goes back to the center to re-route.
        new = replace(new, state=IncidentState.ACCEPTED)
        return _touch(_stages(new, "incident.returned", at), at)
    if name in _STATE_AFTER:
        new = replace(new, state=_STATE_AFTER[name])
    new = _stages(new, name, at)

    if name == "incident.answered":
        new = replace(new, answer=d["answer"])
    elif name == "incident.assigned":
        new = replace(new, lead_department=d["department"], co_handlers=tuple(d["co_handlers"]))
    elif name == "incident.returned":
        new = replace(new, lead_department=None, co_handlers=())
    elif name == "incident.resolved":
        new = replace(new, resolution=d["result"])
    elif name == "incident.verified":
        new = replace(new, verified_by=event.actor, verified_at=at)
    elif name == "incident.reopened":
        new = replace(
            new,
            reopen_count=inc.reopen_count + 1,
            lead_department=None,
            co_handlers=(),
            resolution=None,
            verified_by=None,
            verified_at=None,
            supervised=False,
        )
    elif name == "incident.merged":
        new = replace(new, merged_into=d["into"])
    elif name == "incident.escalated":
        sent = inc.police.sent if inc.police else 0
        pending = inc.police.pending if inc.police else ()
        new = replace(new, escalated_from=inc.state, police_acknowledged=False,
                      police=PoliceLink(ESCALATED, d["shared_id"], sent=sent, pending=pending))
    elif name == "incident.police_acknowledged":
        new = replace(new, police_acknowledged=True,
                      police_case_no=d.get("police_case_no") or new.police_case_no,
                      police=replace(new.police, center=event.actor) if new.police else None)
    elif name == "incident.police_updated" and new.police is not None:
        new = replace(new, police=replace(new.police,
                                          remarks=(*new.police.remarks, *d.get("remarks", ()))))
    elif name in ("incident.police_rejected", "incident.police_aborted"):
        new = replace(new, escalated_from=None, lead_department=None, co_handlers=())
    elif name == "incident.police_disposed":
        new = replace(new, resolution=d["disposition"])
    elif name == "incident.classified":
        new = replace(new, category=d["category"], sla_class=d["sla_class"],
                      request_type=RequestType(d["request_type"]))
    elif name == "incident.supervised":
        new = replace(new, supervised=True)
    elif name == "incident.confidentiality_changed":
        new = replace(new, confidential=bool(d["confidential"]))
    elif name == "incident.extension_requested":
        run = inc.stage(d["stage"])
        assert run is not None  # the rules only allow requests on a running stage
        new = replace(
            new,
            extensions=(
                *inc.extensions,
                ExtensionRequest(
                    id=d["request"],
                    stage=d["stage"],
                    value=d["extra"]["value"],
                    unit=d["extra"]["unit"],
                    reason=d["reason"],
                    requested_by=event.actor,
                    requested_at=at,
                    run_started_at=run.started_at,
                ),
            ),
        )
    elif name in ("incident.extension_approved", "incident.extension_refused"):
        status = (ExtensionStatus.APPROVED if name == "incident.extension_approved"
                  else ExtensionStatus.REFUSED).value
        new = replace(
            new,
            extensions=tuple(
                replace(x, status=status, decided_by=event.actor, decided_at=at)
                if x.id == d["request"]
                else x
                for x in inc.extensions
            ),
        )
    elif name == "assignment.dispatched":
        new = replace(
            new,
            assignments=(
                *inc.assignments,
                Assignment(
                    id=d["assignment"],
                    unit=d["unit"],
                    state=AssignmentState.DISPATCHED,
                    dispatched_at=at,
                    dispatched_by=event.actor,
                    times=((AssignmentState.DISPATCHED.value, at),),
                    purpose=d.get("purpose", "respond"),
                ),
            ),
        )
    elif name == "assignment.updated":
        status = AssignmentState(d["status"])
        new = replace(
            new,
            assignments=tuple(
                replace(a, state=status, times=(*a.times, (status.value, at)))
                if a.id == d["assignment"]
                else a
                for a in inc.assignments
            ),
        )
    return _touch(_police_message_sent(new, d.get("police_message")), at)


def _diverted(d: dict[str, Any], actor: str) -> PoliceLink:
    return PoliceLink(DIVERTED, d["shared_id"], actor, tuple(d.get("remarks", ())))


def _police_message_sent(inc: Incident, message: str | None) -> Incident:
    """Count a message to the police the event sends, and hold it as pending until delivered."""
    if message is None or inc.police is None:
        return inc
    link = inc.police
    return replace(inc, police=replace(link, sent=link.sent + 1,
                                       pending=(*link.pending, message)))


def _touch(inc: Incident, at: datetime) -> Incident:
    return replace(inc, version=inc.version + 1, updated_at=at)


def _stages(inc: Incident, name: str, at: datetime) -> Incident:
    runs = dict(inc.stages)
    for stage in _STOPS.get(name, ()):
        run = runs.get(stage)
        if run is not None and run.stopped_at is None:
            runs[stage] = StageRun(run.started_at, at)
    for stage in _STARTS.get(name, ()):
        runs[stage] = StageRun(at)
    if runs == dict(inc.stages):
        return inc
    return replace(inc, stages=tuple(runs.items()))
