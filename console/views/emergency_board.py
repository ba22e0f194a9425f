"""The emergency board (应急指挥) dock: major incidents and early warnings, for the duty leader.

Top: every major incident the console holds — the active ones gravest first, then those stood
down in the last day — with level, commander, how many incidents are linked and units
committed. Below, the one selected: its area, the latest broadcast, the linked incidents
(Enter or double-click opens one), the committed units, and its timeline. Bottom: the early
warnings (研判预警), unacknowledged first, each with its category, area and count against what
the area usually sees.

Keys (while the board has the focus): Ctrl+D declare, Ctrl+I link an incident, Ctrl+U commit a
unit, Ctrl+T add to the timeline, Ctrl+B broadcast, Ctrl+Shift+S stand down, Ctrl+K
acknowledge the selected warning. Each button is enabled exactly when the domain's
``major.allowed`` / ``warning.may_acknowledge`` say so, with the reason as its tooltip; the
forms (``major_dialogs``) are opened with ``open()``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.comms.bridge import Bridge
from console.comms.client import CommandResult
from console.comms.replica import ChangeSet
from console.domain import major as major_rules
from console.domain import warning as warning_rules
from console.domain.major import MajorIncident
from console.domain.rules import Rules
from console.domain.warning import EarlyWarning
from console.ui.context import context_of
from console.ui.message import messages
from console.ui.names import DisplayNames, ui_language
from console.ui.text import refusal_text, result_text
from console.ui.times import time_text
from console.views.alerts import active_majors, level_text
from console.views.major_dialogs import (
    CommitDialog,
    DeclareDialog,
    LinkDialog,
    MajorDialog,
    MajorTextDialog,
    area_centre,
    area_text,
)

translate = QCoreApplication.translate
IdRole = Qt.ItemDataRole.UserRole + 1

#: The board's commands, their keys and their button labels.
KEYS = {"major.declare": "Ctrl+D", "major.link": "Ctrl+I", "major.commit": "Ctrl+U",
        "major.note": "Ctrl+T", "major.broadcast": "Ctrl+B", "major.stand_down": "Ctrl+Shift+S",
        "warning.acknowledge": "Ctrl+K"}
LABELS = {
    "major.declare": QT_TRANSLATE_NOOP("EmergencyBoard", "Declare…"),
    "major.link": QT_TRANSLATE_NOOP("EmergencyBoard", "Link incident…"),
    "major.commit": QT_TRANSLATE_NOOP("EmergencyBoard", "Commit unit…"),
    "major.note": QT_TRANSLATE_NOOP("EmergencyBoard", "Timeline note…"),
    "major.broadcast": QT_TRANSLATE_NOOP("EmergencyBoard", "Broadcast…"),
    "major.stand_down": QT_TRANSLATE_NOOP("EmergencyBoard", "Stand down…"),
    "warning.acknowledge": QT_TRANSLATE_NOOP("EmergencyBoard", "Acknowledge"),
}
MAJOR_HEADERS = (QT_TRANSLATE_NOOP("EmergencyBoard", "Level"),
                 QT_TRANSLATE_NOOP("EmergencyBoard", "Major incident"),
                 QT_TRANSLATE_NOOP("EmergencyBoard", "Title"),
                 QT_TRANSLATE_NOOP("EmergencyBoard", "Commander"),
                 QT_TRANSLATE_NOOP("EmergencyBoard", "Incidents"),
                 QT_TRANSLATE_NOOP("EmergencyBoard", "Units"),
                 QT_TRANSLATE_NOOP("EmergencyBoard", "State"))
WARNING_HEADERS = (QT_TRANSLATE_NOOP("EmergencyBoard", "Raised"),
                   QT_TRANSLATE_NOOP("EmergencyBoard", "Category"),
                   QT_TRANSLATE_NOOP("EmergencyBoard", "Area"),
                   QT_TRANSLATE_NOOP("EmergencyBoard", "Count"),
                   QT_TRANSLATE_NOOP("EmergencyBoard", "Status"))
TIMELINE = {
    "declared": QT_TRANSLATE_NOOP("EmergencyBoard", "declared: {text}"),
    "incident_linked": QT_TRANSLATE_NOOP("EmergencyBoard", "linked {text}"),
    "unit_committed": QT_TRANSLATE_NOOP("EmergencyBoard", "committed {text}"),
    "noted": QT_TRANSLATE_NOOP("EmergencyBoard", "noted: {text}"),
    "broadcast": QT_TRANSLATE_NOOP("EmergencyBoard", "broadcast: {text}"),
    "stood_down": QT_TRANSLATE_NOOP("EmergencyBoard", "stood down: {text}"),
}
_UNACKNOWLEDGED = QColor("#fde2e1")


def board_order(majors: list[MajorIncident]) -> list[MajorIncident]:
    """Active ones gravest first, then those stood down, the latest first."""
    down = sorted((m for m in majors if not m.active),
                  key=lambda m: (m.stood_down_at or m.declared_at), reverse=True)
    return [*active_majors(majors), *down]


def warning_order(warnings: list[EarlyWarning]) -> list[EarlyWarning]:
    """Unacknowledged first, each group newest first."""
    return sorted(warnings, key=lambda w: (w.acknowledged, -w.raised_at.timestamp(), w.id))


class EmergencyBoard(QWidget):
    """Signals:
        open_incident(str): the user opened a linked incident, or a warning's latest incident.
    """

    open_incident = Signal(str)

    def __init__(self, bridge: Bridge, rules: Rules, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("emergencyBoard")
        self.bridge = bridge
        self.rules = rules
        self.names = DisplayNames(ui_language(), rules, bridge.replica.taxonomy)
        #: The incident in hand elsewhere (the queue's current one): the default centre of a
        #: declaration and the default incident to link.
        self.incident_id: str | None = None
        #: The form open now, if any (tests fill it and call ``accept()``).
        self.dialog: MajorDialog | None = None

        self.summary = QLabel(self)
        self.summary.setObjectName("majorSummary")
        self.buttons: dict[str, QPushButton] = {}
        for name in KEYS:
            button = QPushButton(self)
            button.setObjectName(name.replace(".", "_"))
            button.clicked.connect(lambda _c=False, n=name: self.trigger(n))
            self.buttons[name] = button
            shortcut = QShortcut(QKeySequence(KEYS[name]), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda n=name: self.trigger(n))

        self.majors = QTreeWidget(self)
        self.majors.setObjectName("majorIncidents")
        self.majors.setRootIsDecorated(False)
        self.majors.setColumnCount(len(MAJOR_HEADERS))
        self.majors.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        for column, width in enumerate((70, 120, 200, 100, 60, 50, 80)):
            self.majors.setColumnWidth(column, width)
        self.majors.currentItemChanged.connect(lambda *_: self._show_selected())
        self.detail = QLabel(self)
        self.detail.setObjectName("majorDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.linked = QListWidget(self)
        self.linked.setObjectName("majorLinked")
        self.linked.itemActivated.connect(self._open_linked)
        self.units = QListWidget(self)
        self.units.setObjectName("majorUnits")
        self.timeline = QListWidget(self)
        self.timeline.setObjectName("majorTimeline")
        self.timeline.setWordWrap(True)
        self.warnings = QTreeWidget(self)
        self.warnings.setObjectName("earlyWarnings")
        self.warnings.setRootIsDecorated(False)
        self.warnings.setColumnCount(len(WARNING_HEADERS))
        for column, width in enumerate((90, 150, 160, 150, 200)):
            self.warnings.setColumnWidth(column, width)
        self.warnings.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.warnings.itemActivated.connect(self._open_warning)
        self.warnings_title = QLabel(self)
        self.linked_title, self.units_title, self.timeline_title = (QLabel(self)
                                                                     for _ in range(3))

        top = QHBoxLayout()
        top.addWidget(self.buttons["major.declare"])
        top.addWidget(self.summary, 1)
        actions = QHBoxLayout()
        for name in ("major.link", "major.commit", "major.note", "major.broadcast",
                     "major.stand_down"):
            actions.addWidget(self.buttons[name])
        actions.addStretch(1)
        # Incidents and units side by side, the timeline under them at full width: the board
        # is often a narrow tab beside the incident.
        lists = QGridLayout()
        for column, (title, widget) in enumerate(((self.linked_title, self.linked),
                                                  (self.units_title, self.units))):
            lists.addWidget(title, 0, column)
            lists.addWidget(widget, 1, column)
        lists.addWidget(self.timeline_title, 2, 0, 1, 2)
        lists.addWidget(self.timeline, 3, 0, 1, 2)
        lists.setColumnStretch(0, 3)
        lists.setColumnStretch(1, 2)
        lists.setRowStretch(1, 1)
        lists.setRowStretch(3, 2)
        selected = QWidget(self)
        column_box = QVBoxLayout(selected)
        column_box.setContentsMargins(0, 0, 0, 0)
        column_box.addWidget(self.detail)
        column_box.addLayout(actions)
        column_box.addLayout(lists)
        warnings = QWidget(self)
        warning_box = QVBoxLayout(warnings)
        warning_box.setContentsMargins(0, 0, 0, 0)
        warning_row = QHBoxLayout()
        warning_row.addWidget(self.warnings_title, 1)
        warning_row.addWidget(self.buttons["warning.acknowledge"])
        warning_box.addLayout(warning_row)
        warning_box.addWidget(self.warnings)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        for part in (self.majors, selected, warnings):
            splitter.addWidget(part)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(top)
        layout.addWidget(splitter)

        bridge.changed.connect(self._changed)
        bridge.logged_in.connect(lambda _user: self._update_buttons())
        self.retranslate()

    # -- what the board shows ------------------------------------------------------------------

    def current_major(self) -> MajorIncident | None:
        item = self.majors.currentItem()
        major_id = item.data(0, IdRole) if item is not None else None
        return self.bridge.replica.major_incidents.get(major_id) if major_id else None

    def current_warning(self) -> EarlyWarning | None:
        item = self.warnings.currentItem()
        warning_id = item.data(0, IdRole) if item is not None else None
        return self.bridge.replica.warnings.get(warning_id) if warning_id else None

    def select_major(self, major_id: str) -> bool:
        for row in range(self.majors.topLevelItemCount()):
            item = self.majors.topLevelItem(row)
            if item.data(0, IdRole) == major_id:
                self.majors.setCurrentItem(item)
                return True
        return False

    def select_warning(self, warning_id: str) -> bool:
        for row in range(self.warnings.topLevelItemCount()):
            item = self.warnings.topLevelItem(row)
            if item.data(0, IdRole) == warning_id:
                self.warnings.setCurrentItem(item)
                return True
        return False

    def warning_rows(self) -> list[str]:
        return [self.warnings.topLevelItem(r).data(0, IdRole)
                for r in range(self.warnings.topLevelItemCount())]

    def set_incident(self, incident_id: str | None) -> None:
        """The incident in hand elsewhere (the queue's current one)."""
        self.incident_id = incident_id or None

    # -- updates -------------------------------------------------------------------------------

    def _changed(self, change: ChangeSet) -> None:
        if change.taxonomy is not None:
            self.names = DisplayNames(self.names.language, self.rules, change.taxonomy)
        if change.reset or change.major_incidents is not None:
            self._fill_majors()
        if change.reset or change.warnings is not None:
            self._fill_warnings()

    def _fill_majors(self) -> None:
        current = self.current_major()
        majors = board_order(list(self.bridge.replica.major_incidents.values()))
        self.majors.clear()
        for m in majors:
            state = (translate("EmergencyBoard", "active") if m.active
                     else translate("EmergencyBoard", "stood down"))
            item = QTreeWidgetItem(self.majors, [level_text(m.level), m.id, m.title,
                                                 m.commander, str(len(m.incidents)),
                                                 str(len(m.units)), state])
            item.setData(0, IdRole, m.id)
            if m.active:
                for column in range(len(MAJOR_HEADERS)):
                    item.setForeground(column, QBrush(QColor("#a50e0e")))
        active = sum(1 for m in majors if m.active)
        self.summary.setText(translate("EmergencyBoard", "Active major incidents: %n", "", active))
        if not (current and self.select_major(current.id)) and majors:
            self.majors.setCurrentItem(self.majors.topLevelItem(0))
        self._show_selected()

    def _show_selected(self) -> None:
        m = self.current_major()
        self.linked.clear()
        self.units.clear()
        self.timeline.clear()
        if m is None:
            self.detail.setText(translate("EmergencyBoard", "No major incident."))
            self._update_buttons()
            return
        parts = [translate("EmergencyBoard", "{id} · {level} · {title} · commander {commander}"
                           ).format(id=m.id, level=level_text(m.level), title=m.title,
                                    commander=m.commander),
                 translate("EmergencyBoard", "Area: {area}").format(area=area_text(m.area))]
        if m.message:
            parts.append(translate("EmergencyBoard", "Latest broadcast ({time}): {message}")
                         .format(time=_hm(m.message_at or m.declared_at), message=m.message))
        if not m.active:
            parts.append(translate("EmergencyBoard", "Stood down {time}: {summary}").format(
                time=_hm(m.stood_down_at or m.declared_at), summary=m.summary or ""))
        self.detail.setText("\n".join(parts))
        replica = self.bridge.replica
        for incident_id in m.incidents:
            inc = replica.incidents.get(incident_id)
            text = incident_id if inc is None else (
                f"{incident_id}  {self.names.category(inc.category)}  {inc.location.address}")
            item = QListWidgetItem(text, self.linked)
            item.setData(IdRole, incident_id)
        for unit_id in m.units:
            unit = replica.units.get(unit_id)
            QListWidgetItem(unit_id if unit is None else f"{unit_id}  {unit.name}", self.units)
        for entry in m.timeline:
            what = translate("EmergencyBoard", TIMELINE.get(entry.kind, entry.kind)).format(
                text=entry.text)
            QListWidgetItem(f"{_hm(entry.at)} {entry.actor} {what}", self.timeline)
        self.timeline.scrollToBottom()
        self._update_buttons()

    def _fill_warnings(self) -> None:
        current = self.current_warning()
        warnings = warning_order(list(self.bridge.replica.warnings.values()))
        self.warnings.clear()
        for w in warnings:
            count = translate("EmergencyBoard", "{count} in {minutes} min (usually {usual:.1f})"
                              ).format(count=w.count, minutes=w.window, usual=w.baseline)
            status = (translate("EmergencyBoard", "acknowledged by {who} {time}").format(
                who=w.acknowledged_by or "", time=_hm(w.acknowledged_at))
                if w.acknowledged_at else translate("EmergencyBoard", "unacknowledged"))
            item = QTreeWidgetItem(self.warnings, [_hm(w.raised_at),
                                                   self.names.category(w.category),
                                                   self._area_name(w), count, status])
            item.setData(0, IdRole, w.id)
            if not w.acknowledged:
                for column in range(len(WARNING_HEADERS)):
                    item.setBackground(column, QBrush(_UNACKNOWLEDGED))
        unacknowledged = sum(1 for w in warnings if not w.acknowledged)
        self.warnings_title.setText(translate("EmergencyBoard", "Early warnings: %n "
                                              "unacknowledged", "", unacknowledged))
        if not (current and self.select_warning(current.id)) and warnings:
            self.warnings.setCurrentItem(self.warnings.topLevelItem(0))
        self._update_buttons()

    def _area_name(self, w: EarlyWarning) -> str:
        geography = self.rules.geography
        try:
            if geography is not None and w.level == "grid":
                return translate("EmergencyBoard", "grid {name}").format(
                    name=geography.grid_name(w.area, self.names.language))
        except ValueError:
            pass
        if w.level == "grid":
            return translate("EmergencyBoard", "grid {name}").format(name=w.area)
        return translate("EmergencyBoard", "community {name}").format(
            name=self.names.community(w.area))

    def _update_buttons(self) -> None:
        ctx = context_of(self.rules, self.bridge.replica.user)
        reasons: dict[str, str | None]
        if ctx is None:
            reasons = dict.fromkeys(KEYS, translate("EmergencyBoard", "Not logged in."))
        else:
            reasons = {name: refusal_text(refused) for name, refused
                       in major_rules.refusals(self.current_major(), ctx).items()}
            found = self.current_warning()
            reasons["warning.acknowledge"] = (
                refusal_text(warning_rules.acknowledge_refusal(found, ctx)) if found is not None
                else translate("EmergencyBoard", "Choose a warning first."))
        for name, button in self.buttons.items():
            reason = reasons.get(name)
            button.setEnabled(reason is None)
            key = QKeySequence(KEYS[name]).toString(QKeySequence.SequenceFormat.NativeText)
            button.setToolTip(key if reason is None else f"{reason} ({key})")

    # -- actions -------------------------------------------------------------------------------

    def trigger(self, name: str) -> None:
        """Do ``name`` on the selected major incident or warning: at once (acknowledge) or
        through its form."""
        button = self.buttons[name]
        self._update_buttons()
        if not button.isEnabled():
            messages().warning(button.toolTip())
            return
        replica = self.bridge.replica
        m = self.current_major()
        if name == "warning.acknowledge":
            found = self.current_warning()
            if found is not None:
                self._send(name, {"id": found.id})
            return
        if name == "major.declare":
            user = replica.user
            dialog: MajorDialog = DeclareDialog(self._default_centre(),
                                                user.display_name if user else "", self)
        elif m is None:
            return
        elif name == "major.link":
            dialog = LinkDialog(m, replica, self.names, self)
            if self.incident_id and self.incident_id not in m.incidents:
                dialog.incident.setText(self.incident_id)
        elif name == "major.commit":
            dialog = CommitDialog(m, replica, self)
        else:
            titles = {"major.note": (translate("EmergencyBoard", "Timeline note"),
                                     translate("EmergencyBoard", "Note"), "text"),
                      "major.broadcast": (translate("EmergencyBoard", "Broadcast to every "
                                                    "console"),
                                          translate("EmergencyBoard", "Message"), "message"),
                      "major.stand_down": (translate("EmergencyBoard", "Stand down"),
                                           translate("EmergencyBoard", "Summary"), "summary")}
            title, prompt, key = titles[name]
            dialog = MajorTextDialog(f"{title} — {m.id}", prompt, key, self)
        major_id = m.id if m is not None and name != "major.declare" else None
        dialog.accepted.connect(lambda: self._dialog_done(name, major_id, dialog))
        self.dialog = dialog
        dialog.open()

    def _dialog_done(self, name: str, major_id: str | None, dialog: MajorDialog) -> None:
        if dialog.values is not None:
            args: dict[str, Any] = dict(dialog.values)
            if major_id is not None:
                args["id"] = major_id
            self._send(name, args, select=name == "major.declare")
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def _send(self, name: str, args: dict[str, Any], *, select: bool = False) -> None:
        def done(result: CommandResult) -> None:
            if not result.ok:
                messages().error(result_text(result))
            elif select and result.data.get("id"):
                self._select_when_there(str(result.data["id"]))

        self.bridge.submit(name, args, callback=done)

    def _select_when_there(self, major_id: str) -> None:
        if self.select_major(major_id):
            return

        def once(_change: ChangeSet) -> None:  # its event may come after the result
            if self.select_major(major_id):
                self.bridge.changed.disconnect(once)

        self.bridge.changed.connect(once)

    def _default_centre(self) -> tuple[float, float]:
        replica = self.bridge.replica
        inc = replica.incidents.get(self.incident_id) if self.incident_id else None
        if inc is not None:
            return inc.location.lat, inc.location.lon
        m = self.current_major()
        if m is not None:
            return area_centre(m.area)
        if self.rules.geography is not None:
            b = self.rules.geography.bounds
            return (b.south + b.north) / 2, (b.west + b.east) / 2
        return 0.0, 0.0

    def _open_linked(self, item: QListWidgetItem) -> None:
        incident_id = item.data(IdRole)
        if isinstance(incident_id, str):
            self.open_incident.emit(incident_id)

    def _open_warning(self, item: QTreeWidgetItem, _column: int) -> None:
        found = self.bridge.replica.warnings.get(item.data(0, IdRole))
        if found is not None and found.incidents:
            self.open_incident.emit(found.incidents[-1])

    # -- language ------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.names = DisplayNames(ui_language(), self.rules, self.bridge.replica.taxonomy)
        self.majors.setHeaderLabels([translate("EmergencyBoard", h) for h in MAJOR_HEADERS])
        self.warnings.setHeaderLabels([translate("EmergencyBoard", h) for h in WARNING_HEADERS])
        for name, button in self.buttons.items():
            button.setText(translate("EmergencyBoard", LABELS[name]))
        self.linked_title.setText(translate("EmergencyBoard", "Linked incidents"))
        self.units_title.setText(translate("EmergencyBoard", "Committed units"))
        self.timeline_title.setText(translate("EmergencyBoard", "Timeline"))
        self._fill_majors()
        self._fill_warnings()
        self._update_buttons()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def _hm(at: Any) -> str:
    return time_text(at, "%H:%M")
