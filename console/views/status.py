"""The status bar: connection state, seconds since the last event, user and role, the clock.

(The banner a controller cannot miss while the hub is out of reach is
``console.views.connection``.)
"""

from __future__ import annotations

import time

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, Qt, QTimer
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from console.comms.bridge import Bridge
from console.comms.clock import hub_clock
from console.comms.replica import ChangeSet, UserInfo
from console.ui.times import time_text

CONTEXT = "ConnectionStatus"
STATE_TEXT = {
    "connecting": QT_TRANSLATE_NOOP("ConnectionStatus", "Connecting…"),
    "syncing": QT_TRANSLATE_NOOP("ConnectionStatus", "Synchronising…"),
    "live": QT_TRANSLATE_NOOP("ConnectionStatus", "Live"),
    "reconnecting": QT_TRANSLATE_NOOP("ConnectionStatus", "Reconnecting…"),
    "auth_failed": QT_TRANSLATE_NOOP("ConnectionStatus", "Login refused"),
    "stopped": QT_TRANSLATE_NOOP("ConnectionStatus", "Not connected"),
}
ROLE_TEXT = {
    "call_taker": QT_TRANSLATE_NOOP("Roles", "call taker"),
    "controller": QT_TRANSLATE_NOOP("Roles", "controller"),
    "duty_leader": QT_TRANSLATE_NOOP("Roles", "duty leader"),
    "department": QT_TRANSLATE_NOOP("Roles", "department desk"),
    "police_liaison": QT_TRANSLATE_NOOP("Roles", "police liaison"),
    "police": QT_TRANSLATE_NOOP("Roles", "police"),
    "field": QT_TRANSLATE_NOOP("Roles", "field unit"),
    "viewer": QT_TRANSLATE_NOOP("Roles", "viewer"),
    "admin": QT_TRANSLATE_NOOP("Roles", "administrator"),
}
_COLOURS = {"live": "#1e8e3e", "connecting": "#b06000", "syncing": "#b06000",
            "reconnecting": "#c5221f", "auth_failed": "#c5221f", "stopped": "#c5221f"}


def state_text(state: str) -> str:
    return QCoreApplication.translate(CONTEXT, STATE_TEXT.get(state, state))


def roles_text(user: UserInfo) -> str:
    return ", ".join(QCoreApplication.translate("Roles", ROLE_TEXT.get(r, r)) for r in user.roles)


class ConsoleStatusBar(QStatusBar):
    """Connection state, seconds since the last event, user and role, and the clock."""

    def __init__(self, bridge: Bridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusBar")
        self.bridge = bridge
        self.connection = QLabel(self)
        self.connection.setObjectName("statusConnection")
        self.last_event = QLabel(self)
        self.last_event.setObjectName("statusLastEvent")
        self.user = QLabel(self)
        self.user.setObjectName("statusUser")
        self.clock = QLabel(self)
        self.clock.setObjectName("statusClock")
        self.police = QLabel(self)
        self.police.setObjectName("statusPolice")
        self._police_alarm = 0
        for label in (self.police, self.connection, self.last_event, self.user, self.clock):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.addPermanentWidget(label)
        self._last_event_at: float | None = None
        bridge.state_changed.connect(self._state)
        bridge.changed.connect(self._changed)
        bridge.logged_in.connect(lambda _user: self.refresh())
        self._timer = QTimer(self, interval=1000)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self._state(bridge.state, bridge.state_detail)

    def _state(self, state: str, _detail: object) -> None:
        self.connection.setText("● " + state_text(state))
        self.connection.setStyleSheet(f"QLabel {{ color: {_COLOURS.get(state, '#555')};"
                                      " font-weight: bold; }")
        self.refresh()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._state(self.bridge.state, None)
        super().changeEvent(event)

    def _changed(self, change: ChangeSet) -> None:
        if change.events or change.reset:
            self._last_event_at = time.monotonic()

    def refresh(self) -> None:
        if self._last_event_at is None:
            self.last_event.setText(self.tr("No event yet"))
        else:
            seconds = int(time.monotonic() - self._last_event_at)
            self.last_event.setText(self.tr("Last event %n s ago", "", seconds))
        user = self.bridge.replica.user
        self.user.setText(f"{user.display_name} ({roles_text(user)})" if user else "")
        self.clock.setText(time_text(hub_clock.now(), "%Y-%m-%d %H:%M:%S"))
        self._refresh_police()

    def set_police_alarm(self, overdue: int) -> None:
        """How many police cases are overdue for signature or feedback (the liaison dock
        counts them); shown to those who answer for them."""
        self._police_alarm = overdue
        self._refresh_police()

    def _refresh_police(self) -> None:
        replica = self.bridge.replica
        links = list(replica.police_links.values())
        if not links:
            self.police.setText("")
            return
        waiting = replica.police_waiting
        if all(link.up for link in links):
            text, colour = self.tr("110 link up"), "#1e8e3e"
        else:
            since = min(link.since for link in links if not link.up)
            text = self.tr("110 link down since {time}").format(
                time=time_text(since, "%H:%M"))
            colour = "#c5221f"
        if waiting:
            text += " · " + self.tr("%n waiting", "", waiting)
        user = replica.user
        if self._police_alarm and user is not None and \
                {"police_liaison", "duty_leader", "admin"} & set(user.roles):
            text += " · " + self.tr("police cases overdue: %n", "", self._police_alarm)
            colour = "#c5221f"
        self.police.setText("● " + text)
        self.police.setStyleSheet(f"QLabel {{ color: {colour}; font-weight: bold; }}")
