"""The unit roster dock: field units grouped by type and street, and their status set by hand.

A filter bar (grouping, type, street, status, text) over a tree of :class:`UnitRosterModel`;
time in status ticks live, and the incident column names what a unit is assigned to. Selected
units get a status from the context menu or a shortcut (Ctrl+1 off duty, Ctrl+2 available,
Ctrl+3 busy, Ctrl+4 out of service): one ``unit.set_status`` per unit through the bridge, the
outcome beside the count and on the message bus. A unit's progress on its current assignment is
one key on the tree (A acknowledged, E en route, O on scene, C cleared, X cancel — shown in the
context menu), for every selected unit that can take that step (the domain's
``assignment_steps``): one ``assignment.update`` each. Whether a status may change (a unit on an
assignment may not) is the hub's answer; the dock only asks the domain whether the user's role
may change statuses at all, to enable the actions. Double-click opens the unit's incident.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QEvent,
    QItemSelection,
    QModelIndex,
    QPoint,
    QSettings,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QTreeView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from console.comms.bridge import Bridge
from console.comms.client import CommandResult
from console.comms.replica import ChangeSet
from console.domain import permissions
from console.domain.errors import Refused
from console.domain.model import AssignmentState, UnitStatus, UnitType, assignment_steps
from console.domain.response import ResponsePlans
from console.domain.rules import Rules
from console.ui.context import actor_of
from console.ui.message import messages
from console.ui.names import DisplayNames, ui_language, unit_status_name, unit_type_name
from console.ui.text import result_text
from console.views.alerts import alert_sound
from console.views.command_parser import SETTABLE_STATUSES, unit_assignment
from console.views.common import ColumnRepaint, refill_combo
from console.views.incident_words import ASSIGNMENT_STATES
from console.views.roster_columns import (
    FIELD_TEAM_TYPES,
    FIELD_TEAMS,
    Column,
    UnitFilter,
    default_type_filter,
)
from console.views.unit_model import GroupRole, IncidentIdRole, UnitRole, UnitRosterModel
from console.views.view_aids import EmptyState

CONTEXT = "UnitRoster"
_GROUPINGS = (
    (QT_TRANSLATE_NOOP("UnitRoster", "Type › street"), "type,street"),
    (QT_TRANSLATE_NOOP("UnitRoster", "Street › type"), "street,type"),
    (QT_TRANSLATE_NOOP("UnitRoster", "Type"), "type"),
    (QT_TRANSLATE_NOOP("UnitRoster", "Street"), "street"),
    (QT_TRANSLATE_NOOP("UnitRoster", "No grouping"), ""),
)
#: Status shortcuts, in the order of :data:`SETTABLE_STATUSES`.
_SHORTCUTS = ("Ctrl+1", "Ctrl+2", "Ctrl+3", "Ctrl+4")
#: One key per step of an assignment, on the tree alone (the search field takes letters).
PROGRESS_KEYS = {AssignmentState.ACKNOWLEDGED: "A", AssignmentState.EN_ROUTE: "E",
                 AssignmentState.ON_SCENE: "O", AssignmentState.CLEARED: "C",
                 AssignmentState.CANCELLED: "X"}


class RosterTree(EmptyState, ColumnRepaint, QTreeView):
    """The roster's tree: time in status ticks by repainting its column only; empty, it says
    why (:class:`~console.views.view_aids.EmptyState`)."""


class UnitRoster(QWidget):
    """The roster: filter bar, unit tree, a count and the last status change's outcome.

    Args:
        bridge: the console's bridge (replica, commands, connection state).
        rules: the locally loaded rules (street names, the role matrix).
        parent: the Qt parent.
        language: ``"zh"``/``"en"`` for street names; None follows the locale.
        settings: where the type filter the user chose is kept, per account; without them the
            roster is no user's desk (a test, an embedding) and shows every type.

    The type filter opens on what the user chose last; the first time on the role's default:
    a controller, duty leader or wall display sees the field teams, not the grid workers
    (:func:`~console.views.roster_columns.default_type_filter`).

    Signals:
        open_incident(str): a unit with an incident was double-clicked (or "Open incident").
        unit_selected(str): the current unit changed (for the map).
        answered(bool, str): a status change went through or was refused, with the text shown.
    """

    open_incident = Signal(str)
    unit_selected = Signal(str)
    answered = Signal(bool, str)

    def __init__(self, bridge: Bridge, rules: Rules, parent: QWidget | None = None, *,
                 language: str | None = None, settings: QSettings | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("unitRoster")
        self.bridge = bridge
        self.rules = rules
        self._settings = settings
        self._names = DisplayNames(ui_language(language), rules)
        self.model = UnitRosterModel(bridge.replica, language=language, rules=rules, parent=self)
        self._streets: set[str] = set(rules.geography.street_codes) if rules.geography else set()

        self.grouping = self._combo("rosterGrouping")
        self.type_filter = self._combo("rosterType")
        self.street_filter = self._combo("rosterStreet")
        self.status_filter = self._combo("rosterStatus")
        self.search = QLineEdit(self)
        self.search.setObjectName("rosterSearch")
        self.search.setClearButtonEnabled(True)
        self.count = QLabel(self)
        self.count.setObjectName("rosterCount")
        self.outcome = QLabel(self)
        self.outcome.setObjectName("rosterOutcome")

        self.tree = RosterTree(self)
        self.tree.setObjectName("rosterTree")
        self.tree.setModel(self.model)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setUniformRowHeights(True)
        self.tree.setAllColumnsShowFocus(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.setExpandsOnDoubleClick(True)
        for column, width in ((Column.NAME, 190), (Column.TYPE, 110), (Column.TIER, 40),
                              (Column.STREET, 110), (Column.STATUS, 90),
                              (Column.TIME_IN_STATUS, 80), (Column.INCIDENT, 150)):
            self.tree.setColumnWidth(column, width)

        self.status_actions: dict[UnitStatus, QAction] = {}
        for status, keys in zip(SETTABLE_STATUSES, _SHORTCUTS, strict=True):
            action = QAction(self)
            action.setObjectName(f"rosterSet_{status.value}")
            action.setData(status.value)
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(lambda _=False, s=status: self.set_status(s))
            self.addAction(action)
            self.status_actions[status] = action
        self.progress_actions: dict[AssignmentState, QAction] = {}
        for step, keys in PROGRESS_KEYS.items():
            action = QAction(self.tree)
            action.setObjectName(f"rosterProgress_{step.value}")
            action.setData(step.value)
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            action.triggered.connect(lambda _=False, s=step: self.report_progress(s))
            self.tree.addAction(action)
            self.progress_actions[step] = action
        self.open_action = QAction(self)
        self.open_action.setObjectName("rosterOpenIncident")
        self.open_action.triggered.connect(self._open_current)

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.search, 2)
        for combo in (self.grouping, self.type_filter, self.street_filter, self.status_filter):
            bar.addWidget(combo)
        foot = QHBoxLayout()
        foot.setContentsMargins(0, 0, 0, 0)
        foot.addWidget(self.count)
        foot.addWidget(self.outcome, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(bar)
        layout.addWidget(self.tree)
        layout.addLayout(foot)

        self._filter_timer = QTimer(self, singleShot=True, interval=150)
        self._filter_timer.timeout.connect(self._apply_filter)
        self.search.textChanged.connect(self._filter_timer.start)
        for combo in (self.type_filter, self.street_filter, self.status_filter):
            combo.currentIndexChanged.connect(self._apply_filter)
        self.type_filter.activated.connect(self._remember_type)
        self.grouping.currentIndexChanged.connect(self._apply_grouping)
        self._collapsed: set[tuple[Any, ...]] = set()  # groups the user closed, by their keys
        self.tree.collapsed.connect(lambda index: self._collapsed.add(self._group_path(index)))
        self.tree.expanded.connect(lambda index: self._collapsed.discard(self._group_path(index)))
        self.model.modelReset.connect(lambda: self._expand_groups())
        self.model.layoutChanged.connect(lambda *_: self._expand_groups())
        self.model.rowsInserted.connect(self._expand_inserted)
        self.tree.doubleClicked.connect(self._double_clicked)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        self.tree.selectionModel().selectionChanged.connect(self._selection_changed)
        self.tree.selectionModel().currentChanged.connect(self._current_changed)
        bridge.changed.connect(self._changed)
        bridge.state_changed.connect(self._connection)
        bridge.logged_in.connect(self._logged_in)
        self.model.ack_limit = ResponsePlans.load().ack_limit
        self.model.ack_overdue.connect(self._ack_overdue)
        self.model.start_ticking(1000)
        self.tree.empty_text = self._empty_text
        self.retranslate()
        self._open_on_default_types()
        self._expand_groups()
        self._connection(bridge.state, None)

    def _combo(self, name: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        return combo

    # -- filter and grouping ------------------------------------------------------------------

    def unit_filter(self) -> UnitFilter:
        """The filter the bar describes."""
        kind, street, status = (c.currentData() for c in (self.type_filter, self.street_filter,
                                                          self.status_filter))
        types = FIELD_TEAM_TYPES if kind == FIELD_TEAMS else frozenset({kind} if kind else ())
        return UnitFilter(types=types,
                          streets=frozenset({street} if street else ()),
                          statuses=frozenset({status} if status else ()),
                          text=self.search.text())

    def _apply_filter(self, *_: Any) -> None:
        self.model.set_filter(self.unit_filter())
        self._update_count()

    def _type_key(self) -> str | None:
        user = self.bridge.replica.user
        return f"roster/{user.username}/types" if user is not None else None

    def _open_on_default_types(self) -> None:
        """The type filter the user chose last, else the role's default."""
        user, key = self.bridge.replica.user, self._type_key()
        if user is None or self._settings is None:
            return
        chosen: Any = default_type_filter(user.roles)
        if key is not None and self._settings.contains(key):
            chosen = self._settings.value(key) or None  # "" stands for "all types"
        found = self.type_filter.findData(chosen)
        if found >= 0 and found != self.type_filter.currentIndex():
            self.type_filter.setCurrentIndex(found)  # (filters through currentIndexChanged)

    def _remember_type(self, _index: int) -> None:
        key = self._type_key()
        if self._settings is not None and key is not None:
            self._settings.setValue(key, self.type_filter.currentData() or "")

    def _empty_text(self) -> str:
        if not self.bridge.replica.units:
            return self.tr("No units: none is registered in this console's view yet.")
        return self.tr("No unit matches the filter. Choose “All types”, “All streets” and "
                       "“All statuses” to see every unit.")

    def grouping_levels(self) -> tuple[str, ...]:
        """The group levels the grouping combo names, outermost first."""
        return tuple(level for level in str(self.grouping.currentData() or "").split(",") if level)

    def _apply_grouping(self, *_: Any) -> None:
        self.model.set_grouping(self.grouping_levels())
        self._update_count()

    def settings(self) -> dict[str, Any]:
        """What a layout remembers of this roster."""
        return {"grouping": list(self.grouping_levels()),
                "type": self.type_filter.currentData(), "street": self.street_filter.currentData(),
                "status": self.status_filter.currentData(), "search": self.search.text()}

    def restore(self, settings: dict[str, Any]) -> None:
        for combo, key in ((self.type_filter, "type"), (self.street_filter, "street"),
                           (self.status_filter, "status")):
            found = combo.findData(settings.get(key))
            if found >= 0:
                combo.setCurrentIndex(found)
        if "grouping" in settings:
            found = self.grouping.findData(",".join(settings["grouping"]))
            if found >= 0:
                self.grouping.setCurrentIndex(found)
        self.search.setText(str(settings.get("search", "")))
        self._apply_filter()

    # -- selection, opening -------------------------------------------------------------------

    def selected_units(self) -> list[str]:
        """The ids of the selected unit rows (group rows are not units)."""
        rows = sorted(self.tree.selectionModel().selectedRows(0), key=_position)
        return [unit.id for index in rows if (unit := index.data(UnitRole)) is not None]

    def select_unit(self, unit_id: str) -> bool:
        """Select ``unit_id`` (asked for on the map or by name): if the filter hides it, the
        filter is cleared for it, since the dispatcher asked to see this very unit."""
        index = self.model.index_of(unit_id)
        if not index.isValid() and unit_id in self.bridge.replica.units:
            self._clear_filter()
            index = self.model.index_of(unit_id)
        if not index.isValid():
            return False
        self.tree.setCurrentIndex(index)
        self.tree.scrollTo(index)
        return True

    def _clear_filter(self) -> None:
        for combo in (self.type_filter, self.street_filter, self.status_filter):
            combo.blockSignals(True)
            combo.setCurrentIndex(max(0, combo.findData(None)))
            combo.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self._apply_filter()
        self._expand_groups()

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        unit = current.siblingAtColumn(0).data(UnitRole)
        if unit is not None:
            self.unit_selected.emit(unit.id)

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._update_actions()

    def _incident_at(self, index: QModelIndex) -> str | None:
        found = index.siblingAtColumn(0).data(IncidentIdRole) if index.isValid() else None
        return str(found) if found else None

    def _double_clicked(self, index: QModelIndex) -> None:
        incident = self._incident_at(index)
        if incident is not None:
            self.open_incident.emit(incident)

    def _open_current(self) -> None:
        incident = self._incident_at(self.tree.currentIndex())
        if incident is not None:
            self.open_incident.emit(incident)

    # -- status changes -----------------------------------------------------------------------

    def context_menu(self) -> QMenu:
        """The menu for the selected units (the caller shows and deletes it)."""
        self._update_actions()
        menu = QMenu(self)
        menu.setObjectName("rosterMenu")
        menu.setToolTipsVisible(True)
        for action in self.progress_actions.values():
            menu.addAction(action)
        menu.addSeparator()
        for action in self.status_actions.values():
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.open_action)
        return menu

    def _context_menu(self, pos: QPoint) -> None:
        menu = self.context_menu()
        menu.exec(self.tree.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def _may_set_status(self, unit_ids: list[str]) -> bool:
        actor = actor_of(self.bridge.replica.user)
        if actor is None or not unit_ids:
            return False
        try:
            for uid in unit_ids:
                permissions.check(self.rules.roles, actor, "unit.set_status", unit=uid)
        except Refused:
            return False
        return True

    def _update_actions(self) -> None:
        units = self.selected_units()
        allowed = self._may_set_status(units)
        for action in self.status_actions.values():
            action.setEnabled(allowed)
        for step, action in self.progress_actions.items():
            action.setEnabled(bool(self._progressing(step, units)))
        self.open_action.setEnabled(self._incident_at(self.tree.currentIndex()) is not None)

    def _progressing(self, step: AssignmentState, unit_ids: list[str]
                     ) -> list[tuple[str, str, str]]:
        """(unit, incident, assignment) for each of ``unit_ids`` whose current assignment may
        take ``step`` next and that this user may report on."""
        actor = actor_of(self.bridge.replica.user)
        if actor is None:
            return []
        replica, found = self.bridge.replica, []
        for uid in unit_ids:
            mine = unit_assignment(uid, replica.incidents, replica.units)
            if mine is None or step not in assignment_steps(mine[1].state):
                continue
            try:
                permissions.check(self.rules.roles, actor, "assignment.update",
                                  replica.incidents[mine[0]], unit=uid)
            except Refused:
                continue
            found.append((uid, mine[0], mine[1].id))
        return found

    def report_progress(self, step: AssignmentState, unit_ids: list[str] | None = None) -> int:
        """Ask the hub to move the current assignment of ``unit_ids`` (default: the selected
        units) on to ``step``; units that cannot take that step are left alone.

        Returns:
            How many commands were sent; each answer is shown as it arrives.
        """
        units = self.selected_units() if unit_ids is None else list(unit_ids)
        moving = self._progressing(step, units)
        for uid, incident_id, assignment in moving:
            self.bridge.submit("assignment.update", {"id": incident_id, "assignment": assignment,
                                                     "status": step.value},
                               callback=partial(self._progress_answered, uid, incident_id, step))
        if moving:
            self.outcome.setText(self.tr("Sending…"))
        return len(moving)

    def _progress_answered(self, unit_id: str, incident_id: str, step: AssignmentState,
                           result: CommandResult) -> None:
        if not isValid(self):
            return
        self._answered(unit_id, None, result, self.tr("{unit} on {incident}: {step}.").format(
            unit=unit_id, incident=incident_id, step=_step_name(step)))

    def set_status(self, status: UnitStatus, unit_ids: list[str] | None = None) -> int:
        """Ask the hub to put ``unit_ids`` (default: the selected units) in ``status``.

        Returns:
            How many commands were sent; each answer is shown as it arrives.
        """
        units = self.selected_units() if unit_ids is None else list(unit_ids)
        for uid in units:
            self.bridge.submit("unit.set_status", {"id": uid, "status": status.value},
                               callback=partial(self._answered, uid, status))
        if units:
            self.outcome.setText(self.tr("Sending…"))
        return len(units)

    def _answered(self, unit_id: str, status: UnitStatus | None, result: CommandResult,
                  done: str = "") -> None:
        if not isValid(self):  # closed while the hub was answering
            return
        if result.ok:
            text = done or self.tr("{unit} is now {status}.").format(
                unit=unit_id, status=unit_status_name(status) if status else "")
            messages().info(text)
        else:
            why = (self.tr("Offline: not connected to the hub; the change was not sent.")
                   if result.code == "offline" else result_text(result))
            text = self.tr("{unit}: {why}").format(unit=unit_id, why=why)
            messages().error(text)
        self.outcome.setText(text)
        self.outcome.setToolTip(text)
        self.outcome.setStyleSheet(f"QLabel {{ color: {'#1e8e3e' if result.ok else '#c5221f'}; }}")
        self.answered.emit(result.ok, text)

    # -- following the hub --------------------------------------------------------------------

    def _changed(self, change: ChangeSet) -> None:
        self.model.apply(change)
        streets = {u.street for u in change.units.values() if u.street} - self._streets
        if streets:
            self._streets |= streets
            self._fill_streets()
        self._update_count()
        self._update_actions()

    def _ack_overdue(self, unit_id: str, incident_id: str) -> None:
        """A dispatched unit is late to acknowledge: say so and sound the alert, once."""
        unit = self.bridge.replica.units.get(unit_id)
        minutes = self.model.ack_limit.total_seconds() / 60
        text = self.tr("{unit} {name} has not acknowledged {incident} within {minutes:g} min: "
                       "call the unit.").format(unit=unit_id, name=unit.name if unit else "",
                                                incident=incident_id, minutes=minutes)
        messages().warning(text)
        alert_sound(self.bridge).play(("ack", unit.assignment if unit else unit_id))

    def _connection(self, state: str, _detail: object) -> None:
        stale = state != "live"
        self.tree.setProperty("stale", stale)
        self.tree.setStyleSheet("QTreeView { color: #8a8a8a; }" if stale else "")
        self.tree.setToolTip(self.tr("Not live: the roster shows the last state received.")
                             if stale else "")

    def _logged_in(self, _user: object) -> None:
        self._open_on_default_types()  # the window may have opened before anyone logged in
        self._update_actions()

    def _group_path(self, index: QModelIndex) -> tuple[Any, ...]:
        keys = []
        while index.isValid():
            keys.append(index.data(GroupRole))
            index = index.parent()
        return tuple(reversed(keys))

    def _expand_groups(self, parent: QModelIndex | None = None) -> None:
        """Open every group but those the user closed (groups come and go with the filter,
        the grouping and new units; a closed one stays closed)."""
        parent = QModelIndex() if parent is None else parent
        self._expand_inserted(parent, 0, self.model.rowCount(parent) - 1)

    def _expand_inserted(self, parent: QModelIndex, first: int, last: int) -> None:
        for row in range(first, last + 1):
            index = self.model.index(row, 0, parent)
            if not self.model.hasChildren(index):
                return  # unit rows: the rows of one parent are all groups or all units
            if self._group_path(index) not in self._collapsed:
                self.tree.expand(index)
                self._expand_groups(index)

    def _update_count(self) -> None:
        self.count.setText(self.tr("%n unit(s)", "", self.model.unit_count()))
        self.count.setToolTip(self.tr("Units the roster shows with its filter, of %n in this "
                                      "console's view.", "", len(self.bridge.replica.units)))

    # -- language -----------------------------------------------------------------------------

    def _fill_streets(self) -> None:
        streets = sorted(self._streets, key=lambda code: (self._names.street(code), code))
        refill_combo(self.street_filter, [(self.tr("All streets"), None)]
                     + [(self._names.street(code), code) for code in streets])

    def retranslate(self) -> None:
        self.search.setPlaceholderText(self.tr("Search unit name or id…"))
        refill_combo(self.grouping,
                     [(self.tr(str(label)), levels) for label, levels in _GROUPINGS])
        refill_combo(self.type_filter, [(self.tr("All types"), None),
                                        (self.tr("Field teams (no grid workers)"), FIELD_TEAMS)]
                     + [(unit_type_name(t), t.value) for t in UnitType])
        refill_combo(self.status_filter, [(self.tr("All statuses"), None)]
                     + [(unit_status_name(s), s.value) for s in UnitStatus])
        self._fill_streets()
        for status, action in self.status_actions.items():
            action.setText(self.tr("Set {status}").format(status=unit_status_name(status)))
        for step, action in self.progress_actions.items():
            action.setText(self.tr("Report {step}").format(step=_step_name(step)))
            action.setToolTip(self.tr("The selected units' current assignment: {step} "
                                      "(key {key} in the list)").format(
                step=_step_name(step), key=PROGRESS_KEYS[step]))
        self.open_action.setText(self.tr("Open incident"))
        self.model.retranslate()
        self._update_count()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def _step_name(step: AssignmentState) -> str:
    return QCoreApplication.translate("IncidentActions", str(ASSIGNMENT_STATES[step]))


def _position(index: QModelIndex) -> tuple[int, ...]:
    """Where a row sits in the tree, as rows from the top: sorts rows as they are shown."""
    rows: list[int] = []
    while index.isValid():
        rows.append(index.row())
        index = index.parent()
    return tuple(reversed(rows))
