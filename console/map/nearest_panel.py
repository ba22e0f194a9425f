""""Nearest available units" for one incident, and dispatching one of them from the list.

The list is the available units nearest the incident by straight-line distance, with an ETA by
unit type (:mod:`console.map.nearest`); it refreshes every two seconds while shown, since units
move. *Dispatch* sends ``incident.dispatch`` with the version of the incident the user saw, and
is enabled exactly when the domain's ``allowed_actions`` allows dispatching — the rule lives in
the domain, not here. The answer shows under the list and on the message bus.
"""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.comms.bridge import Bridge
from console.comms.client import CommandResult
from console.domain.commands import allowed_actions
from console.domain.model import UnitType
from console.domain.rules import Rules
from console.map.feeds import UnitFeed
from console.map.nearest import NearbyUnit, TravelTimes, nearest_available
from console.ui.context import context_of
from console.ui.message import messages
from console.ui.text import distance_text, result_text

translate = QCoreApplication.translate  # the name pyside6-lupdate looks for

#: How many units the list offers.
LIMIT = 10


def eta_text(seconds: float) -> str:
    minutes = max(1, round(seconds / 60))
    if minutes < 60:
        return translate("NearestPanel", "{n} min").format(n=minutes)
    return translate("NearestPanel", "{h} h {m:02d} min").format(h=minutes // 60, m=minutes % 60)


class NearestPanel(QWidget):
    """The nearest available units to one incident.

    Args:
        feed: the map's unit positions (read, never changed).
        type_label: the display name of a unit type.

    Signals:
        unit_chosen(str): the current row moved to a unit (the map highlights it).
        dispatched(str, str): incident id, unit id — the hub accepted the dispatch.
    """

    unit_chosen = Signal(str)
    dispatched = Signal(str, str)

    def __init__(self, bridge: Bridge, rules: Rules, feed: UnitFeed, times: TravelTimes,
                 type_label: Callable[[UnitType], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("nearestPanel")
        self._bridge = bridge
        self._rules = rules
        self._feed = feed
        self._times = times
        self._type_label = type_label
        self.incident_id: str | None = None
        self.rows: list[NearbyUnit] = []
        self._sending = False

        self.title = QLabel(self)
        self.title.setObjectName("nearestTitle")
        self.title.setWordWrap(True)
        self.units = QTreeWidget(self)
        self.units.setObjectName("nearestUnits")
        self.units.setRootIsDecorated(False)
        self.units.setUniformRowHeights(True)
        self.units.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.units.installEventFilter(self)
        self.dispatch_button = QPushButton(self)
        self.dispatch_button.setObjectName("nearestDispatch")
        self.dispatch_button.setEnabled(False)
        self.close_button = QPushButton(self)
        self.message = QLabel(self)
        self.message.setObjectName("nearestMessage")
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.dispatch_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.title)
        layout.addWidget(self.units, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)

        self._timer = QTimer(self, interval=2000)
        self._timer.timeout.connect(self.refresh)
        self.dispatch_button.clicked.connect(self.dispatch)
        self.close_button.clicked.connect(self.close_panel)
        self.units.currentItemChanged.connect(self._current_changed)
        self.units.itemActivated.connect(lambda *_: self.dispatch())
        bridge.changed.connect(lambda _change: self._update_button())
        self.retranslate()

    def show_for(self, incident_id: str) -> None:
        """List the units nearest ``incident_id`` and keep the list fresh while shown."""
        self.incident_id = incident_id
        self.message.clear()
        self.show()
        self.refresh()
        self._timer.start()

    def close_panel(self) -> None:
        self._timer.stop()
        self.incident_id = None
        self.hide()

    def refresh(self) -> None:
        incident = self._bridge.replica.incidents.get(self.incident_id or "")
        if incident is None:
            self.rows = []
            self.units.clear()
            self._retitle()
            self._update_button()
            return
        loc = incident.location
        self.rows = nearest_available(self._feed, loc.lat, loc.lon, self._times, LIMIT)
        current = self.units.currentItem()
        keep = current.data(0, Qt.ItemDataRole.UserRole) if current is not None else None
        self.units.blockSignals(True)
        self.units.clear()
        chosen = None
        for row in self.rows:
            unit = self._bridge.replica.units.get(row.unit_id)
            item = QTreeWidgetItem(self.units, [
                f"{row.unit_id}  {unit.name if unit else ''}".strip(),
                self._type_label(row.type), distance_text(row.distance_m),
                eta_text(row.eta_s)])
            item.setData(0, Qt.ItemDataRole.UserRole, row.unit_id)
            for column in (2, 3):
                item.setTextAlignment(column, Qt.AlignmentFlag.AlignRight
                                      | Qt.AlignmentFlag.AlignVCenter)
            if row.unit_id == keep or (chosen is None and keep is None):
                chosen = item
        if chosen is None and self.units.topLevelItemCount():
            chosen = self.units.topLevelItem(0)
        if chosen is not None:
            self.units.setCurrentItem(chosen)
        self.units.blockSignals(False)
        self._retitle()
        self._update_button()

    def chosen_unit(self) -> str | None:
        item = self.units.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None

    def choose(self, unit_id: str) -> None:
        for row in range(self.units.topLevelItemCount()):
            item = self.units.topLevelItem(row)
            if item.data(0, Qt.ItemDataRole.UserRole) == unit_id:
                self.units.setCurrentItem(item)

    def dispatch(self) -> bool:
        """Send the chosen unit to the incident; False if nothing was sent."""
        incident = self._bridge.replica.incidents.get(self.incident_id or "")
        unit_id = self.chosen_unit()
        if incident is None or unit_id is None or not self._may_dispatch() or self._sending:
            return False
        self._sending = True
        self._update_button()
        self.message.setText(self.tr("Sending…"))
        self.message.setStyleSheet("")
        self._bridge.submit("incident.dispatch", {"id": incident.id, "unit": unit_id},
                            expected_version=incident.version,
                            callback=lambda result: self._answered(incident.id, unit_id, result))
        return True

    def _answered(self, incident_id: str, unit_id: str, result: CommandResult) -> None:
        if not shiboken6.isValid(self):
            return
        self._sending = False
        if result.ok:
            text = self.tr("{unit} dispatched to {incident}.").format(unit=unit_id,
                                                                      incident=incident_id)
            messages().info(text)
            self.dispatched.emit(incident_id, unit_id)
        else:
            why = (self.tr("Offline: not connected to the hub; nothing was sent.")
                   if result.code == "offline" else result_text(result))
            text = self.tr("{unit} not dispatched: {why}").format(unit=unit_id, why=why)
            messages().error(text)
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {'#2e7d32' if result.ok else '#c62828'};")
        self.refresh()

    def _why_not(self) -> str | None:
        """Why this user may not dispatch to the incident now (the domain's words), or None."""
        incident = self._bridge.replica.incidents.get(self.incident_id or "")
        context = context_of(self._rules, self._bridge.replica.user)
        if incident is None or context is None:
            return ""
        return allowed_actions(incident, context).get("incident.dispatch", "")

    def _may_dispatch(self) -> bool:
        return self._why_not() is None

    def _update_button(self) -> None:
        if self.isHidden():
            return  # change sets come ten times a second; a closed panel has nothing to show
        why = self._why_not()
        self.dispatch_button.setEnabled(why is None and not self._sending
                                        and self.chosen_unit() is not None)
        self.dispatch_button.setToolTip(why or "")

    def _current_changed(self, current: QTreeWidgetItem | None, *_: object) -> None:
        if current is not None:
            self.unit_chosen.emit(current.data(0, Qt.ItemDataRole.UserRole))
        self._update_button()

    def _retitle(self) -> None:
        if self.incident_id is None:
            self.title.clear()
        elif self.rows:
            self.title.setText(self.tr("Nearest available units to {id}").format(
                id=self.incident_id))
        else:
            self.title.setText(self.tr("No available unit with a known position near {id}.")
                               .format(id=self.incident_id))

    def eventFilter(self, watched: object, event: QEvent) -> bool:
        if (watched is self.units and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Escape):
            self.close_panel()
            return True
        return super().eventFilter(watched, event)  # type: ignore[arg-type]

    def retranslate(self) -> None:
        self.units.setHeaderLabels([self.tr("Unit"), self.tr("Type"), self.tr("Distance"),
                                    self.tr("ETA")])
        self.dispatch_button.setText(self.tr("Dispatch"))
        self.close_button.setText(self.tr("Close"))
        self._retitle()
        if self.incident_id is not None:
            self.refresh()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
