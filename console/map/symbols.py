"""How the map draws things: colours, shapes, and the style code of each unit and incident.

The page's painters (``resources/map/linkage_map.js``) get :func:`palette` at start and draw a
point by its style code, a small integer:

- a unit: ``type × 8 + status`` — the shape says the type, the colour the status;
- an incident: priority (bits 0–1, the colour) | state group (bits 2–3: a white dot for new, a
  black dot with the police, faded once resolved) | overdue (bit 4: a red halo) | supervised
  (bit 5: a black outline).

One place for these codes, so the legend, the painters and the tests agree.
"""

from __future__ import annotations

from typing import Any

from console.domain.incident import Incident
from console.domain.model import IncidentState, Priority, UnitStatus, UnitType
from console.domain.units import Unit

UNIT_STATUSES: tuple[UnitStatus, ...] = tuple(UnitStatus)
UNIT_TYPES: tuple[UnitType, ...] = tuple(UnitType)
PRIORITIES: tuple[Priority, ...] = tuple(Priority)
_STATUS_INDEX = {s: i for i, s in enumerate(UNIT_STATUSES)}
_TYPE_INDEX = {t: i for i, t in enumerate(UNIT_TYPES)}
_PRIORITY_INDEX = {p: i for i, p in enumerate(PRIORITIES)}

STATUS_COLOURS: dict[UnitStatus, str] = {
    UnitStatus.OFF_DUTY: "#9e9e9e",
    UnitStatus.AVAILABLE: "#1e8e3e",
    UnitStatus.DISPATCHED: "#f9a825",
    UnitStatus.EN_ROUTE: "#fb8c00",
    UnitStatus.ON_SCENE: "#d81b60",
    UnitStatus.BUSY: "#1e88e5",
    UnitStatus.OUT_OF_SERVICE: "#37474f",
}
TYPE_SHAPES: dict[UnitType, str] = {
    UnitType.GRID_WORKER: "circle",
    UnitType.COMMUNITY_POLICE: "square",
    UnitType.URBAN_MANAGEMENT: "triangle",
    UnitType.PATROL: "diamond",
    UnitType.MEDIATOR: "hexagon",
    UnitType.EMERGENCY: "cross",
    UnitType.VOLUNTEER: "star",
    UnitType.DEPARTMENT_CREW: "down",
}
PRIORITY_COLOURS: dict[Priority, str] = {
    Priority.P1: "#c62828",
    Priority.P2: "#ef6c00",
    Priority.P3: "#1565c0",
    Priority.P4: "#607d8b",
}


class IncidentGroup:
    """The state groups an incident's pin shows (the 2-bit field of its style)."""

    NEW = 0
    IN_HAND = 1
    WITH_POLICE = 2
    AWAITING_CLOSE = 3


GROUP_OF_STATE: dict[IncidentState, int] = {
    IncidentState.NEW: IncidentGroup.NEW,
    IncidentState.ACCEPTED: IncidentGroup.IN_HAND,
    IncidentState.ASSIGNED: IncidentGroup.IN_HAND,
    IncidentState.IN_PROGRESS: IncidentGroup.IN_HAND,
    IncidentState.WITH_POLICE: IncidentGroup.WITH_POLICE,
    IncidentState.RESOLVED: IncidentGroup.AWAITING_CLOSE,
    IncidentState.VERIFIED: IncidentGroup.AWAITING_CLOSE,
}
#: The dot inside a pin, by group (None: no dot).
GROUP_DOTS: tuple[str | None, ...] = ("#ffffff", None, "#111111", None)
OVERDUE_BIT = 16
SUPERVISED_BIT = 32


def unit_style(unit: Unit) -> int:
    return _TYPE_INDEX[unit.type] * 8 + _STATUS_INDEX[unit.status]


def status_of_style(style: int) -> UnitStatus:
    return UNIT_STATUSES[style & 7]


def type_of_style(style: int) -> UnitType:
    return UNIT_TYPES[style >> 3]


def status_code(status: UnitStatus) -> int:
    return _STATUS_INDEX[status]


def type_code(kind: UnitType) -> int:
    return _TYPE_INDEX[kind]


def shown_on_map(incident: Incident) -> bool:
    """Open incidents are drawn; closed, rejected and merged ones only feed the heat layer."""
    return incident.state in GROUP_OF_STATE


def incident_style(incident: Incident, overdue: bool) -> int:
    style = _PRIORITY_INDEX[incident.priority] | GROUP_OF_STATE[incident.state] << 2
    if overdue:
        style |= OVERDUE_BIT
    if incident.supervised:
        style |= SUPERVISED_BIT
    return style


def palette() -> dict[str, Any]:
    """The colours and shapes the page's painters and legend use, by code index."""
    return {
        "status": [STATUS_COLOURS[s] for s in UNIT_STATUSES],
        "type_shape": [TYPE_SHAPES[t] for t in UNIT_TYPES],
        "priority": [PRIORITY_COLOURS[p] for p in PRIORITIES],
        "incident_group": list(GROUP_DOTS),
        "overdue": "#d50000",
        "overdue_halo": "rgba(213, 0, 0, 0.22)",
        "selected": "#00b8d4",
        "camera": "#00695c",
        "checkpoint": "#6a1b9a",
        "trail": "#7b1fa2",
        "street": "#455a64",
        "community": "#78909c",
        "grid": "#b0bec5",
    }
