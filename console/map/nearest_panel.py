"""Recommended units for one incident, and dispatching one of them from the list.

The list is :func:`console.map.recommend.recommend`: the units the incident's response plan asks
for, then others that fit it, then the rest — each by ETA, only units that can be dispatched.
The ETA is the first column and the plan's mark the second, so the eye finds who gets there
first; every column is sized to its contents (a horizontal scroll bar rather than a cut-off
word). It refreshes every two seconds while shown, since units move.

*Dispatch* (the button, Enter or a double click) sends ``incident.dispatch`` with the version of
the incident the user saw, and is enabled exactly when the domain's ``allowed_actions`` allows
dispatching — the rule lives in the domain, not here. One choice sends one unit: while the
command is in flight nothing more is sent, and once it is answered no row is chosen until the
user chooses one, so a second Enter or the second click of a double click cannot send the next
unit in the list. The answer shows under the list and on the message bus.
"""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
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
from console.domain.response import ResponsePlans
from console.domain.rules import Rules
from console.map.feeds import UnitFeed
from console.map.nearest import TravelTimes
from console.map.recommend import Fit, Recommended, recommend
from console.ui.context import context_of
from console.ui.message import messages
from console.ui.names import ui_language
from console.ui.text import distance_text, result_text

translate = QCoreApplication.translate  # the name pyside6-lupdate looks for

#: How many units the list offers.
LIMIT = 10
#: The columns, ETA first.
ETA, PLAN, UNIT, TYPE, DISTANCE = range(5)


def eta_text(seconds: float) -> str:
    minutes = max(1, round(seconds / 60))
    if minutes < 60:
        return translate("NearestPanel", "{n} min").format(n=minutes)
    return translate("NearestPanel", "{h} h {m:02d} min").format(h=minutes // 60, m=minutes % 60)


class NearestPanel(QWidget):
    """The units recommended for one incident, soonest first within the plan's bands.

    Args:
        feed: the map's unit positions (read, never changed).
        type_label: the display name of a unit type.
        plans: the response plans (default: ``resources/response_plans.toml``).

    Signals:
        unit_chosen(str): the current row moved to a unit (the map highlights it).
        dispatched(str, str): incident id, unit id — the hub accepted the dispatch.
    """

    unit_chosen = Signal(str)
    dispatched = Signal(str, str)

    def __init__(self, bridge: Bridge, rules: Rules, feed: UnitFeed, times: TravelTimes,
                 type_label: Callable[[UnitType], str], parent: QWidget | None = None, *,
                 plans: ResponsePlans | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("nearestPanel")
        self._bridge = bridge
        self._rules = rules
        self._feed = feed
        self._times = times
        self._type_label = type_label
        self.plans = plans or ResponsePlans.load()
        self.incident_id: str | None = None
        self.rows: list[Recommended] = []
        self._sending = False
        self._await_choice = False  # a unit was sent: the next needs the user's own choice

        self.title = QLabel(self)
        self.title.setObjectName("nearestTitle")
        self.title.setWordWrap(True)
        self.units = QTreeWidget(self)
        self.units.setObjectName("nearestUnits")
        self.units.setRootIsDecorated(False)
        self.units.setUniformRowHeights(True)
        self.units.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.units.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        header = self.units.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
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
        """List the units recommended for ``incident_id`` and keep the list fresh while shown."""
        if incident_id != self.incident_id:
            self._await_choice = False
        self.incident_id = incident_id
        self.message.clear()
        self.show()
        self.refresh()
        self._timer.start()

    def close_panel(self) -> None:
        self._timer.stop()
        self.incident_id = None
        self.hide()

    def recommend_for(self, incident_id: str, limit: int = LIMIT) -> list[Recommended]:
        """The units to offer for ``incident_id`` (none for an incident not on this console)."""
        incident = self._bridge.replica.incidents.get(incident_id)
        if incident is None:
            return []
        units = self._bridge.replica.units

        def skills_of(unit_id: str) -> tuple[str, ...]:
            unit = units.get(unit_id)
            return unit.skills if unit is not None else ()

        return recommend(self._feed, incident.location.lat, incident.location.lon, self._times,
                         self.plans.plan_for(incident.category), skills_of, limit)

    def refresh(self) -> None:
        incident = self._bridge.replica.incidents.get(self.incident_id or "")
        if incident is None:
            self.rows = []
            self.units.clear()
            self._retitle()
            self._update_button()
            return
        self.rows = self.recommend_for(incident.id)
        current = self.units.currentItem()
        keep = current.data(0, Qt.ItemDataRole.UserRole) if current is not None else None
        marks = {Fit.PICK: self.tr("recommended"), Fit.FITS: self.tr("fits the plan"),
                 Fit.OTHER: ""}
        self.units.blockSignals(True)
        self.units.clear()
        chosen = None
        for row in self.rows:
            unit = self._bridge.replica.units.get(row.unit_id)
            texts = [""] * 5
            texts[ETA] = eta_text(row.eta_s)
            texts[PLAN] = marks[row.fit]
            texts[UNIT] = f"{row.unit_id}  {unit.name if unit else ''}".strip()
            texts[TYPE] = self._type_label(row.type)
            texts[DISTANCE] = distance_text(row.distance_m)
            item = QTreeWidgetItem(self.units, texts)
            item.setData(0, Qt.ItemDataRole.UserRole, row.unit_id)
            for column in (ETA, DISTANCE):
                item.setTextAlignment(column, Qt.AlignmentFlag.AlignRight
                                      | Qt.AlignmentFlag.AlignVCenter)
            if row.fit is Fit.PICK:
                font = item.font(PLAN)
                font.setBold(True)
                item.setFont(PLAN, font)
            if row.unit_id == keep or (chosen is None and keep is None):
                chosen = item
        if chosen is None and self.units.topLevelItemCount():
            chosen = self.units.topLevelItem(0)
        if self._await_choice or self._sending:
            self.units.setCurrentIndex(QModelIndex())
        elif chosen is not None:
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
            if item is not None and item.data(0, Qt.ItemDataRole.UserRole) == unit_id:
                self.units.setCurrentItem(item)

    def dispatch(self) -> bool:
        """Send the chosen unit to the incident; False if nothing was sent."""
        incident = self._bridge.replica.incidents.get(self.incident_id or "")
        unit_id = self.chosen_unit()
        if incident is None or unit_id is None or not self._may_dispatch() or self._sending:
            return False
        self._sending = True
        self._await_choice = True
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
        if not result.ok:
            self._await_choice = False
            self.choose(unit_id)  # the choice stands: the user may try it again
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
            self._await_choice = False  # the user chose (refresh blocks this signal)
            self.unit_chosen.emit(current.data(0, Qt.ItemDataRole.UserRole))
        self._update_button()

    def _retitle(self) -> None:
        if self.incident_id is None:
            self.title.clear()
        elif self.rows:
            incident = self._bridge.replica.incidents.get(self.incident_id)
            category = incident.category if incident is not None else ""
            names = self._rules.taxonomy
            if names.has_category(category):
                category = names.category(category).name(ui_language())
            self.title.setText(self.tr("Units for {id} ({category}): the plan first, "
                                       "soonest first").format(id=self.incident_id,
                                                               category=category))
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
        labels = [""] * 5
        labels[ETA], labels[PLAN], labels[UNIT] = self.tr("ETA"), self.tr("Plan"), self.tr("Unit")
        labels[TYPE], labels[DISTANCE] = self.tr("Type"), self.tr("Distance")
        self.units.setHeaderLabels(labels)
        self.dispatch_button.setText(self.tr("Dispatch"))
        self.close_button.setText(self.tr("Close"))
        self._retitle()
        if self.incident_id is not None:
            self.refresh()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
