"""The shift's alerts in a main window: the status bar's counter, the keys, the settings.

- **The counter** (status bar, left of the connection): cases in the user's scope waiting to be
  accepted and cases overdue; red while any is overdue, amber while any waits. Clicking it
  jumps like F8.
- **F8 — Jump to the oldest waiting case**: the unaccepted or overdue case that came in first,
  selected in the queue and shown in the detail.
- **F9 — Acknowledge the alert**: silences the alert of the case in hand (selected in the
  queue, else shown in the detail), else the oldest alert waiting.
- **Settings → Alerts**: whether a new P1/P2, a clock at 80 % and an overdue clock sound, per
  account (console/views/shift_alerts.py). The rows flash whatever the setting.

The alert engine is :class:`~console.views.shift_alerts.ShiftAlerts`, one per connection; this
module only shows it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QMouseEvent
from PySide6.QtWidgets import QLabel, QMenu, QStatusBar, QWidget

from console.views.shift_alerts import AlertKind, ShiftAlerts

JUMP_KEY = "F8"
ACKNOWLEDGE_KEY = "F9"


class ShiftCounter(QLabel):
    """``Waiting 3 · Overdue 2``, coloured by the worst; a click asks for the oldest."""

    clicked = Signal()

    def __init__(self, alerts: ShiftAlerts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shiftCounter")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.alerts = alerts
        alerts.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        waiting, overdue = len(self.alerts.unaccepted), len(self.alerts.overdue)
        self.setText(self.tr("Waiting {waiting} · Overdue {overdue}").format(
            waiting=waiting, overdue=overdue))
        self.setToolTip(self.tr("Cases you work that wait to be accepted, and cases past their "
                                "deadline. Click or press {key} for the oldest.").format(
                                    key=JUMP_KEY))
        colour = "#c5221f" if overdue else "#b06000" if waiting else "#555"
        self.setStyleSheet(f"QLabel {{ color: {colour}; font-weight: bold; padding: 0 6px; }}")

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mouseReleaseEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.refresh()
        super().changeEvent(event)


class AlertControls(QObject):
    """The counter, the two actions and the settings of one main window.

    Args:
        alerts: the connection's alerts.
        status: the window's status bar (the counter goes at its left).
        incident_menu: where the two actions go.
        settings_menu: where the Alerts submenu goes.
        open_incident: shows a case (selects it in the queues, opens the detail).
        in_hand: the case the user has in hand, or None.
    """

    def __init__(self, alerts: ShiftAlerts, status: QStatusBar, incident_menu: QMenu,
                 settings_menu: QMenu, open_incident: Callable[[str], None],
                 in_hand: Callable[[], str | None]) -> None:
        super().__init__(status)
        self.alerts = alerts
        self._open = open_incident
        self._in_hand = in_hand
        self.counter = ShiftCounter(alerts, status)
        status.insertPermanentWidget(0, self.counter)
        self.counter.clicked.connect(self.jump)
        incident_menu.addSeparator()
        self.a_jump = self._action(incident_menu, JUMP_KEY, "jumpToOldest", self.jump)
        self.a_acknowledge = self._action(incident_menu, ACKNOWLEDGE_KEY, "acknowledgeAlert",
                                          self.acknowledge)
        self.menu = settings_menu.addMenu("")
        self.menu.setObjectName("alertsMenu")
        self.sound_actions: dict[AlertKind, QAction] = {}
        for kind in AlertKind:
            action = QAction(self)
            action.setObjectName(f"alertSound_{kind.value}")
            action.setCheckable(True)
            action.toggled.connect(lambda on, kind=kind: self.alerts.set_sounds(kind, on))
            self.menu.addAction(action)
            self.sound_actions[kind] = action
        self.menu.aboutToShow.connect(self.check_settings)
        self.check_settings()
        self.retranslate()

    def _action(self, menu: QMenu, key: str, name: str, slot: Callable[[], object]) -> QAction:
        action = QAction(self)
        action.setObjectName(name)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def jump(self) -> str | None:
        """Show the oldest case waiting to be accepted or overdue; which (None: none waits)."""
        oldest = self.alerts.oldest()
        if oldest is not None:
            self._open(oldest)
        return oldest

    def acknowledge(self) -> str | None:
        """Silence the alert of the case in hand, else the oldest one; which."""
        in_hand = self._in_hand()
        if in_hand is not None and self.alerts.flashing(in_hand):
            return self.alerts.acknowledge(in_hand)
        return self.alerts.acknowledge()

    def check_settings(self) -> None:
        """Tick the sound settings of the user logged in (the window may open before)."""
        for kind, action in self.sound_actions.items():
            action.blockSignals(True)
            action.setChecked(self.alerts.sounds(kind))
            action.blockSignals(False)

    def retranslate(self) -> None:
        self.a_jump.setText(self.tr("Jump to the oldest waiting case"))
        self.a_acknowledge.setText(self.tr("Acknowledge the alert"))
        self.menu.setTitle(self.tr("Alerts"))
        texts = {AlertKind.NEW: self.tr("Sound for a new P1 or P2 case"),
                 AlertKind.AMBER: self.tr("Sound when a deadline is 80 % used"),
                 AlertKind.OVERDUE: self.tr("Sound when a case is overdue")}
        for kind, action in self.sound_actions.items():
            action.setText(texts[kind])
        self.counter.refresh()
