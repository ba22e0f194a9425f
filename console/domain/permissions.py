"""Who may do what: the role × command matrix and the scope rules that depend on the case.

The matrix is data (``resources/roles.toml``); the scope rules are the few that need the incident
or unit in hand: a department desk acts only on cases its department leads (or co-handles, for
notes), a field unit only for itself and only at the scene, a liaison officer signs for and returns
only cases the police diverted, and the police act only through their own source.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from console.domain.errors import Refused
from console.domain.incident import Incident
from console.domain.model import SYSTEM, Actor, Role, Source
from console.domain.resources import RESOURCES, load_toml

#: Every command the domain knows, with what it does in a dispatcher's words (used in refusals).
COMMANDS: dict[str, str] = {
    "incident.create": "register new incidents",
    "incident.accept": "accept incidents",
    "incident.classify": "classify incidents",
    "incident.reject": "reject incidents",
    "incident.answer": "answer and close inquiries at intake",
    "incident.assign": "assign incidents to departments",
    "incident.sign": "sign for assigned incidents",
    "incident.return": "return incidents for jurisdiction",
    "incident.resolve": "report incidents resolved",
    "incident.verify": "verify results",
    "incident.close": "close incidents",
    "incident.reopen": "reopen incidents",
    "incident.merge": "merge duplicate incidents",
    "incident.escalate": "escalate incidents to the police",
    "incident.police_acknowledge": "acknowledge escalations for the police",
    "incident.police_reject": "reject escalations for the police",
    "incident.police_dispose": "report police dispositions",
    "police.receive": "hand cases over as a police center",
    "police.delivered": "confirm messages as a police center",
    "police.link": "connect as a police center",
    "incident.note": "add notes",
    "attachment.add": "attach files",
    "incident.supervise": "supervise incidents",
    "incident.set_confidential": "mark incidents confidential",
    "incident.request_extension": "request deadline extensions",
    "incident.approve_extension": "approve deadline extensions",
    "incident.refuse_extension": "refuse deadline extensions",
    "incident.dispatch": "dispatch field units",
    "assignment.update": "report a unit's progress",
    "unit.register": "register field units",
    "unit.set_status": "change unit status",
    "unit.clock_in": "clock units in",
    "unit.clock_out": "clock units out",
    "unit.checkpoint": "record patrol checkpoints",
    "unit.message": "send messages to field units",
    "unit.sos": "call for help as a field unit",
    "unit.sos_clear": "clear field units' calls for help",
    "field.delivered": "confirm tasks as a field unit",
    "major.declare": "declare major incidents",
    "major.link": "link incidents to major incidents",
    "major.commit": "commit units to major incidents",
    "major.note": "add to a major incident's timeline",
    "major.broadcast": "broadcast to every console",
    "major.stand_down": "stand major incidents down",
    "warning.raise": "raise early warnings",
    "warning.acknowledge": "acknowledge early warnings",
}

# Commands a department desk may issue only on incidents its department leads.
_LEAD_ONLY = frozenset({"incident.sign", "incident.return", "incident.resolve",
                        "incident.request_extension"})
# Commands a field account issues for a unit: its own, or any unit for the gateway.
_FOR_ITSELF = frozenset({"assignment.update", "unit.set_status", "unit.clock_in",
                         "unit.clock_out", "unit.checkpoint", "unit.sos", "field.delivered"})
# Commands a liaison officer may issue only on police-diverted incidents.
_POLICE_SOURCE_ONLY = frozenset({"incident.accept", "incident.reject", "incident.classify"})


@dataclass(frozen=True)
class RoleMatrix:
    """The role × command table, loaded from ``resources/roles.toml`` and validated."""

    commands: Mapping[Role, frozenset[str]]

    @classmethod
    def load(cls, path: Path | None = None) -> RoleMatrix:
        return load_toml(path or RESOURCES / "roles.toml", cls.from_dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RoleMatrix:
        roles = data.get("roles")
        if not isinstance(roles, Mapping):
            raise ValueError("roles table: missing [roles.*] sections")
        table: dict[Role, frozenset[str]] = {}
        for name, entry in roles.items():
            try:
                role = Role(name)
            except ValueError:
                raise ValueError(f"roles table: unknown role {name!r}") from None
            commands = entry.get("commands") if isinstance(entry, Mapping) else None
            if not isinstance(commands, list):
                raise ValueError(f"roles table: role {name!r} needs a 'commands' list")
            unknown = sorted(set(commands) - COMMANDS.keys())
            if unknown:
                raise ValueError(f"roles table: role {name!r} names unknown commands {unknown}")
            table[role] = frozenset(commands)
        missing = sorted(r.value for r in Role if r not in table)
        if missing:
            raise ValueError(f"roles table: no entry for roles {missing}")
        return cls(table)

    def allows(self, roles: Iterable[Role], command: str) -> bool:
        return any(command in self.commands.get(role, frozenset()) for role in roles)

    def roles_allowing(self, actor: Actor, command: str) -> frozenset[Role]:
        return frozenset(r for r in actor.roles if command in self.commands.get(r, frozenset()))


def check(matrix: RoleMatrix, actor: Actor, command: str, incident: Incident | None = None,
          *, unit: str | None = None, source: Source | None = None) -> None:
    """Refuse with ``forbidden`` unless ``actor`` may issue ``command`` here.

    Args:
        incident: the incident the command acts on, for the scope rules.
        unit: the unit the command acts for (assignment updates, status changes).
        source: the source of an incident being created.

    Raises:
        Refused: with code ``forbidden`` and the reason.
    """
    roles = matrix.roles_allowing(actor, command)
    if not roles:
        raise Refused("forbidden", "Your role ({roles}) may not {action}.",
                      roles=", ".join(sorted(r.value for r in actor.roles)) or "none",
                      action=COMMANDS.get(command, command))
    # Unscoped roles (controller, duty leader, …) pass; a scoped role passes if its rule holds.
    if any(_in_scope(r, actor, command, incident, unit, source) for r in roles):
        return
    raise Refused("forbidden", _SCOPE_REASON.get(command, _DEFAULT_SCOPE_REASON),
                  action=COMMANDS.get(command, command))


_DEFAULT_SCOPE_REASON = "You may {action} only on your own cases."
_SCOPE_REASON = {
    "incident.create": "You may register incidents only from your own channel.",
    "incident.verify": "You may verify results only on site, for incidents in your care.",
    "incident.accept": "Liaison officers sign for police-diverted incidents only.",
    "incident.reject": "Liaison officers return police-diverted incidents only.",
    "incident.classify": "Liaison officers classify police-diverted incidents only.",
    "assignment.update": "A field unit reports progress only on its own assignments.",
    "unit.set_status": "A field unit changes only its own status.",
    "unit.clock_in": "A field unit clocks in only itself.",
    "unit.clock_out": "A field unit clocks out only itself.",
    "unit.checkpoint": "A field unit records only its own patrol checkpoints.",
    "unit.sos": "A field unit calls for help only for itself.",
    "field.delivered": "A field unit confirms only its own tasks.",
    "incident.note": "You may add notes only to incidents your department handles.",
    "attachment.add": "You may attach files only to incidents your department handles.",
    "warning.raise": "Early warnings are raised by the hub's own detector only.",
}


def _in_scope(role: Role, actor: Actor, command: str, incident: Incident | None,
              unit: str | None, source: Source | None) -> bool:
    if role is Role.DEPARTMENT:
        if incident is None or actor.department is None:
            return False
        if command in _LEAD_ONLY:
            return incident.lead_department == actor.department
        return actor.department in (incident.lead_department, *incident.co_handlers)
    if role is Role.POLICE_LIAISON and command in _POLICE_SOURCE_ONLY:
        return incident is not None and incident.source is Source.POLICE
    if role is Role.FIELD:
        if command == "incident.create":
            return source is Source.GRID
        if command in _FOR_ITSELF:
            # A field account bound to a unit acts for that unit; one bound to none is the field
            # platform's gateway and acts for every unit.
            return unit is not None and actor.unit in (None, unit)
        if command == "incident.verify":
            # On-site verification by a unit that was sent to the incident.
            return incident is not None and actor.unit is not None and any(
                a.unit == actor.unit for a in incident.assignments
            )
        return True
    if role is Role.POLICE and command == "incident.create":
        return source is Source.POLICE
    if command == "warning.raise":
        return actor == SYSTEM  # the hub's detector, not an administrator at a console
    return True
