"""One entry point for every command: check who, check the rules, return the events.

:func:`decide` is what the store runs inside its transaction; :func:`allowed_actions` is what the
console asks to enable its buttons. They share the same permission check and the same guards, so
the console never holds a second copy of a rule.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from console.domain import args as a
from console.domain import attachments, field, major, permissions, police, roster, warning
from console.domain.errors import Refused
from console.domain.incident import Incident
from console.domain.lifecycle import INCIDENT_COMMANDS, World
from console.domain.model import (
    ASSIGNMENT_STATUSES,
    Event,
    Priority,
    Role,
    Source,
    UnitStatus,
    UnitType,
)
from console.domain.rules import Context
from console.domain.taxonomy import UNCLASSIFIED

#: How far outside the district's box a new incident may lie: a call from just over the
#: boundary is real, a point tens of kilometres away is a wrong fix or a typing error.
DISTRICT_MARGIN_M = 5_000.0


def decide(name: str, args: Any, ctx: Context, world: World,
           *, expected_version: int | None = None,
           new_incident_id: Callable[[], str] | None = None) -> list[Event]:
    """The events command ``name`` makes, or the reason it may not happen.

    Args:
        args: the command's arguments as received (checked here; anything may arrive).
        world: lookups of the incidents and units the command touches.
        expected_version: the version of the incident the user acted on; a different current
            version refuses with ``conflict``.
        new_incident_id: allocates the id of a new incident (only ``incident.create`` calls it).

    Raises:
        Refused: with the protocol error code and the reason.
    """
    if not isinstance(args, Mapping):
        raise Refused("invalid", "The arguments of a command must be an object.")
    if name not in permissions.COMMANDS:
        raise Refused("invalid", "There is no command '{name}'.", name=str(name)[:64])
    if name == "incident.create":
        if new_incident_id is None:
            raise Refused("unavailable", "New incidents cannot be registered here.")
        return _create(args, ctx, new_incident_id)
    if name == "unit.register":
        return _register_unit(args, ctx, world)
    if name == "unit.set_status":
        return _set_unit_status(args, ctx, world)
    if name in ("unit.clock_in", "unit.clock_out"):
        return roster.decide_clock(name, args, ctx, world)
    if name == "unit.checkpoint":
        return roster.decide_checkpoint(args, ctx, world)
    if name in ("unit.message", "unit.sos", "unit.sos_clear", "field.delivered"):
        return field.decide(name, args, ctx, world)
    if name.startswith("police."):
        return _police(name, args, ctx, world, new_incident_id)
    if name.startswith("major."):
        return major.decide(name, args, ctx, world)
    if name.startswith("warning."):
        return warning.decide(name, args, ctx, world)
    if name == "attachment.add":
        return attachments.decide(args, ctx, world)

    command = INCIDENT_COMMANDS[name]
    inc = world.incident(a.ident(args, "id"))
    unit = None
    if name == "assignment.update":
        assignment = inc.assignment(str(args.get("assignment", "")))
        unit = assignment.unit if assignment else None
    permissions.check(ctx.rules.roles, ctx.actor, name, inc, unit=unit)
    if expected_version is not None and expected_version != inc.version:
        raise Refused("conflict", "{id} has changed since you opened it (version {expected}, now "
                      "{current}); look at it again before acting.",
                      id=inc.id, expected=expected_version, current=inc.version)
    if refused := command.guard(inc, ctx):
        raise refused
    return police.stamp(inc, command.decide(inc, args, ctx, world))


def allowed_actions(inc: Incident, ctx: Context) -> dict[str, str | None]:
    """For every incident command: None if this user may do it now, else why not.

    Arguments are not known yet, so a command allowed here can still be refused for what the
    user then types (an empty reason, an unknown department).
    """
    return {name: refused.message if refused else None
            for name, refused in refused_actions(inc, ctx).items()}


def refused_actions(inc: Incident, ctx: Context) -> dict[str, Refused | None]:
    """:func:`allowed_actions` with each reason as its refusal (template and parameters), for a
    console that shows it in the user's language."""
    result: dict[str, Refused | None] = {}
    for name, command in INCIDENT_COMMANDS.items():
        try:
            unit = ctx.actor.unit if name == "assignment.update" else None
            permissions.check(ctx.rules.roles, ctx.actor, name, inc, unit=unit)
            refused = command.guard(inc, ctx)
        except Refused as refusal:
            refused = refusal
        result[name] = refused
    return result


def _in_district(lat: float, lon: float, ctx: Context) -> bool:
    """Is the point plausibly in the district: not (0, 0), the point a missing fix reads as, and
    within :data:`DISTRICT_MARGIN_M` of the district's box."""
    if lat == 0 and lon == 0:
        return False
    geography = ctx.rules.geography
    return geography is None or geography.near(lat, lon, DISTRICT_MARGIN_M)


def _create(args: Mapping[str, Any], ctx: Context, new_id: Callable[[], str], *,
            diverted: bool = False) -> list[Event]:
    """``incident.create``; ``diverted`` for a police diversion, which is never refused for
    where it is: a point outside the district is kept, flagged ``outside_district`` and placed
    on no street, community or grid cell."""
    source = a.choice(args, "source", Source)
    permissions.check(ctx.rules.roles, ctx.actor, "incident.create", source=source)
    code = a.ident(args, "category")
    try:
        category = ctx.rules.taxonomy.category(code)
    except ValueError:
        raise Refused("invalid", "There is no category '{code}'.", code=code) from None
    if category.code == UNCLASSIFIED and source is not Source.POLICE:
        raise Refused("invalid", "'{code}' is reserved for police cases awaiting classification; "
                      "choose a category.", code=code)
    priority = a.choice(args, "priority", Priority)
    request_type = a.text(args, "request_type", required=False, max_len=16) or category.request_type
    if request_type not in {t.code for t in ctx.rules.taxonomy.request_types}:
        raise Refused("invalid", "There is no request type '{code}'.", code=request_type)
    description = a.text(args, "description", multiline=True)
    where = a.mapping(args, "location")
    lat = a.number(where, "lat", -90, 90)
    lon = a.number(where, "lon", -180, 180)
    address = a.text(where, "address", required=False, max_len=200)
    who = a.mapping(args, "reporter", required=False)
    reporter = {"name": a.text(who, "name", required=False, max_len=64),
                "phone": a.text(who, "phone", required=False, max_len=32)}
    police_case_no = a.text(args, "police_case_no", required=source is Source.POLICE, max_len=64)
    confidential = "confidential" in args and a.flag(args, "confidential")
    outside = not _in_district(lat, lon, ctx)
    if outside and not diverted:
        raise Refused("invalid", "The location ({lat}, {lon}) is outside the district; check "
                      "the point, or give the address and place it on the map.", lat=lat, lon=lon)
    place = ctx.rules.geography.locate(lat, lon) if ctx.rules.geography and not outside else None
    location: dict[str, Any] = {"lat": lat, "lon": lon, "address": address,
                                "grid": place.grid if place else None,
                                "community": place.community if place else None,
                                "street": place.street if place else None}
    if outside:
        location["outside_district"] = True
    data: dict[str, Any] = {
        "id": new_id(), "source": source.value, "request_type": request_type,
        "category": category.code, "priority": priority.value,
        "sla_class": category.sla_class, "description": description, "location": location,
        "reporter": reporter, "police_case_no": police_case_no or None}
    if confidential:  # only when set, as the incident's document keeps it
        data["confidential"] = True
    if source is Source.GRID and (unit := by_unit(args, ctx)) is not None:
        data["by_unit"] = unit  # whose report: the assessment counts it (domain/assessment.py)
    return [Event("incident.created", ctx.now, ctx.actor.username, data)]


def by_unit(args: Mapping[str, Any], ctx: Context) -> str | None:
    """The field unit a report or a verification is the work of: the one the actor's account
    speaks for, or, from the field gateway (which serves every unit), the ``by_unit`` it
    names."""
    if ctx.actor.unit is not None:
        return ctx.actor.unit
    if Role.FIELD in ctx.actor.roles and args.get("by_unit") is not None:
        return a.ident(args, "by_unit")
    return None


def _police(name: str, args: Mapping[str, Any], ctx: Context, world: World,
            new_incident_id: Callable[[], str] | None) -> list[Event]:
    """What a police center's link does: its messages, its acks of ours, its coming and going."""
    permissions.check(ctx.rules.roles, ctx.actor, name)
    if name == "police.receive":
        if new_incident_id is None or not isinstance(world, police.PoliceWorld):
            raise Refused("unavailable", "Police messages cannot be received here.")
        return police.receive(args, ctx, world,
                              lambda create, c: _create(create, c, new_incident_id,
                                                        diverted=True))
    if name == "police.delivered":
        inc = world.incident(a.ident(args, "id"))
        message = a.ident(args, "message")
        if inc.police is None or message not in inc.police.pending:
            raise Refused("conflict", "Message {message} of {id} is not waiting for the police.",
                          message=message, id=inc.id)
        return [Event("police.message_delivered", ctx.now, ctx.actor.username,
                      {"id": inc.id, "message": message})]
    state = a.text(args, "state", max_len=8)
    if state not in ("up", "down"):
        raise Refused("invalid", "'state' must be up or down.")
    return [Event(f"police.link_{state}", ctx.now, ctx.actor.username,
                  {"center": ctx.actor.username,
                   "hub": a.text(args, "hub", required=False, max_len=64) or None})]


def _register_unit(args: Mapping[str, Any], ctx: Context, world: World) -> list[Event]:
    permissions.check(ctx.rules.roles, ctx.actor, "unit.register")
    unit_id = a.ident(args, "id")
    try:
        world.unit(unit_id)
    except Refused as refused:
        if refused.code != "not_found":
            raise
    else:
        raise Refused("conflict", "Unit {unit} is already registered.", unit=unit_id)
    status = a.choice(args, "status", UnitStatus, default=UnitStatus.OFF_DUTY)
    if status in ASSIGNMENT_STATUSES:
        raise Refused("invalid", "A new unit starts off duty, available, busy or out of service.")
    tier = args.get("tier")
    data = {"unit": unit_id, "name": a.text(args, "name", max_len=64),
            "type": a.choice(args, "type", UnitType).value, "status": status.value,
            "tier": a.integer(args, "tier", 1, 3) if tier is not None else None,
            "street": a.text(args, "street", required=False, max_len=64) or None,
            "community": a.text(args, "community", required=False, max_len=64) or None,
            "grid": a.text(args, "grid", required=False, max_len=64) or None,
            "skills": list(a.idents(args, "skills"))}
    return [Event("unit.registered", ctx.now, ctx.actor.username, data)]


def _set_unit_status(args: Mapping[str, Any], ctx: Context, world: World) -> list[Event]:
    unit = world.unit(a.ident(args, "id"))
    permissions.check(ctx.rules.roles, ctx.actor, "unit.set_status", unit=unit.id)
    status = a.choice(args, "status", UnitStatus)
    if status in ASSIGNMENT_STATUSES:
        raise Refused("invalid", "The status {status} follows from an assignment; dispatch the "
                      "unit or update its assignment instead.", status=status.value)
    if unit.assignment is not None:
        raise Refused("conflict", "Unit {unit} is on assignment {assignment}; clear or cancel it "
                      "first.", unit=unit.id, assignment=unit.assignment)
    if status is unit.status:
        raise Refused("conflict", "Unit {unit} is already {status}.", unit=unit.id,
                      status=status.value)
    return [Event("unit.status_changed", ctx.now, ctx.actor.username,
                  {"unit": unit.id, "status": status.value, "previous": unit.status.value})]
