"""The lifecycle rules: which command may happen to an incident now, and what events it makes.

Each incident command has a *guard* (may it happen in this state at all? — what the console asks
to enable a button) and a *decision* (given its arguments, which events). Both are pure; the
store runs the decision inside its transaction and the hub never bypasses it.

```
new ──accept──▶ accepted ──assign──▶ assigned ──sign──▶ in_progress ──resolve──▶ resolved
 │                                                                                  │verify
 ├─answer (inquiry, opinion, suggestion) ──▶ closed ◀──close── verified ◀───────────┘
 ├─reject ▶ rejected     assigned/in_progress ──return──▶ accepted
 ├─merge ▶ merged        open ──escalate──▶ with_police ──police disposition──▶ resolved
 └─ closed ──reopen──▶ accepted      resolved ──verify (unsatisfied)──▶ in_progress
```

A police diversion whose code could not be mapped waits in ``new`` under the reserved category
``unclassified``: it is classified (``incident.classify``) before it can be accepted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from console.domain import args as a
from console.domain import deadlines
from console.domain.errors import Refused
from console.domain.incident import Incident, assignment_id
from console.domain.model import (
    ANSWERABLE_AT_INTAKE,
    ESCALATABLE_STATES,
    FINISHED_STATES,
    AssignmentState,
    Event,
    IncidentState,
    Role,
    UnitStatus,
    assignment_steps,
)
from console.domain.rules import Context
from console.domain.satisfaction import Satisfaction
from console.domain.sla import Stage, extension_allowed
from console.domain.taxonomy import UNCLASSIFIED
from console.domain.units import Unit


class World(Protocol):
    """What a decision may look up beyond its own incident; the store implements it.

    Lookups raise :class:`Refused` with ``not_found`` for unknown ids.
    """

    def incident(self, incident_id: str) -> Incident: ...

    def unit(self, unit_id: str) -> Unit: ...


Guard = Callable[[Incident, Context], Refused | None]
Decision = Callable[[Incident, Mapping[str, Any], Context, World], list[Event]]


@dataclass(frozen=True)
class IncidentCommand:
    name: str
    guard: Guard
    decide: Decision


INCIDENT_COMMANDS: dict[str, IncidentCommand] = {}


def _command(name: str, guard: Guard) -> Callable[[Decision], Decision]:
    def register(decide: Decision) -> Decision:
        INCIDENT_COMMANDS[name] = IncidentCommand(name, guard, decide)
        return decide

    return register


def _event(name: str, inc: Incident, ctx: Context, **data: Any) -> Event:
    return Event(name, ctx.now, ctx.actor.username, {"id": inc.id, **data})


def _only_in(*states: IncidentState, doing: str) -> Guard:
    allowed = frozenset(states)
    wanted = " or ".join(s.value for s in states)

    def guard(inc: Incident, ctx: Context) -> Refused | None:
        if inc.state in allowed:
            return None
        return Refused("conflict", "{id} is {state}; only {wanted} incidents can be {doing}.",
                       id=inc.id, state=inc.state.value, wanted=wanted, doing=doing)

    return guard


def _all(*guards: Guard) -> Guard:
    def guard(inc: Incident, ctx: Context) -> Refused | None:
        return next((r for g in guards if (r := g(inc, ctx)) is not None), None)

    return guard


def _no_unit_out(inc: Incident, ctx: Context) -> Refused | None:
    """An incident is not finished while a unit is still on its way or at the scene."""
    out = next((x for x in inc.assignments if x.active), None)
    if out is None:
        return None
    return Refused("conflict", "Unit {unit} is still {state} on {id}; clear or cancel its "
                   "assignment first.", unit=out.unit, state=out.state.value, id=inc.id)


def _open(inc: Incident, ctx: Context) -> Refused | None:
    if inc.state in FINISHED_STATES:
        return Refused("conflict", "{id} is {state}; nothing more can be done on it.",
                       id=inc.id, state=inc.state.value)
    return None


def _any(inc: Incident, ctx: Context) -> Refused | None:
    return None


# -- intake --------------------------------------------------------------------------------------

def _classified(inc: Incident, ctx: Context) -> Refused | None:
    if inc.awaiting_classification:
        return Refused("conflict", "{id} awaits classification (police code {code}); classify "
                       "it first.", id=inc.id, code=inc.police_code or "?")
    return None


@_command("incident.accept", _all(_only_in(IncidentState.NEW, doing="accepted"), _classified))
def _accept(inc: Incident, args: Mapping[str, Any], ctx: Context, world: World) -> list[Event]:
    return [_event("incident.accepted", inc, ctx)]


@_command("incident.reject", _all(_only_in(IncidentState.NEW, doing="rejected"), _no_unit_out))
def _reject(inc: Incident, args: Mapping[str, Any], ctx: Context, world: World) -> list[Event]:
    return [_event("incident.rejected", inc, ctx, reason=a.text(args, "reason", multiline=True))]


def _answerable(inc: Incident, ctx: Context) -> Refused | None:
    if refused := _only_in(IncidentState.NEW, doing="answered at intake")(inc, ctx):
        return refused
    if inc.request_type not in ANSWERABLE_AT_INTAKE:
        return Refused("conflict", "{id} is a {kind}; only inquiries, opinions and suggestions "
                       "can be answered and closed at intake.",
                       id=inc.id, kind=inc.request_type.value)
    return None


@_command("incident.answer", _all(_answerable, _no_unit_out))
def _answer(inc: Incident, args: Mapping[str, Any], ctx: Context, world: World) -> list[Event]:
    return [_event("incident.answered", inc, ctx, answer=a.text(args, "answer", multiline=True))]


@_command("incident.merge", _all(
    _only_in(IncidentState.NEW, IncidentState.ACCEPTED, doing="merged"), _no_unit_out))
def _merge(inc: Incident, args: Mapping[str, Any], ctx: Context, world: World) -> list[Event]:
    into_id = a.ident(args, "into")
    if into_id == inc.id:
        raise Refused("invalid", "An incident cannot be merged into itself.")
    into = world.incident(into_id)
    if into.state in FINISHED_STATES:
        raise Refused("conflict", "{into} is {state}; merge duplicates into an open incident.",
                      into=into.id, state=into.state.value)
    return [_event("incident.merged", inc, ctx, into=into.id)]


def _awaiting_classification(inc: Incident, ctx: Context) -> Refused | None:
    if refused := _open(inc, ctx):
        return refused
    if not inc.awaiting_classification:
        return Refused("conflict", "{id} is already classified as {category}.",
                       id=inc.id, category=inc.category)
    return None


@_command("incident.classify", _awaiting_classification)
def _classify(inc: Incident, args: Mapping[str, Any], ctx: Context, world: World) -> list[Event]:
    """A police diversion the code table could not map gets its category (and with it its SLA
    class and request type); from then on it is routed like any other case."""
    code = a.ident(args, "category")
    taxonomy = ctx.rules.taxonomy
    if code == UNCLASSIFIED or not taxonomy.has_category(code):
        raise Refused("invalid", "There is no category '{code}'.", code=code)
    category = taxonomy.category(code)
    return [_event("incident.classified", inc, ctx, category=code, previous=inc.category,
                   sla_class=category.sla_class, request_type=category.request_type)]


# -- handling by departments -------------------------------------------------------------------

@_command("incident.assign", _only_in(IncidentState.ACCEPTED, doing="assigned"))
def _assign(inc: Incident, args: Mapping[str, Any], ctx: Context, world: World) -> list[Event]:
    taxonomy = ctx.rules.taxonomy
    if args.get("department") is None:
        lead = taxonomy.department_for(inc.category, inc.location.street)
    else:
        lead = a.ident(args, "department")
    co = a.idents(args, "co_handlers")
    for code in (lead, *co):
        try:
            taxonomy.department(code)
        except ValueError:
            raise Refused("invalid", "There is no department '{code}'.", code=code) from None
    if lead in co:
        raise Refused("invalid", "The lead department cannot also be a co-handler.")
    if len(set(co)) != len(co):
        raise Refused("invalid", "A co-handling department is named twice.")
    return [_event("incident.assigned", inc, ctx, department=lead, co_handlers=list(co))]


@_command("incident.sign", _only_in(IncidentState.ASSIGNED, doing="signed for"))
def _sign(inc: Incident, args: Mapping[str, Any], ctx: Context, world: World) -> list[Event]:
    return [_event("incident.signed", inc, ctx, department=inc.lead_department)]


@_command("incident.return",
          _only_in(IncidentState.ASSIGNED, IncidentState.IN_PROGRESS, doing="returned"))
def _return(inc: Incident, args: Mapping[str, Any], ctx: Context, world: World) -> list[Event]:
    return [_event("incident.returned", inc, ctx, department=inc.lead_department,
                   reason=a.text(args, "reason", multiline=True))]


@_command("incident.resolve", _only_in(IncidentState.IN_PROGRESS, doing="resolved"))
def _resolve(inc: Incident, args: Mapping[str, Any], ctx: Context, world: World) -> list[Event]:
    return [_event("incident.resolved", inc, ctx, result=a.text(args, "result", multiline=True))]


@_command("incident.verify", _only_in(IncidentState.RESOLVED, doing="verified"))
def _verify(inc: Incident, args: Mapping[str, Any], ctx: Context, world: World) -> list[Event]:
    method = a.text(args, "method", max_len=16)
    if method not in ("site", "callback"):
        raise Refused("invalid", "'method' must be site (a visit) or callback (a call to the "
                      "reporter).")
    satisfaction = _satisfaction(args)
    satisfied = satisfaction.content
    note = a.text(args, "note", required=not satisfied, multiline=True)
    name = "incident.verified" if satisfied else "incident.verification_failed"
    extra: dict[str, Any] = {}
    if method == "site" and ctx.actor.unit is not None:
        extra["by_unit"] = ctx.actor.unit  # whose visit: the assessment counts it
    elif method == "site" and Role.FIELD in ctx.actor.roles and args.get("by_unit") is not None:
        extra["by_unit"] = a.ident(args, "by_unit")
    return [_event(name, inc, ctx, method=method, satisfied=satisfied,
                   satisfaction=satisfaction.value, note=note, **extra)]


def _satisfaction(args: Mapping[str, Any]) -> Satisfaction:
    """``satisfaction`` on the scale, or the older ``satisfied`` flag alone (true is
    ``satisfied``, false ``dissatisfied``); both given must agree."""
    if args.get("satisfaction") is None:
        return Satisfaction.SATISFIED if a.flag(args, "satisfied") else Satisfaction.DISSATISFIED
    satisfaction = a.choice(args, "satisfaction", Satisfaction)
    if args.get("satisfied") is not None and a.flag(args, "satisfied") != satisfaction.content:
        raise Refused("invalid", "'satisfied' and 'satisfaction' disagree.")
    return satisfaction


@_command("incident.close", _all(_only_in(IncidentState.VERIFIED, doing="closed"), _no_unit_out))
def _close(inc: Incident, args: Mapping[str, Any], ctx: Context, world: World) -> list[Event]:
    return [_event("incident.closed", inc, ctx)]


@_command("incident.reopen", _only_in(IncidentState.CLOSED, doing="reopened"))
def _reopen(inc: Incident, args: Mapping[str, Any], ctx: Context, world: World) -> list[Event]:
    return [_event("incident.reopened", inc, ctx, reason=a.text(args, "reason", multiline=True))]


# -- the police ----------------------------------------------------------------------------------

def _escalatable(inc: Incident, ctx: Context) -> Refused | None:
    if inc.state in ESCALATABLE_STATES:
        return None
    return Refused("conflict", "{id} is {state}; only open incidents not already with the police "
                   "can be escalated.", id=inc.id, state=inc.state.value)


@_command("incident.escalate", _escalatable)
def _escalate(inc: Incident, args: Mapping[str, Any], ctx: Context, world: World) -> list[Event]:
    return [_event("incident.escalated", inc, ctx, reason=a.text(args, "reason", multiline=True))]


def _awaiting_police_ack(inc: Incident, ctx: Context) -> Refused | None:
    if refused := _only_in(IncidentState.WITH_POLICE, doing="acknowledged by the police")(inc, ctx):
        return refused
    if inc.police_acknowledged:
        return Refused("conflict", "The police have already acknowledged {id}.", id=inc.id)
    return None


@_command("incident.police_acknowledge", _awaiting_police_ack)
def _police_ack(inc: Incident, args: Mapping[str, Any], ctx: Context, world: World) -> list[Event]:
    return [_event("incident.police_acknowledged", inc, ctx)]


@_command("incident.police_reject", _awaiting_police_ack)
def _police_reject(inc: Incident, args: Mapping[str, Any], ctx: Context,
                   world: World) -> list[Event]:
    return [_event("incident.police_rejected", inc, ctx,
                   cause=a.text(args, "cause", multiline=True))]


@_command("incident.police_dispose",
          _only_in(IncidentState.WITH_POLICE, doing="given a police disposition"))
def _police_dispose(inc: Incident, args: Mapping[str, Any], ctx: Context,
                    world: World) -> list[Event]:
    return [_event("incident.police_disposed", inc, ctx,
                   disposition=a.text(args, "disposition", multiline=True))]


# -- supervision, notes and deadlines ------------------------------------------------------------

@_command("incident.note", _any)
def _note(inc: Incident, args: Mapping[str, Any], ctx: Context, world: World) -> list[Event]:
    return [_event("incident.noted", inc, ctx, text=a.text(args, "text", multiline=True))]


@_command("incident.set_confidential", _any)
def _set_confidential(inc: Incident, args: Mapping[str, Any], ctx: Context,
                      world: World) -> list[Event]:
    # Anyone who may mark a case confidential may do so; lifting it shows the reporter to more
    # people again, which is the duty leader's call alone.
    confidential = a.flag(args, "confidential")
    if confidential == inc.confidential:
        raise Refused("conflict", "{id} is already marked confidential." if confidential
                      else "{id} is not marked confidential.", id=inc.id)
    if not confidential and Role.DUTY_LEADER not in ctx.actor.roles:
        raise Refused("forbidden", "Only a duty leader may lift the confidential mark of {id}.",
                      id=inc.id)
    return [_event("incident.confidentiality_changed", inc, ctx, confidential=confidential)]


def _supervisable(inc: Incident, ctx: Context) -> Refused | None:
    if refused := _open(inc, ctx):
        return refused
    if inc.supervised:
        return Refused("conflict", "{id} is already supervised.", id=inc.id)
    if not deadlines.is_overdue(inc, ctx.rules, ctx.now):
        return Refused("conflict", "{id} is not overdue; supervision is for overdue incidents.",
                       id=inc.id)
    return None


@_command("incident.supervise", _supervisable)
def _supervise(inc: Incident, args: Mapping[str, Any], ctx: Context, world: World) -> list[Event]:
    return [_event("incident.supervised", inc, ctx, note=a.text(args, "note", multiline=True),
                   department=inc.lead_department)]


# Largest extension one request may ask for, per unit of time.
_MAX_EXTENSION = {"minutes": 24 * 60, "hours": 30 * 24, "working_days": 30}


def _has_running_stage(inc: Incident, ctx: Context) -> Refused | None:
    if refused := _open(inc, ctx):
        return refused
    if not any(c.running and c.stage is not Stage.ARRIVE
               for c in deadlines.running(inc, ctx.rules)):
        return Refused("conflict", "{id} has no running deadline to extend.", id=inc.id)
    return None


@_command("incident.request_extension", _has_running_stage)
def _request_extension(inc: Incident, args: Mapping[str, Any], ctx: Context,
                       world: World) -> list[Event]:
    stage = a.choice(args, "stage", Stage)
    extra = a.mapping(args, "extra")
    unit = a.text(extra, "unit", max_len=16)
    if unit not in _MAX_EXTENSION:
        raise Refused("invalid", "'unit' must be minutes, hours or working_days.")
    value = a.integer(extra, "value", 1, _MAX_EXTENSION[unit])
    reason = a.text(args, "reason", multiline=True)
    clock = deadlines.stage_clock(inc, stage, ctx.rules) if stage is not Stage.ARRIVE else None
    if clock is None or not clock.running:
        raise Refused("conflict", "The {stage} deadline of {id} is not running.",
                      stage=stage.value, id=inc.id)
    if why := extension_allowed(clock, ctx.now):
        raise Refused("conflict", why)
    if any(x.stage == stage.value and x.status == "pending" for x in inc.extensions):
        raise Refused("conflict", "An extension of the {stage} deadline of {id} is already "
                      "waiting for approval.", stage=stage.value, id=inc.id)
    request = f"{inc.id}/X{len(inc.extensions) + 1}"
    return [_event("incident.extension_requested", inc, ctx, request=request, stage=stage.value,
                   extra={"value": value, "unit": unit}, reason=reason)]


def _has_pending_extension(inc: Incident, ctx: Context) -> Refused | None:
    if not any(x.status == "pending" for x in inc.extensions):
        return Refused("conflict", "{id} has no extension request waiting.", id=inc.id)
    return None


def _pending_request(inc: Incident, args: Mapping[str, Any]) -> str:
    request_id = a.ident(args, "request")
    request = next((x for x in inc.extensions if x.id == request_id), None)
    if request is None:
        raise Refused("not_found", "There is no extension request {request} on {id}.",
                      request=request_id, id=inc.id)
    if request.status != "pending":
        raise Refused("conflict", "Extension request {request} was already {status}.",
                      request=request_id, status=request.status)
    return request.stage


@_command("incident.approve_extension", _has_pending_extension)
def _approve_extension(inc: Incident, args: Mapping[str, Any], ctx: Context,
                       world: World) -> list[Event]:
    stage = _pending_request(inc, args)
    clock = deadlines.stage_clock(inc, Stage(stage), ctx.rules)
    if clock is None or (why := extension_allowed(clock, ctx.now)):
        raise Refused("conflict", why or "The deadline is not running.")
    return [_event("incident.extension_approved", inc, ctx, request=args["request"], stage=stage)]


@_command("incident.refuse_extension", _has_pending_extension)
def _refuse_extension(inc: Incident, args: Mapping[str, Any], ctx: Context,
                      world: World) -> list[Event]:
    _pending_request(inc, args)
    return [_event("incident.extension_refused", inc, ctx, request=args["request"],
                   reason=a.text(args, "reason", multiline=True))]


# -- field units ---------------------------------------------------------------------------------

#: Why a unit is sent: to handle the incident, or to verify it on site (核查: whether it is
#: there as reported, or whether the handler's result holds). The unit's task says which.
PURPOSES = ("respond", "verify")


@_command("incident.dispatch", _open)
def _dispatch(inc: Incident, args: Mapping[str, Any], ctx: Context, world: World) -> list[Event]:
    unit = world.unit(a.ident(args, "unit"))
    if unit.status is not UnitStatus.AVAILABLE:
        raise Refused("conflict", "Unit {unit} is {status}; only available units can be "
                      "dispatched.", unit=unit.id, status=unit.status.value)
    purpose = a.text(args, "purpose", required=False, max_len=16) or "respond"
    if purpose not in PURPOSES:
        raise Refused("invalid", "'purpose' must be respond (handle the incident) or verify "
                      "(check on site).")
    assignment = assignment_id(inc.id, len(inc.assignments) + 1)
    # A verification (核查) is said in the event; a response, the usual, is not.
    extra = {"purpose": purpose} if purpose != "respond" else {}
    return [_event("assignment.dispatched", inc, ctx, assignment=assignment, unit=unit.id,
                   **extra)]


def _has_active_assignment(inc: Incident, ctx: Context) -> Refused | None:
    if not any(x.active for x in inc.assignments):
        return Refused("conflict", "{id} has no unit on the way or at the scene.", id=inc.id)
    return None


@_command("assignment.update", _has_active_assignment)
def _update_assignment(inc: Incident, args: Mapping[str, Any], ctx: Context,
                       world: World) -> list[Event]:
    target = a.choice(args, "status", AssignmentState)
    assignment = inc.assignment(a.ident(args, "assignment"))
    if assignment is None:
        raise Refused("not_found", "{id} has no assignment {assignment}.",
                      id=inc.id, assignment=args["assignment"])
    if not assignment.active:
        raise Refused("conflict", "Assignment {assignment} is already {state}.",
                      assignment=assignment.id, state=assignment.state.value)
    if target not in assignment_steps(assignment.state):
        if target is AssignmentState.CANCELLED:
            raise Refused("conflict", "Unit {unit} is on scene; clear the assignment instead "
                          "of cancelling it.", unit=assignment.unit)
        raise Refused("conflict", "Assignment {assignment} is already {state}; a unit cannot go "
                      "back to {target}.", assignment=assignment.id,
                      state=assignment.state.value, target=target.value)
    return [_event("assignment.updated", inc, ctx, assignment=assignment.id,
                   unit=assignment.unit, status=target.value)]
