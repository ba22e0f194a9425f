"""The incident queue dock: a filter bar over a sortable table with live countdowns.

Several queues can be open at once (each its own filter, e.g. "my street, overdue"); they share
the replica, each has its own :class:`IncidentQueueModel`. Double-click or Enter opens the
incident; the countdown cell is amber from 80 % of its limit and red once overdue, and so, in a
lighter shade, is the whole row. A row whose case has an alert waiting (a new P1/P2, a clock
reaching 80 % or its deadline: console/views/shift_alerts.py) flashes until acknowledged.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.comms.bridge import Bridge
from console.comms.replica import ChangeSet
from console.domain.model import FINISHED_STATES, IncidentState, Priority, Source
from console.domain.rules import Rules
from console.domain.sla import ClockLevel
from console.ui.names import source_name, state_name
from console.views.common import ColumnRepaint, refill_combo
from console.views.incident_model import IncidentQueueModel, LevelRole
from console.views.queue_columns import Column
from console.views.queue_filter import QueueFilter
from console.views.shift_alerts import ShiftAlerts
from console.views.view_aids import EmptyState, RowAnchor

_LEVEL_COLOURS = {
    ClockLevel.AMBER: (QColor("#f6c343"), QColor("#3a2a00")),
    ClockLevel.OVERDUE: (QColor("#d93a3a"), QColor("#ffffff")),
}
_PRIORITY_COLOURS = {Priority.P1: QColor("#d93a3a"), Priority.P2: QColor("#e07b1a")}
#: The whole row's shade by level, and the flash of a row whose alert waits.
ROW_SHADES = {ClockLevel.AMBER: QBrush(QColor("#fdf0c4")),
              ClockLevel.OVERDUE: QBrush(QColor("#f8d3d3"))}
FLASH = QBrush(QColor("#ff9e3d"))


class CountdownDelegate(QStyledItemDelegate):
    """Paints the deadline cell amber (≥ 80 % of the limit) or red (overdue), from the model's
    level role: the 80 % rule lives in the domain, not here."""

    def initStyleOption(self, option: QStyleOptionViewItem,
                        index: QModelIndex | QPersistentModelIndex) -> None:
        super().initStyleOption(option, index)
        colours = _LEVEL_COLOURS.get(index.data(LevelRole))
        if colours is not None:
            option.backgroundBrush = QBrush(colours[0])  # type: ignore[attr-defined]
            option.palette.setColor(option.palette.ColorRole.Text, colours[1])  # type: ignore[attr-defined]
            font = QFont(option.font)  # type: ignore[attr-defined]
            font.setBold(True)
            option.font = font  # type: ignore[attr-defined]


class PriorityDelegate(QStyledItemDelegate):
    def initStyleOption(self, option: QStyleOptionViewItem,
                        index: QModelIndex | QPersistentModelIndex) -> None:
        super().initStyleOption(option, index)
        incident = index.data(Qt.ItemDataRole.UserRole)
        colour = _PRIORITY_COLOURS.get(incident.priority) if incident is not None else None
        if colour is not None:
            option.palette.setColor(option.palette.ColorRole.Text, colour)  # type: ignore[attr-defined]
            font = QFont(option.font)  # type: ignore[attr-defined]
            font.setBold(True)
            option.font = font  # type: ignore[attr-defined]


class QueueTable(EmptyState, ColumnRepaint, QTableView):
    """The table; Enter opens the current incident (double-click too). The countdown's tick
    repaints its column only; while no row is shown it says why (:class:`EmptyState`)."""

    activated_incident = Signal(str)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self._open(self.currentIndex())
            return
        super().keyPressEvent(event)

    def _open(self, index: QModelIndex) -> None:
        incident = index.siblingAtColumn(0).data(Qt.ItemDataRole.UserRole)
        if incident is not None:
            self.activated_incident.emit(incident.id)


class IncidentQueue(QWidget):
    """One queue: filter bar, table and a count.

    Signals:
        open_incident(str): the user opened an incident (double-click or Enter).
        current_incident(str): the selection moved to an incident.
    """

    open_incident = Signal(str)
    current_incident = Signal(str)

    def __init__(self, bridge: Bridge, rules: Rules, parent: QWidget | None = None, *,
                 language: str | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.rules = rules
        self.model = IncidentQueueModel(bridge.replica, language=language, rules=rules,
                                        parent=self)
        self.model.set_filter(QueueFilter.open_cases())
        self.model.sort(Column.DEADLINE, Qt.SortOrder.AscendingOrder)

        self.search = QLineEdit(self)
        self.search.setObjectName("queueSearch")
        self.search.setClearButtonEnabled(True)
        self.state = QComboBox(self)
        self.state.setObjectName("queueState")
        self.priority = QComboBox(self)
        self.priority.setObjectName("queuePriority")
        self.source = QComboBox(self)
        self.source.setObjectName("queueSource")
        self.overdue = QCheckBox(self)
        self.overdue.setObjectName("queueOverdue")
        self.supervised = QCheckBox(self)
        self.supervised.setObjectName("queueSupervised")
        self.mine = QCheckBox(self)
        self.mine.setObjectName("queueMine")
        self.count = QLabel(self)
        self.count.setObjectName("queueCount")

        self.table = QueueTable(self)
        self.table.setObjectName("queueTable")
        self.table.setModel(self.model)
        # The case being worked holds still while others arrive and move (view_aids.py):
        # per-pixel scrolling so that the compensation is exact.
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.anchor = RowAnchor(self.table)
        self.table.empty_text = self._empty_text
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(Column.DEADLINE,
                                                       Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(22)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        for column, width in ((Column.ID, 140), (Column.PRIORITY, 44), (Column.CATEGORY, 120),
                              (Column.PLACE, 110), (Column.SOURCE, 62), (Column.STATE, 70),
                              (Column.ASSIGNEE, 110), (Column.DEADLINE, 96),
                              (Column.SUPERVISED, 30)):
            self.table.setColumnWidth(column, width)
        # What falls due first is what a controller reads first: the countdown sits right
        # after the id and priority (the model's column numbers stay as they are).
        header.moveSection(header.visualIndex(Column.DEADLINE), 2)
        self.table.setItemDelegateForColumn(Column.DEADLINE, CountdownDelegate(self.table))
        self.table.setItemDelegateForColumn(Column.PRIORITY, PriorityDelegate(self.table))
        self.table.doubleClicked.connect(self.table._open)
        self.table.activated_incident.connect(self.open_incident)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.search, 1)
        top.addWidget(self.count)
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        for widget in (self.state, self.priority, self.source, self.overdue, self.supervised,
                       self.mine):
            bar.addWidget(widget)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(top)
        layout.addLayout(bar)
        layout.addWidget(self.table)

        self._filter_timer = QTimer(self, singleShot=True, interval=150)
        self._filter_timer.timeout.connect(self._apply_filter)
        self.search.textChanged.connect(self._filter_timer.start)
        for combo in (self.state, self.priority, self.source):
            combo.currentIndexChanged.connect(self._apply_filter)
        for box in (self.overdue, self.supervised, self.mine):
            box.toggled.connect(self._apply_filter)
        bridge.changed.connect(self._changed)
        bridge.state_changed.connect(self._connection)
        # The count follows the rows however they change: the overdue filter admits rows on the
        # clock's tick, with no change set to say so.
        self.model.rowsInserted.connect(self._update_count)
        self.model.rowsRemoved.connect(self._update_count)
        self.model.start_ticking(1000)
        self.retranslate()
        # The bar says what the table shows from the start: the open cases (an empty combo's
        # "current" None would otherwise pick "All states", and the first filter change
        # would bring every finished case in).
        self.state.blockSignals(True)
        self.state.setCurrentIndex(self.state.findData("open"))
        self.state.blockSignals(False)

    def follow_alerts(self, alerts: ShiftAlerts) -> None:
        """Shade rows by their clock's level and flash those whose alert waits."""
        def background(iid: str, level: ClockLevel | None) -> QBrush | None:
            if alerts.phase and alerts.flashing(iid):
                return FLASH
            return ROW_SHADES.get(level) if level is not None else None

        self.model.row_background = background
        self._alerts = alerts
        alerts.rows_changed.connect(self.model.refresh_rows)
        alerts.flashed.connect(self._flash_rows)

    def _flash_rows(self) -> None:
        """Repaint the flashing rows on screen: a queue can hold thousands of pending alerts
        nobody scrolls to, and walking them all twice a second took the GUI thread's time."""
        table, alerts = self.table, self._alerts
        first = table.rowAt(0)
        if first < 0:
            return
        last = table.rowAt(table.viewport().height() - 1)
        last = self.model.rowCount() - 1 if last < 0 else last
        ids = self.model.ids_between(first, last)
        shown = [iid for iid in ids if alerts.flashing(iid)]
        if shown:
            self.model.refresh_rows(shown)

    # -- filter --------------------------------------------------------------------------------

    def queue_filter(self) -> QueueFilter:
        """The filter the bar describes."""
        state = self.state.currentData()
        if state == "open":
            states = frozenset(s for s in IncidentState if s not in FINISHED_STATES)
        elif state:
            states = frozenset({IncidentState(state)})
        else:
            states = frozenset()
        priority = self.priority.currentData()
        source = self.source.currentData()
        user = self.bridge.replica.user
        return QueueFilter(
            states=states,
            priorities=frozenset({Priority(priority)}) if priority else frozenset(),
            sources=frozenset({Source(source)}) if source else frozenset(),
            overdue_only=self.overdue.isChecked(),
            supervised_only=self.supervised.isChecked(),
            mine=(user.department or user.username) if self.mine.isChecked() and user else None,
            text=self.search.text().strip(),
        )

    def set_filter(self, queue_filter: QueueFilter) -> None:
        self.model.set_filter(queue_filter)
        self._update_count()

    def _apply_filter(self, *_: Any) -> None:
        self.set_filter(self.queue_filter())

    # -- state ---------------------------------------------------------------------------------

    def settings(self) -> dict[str, Any]:
        """What a layout remembers of this queue."""
        return {"search": self.search.text(), "state": self.state.currentData(),
                "priority": self.priority.currentData(), "source": self.source.currentData(),
                "overdue": self.overdue.isChecked(), "supervised": self.supervised.isChecked(),
                "mine": self.mine.isChecked(), "sort": int(self.model.sort_column),
                "order": int(self.model.sort_order.value)}

    def restore(self, settings: dict[str, Any]) -> None:
        for combo, key in ((self.state, "state"), (self.priority, "priority"),
                           (self.source, "source")):
            found = combo.findData(settings.get(key))
            if found >= 0:
                combo.setCurrentIndex(found)
        self.search.setText(str(settings.get("search", "")))
        self.overdue.setChecked(bool(settings.get("overdue")))
        self.supervised.setChecked(bool(settings.get("supervised")))
        self.mine.setChecked(bool(settings.get("mine")))
        if "sort" in settings:
            order = Qt.SortOrder(int(settings.get("order", 0)))
            self.table.horizontalHeader().setSortIndicator(int(settings["sort"]), order)
        self._apply_filter()

    def _changed(self, change: ChangeSet) -> None:
        self.model.apply(change)
        self._update_count()

    def _connection(self, state: str, _detail: object) -> None:
        self.table.setProperty("stale", state != "live")
        self.table.setStyleSheet("" if state == "live" else "QTableView { color: #8a8a8a; }")

    def _update_count(self, *_: Any) -> None:
        self.count.setText(self.tr("%n incident(s)", "", self.model.rowCount()))
        self.count.setToolTip(self.tr("Cases this queue shows with its filter, of %n in this "
                                      "console's view.", "", len(self.bridge.replica.incidents)))

    def _empty_text(self) -> str:
        """What the empty table says: no cases at all, none open, or the filter hides them."""
        if not self.bridge.replica.incidents:
            return self.tr("No cases yet: new cases appear here as they come in.")
        shown = self.model.filter
        if replace(shown, states=frozenset()).accepts_all:
            if shown.states == QueueFilter.open_cases().states:
                return self.tr("No open cases: every case in this console's view is finished.")
            if not shown.states:
                return self.tr("No cases.")
        return self.tr("No case matches the filter. Clear the search or choose “Open” and "
                       "“All priorities” to see every open case.")

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        incident = current.siblingAtColumn(0).data(Qt.ItemDataRole.UserRole)
        if incident is not None:
            self.current_incident.emit(incident.id)

    def select_incident(self, incident_id: str) -> bool:
        row = self.model.row_of(incident_id)
        if row < 0:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))
        return True

    def retranslate(self) -> None:
        self.search.setPlaceholderText(self.tr("Search id, description, address…"))
        refill_combo(self.state, [(self.tr("Open"), "open"), (self.tr("All states"), None)]
                     + [(state_name(s), s.value) for s in IncidentState])
        refill_combo(self.priority, [(self.tr("All priorities"), None)]
                     + [(p.value, p.value) for p in Priority])
        refill_combo(self.source, [(self.tr("All sources"), None)]
                     + [(source_name(s), s.value) for s in Source])
        self.overdue.setText(self.tr("Overdue"))
        self.supervised.setText(self.tr("Supervised"))
        self.mine.setText(self.tr("Mine"))
        self.model.retranslate()
        self._update_count()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


