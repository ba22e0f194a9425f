"""The unit roster's columns and filter: what each column and group row shows, which units
are shown, and the order of groups.

:class:`RosterColumns` holds the translated labels of one language (re-read by
:meth:`~RosterColumns.retranslate`) and the :class:`~console.ui.names.DisplayNames` the model
replaces when the language changes. The live columns (time in status, incident) are the model's
own: they depend on its *now* and on its index of assignments.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP

from console.domain.model import UnitStatus, UnitType
from console.domain.units import Unit
from console.ui.names import UNIT_STATUS_LABELS, UNIT_TYPE_LABELS, DisplayNames, tr

CONTEXT = "UnitRosterModel"
MAX_TEXT = "\U0010ffff"  # sorts after every real name


class Column(IntEnum):
    NAME = 0
    TYPE = 1
    TIER = 2
    STREET = 3
    STATUS = 4
    TIME_IN_STATUS = 5
    INCIDENT = 6


_HEADERS = {
    Column.NAME: QT_TRANSLATE_NOOP("UnitRosterModel", "Unit"),
    Column.TYPE: QT_TRANSLATE_NOOP("UnitRosterModel", "Type"),
    Column.TIER: QT_TRANSLATE_NOOP("UnitRosterModel", "Tier"),
    Column.STREET: QT_TRANSLATE_NOOP("UnitRosterModel", "Street"),
    Column.STATUS: QT_TRANSLATE_NOOP("UnitRosterModel", "Status"),
    Column.TIME_IN_STATUS: QT_TRANSLATE_NOOP("UnitRosterModel", "Time in status"),
    Column.INCIDENT: QT_TRANSLATE_NOOP("UnitRosterModel", "Incident"),
}
_NO_STREET = QT_TRANSLATE_NOOP("UnitRosterModel", "No street")
_UNDELIVERED = QT_TRANSLATE_NOOP("UnitRosterModel", "Not on the unit's device after a minute")
_DELIVERED = QT_TRANSLATE_NOOP("UnitRosterModel", "On the unit's device since {time}")
_GROUP_FORMAT = QT_TRANSLATE_NOOP("UnitRosterModel", "{name} ({count})")
_DAYS_FORMAT = QT_TRANSLATE_NOOP("UnitRosterModel", "{days}d {hours:02d}h")
_TYPE_ORDER = {t: n for n, t in enumerate(UnitType)}

#: The roster's type filter "Field teams": every unit a controller sends to a scene — community
#: police, urban management, patrols, mediators, emergency teams, volunteers, department crews —
#: but the grid workers, who are most of a district's units (21,500 of the demo's) and answer
#: to their grid, not to a dispatch.
FIELD_TEAMS = "field_teams"
FIELD_TEAM_TYPES = frozenset(UnitType) - {UnitType.GRID_WORKER}
#: The roles whose roster opens on the field teams; every other role's on all units.
FIELD_TEAM_ROLES = frozenset({"controller", "duty_leader", "viewer"})


def default_type_filter(roles: tuple[str, ...] | list[str] | frozenset[str]) -> str | None:
    """The type filter a roster opens on for a user of ``roles`` (None: all types)."""
    return FIELD_TEAMS if FIELD_TEAM_ROLES & set(roles) else None


@dataclass(frozen=True)
class UnitFilter:
    """Which units the roster shows. Empty sets do not filter; ``text`` is a case-insensitive
    substring of the unit's name or id. Codes are turned into the domain enums."""

    types: frozenset[UnitType] = frozenset()
    streets: frozenset[str] = frozenset()
    statuses: frozenset[UnitStatus] = frozenset()
    text: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "types", frozenset(UnitType(t) for t in self.types))
        object.__setattr__(self, "streets", frozenset(str(s) for s in self.streets))
        object.__setattr__(self, "statuses", frozenset(UnitStatus(s) for s in self.statuses))
        object.__setattr__(self, "text", self.text.strip())

    @property
    def accepts_all(self) -> bool:
        return not (self.types or self.streets or self.statuses or self.text)

    def accepts(self, unit: Unit) -> bool:
        if self.types and unit.type not in self.types:
            return False
        if self.streets and unit.street not in self.streets:
            return False
        if self.statuses and unit.status not in self.statuses:
            return False
        return not self.text or self.text.casefold() in f"{unit.id}\n{unit.name}".casefold()


class RosterColumns:
    """The text of the roster's columns (but the live ones) and of its group rows.

    Args:
        names: street names (replace :attr:`names` when the language changes).
    """

    def __init__(self, names: DisplayNames) -> None:
        self.names = names
        self.retranslate()

    def retranslate(self) -> None:
        """Re-read every label through the installed translators."""
        self.headers = [tr(_HEADERS[c], CONTEXT) for c in Column]
        self.types = {t: tr(text, CONTEXT) for t, text in UNIT_TYPE_LABELS.items()}
        self.statuses = {s: tr(text, CONTEXT) for s, text in UNIT_STATUS_LABELS.items()}
        self.no_street = tr(_NO_STREET, CONTEXT)
        self.delivered = tr(_DELIVERED, CONTEXT)
        self.undelivered = tr(_UNDELIVERED, CONTEXT)
        self.group_format = tr(_GROUP_FORMAT, CONTEXT)
        self.days_format = tr(_DAYS_FORMAT, CONTEXT)

    def text(self, column: int, unit: Unit) -> str:
        """What ``column`` shows for ``unit`` ("" for the live columns: the model's to say)."""
        if column == Column.NAME:
            return f"{unit.name} ({unit.id})"
        if column == Column.TYPE:
            return self.types[unit.type]
        if column == Column.TIER:
            return str(unit.tier) if unit.tier is not None else ""
        if column == Column.STREET:
            return self.names.street(unit.street) if unit.street else ""
        if column == Column.STATUS:
            return self.statuses[unit.status]
        return ""

    def group_label(self, level: str, key: Any) -> str:
        """The name of a group: its unit type, its street, or "No street"."""
        if level == "type":
            return self.types[key]
        return self.names.street(key) if key else self.no_street

    def group_key(self, level: str, key: Any) -> tuple[Any, ...]:
        """The order of groups of one level: types in their order, streets by name, the units
        without a street last."""
        if level == "type":
            return (_TYPE_ORDER[key], "")
        return (self.names.street(key) if key else MAX_TEXT, key)
