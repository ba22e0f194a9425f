"""The police liaison dock (警务联络): every case between the center and the police 110 center.

Four groups, each what a liaison officer must act on or watch:

- **Awaiting signature** — diverted by the police, not yet signed for; the sign clock (5 minutes
  by default) counts down, amber from 80 %, red when overdue. A case whose police code the
  center's table could not map says it awaits classification, with the police's code: it is
  classified (Ctrl+K, the category search) before it can be signed for;
- **Awaiting feedback** — signed for and being handled; the feedback clock runs until the
  resolution sends the police their completion;
- **Returned** — sent back to the police as police matters (within the last day);
- **With the police** — escalated by the center, waiting for the police's acknowledgement or
  their completion.

Above them: the link to the police center (up, or down since when) with the messages not yet
acknowledged by the police, and the alarm — red, with a beep when it grows — while any case is
overdue for signature or feedback. Keys: Enter opens the case, Ctrl+K classifies it, Ctrl+S
signs, Ctrl+R returns it with a cause, Ctrl+E escalates, Ctrl+N adds a note; each goes through
the incident dock's own action (the domain decides what is allowed, and the dialog asks for the
cause or the category).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.comms.bridge import Bridge
from console.comms.clock import hub_clock
from console.comms.replica import ChangeSet
from console.domain import deadlines
from console.domain.incident import Incident
from console.domain.model import IncidentState
from console.domain.rules import Rules
from console.domain.sla import ClockLevel, SlaClock, Stage
from console.ui.names import DisplayNames, ui_language
from console.ui.text import countdown_text
from console.ui.times import time_text

CONTEXT = "LiaisonDock"
translate = QCoreApplication.translate

GROUPS = {
    "sign": QT_TRANSLATE_NOOP("LiaisonDock", "Awaiting signature"),
    "feedback": QT_TRANSLATE_NOOP("LiaisonDock", "Awaiting feedback"),
    "returned": QT_TRANSLATE_NOOP("LiaisonDock", "Returned to the police"),
    "with_police": QT_TRANSLATE_NOOP("LiaisonDock", "With the police"),
}
HEADERS = (QT_TRANSLATE_NOOP("LiaisonDock", "Incident"),
           QT_TRANSLATE_NOOP("LiaisonDock", "Police case no."),
           QT_TRANSLATE_NOOP("LiaisonDock", "Category"),
           QT_TRANSLATE_NOOP("LiaisonDock", "Address"),
           QT_TRANSLATE_NOOP("LiaisonDock", "Due"),
           QT_TRANSLATE_NOOP("LiaisonDock", "Status"))
_DUE = 4
_KEYS = {"incident.classify": "Ctrl+K", "incident.accept": "Ctrl+S", "incident.reject": "Ctrl+R",
         "incident.escalate": "Ctrl+E", "incident.note": "Ctrl+N"}
_COLOURS = {ClockLevel.AMBER: (QColor("#f6c343"), QColor("#3a2a00")),
            ClockLevel.OVERDUE: (QColor("#d93a3a"), QColor("#ffffff"))}
IdRole = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class Row:
    """One case in the dock: its group and the clock it counts down (if any)."""

    group: str
    incident: Incident
    clock: SlaClock | None


def rows_of(incidents: list[Incident], rules: Rules) -> list[Row]:
    """The police cases among ``incidents``, grouped, soonest deadline first in each group."""
    rows: list[Row] = []
    for inc in incidents:
        link = inc.police
        if link is None:
            continue
        if link.diverted:
            if inc.state is IncidentState.NEW:
                rows.append(Row("sign", inc, deadlines.stage_clock(inc, Stage.ACCEPT, rules)))
            elif inc.state is IncidentState.REJECTED:
                rows.append(Row("returned", inc, None))
            elif not inc.finished:
                clock = deadlines.stage_clock(inc, Stage.REPLY, rules)
                if clock is not None and clock.running:
                    rows.append(Row("feedback", inc, clock))
        elif inc.state is IncidentState.WITH_POLICE:
            rows.append(Row("with_police", inc, None))
    far = datetime.max.replace(tzinfo=hub_clock.now().tzinfo)
    rows.sort(key=lambda r: (list(GROUPS).index(r.group),
                             r.clock.due_at if r.clock else far, r.incident.id))
    return rows


class LiaisonDock(QWidget):
    """Signals:
        open_incident(str): the user opened a case (Enter or double-click).
        act(str, str): the user asked for an action (incident id, command) from the keyboard.
        alarm_changed(int): how many cases are overdue for signature or feedback.
    """

    open_incident = Signal(str)
    act = Signal(str, str)
    alarm_changed = Signal(int)

    def __init__(self, bridge: Bridge, rules: Rules, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.rules = rules
        self.overdue = 0
        self._rows: list[Row] = []
        self._items: dict[str, QTreeWidgetItem] = {}
        self._names = DisplayNames(ui_language(), rules, bridge.replica.taxonomy)

        self.link = QLabel(self)
        self.link.setObjectName("policeLink")
        self.alarm = QLabel(self)
        self.alarm.setObjectName("policeAlarm")
        self.alarm.setWordWrap(True)
        self.alarm.setStyleSheet("QLabel { background: #d93a3a; color: white; padding: 4px 8px;"
                                 " font-weight: bold; }")
        self.alarm.hide()
        self.cases = QTreeWidget(self)
        self.cases.setObjectName("liaisonCases")
        self.cases.setColumnCount(len(HEADERS))
        self.cases.setRootIsDecorated(False)
        self.cases.setIndentation(10)
        self.cases.setUniformRowHeights(True)
        self.cases.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.cases.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((185, 140, 120, 150, 80, 160)):
            self.cases.setColumnWidth(column, width)
        self.cases.itemActivated.connect(self._activated)
        self.groups: dict[str, QTreeWidgetItem] = {}
        for key in GROUPS:
            item = QTreeWidgetItem(self.cases)
            item.setFirstColumnSpanned(True)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = item.font(0)
            font.setBold(True)
            item.setFont(0, font)
            item.setExpanded(True)
            self.groups[key] = item

        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.link)
        layout.addWidget(self.alarm)
        layout.addWidget(self.cases)

        for command, keys in _KEYS.items():
            shortcut = QShortcut(QKeySequence(keys), self.cases)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda c=command: self._act(c))

        self._ticker = QTimer(self, interval=1000)
        self._ticker.timeout.connect(self._tick)
        self._ticker.start()
        bridge.changed.connect(self._changed)
        self.retranslate()
        self._rebuild()

    # -- what the dock shows -------------------------------------------------------------------

    def rows(self, group: str) -> list[str]:
        """The incident ids shown in ``group``, top to bottom."""
        item = self.groups[group]
        return [item.child(i).data(0, IdRole) for i in range(item.childCount())]

    def row_item(self, incident_id: str) -> QTreeWidgetItem | None:
        return self._items.get(incident_id)

    def current_incident(self) -> str | None:
        item = self.cases.currentItem()
        value = item.data(0, IdRole) if item is not None else None
        return value if isinstance(value, str) else None

    def select(self, incident_id: str) -> bool:
        item = self.row_item(incident_id)
        if item is not None:
            self.cases.setCurrentItem(item)
        return item is not None

    # -- updates -------------------------------------------------------------------------------

    def _changed(self, change: ChangeSet) -> None:
        if change.taxonomy is not None:
            self._names = DisplayNames(ui_language(), self.rules, change.taxonomy)
        if change.reset or change.police_links is not None or any(
                i.police is not None for i in change.incidents.values()):
            self._rebuild()

    def _rebuild(self) -> None:
        current = self.current_incident()
        replica = self.bridge.replica
        self._rows = rows_of(list(replica.police_incidents.values()), self.rules)
        self.cases.setUpdatesEnabled(False)
        for group in self.groups.values():
            group.takeChildren()
        self._items = {}
        for row in self._rows:
            inc = row.incident
            item = QTreeWidgetItem(self.groups[row.group], [
                inc.id, inc.police_case_no or "", self._names.category(inc.category),
                inc.location.address, "", self._status(row)])
            item.setData(0, IdRole, inc.id)
            self._items[inc.id] = item
        for key, group in self.groups.items():
            title = translate("LiaisonDock", GROUPS[key])
            group.setText(0, f"{title} ({group.childCount()})")
        self.cases.setUpdatesEnabled(True)
        if current is not None:
            self.select(current)
        self._tick()

    def _status(self, row: Row) -> str:
        inc = row.incident
        link = inc.police
        assert link is not None
        if row.group == "with_police":
            text = (translate("LiaisonDock", "acknowledged, waiting for the result")
                    if inc.police_acknowledged
                    else translate("LiaisonDock", "waiting for the police to acknowledge"))
        elif row.group == "returned":
            text = translate("LiaisonDock", "returned")
        elif row.group == "feedback":
            text = translate("LiaisonDock", "signed; feedback when resolved")
        elif inc.awaiting_classification:
            text = translate("LiaisonDock", "awaiting classification (police code {code})").format(
                code=inc.police_code or "?")
        else:
            text = translate("LiaisonDock", "to sign")
        if link.pending:
            text += " · " + translate("LiaisonDock", "{n} not yet received by the police").format(
                n=len(link.pending))
        return text

    def _tick(self) -> None:
        now = hub_clock.now()
        overdue = 0
        for row in self._rows:
            item = self.row_item(row.incident.id)
            if item is None or row.clock is None:
                continue
            remaining = row.clock.remaining(now)
            item.setText(_DUE, countdown_text(remaining))
            level = row.clock.level(now)
            colours = _COLOURS.get(level)
            item.setBackground(_DUE, QBrush(colours[0]) if colours else QBrush())
            item.setForeground(_DUE, QBrush(colours[1]) if colours else QBrush())
            if level is ClockLevel.OVERDUE:
                overdue += 1
        self._update_link()
        self._set_alarm(overdue)

    def _set_alarm(self, overdue: int) -> None:
        if overdue == self.overdue and self.alarm.isVisible() == bool(overdue):
            return
        if overdue > self.overdue:
            QApplication.beep()
        self.overdue = overdue
        unsigned = sum(1 for r in self._rows if r.group == "sign" and r.clock is not None
                       and r.clock.overdue(hub_clock.now()))
        self.alarm.setText(translate("LiaisonDock", "Overdue: {sign} not signed for in time, "
                                     "{feedback} feedback to the police late.").format(
            sign=unsigned, feedback=overdue - unsigned))
        self.alarm.setVisible(bool(overdue))
        self.alarm_changed.emit(overdue)

    def _update_link(self) -> None:
        replica = self.bridge.replica
        waiting = replica.police_waiting
        links = list(replica.police_links.values())
        if not links:
            text = translate("LiaisonDock", "Police center: never connected")
            colour = "#b06000"
        elif all(link.up for link in links):
            text = translate("LiaisonDock", "Police center: connected")
            colour = "#1e8e3e"
        else:
            down = min(link.since for link in links if not link.up)
            text = translate("LiaisonDock", "Police center: link down since {time}").format(
                time=time_text(down, "%H:%M"))
            colour = "#c5221f"
        text += " · " + translate("LiaisonDock", "{n} messages waiting").format(n=waiting)
        self.link.setText(text)
        self.link.setStyleSheet(f"color: {colour}; font-weight: bold;")

    # -- keyboard ------------------------------------------------------------------------------

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        incident_id = item.data(0, IdRole)
        if isinstance(incident_id, str):
            self.open_incident.emit(incident_id)

    def _act(self, command: str) -> None:
        incident_id = self.current_incident()
        if incident_id is not None:
            self.act.emit(incident_id, command)

    # -- language ------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.cases.setHeaderLabels([translate("LiaisonDock", h) for h in HEADERS])
        self._names = DisplayNames(ui_language(), self.rules, self.bridge.replica.taxonomy)
        self._rebuild()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
