"""The role × command matrix, pair by pair, and the scope rules on top of it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from console.domain.errors import Refused
from console.domain.incident import Incident
from console.domain.model import SYSTEM, Actor, Role, Source
from console.domain.permissions import COMMANDS, RoleMatrix, check
from console.domain.rules import Rules
from tests.domain.conftest import Desk

# What each role may do, written out independently of resources/roles.toml: a change to the
# shipped matrix must be made here too, on purpose.
INCIDENT_WORK = {
    "incident.create",
    "incident.accept",
    "incident.classify",
    "incident.reject",
    "incident.answer",
    "incident.assign",
    "incident.resolve",
    "incident.verify",
    "incident.close",
    "incident.reopen",
    "incident.merge",
    "incident.escalate",
    "incident.note",
        "attachment.add",
    "incident.request_extension",
    "incident.dispatch",
    "assignment.update",
    "unit.set_status",
    "unit.message",
    "unit.sos_clear",
}
MAJOR_WORK = {"major.declare", "major.link", "major.commit", "major.note", "major.broadcast",
              "major.stand_down"}
EXPECTED: dict[Role, set[str]] = {
    Role.CALL_TAKER: {
        "incident.create",
        "incident.accept",
        "incident.reject",
        "incident.answer",
        "incident.merge",
        "incident.note",
        "attachment.add",
        "incident.set_confidential",
    },
    Role.CONTROLLER: INCIDENT_WORK,
    Role.DUTY_LEADER: INCIDENT_WORK
    | {"incident.supervise", "incident.approve_extension", "incident.refuse_extension",
       "warning.acknowledge", "incident.set_confidential"} | MAJOR_WORK,
    Role.POLICE_LIAISON: {
        "incident.accept",
        "incident.classify",
        "incident.reject",
        "incident.escalate",
        "incident.note",
        "attachment.add",
        "incident.verify",
    },
    Role.DEPARTMENT: {
        "incident.sign",
        "incident.return",
        "incident.resolve",
        "incident.note",
        "attachment.add",
        "incident.request_extension",
    },
    Role.POLICE: {
        "incident.create",
        "incident.police_acknowledge",
        "incident.police_reject",
        "incident.police_dispose",
        "incident.note",
        "police.receive",
        "police.delivered",
        "police.link",
    },
    Role.FIELD: {
        "incident.create",
        "incident.note",
        "attachment.add",
        "incident.verify",
        "assignment.update",
        "unit.set_status",
        "unit.clock_in",
        "unit.clock_out",
        "unit.checkpoint",
        "unit.sos",
        "field.delivered",
    },
    Role.ADMIN: {"unit.register", "unit.set_status", "warning.raise"} | MAJOR_WORK,
    Role.VIEWER: set(),
}

PAIRS = [(role, command) for role in Role for command in COMMANDS]


@pytest.mark.parametrize(("role", "command"), PAIRS, ids=[f"{r.value}-{c}" for r, c in PAIRS])
def test_every_role_command_pair(rules: Rules, desk: Desk, role: Role, command: str) -> None:
    expected = command in EXPECTED[role]
    assert rules.roles.allows([role], command) is expected
    # The hub's check agrees, for an actor in scope (its own department, unit and source).
    incident_id = (
        desk.create(source="police", police_case_no="110-1")
        if role is Role.POLICE_LIAISON
        else desk.create()
    )
    incident: Incident = replace(desk.incident(incident_id), lead_department="environment")
    actor = Actor("someone", frozenset({role}), department="environment", unit="U1")
    if role is Role.ADMIN and command == "warning.raise":
        actor = SYSTEM  # the hub's detector; an administrator at a console may not (below)
    if role is Role.FIELD:
        incident = replace(
            incident, assignments=(replace(_assignment(desk, incident_id), unit="U1"),)
        )
    source = {Role.FIELD: Source.GRID, Role.POLICE: Source.POLICE}.get(role, Source.HOTLINE)
    if expected:
        check(rules.roles, actor, command, incident, unit="U1", source=source)
    else:
        with pytest.raises(Refused) as caught:
            check(rules.roles, actor, command, incident, unit="U1", source=source)
        assert caught.value.code == "forbidden"
        assert f"Your role ({role.value}) may not" in caught.value.message


def _assignment(desk: Desk, incident_id: str):  # type: ignore[no-untyped-def]
    desk.register(f"UX{incident_id[-3:]}")
    desk.run(
        Actor("ctl", frozenset({Role.CONTROLLER})),
        "incident.dispatch",
        id=incident_id,
        unit=f"UX{incident_id[-3:]}",
    )
    return desk.incident(incident_id).assignments[0]


def test_only_the_hubs_detector_raises_early_warnings(rules: Rules) -> None:
    admin = Actor("admin", frozenset({Role.ADMIN}))
    with pytest.raises(Refused) as caught:
        check(rules.roles, admin, "warning.raise")
    assert caught.value.code == "forbidden"
    assert "detector" in caught.value.message
    check(rules.roles, SYSTEM, "warning.raise")


def test_several_roles_add_up(rules: Rules) -> None:
    assert rules.roles.allows([Role.CALL_TAKER, Role.DEPARTMENT], "incident.sign")
    assert not rules.roles.allows([Role.CALL_TAKER, Role.VIEWER], "incident.close")


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("[roles.viewer]\ncommands = []\n", "no entry for roles"),
        ("[roles.pilot]\ncommands = []\n", "unknown role 'pilot'"),
        ("[roles.viewer]\ncommands = ['incident.fly']\n", "unknown commands ['incident.fly']"),
        ("[roles.viewer]\n", "needs a 'commands' list"),
    ],
)
def test_a_broken_matrix_is_refused_at_load(tmp_path: Path, text: str, error: str) -> None:
    path = tmp_path / "roles.toml"
    path.write_text(text)
    with pytest.raises(ValueError, match=error.replace("[", r"\[").replace("]", r"\]")):
        RoleMatrix.load(path)
