"""The unit roster as a Qt tree model: units grouped by type and street, updated narrowly.

:class:`UnitRosterModel` is one tree model — type → street → units by default, any sequence of
the levels ``"type"`` and ``"street"`` (``()`` gives a flat list) — rather than a flat model
under a grouping proxy: a Python proxy would map every index through Python twice, and the tree
keeps what changes cheap. Each group holds its children in order (groups by type order or street
name, units by name then id) with a dict from key to child group, so placing or finding a unit is
a bisection in its own group, and a change set touches only the rows of the units it names. A
group that loses its last unit is removed with it (one ``rowsRemoved``); one that gains its first
is inserted with it (one ``rowsInserted``); each group shows its unit count, so the groups above a
unit that came or went get a ``dataChanged`` of their first cell.

Positions are not events and change no roster column; change-set positions are ignored. The
order inside a group is fixed (name, then id): ``sort()`` is Qt's no-op.

The tree without Qt is :class:`~console.views.roster_tree.RosterTree`; what the columns show
and which units pass the filter, :mod:`console.views.roster_columns`.

"Time in status" is live, like the queue's countdown: :meth:`UnitRosterModel.tick` emits one
``dataChanged`` over the time column per group that holds units (≤ types × streets signals, never
one per unit); views repaint only the visible part.

A unit dispatched and not yet acknowledged for longer than :attr:`UnitRosterModel.ack_limit`
(``resources/response_plans.toml``) is late: its row turns red (``BackgroundRole``) and
:attr:`UnitRosterModel.ack_overdue` is emitted once per assignment. Only the units awaiting an
acknowledgement are watched (a dict kept from the incidents' assignments), so a tick stays cheap.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor

from console.comms.clock import hub_clock
from console.comms.replica import ChangeSet, Replica
from console.domain.field import undelivered
from console.domain.incident import DELIVERED, Assignment
from console.domain.model import AssignmentState
from console.domain.response import DEFAULT_ACK_LIMIT
from console.domain.rules import Rules
from console.domain.units import Unit
from console.ui.names import DisplayNames, ui_language
from console.ui.text import countdown_text
from console.views.roster_columns import Column, RosterColumns, UnitFilter
from console.views.roster_tree import LEVELS, Group, RosterTree, check_levels, group_order

DISPLAY = int(Qt.ItemDataRole.DisplayRole)
#: ``Qt.UserRole``: the :class:`Unit` of a unit row (None on group rows).
UnitRole = int(Qt.ItemDataRole.UserRole)
#: The unit's :class:`UnitStatus` (for a delegate's colour).
StatusRole = UnitRole + 1
#: When the unit entered its status (aware ``datetime``).
StatusSinceRole = UnitRole + 2
#: On group rows: ``(level, key)``, e.g. ``("type", UnitType.PATROL)`` or ``("street", code)``.
GroupRole = UnitRole + 3
#: On group rows: how many units (passing the filter) the group holds.
CountRole = UnitRole + 4
#: The id of the incident the unit is assigned to, or None.
IncidentIdRole = UnitRole + 5
#: True when the unit was dispatched and has not acknowledged within the limit.
AckOverdueRole = UnitRole + 6
#: When the unit's device got its dispatch (None: not yet, or no dispatch).
DeliveredRole = UnitRole + 7
BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_UNDELIVERED = QBrush(QColor("#c00000"))
_LATE = QBrush(QColor("#ffcdd2"))

# Asked for every cell at every repaint: constants, not enum expressions.
_GROUP_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_UNIT_FLAGS = _GROUP_FLAGS | Qt.ItemFlag.ItemNeverHasChildren


def _utcnow() -> datetime:
    return hub_clock.now()


class UnitRosterModel(QAbstractItemModel):
    """Field units by type and street, with their status and how long they have had it.

    Args:
        replica: the GUI thread's replica; read only.
        language: ``"zh…"`` for Chinese street names, else English; None follows ``QLocale()``.
        rules: the locally loaded rules, for street names from their geography (optional).
        grouping: the group levels, outermost first: a sequence of ``"type"`` and ``"street"``.
        clock: where *now* comes from when :meth:`tick` gets none.
        parent: the QObject parent.
    """

    UnitRole = UnitRole
    StatusRole = StatusRole
    StatusSinceRole = StatusSinceRole
    GroupRole = GroupRole
    CountRole = CountRole
    IncidentIdRole = IncidentIdRole
    AckOverdueRole = AckOverdueRole
    BATCH_LIMIT = 2_000

    #: unit id, incident id: the unit has not acknowledged its dispatch within the limit.
    ack_overdue = Signal(str, str)

    def __init__(self, replica: Replica, *, language: str | None = None,
                 rules: Rules | None = None, grouping: Sequence[str] = LEVELS,
                 clock: Callable[[], datetime] = _utcnow, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._replica = replica
        self._rules = rules
        self._clock = clock
        self._now = clock()
        self._timer: QTimer | None = None
        self._language = ui_language(language)
        # No language given: names follow the one installed, also after a live switch.
        self._follows_locale = language is None
        self._columns = RosterColumns(DisplayNames(self._language, rules))
        self._tree = RosterTree(check_levels(grouping))
        self._filter = UnitFilter()
        self._incident_of: dict[str, str] = {}  # assignment id → incident id
        #: How long a dispatched unit may take to acknowledge.
        self.ack_limit = DEFAULT_ACK_LIMIT
        # unit id → (assignment id, dispatched at, incident id): dispatched, not acknowledged
        self._awaiting: dict[str, tuple[str, datetime, str]] = {}
        self._late: set[str] = set()  # unit ids shown late
        self._alarmed: set[str] = set()  # assignment ids already announced
        self._index_assignments()
        self._rebuild()

    # -- Qt model interface -------------------------------------------------------------------

    def index(self, row: int, column: int,
              parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if parent.isValid():
            node = self._group_at(parent) if parent.column() == 0 else None
            if node is None:
                return QModelIndex()
        else:
            node = self._tree.root
        if 0 <= row < len(node.children) and 0 <= column < len(Column):
            return self.createIndex(row, column, node.nid)
        return QModelIndex()

    def parent(self, child: QModelIndex | QPersistentModelIndex | None = None) -> Any:
        if child is None:  # QObject.parent()
            return QObject.parent(self)
        if not child.isValid():
            return QModelIndex()
        holder = self._tree.nodes.get(child.internalId())
        if holder is None or holder is self._tree.root:
            return QModelIndex()
        return self._index_of_group(holder)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self._tree.root.children)
        if parent.column() != 0:
            return 0
        node = self._group_at(parent)
        return 0 if node is None else len(node.children)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return len(Column)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _UNIT_FLAGS if self._unit_id(index) is not None else _GROUP_FLAGS

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = DISPLAY) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == DISPLAY:
            headers = self._columns.headers
            return headers[section] if 0 <= section < len(headers) else None
        return super().headerData(section, orientation, role)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = DISPLAY) -> Any:
        if role not in _ROLES or not index.isValid():
            return None
        holder = self._tree.nodes.get(index.internalId())
        if holder is None or not 0 <= index.row() < len(holder.children):
            return None
        column = index.column()
        if holder.depth < len(self._tree.levels):
            group = holder.children[index.row()]
            level = self._tree.levels[group.depth - 1]
            if role == GroupRole:
                return (level, group.key)
            if role == CountRole:
                return group.count
            if role == DISPLAY and column == Column.NAME:
                columns = self._columns
                return columns.group_format.format(name=columns.group_label(level, group.key),
                                                   count=group.count)
            return None
        unit = self._replica.units[holder.children[index.row()]]
        if role == DISPLAY:
            return self._display(column, unit)
        if role == UnitRole:
            return unit
        if role == StatusRole:
            return unit.status
        if role == StatusSinceRole:
            return unit.status_since
        if role == IncidentIdRole:
            return self._incident_of.get(unit.assignment) if unit.assignment else None
        if role == BACKGROUND:
            return _LATE if unit.id in self._late else None
        if role == AckOverdueRole:
            return unit.id in self._late
        if column == Column.INCIDENT and role in (DeliveredRole, FOREGROUND, TOOLTIP):
            return self._delivery(role, unit)
        return None

    def _delivery(self, role: int, unit: Unit) -> Any:
        """Whether the dispatch reached the unit's device: when (tool tip, ``DeliveredRole``),
        or red once :func:`~console.domain.field.undelivered` (its ``_undelivered``)."""
        inc = self._replica.incidents.get(self._incident_of.get(unit.assignment or "", ""))
        a = inc.assignment(unit.assignment) if inc is not None and unit.assignment else None
        at = a.time_of(DELIVERED) if a is not None else None
        if role == DeliveredRole:
            return at
        if role == FOREGROUND:
            return _UNDELIVERED if unit.id in self._undelivered else None
        if at is not None:
            return self._columns.delivered.format(time=at.astimezone().strftime("%H:%M:%S"))
        return self._columns.undelivered if unit.id in self._undelivered else None

    def roleNames(self) -> dict[int, QByteArray]:
        names = dict(super().roleNames())
        for role, name in ((UnitRole, b"unit"), (StatusRole, b"status"),
                           (StatusSinceRole, b"statusSince"), (GroupRole, b"group"),
                           (CountRole, b"count"), (IncidentIdRole, b"incidentId"),
                           (AckOverdueRole, b"ackOverdue")):
            names[role] = QByteArray(name)
        return names

    # -- public API ---------------------------------------------------------------------------

    @property
    def filter(self) -> UnitFilter:
        return self._filter

    @property
    def grouping(self) -> tuple[str, ...]:
        return self._tree.levels

    @property
    def now(self) -> datetime:
        return self._now

    def set_filter(self, unit_filter: UnitFilter) -> None:
        """Show only units passing ``unit_filter``; selection and expanded groups that remain
        follow their units and groups (a layout change, not a reset)."""
        self._filter = unit_filter
        self._relayout()

    def set_grouping(self, grouping: Sequence[str]) -> None:
        """Group by ``grouping`` (levels ``"type"``/``"street"``, outermost first); a reset."""
        levels = check_levels(grouping)
        if levels == self._tree.levels:
            return
        self.beginResetModel()
        self._tree.levels = levels
        self._rebuild()
        self.endResetModel()

    def unit_count(self) -> int:
        """How many units pass the filter."""
        return self._tree.root.count

    def index_of(self, unit_id: str, column: int = 0) -> QModelIndex:
        """The index of a shown unit's row, or an invalid index."""
        path = self._tree.path.get(unit_id)
        if path is None:
            return QModelIndex()
        group = self._tree.walk(path)
        return self.createIndex(self._tree.unit_row(group, unit_id), column, group.nid)

    def apply(self, change: ChangeSet) -> None:
        """Follow a change set the replica has just applied, with the narrowest signals.

        Incidents only matter for the "incident" column (assignment → incident); positions
        are ignored. More than :attr:`BATCH_LIMIT` changed units are one layout change.
        """
        if change.reset:
            self.beginResetModel()
            self._index_assignments()
            self._rebuild()
            self.endResetModel()
            return
        for inc in change.incidents.values():
            for assignment in inc.assignments:
                self._follow_ack(inc.id, assignment)
                if self._incident_of.get(assignment.id) != inc.id:
                    self._incident_of[assignment.id] = inc.id
                    self._incident_resolved(assignment.unit, assignment.id, change)
        if len(change.units) > self.BATCH_LIMIT:
            self._relayout()
            return
        for uid in change.units:
            self._update_unit(uid)

    def tick(self, now: datetime | None = None) -> None:
        """Move *now* on: one ``dataChanged`` over the time column per group holding units."""
        self._now = now if now is not None else self._clock()
        self._check_acks()
        leaf_depth = len(self._tree.levels)
        for node in self._tree.nodes.values():
            if node.depth == leaf_depth and node.children:
                self.dataChanged.emit(
                    self.createIndex(0, Column.TIME_IN_STATUS, node.nid),
                    self.createIndex(len(node.children) - 1, Column.TIME_IN_STATUS, node.nid),
                    [DISPLAY])

    def start_ticking(self, interval_ms: int = 1_000) -> None:
        """Tick every ``interval_ms`` (one timer per model, however many views)."""
        if self._timer is None:
            self._timer = QTimer(self)
            self._timer.timeout.connect(self.tick)
        self._timer.start(interval_ms)

    def stop_ticking(self) -> None:
        if self._timer is not None:
            self._timer.stop()

    def set_language(self, language: str | None) -> None:
        self._follows_locale = language is None
        self._language = ui_language(language)
        self._columns.names = DisplayNames(self._language, self._rules)
        self.retranslate()

    def retranslate(self) -> None:
        """Re-read every label (after a LanguageChange); street groups are re-ordered by name."""
        if self._follows_locale and self._language != ui_language():
            self._language = ui_language()
            self._columns.names = DisplayNames(self._language, self._rules)
        self._columns.retranslate()
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(Column) - 1)
        self._relayout()

    # -- the tree -----------------------------------------------------------------------------

    def _group_at(self, index: QModelIndex | QPersistentModelIndex) -> Group | None:
        """The group an index stands for, or None for a unit row."""
        holder = self._tree.nodes.get(index.internalId())
        if holder is None or holder.depth >= len(self._tree.levels):
            return None
        row = index.row()
        return holder.children[row] if 0 <= row < len(holder.children) else None

    def _unit_id(self, index: QModelIndex | QPersistentModelIndex) -> str | None:
        holder = self._tree.nodes.get(index.internalId())
        if holder is None or holder.depth < len(self._tree.levels):
            return None
        row = index.row()
        return holder.children[row] if 0 <= row < len(holder.children) else None

    def _index_of_group(self, group: Group) -> QModelIndex:
        if group.parent is None:
            return QModelIndex()
        return self.createIndex(group.parent.children.index(group), 0, group.parent.nid)

    def _rebuild(self) -> None:
        """Build the whole tree from the replica (inside a reset or a layout change)."""
        self._tree.build(self._replica.units, self._filter.accepts, self._columns.group_key)

    def _relayout(self) -> None:
        """Rebuild, keeping persistent indexes (selection, expanded groups) on what they held."""
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        held = [(self._identity(p), p.column()) for p in persistent]
        self._rebuild()
        if persistent:
            self.changePersistentIndexList(
                persistent, [self._find(identity, column) for identity, column in held])
        self.layoutChanged.emit()

    def _identity(self, index: QModelIndex | QPersistentModelIndex) -> tuple[str, Any] | None:
        uid = self._unit_id(index)
        if uid is not None:
            return ("unit", uid)
        group = self._group_at(index)
        if group is None:
            return None
        keys = []
        while group.parent is not None:
            keys.append(group.key)
            group = group.parent
        return ("group", tuple(reversed(keys)))

    def _find(self, identity: tuple[str, Any] | None, column: int) -> QModelIndex:
        if identity is None:
            return QModelIndex()
        kind, what = identity
        if kind == "unit":
            return self.index_of(what, column)
        node = self._tree.root
        for key in what:
            found = node.by_key.get(key)
            if found is None:
                return QModelIndex()
            node = found
        index = self._index_of_group(node)
        return index.siblingAtColumn(column) if index.isValid() else index

    # -- narrow updates -----------------------------------------------------------------------

    def _update_unit(self, uid: str) -> None:
        unit = self._replica.units[uid]
        passes = self._filter.accepts(unit)
        old_path = self._tree.path.get(uid)
        if old_path is None:
            if passes:
                self._insert_unit(uid, unit)
            return
        if not passes:
            self._remove_unit(uid)
            return
        if self._tree.unit_path(unit) != old_path:
            self._remove_unit(uid)
            self._insert_unit(uid, unit)
            return
        group = self._tree.walk(old_path)
        parent = self._index_of_group(group)
        row = self._tree.unit_row(group, uid)
        key = self._tree.unit_key(unit)
        if key != self._tree.leaf_key[uid]:
            dest = bisect.bisect_left(group.children, key, key=self._tree.leaf_key.__getitem__)
            if dest not in (row, row + 1):
                self.beginMoveRows(parent, row, row, parent, dest)
                del group.children[row]
                row = dest - 1 if dest > row else dest
                group.children.insert(row, uid)
                self._tree.leaf_key[uid] = key
                self.endMoveRows()
            else:
                self._tree.leaf_key[uid] = key
        self.dataChanged.emit(self.index(row, 0, parent),
                              self.index(row, len(Column) - 1, parent))

    def _insert_unit(self, uid: str, unit: Unit) -> None:
        path = self._tree.unit_path(unit)
        key = self._tree.unit_key(unit)
        node = self._tree.root
        for depth, value in enumerate(path, start=1):
            child = node.by_key.get(value)
            if child is None:
                # The unit opens a group: insert the new branch (groups and unit) as one row.
                branch = self._tree.new_group(depth, value, node)
                tip = branch
                for deeper, deeper_value in enumerate(path[depth:], start=depth + 1):
                    below = self._tree.new_group(deeper, deeper_value, tip)
                    tip.children.append(below)
                    tip.by_key[deeper_value] = below
                    tip.count = 1
                    tip = below
                tip.children.append(uid)
                tip.count = 1
                level = self._tree.levels[depth - 1]
                row = bisect.bisect_left(node.children, self._columns.group_key(level, value),
                                         key=group_order(level, self._columns.group_key))
                self.beginInsertRows(self._index_of_group(node), row, row)
                node.children.insert(row, branch)
                node.by_key[value] = branch
                self._tree.path[uid] = path
                self._tree.leaf_key[uid] = key
                self._tree.count(node, +1)
                self.endInsertRows()
                self._repaint_counts(node)
                return
            node = child
        row = bisect.bisect_left(node.children, key, key=self._tree.leaf_key.__getitem__)
        self.beginInsertRows(self._index_of_group(node), row, row)
        node.children.insert(row, uid)
        self._tree.path[uid] = path
        self._tree.leaf_key[uid] = key
        self._tree.count(node, +1)
        self.endInsertRows()
        self._repaint_counts(node)

    def _remove_unit(self, uid: str) -> None:
        group = self._tree.walk(self._tree.path[uid])
        # The outermost group this unit alone keeps alive goes with it.
        doomed: Group | None = None
        node = group
        while node.parent is not None and node.count == 1:
            doomed, node = node, node.parent
        if doomed is not None:
            row = node.children.index(doomed)
            self.beginRemoveRows(self._index_of_group(node), row, row)
            del node.children[row]
            del node.by_key[doomed.key]
        else:
            row = self._tree.unit_row(group, uid)
            self.beginRemoveRows(self._index_of_group(group), row, row)
            del group.children[row]
        del self._tree.path[uid]
        del self._tree.leaf_key[uid]
        self._tree.count(node, -1)
        self.endRemoveRows()
        if doomed is not None:
            self._tree.forget(doomed)
        self._repaint_counts(node)

    def _repaint_counts(self, node: Group | None) -> None:
        """The first cell of ``node`` and of each group above it shows a new count."""
        while node is not None and node.parent is not None:
            index = self._index_of_group(node)
            self.dataChanged.emit(index, index, [DISPLAY, CountRole])
            node = node.parent

    def _incident_resolved(self, unit_id: str, assignment_id: str, change: ChangeSet) -> None:
        """A unit's assignment became known to belong to an incident: repaint that one cell."""
        if unit_id in change.units or unit_id not in self._tree.path:
            return  # its own update (or nothing, if not shown) covers it
        unit = self._replica.units.get(unit_id)
        if unit is not None and unit.assignment == assignment_id:
            index = self.index_of(unit_id, Column.INCIDENT)
            self.dataChanged.emit(index, index, [DISPLAY, IncidentIdRole])

    def _index_assignments(self) -> None:
        self._incident_of = {a.id: inc.id for inc in self._replica.incidents.values()
                             for a in inc.assignments}
        self._awaiting = {}
        for inc in self._replica.incidents.values():
            for assignment in inc.assignments:
                self._follow_ack(inc.id, assignment)
        self._late = set()
        self._undelivered: set[str] = set()

    # -- acknowledgements ---------------------------------------------------------------------

    def _follow_ack(self, incident_id: str, assignment: Assignment) -> None:
        """Watch a unit while its assignment waits for the unit's acknowledgement."""
        unit = assignment.unit
        if assignment.state is AssignmentState.DISPATCHED:
            self._awaiting[unit] = (assignment.id, assignment.dispatched_at, incident_id)
        elif self._awaiting.get(unit, ("",))[0] == assignment.id:
            del self._awaiting[unit]

    def late_units(self) -> set[str]:
        """The units shown late (dispatched, not acknowledged within the limit)."""
        return set(self._late)

    def _check_acks(self) -> None:
        """Colour the rows of units that turned late or stopped being late; announce each
        late assignment once."""
        units = self._replica.units
        late = {uid for uid, (assignment, at, _) in self._awaiting.items()
                if self._now - at >= self.ack_limit and uid in units
                and units[uid].assignment == assignment}
        changed, self._late = late ^ self._late, late
        gone = {uid for uid, (aid, _, iid) in self._awaiting.items() if uid in units
                and units[uid].assignment == aid and (inc := self._replica.incidents.get(iid))
                and (a := inc.assignment(aid)) is not None and undelivered(a, self._now)}
        for uid in gone ^ self._undelivered:  # turned late, or delivered at last
            cell = self.index_of(uid, Column.INCIDENT)
            if cell.isValid():
                self.dataChanged.emit(cell, cell, [FOREGROUND, TOOLTIP, DeliveredRole])
        self._undelivered = gone
        for uid in changed:
            row = self.index_of(uid)
            if row.isValid():
                self.dataChanged.emit(row, row.siblingAtColumn(len(Column) - 1),
                                      [BACKGROUND, AckOverdueRole])
        for uid in sorted(late):
            assignment, _, incident = self._awaiting[uid]
            if assignment not in self._alarmed:
                self._alarmed.add(assignment)
                self.ack_overdue.emit(uid, incident)

    # -- display ------------------------------------------------------------------------------

    def _display(self, column: int, unit: Unit) -> str:
        if column == Column.TIME_IN_STATUS:
            return countdown_text(self._now - unit.status_since, self._columns.days_format)
        if column == Column.INCIDENT:
            return self._incident_of.get(unit.assignment, "") if unit.assignment else ""
        return self._columns.text(column, unit)


_ROLES = frozenset({DISPLAY, UnitRole, StatusRole, StatusSinceRole, GroupRole, CountRole,
                    IncidentIdRole, BACKGROUND, AckOverdueRole, DeliveredRole, FOREGROUND,
                    TOOLTIP})
