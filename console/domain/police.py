"""The police hand-off (警务分流): what a message from the police does here, and what we owe them.

Two directions (docs/police-interface.md): the police *divert* non-police matters to the center,
the center *escalates* police matters to the police. Each hand-off is incident → acknowledgement
→ completion, with update and cancel from the sender.

- :func:`receive` decides the events a police message makes (the ``police.receive`` command the
  ``/police`` gateway issues for each message it reads).
- :func:`stamp` marks the events that owe the police a message: they get a ``police_message`` id
  (``<incident>/M<n>``), and an escalation its ``shared_id``. The incident counts them as pending
  until ``police.message_delivered``.
- :func:`message` builds that message, for the store's outbox, in the same transaction.

Everything is pure: ids are derived from the incident, never drawn at random, so the same events
always owe the same messages.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from console.domain import args as a
from console.domain import text as characters
from console.domain.errors import Refused
from console.domain.incident import DIVERTED, ESCALATED, Incident
from console.domain.lifecycle import INCIDENT_COMMANDS, World
from console.domain.model import Event, IncidentState, Source
from console.domain.rules import Context
from console.domain.taxonomy import UNCLASSIFIED

#: The kinds of hand-off message (the wire's ``type``).
KINDS = ("incident", "acknowledgement", "completion", "update", "cancel")
#: Names shared ids of escalations: uuid5 of the escalation's first message id.
_SHARED_IDS = uuid.UUID("6f1c3e64-3a59-4d55-9a53-3c6f3f0b8a21")
_MAX_REMARKS = 20


@runtime_checkable
class PoliceWorld(World, Protocol):
    """A world that also finds an incident by the shared id of its police hand-off."""

    def incident_by_shared_id(self, shared_id: str) -> Incident | None: ...


CreateIncident = Callable[[Mapping[str, Any], Context], list[Event]]


# -- from the police -----------------------------------------------------------------------------

def receive(args: Mapping[str, Any], ctx: Context, world: PoliceWorld,
            create: CreateIncident) -> list[Event]:
    """The events one message from a police center makes.

    ``args`` is the message as the wire carries it, with its ``type`` as ``kind`` and its ``id``
    as ``message``. ``create`` registers a new incident (``incident.create``'s decision).

    Control characters and bidirectional overrides in its text are removed, not refused
    (:func:`console.domain.text.clean_police`).

    Raises:
        Refused: ``conflict`` with ``incident`` for a case already received (the gateway
            acknowledges it), else why the message cannot apply.
    """
    # A police message is never bounced for its characters (DESIGN §5b): what a console's
    # command would be refused for is removed instead (console/domain/text.py).
    args = characters.clean_police(args)
    kind = a.text(args, "kind", max_len=32)
    if kind not in KINDS:
        raise Refused("invalid", "There is no police message '{kind}'.", kind=kind)
    message = a.ident(args, "message")
    if kind == "incident":
        return _diversion(args, message, ctx, world, create)
    shared_id = a.ident(args, "shared_id")
    inc = world.incident_by_shared_id(shared_id)
    if inc is None or inc.police is None:
        raise Refused("not_found", "There is no case {shared_id} here.", shared_id=shared_id)
    if kind in ("acknowledgement", "completion"):
        if inc.police.direction != ESCALATED or inc.police.shared_id != shared_id:
            raise Refused("conflict", "Case {shared_id} was not escalated to the police; only an "
                          "escalation is acknowledged or completed by them.", shared_id=shared_id)
        return _answer(kind, inc, args, message, ctx, world)
    if inc.police.direction != DIVERTED or inc.police.center != ctx.actor.username:
        raise Refused("forbidden", "Only the police center that diverted case {shared_id} may "
                      "amend or withdraw it.", shared_id=shared_id)
    if kind == "update":
        remarks = _remarks(args)
        summary = a.text(args, "summary", required=False, max_len=2000,
                         multiline=True)
        if not remarks and not summary:
            raise Refused("invalid", "An update needs remarks or a summary.")
        return [_event("incident.police_updated", inc, ctx, message=message,
                       remarks=list(remarks), summary=summary or None)]
    if inc.finished:
        raise Refused("conflict", "{id} is already {state}; there is nothing to withdraw.",
                      id=inc.id, state=inc.state.value)
    return [_event("incident.police_cancelled", inc, ctx, message=message,
                   cause=a.text(args, "cause", max_len=500, multiline=True))]


def _diversion(args: Mapping[str, Any], message: str, ctx: Context, world: PoliceWorld,
               create: CreateIncident) -> list[Event]:
    case = a.mapping(args, "case")
    shared_id = a.ident(case, "shared_id")
    if (existing := world.incident_by_shared_id(shared_id)) is not None:
        raise Refused("conflict", "Case {shared_id} is already incident {incident}.",
                      shared_id=shared_id, incident=existing.id)
    # The police's own code; a code the table cannot map is no reason to bounce the case: it
    # waits, under the reserved category, for the liaison officer to classify it.
    code = a.ident(case, "classification")
    mapped = ctx.rules.police_codes.category_for(code, ctx.rules.taxonomy)
    category = ctx.rules.taxonomy.category(mapped or UNCLASSIFIED)
    priority = case.get("priority") or ("P2" if category.sla_class == "urgent" else "P3")
    created = create({
        "source": Source.POLICE.value, "category": category.code, "priority": priority,
        "description": a.text(case, "summary", max_len=2000, multiline=True),
        "location": a.mapping(case, "location"),
        "reporter": case.get("reporter") or {},
        "police_case_no": case.get("police_case_no"),
    }, ctx)
    event = created[0]
    police = {"shared_id": shared_id, "message": message, "remarks": list(_remarks(case)),
              "sent_at": a.text(case, "sent_at", required=False, max_len=40) or None}
    return [replace(event, data={**event.data, "police": police, "police_code": code})]


def _answer(kind: str, inc: Incident, args: Mapping[str, Any], message: str, ctx: Context,
            world: World) -> list[Event]:
    """The police's acknowledgement or completion of an escalation, through the lifecycle's own
    guards (``incident.police_acknowledge|reject|dispose``)."""
    status = a.text(args, "status", max_len=16)
    if kind == "acknowledgement":
        if status not in ("accepted", "rejected"):
            raise Refused("invalid", "'status' must be accepted or rejected.")
        name = "incident.police_acknowledge" if status == "accepted" else "incident.police_reject"
        command = INCIDENT_COMMANDS[name]
        if refused := command.guard(inc, ctx):
            raise refused
        if status == "accepted":
            return [_event("incident.police_acknowledged", inc, ctx, message=message,
                           police_case_no=a.text(args, "police_case_no", required=False,
                                                 max_len=64) or None)]
        return [_event("incident.police_rejected", inc, ctx, message=message,
                       cause=a.text(args, "cause", max_len=500, multiline=True))]
    if status not in ("completed", "aborted"):
        raise Refused("invalid", "'status' must be completed or aborted.")
    if refused := INCIDENT_COMMANDS["incident.police_dispose"].guard(inc, ctx):
        raise refused
    disposition = a.text(args, "disposition", max_len=2000, multiline=True)
    completed_at = a.text(args, "completed_at", required=False, max_len=40) or None
    if status == "completed":
        return [_event("incident.police_disposed", inc, ctx, message=message,
                       disposition=disposition, completed_at=completed_at)]
    return [_event("incident.police_aborted", inc, ctx, message=message, cause=disposition,
                   completed_at=completed_at)]


def _remarks(container: Mapping[str, Any]) -> tuple[str, ...]:
    value = container.get("remarks", [])
    if not isinstance(value, list) or len(value) > _MAX_REMARKS or not all(
            isinstance(r, str) and len(r) <= 500 for r in value):
        raise Refused("invalid", "'remarks' must be a list of at most {limit} texts.",
                      limit=_MAX_REMARKS)
    return tuple(r.strip() for r in value if r.strip())


def _event(name: str, inc: Incident, ctx: Context, **data: Any) -> Event:
    return Event(name, ctx.now, ctx.actor.username, {"id": inc.id, **data})


# -- the link ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LinkState:
    """A police center's link as consoles show it: up or down since when, and through which hub.

    Built from the ``police.link_up``/``police.link_down`` events (or the snapshot's
    ``police_links``); the messages waiting for the center are the incidents' pending ones.
    """

    center: str
    up: bool
    since: datetime
    hub: str | None = None

    @classmethod
    def from_event(cls, event: Event) -> LinkState | None:
        """The state a link event leaves, or None for any other event."""
        if event.name not in ("police.link_up", "police.link_down"):
            return None
        return cls(event.actor, event.name == "police.link_up", event.at, event.data.get("hub"))

    @classmethod
    def from_wire(cls, d: Mapping[str, Any]) -> LinkState:
        return cls(str(d["center"]), d["state"] == "up", datetime.fromisoformat(d["since"]),
                   d.get("hub"))


def waiting(incidents: Iterable[Incident]) -> int:
    """How many messages to the police are not yet acknowledged by them."""
    return sum(len(i.police.pending) for i in incidents if i.police is not None)


# -- to the police -------------------------------------------------------------------------------

# Events on a diverted case that answer the police: the liaison's signature or return, and the
# case's end here (its completion).
_DIVERTED_ANSWERS = frozenset({"incident.accepted", "incident.rejected", "incident.resolved",
                               "incident.answered", "incident.merged"})


def owes_message(inc: Incident, event: Event) -> bool:
    """Does ``event``, about to happen to ``inc``, send the police a message?"""
    if event.data.get("id") != inc.id:
        return False
    if event.name == "incident.escalated":
        return True
    link = inc.police
    if link is None:
        return False
    if link.direction == DIVERTED:
        return event.name in _DIVERTED_ANSWERS
    return (event.name == "incident.noted" and inc.state is IncidentState.WITH_POLICE)


def stamp(inc: Incident, events: Sequence[Event]) -> list[Event]:
    """``events`` with a ``police_message`` id on each that owes the police a message (and a
    ``shared_id`` on an escalation, which starts a new hand-off)."""
    sent = inc.police.sent if inc.police else 0
    stamped: list[Event] = []
    for event in events:
        if owes_message(inc, event):
            sent += 1
            data = {**event.data, "police_message": f"{inc.id}/M{sent}"}
            if event.name == "incident.escalated":
                data["shared_id"] = str(uuid.uuid5(_SHARED_IDS, data["police_message"]))
            event = replace(event, data=data)
        stamped.append(event)
    return stamped


# The longest texts the interface carries (docs/police-interface.md); ours may be longer.
_SUMMARY, _REMARK, _CAUSE, _DISPOSITION = 2000, 500, 500, 2000


def _cut(text: str | None, longest: int) -> str:
    text = text or ""
    return text if len(text) <= longest else text[:longest - 1] + "…"


def message(inc: Incident, event: Event) -> tuple[str | None, dict[str, Any]]:
    """The message ``event`` sends the police, and the center to send it to (None: the
    district's police center, whichever is connected). ``inc`` is the incident after it."""
    assert inc.police is not None and "police_message" in event.data
    link = inc.police
    head = {"id": event.data["police_message"], "shared_id": link.shared_id}
    d = event.data
    name = event.name
    if name == "incident.escalated":
        case = {"shared_id": link.shared_id, "police_case_no": inc.police_case_no,
                "sent_at": event.at.isoformat(),
                "location": {"lat": inc.location.lat, "lon": inc.location.lon,
                             "address": inc.location.address},
                "classification": inc.category, "priority": inc.priority.value,
                "summary": _cut(inc.description, _SUMMARY),
                "reporter": {"name": inc.reporter.name, "phone": inc.reporter.phone},
                "remarks": [_cut(d["reason"], _REMARK), f"联动中心事件 {inc.id}"]}
        return link.center, {"type": "incident", "id": head["id"], "case": case}
    if name == "incident.noted":
        return link.center, {"type": "update", **head, "remarks": [_cut(d["text"], _REMARK)]}
    if name == "incident.accepted":
        return link.center, {"type": "acknowledgement", **head, "status": "accepted"}
    if name == "incident.rejected":
        return link.center, {"type": "acknowledgement", **head, "status": "rejected",
                             "cause": _cut(d["reason"], _CAUSE)}
    disposition = {"incident.resolved": d.get("result"), "incident.answered": d.get("answer"),
                   "incident.merged": f"与联动中心事件 {d.get('into')} 合并处置"}[name]
    return link.center, {"type": "completion", **head, "status": "completed",
                         "completed_at": event.at.isoformat(),
                         "disposition": _cut(disposition, _DISPOSITION)}
