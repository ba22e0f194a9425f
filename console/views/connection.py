"""The connection banner over the docks: why the console is not live, and, before the first
login, the hub's address to correct.

Two cases, told apart by whether the hub has ever let this login in (the replica has a user):

- Not yet: the console opened its window at once while it looks for the hub. Once an attempt
  has failed the banner says "Cannot reach ws://… — retrying in N s" (N counts down to the next
  attempt, which the client's reconnect policy chose) and offers the address: an edited address
  is tried at once, with the password typed at login, which the application keeps in memory
  until the hub has answered. The first attempt itself shows no banner (a normal start is calm;
  the status bar says "Connecting…").
- Logged in before: the console keeps showing the last state it had, marked stale, and the banner
  says that actions are refused until the connection is back, with the countdown. The password
  is gone by then (the session token logs in), so no address is offered: logging out leads back
  to the login, where another hub can be chosen.
"""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.comms.bridge import Bridge
from console.comms.client import check_hub_url
from console.comms.states import AUTH_FAILED, CONNECTING, LIVE, RECONNECTING, STOPPED, SYNCING
from console.views.login import hub_url
from console.views.status import state_text

#: How often the countdown is redrawn: a second's digit never lags by more than this.
TICK_MS = 250


class ConnectionBanner(QFrame):
    """A red strip over the docks while the console is not live (see the module docstring).

    Signals:
        address_chosen(str): the user corrected the hub's address (a checked ``ws://`` URL);
            the application tries it at once.
    """

    address_chosen = Signal(str)

    def __init__(self, bridge: Bridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("connectionBanner")
        self.setStyleSheet("QFrame#connectionBanner { background: #c5221f; }"
                           " QFrame#connectionBanner QLabel { color: white; font-weight: bold; }"
                           " QLabel#connectionMessage, QLabel#connectionAddressProblem"
                           " { padding: 4px 8px; }")
        self.bridge = bridge
        self.message = QLabel(self)
        self.message.setObjectName("connectionMessage")
        self.message.setWordWrap(True)
        self.address_label = QLabel(self)
        self.address = QLineEdit(self)
        self.address.setObjectName("connectionAddress")
        self.address.setMinimumWidth(320)
        self.address.setMaximumWidth(560)
        self.address.returnPressed.connect(self._choose)
        self.connect_button = QPushButton(self)
        self.connect_button.setObjectName("connectionRetry")
        self.connect_button.clicked.connect(self._choose)
        self.problem = QLabel(self)
        self.problem.setObjectName("connectionAddressProblem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.address_row = QWidget(self)
        row = QHBoxLayout(self.address_row)
        row.setContentsMargins(8, 0, 8, 4)
        row.addWidget(self.address_label)
        row.addWidget(self.address)
        row.addWidget(self.connect_button)
        row.addStretch(1)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(self.message)
        box.addWidget(self.address_row)
        box.addWidget(self.problem)
        self._state = STOPPED
        self._detail: object = None
        self._next_attempt: float | None = None  # monotonic time of the next attempt
        self._failed = False  # an attempt of this login failed since the last live
        self._timer = QTimer(self, interval=TICK_MS)
        self._timer.timeout.connect(self._refresh)
        self._retranslate()
        bridge.state_changed.connect(self._on_state)
        self._on_state(bridge.state, bridge.state_detail)

    def text(self) -> str:
        """What the banner says."""
        return self.message.text()

    def seconds_to_retry(self) -> int | None:
        """The whole seconds shown until the next attempt (None when none is waiting)."""
        if self._next_attempt is None:
            return None
        return max(0, math.ceil(self._next_attempt - time.monotonic()))

    # -- state ---------------------------------------------------------------------------------

    def _on_state(self, state: str, detail: object) -> None:
        self._state, self._detail = state, detail
        if state in (LIVE, SYNCING, STOPPED, AUTH_FAILED):
            self._failed = False
        if state == RECONNECTING:
            self._failed = True
            delay = getattr(detail, "delay", None)
            self._next_attempt = time.monotonic() + delay if delay is not None else None
        else:
            self._next_attempt = None
        self._refresh()

    def _logged_in_before(self) -> bool:
        return self.bridge.replica.user is not None

    def _refresh(self) -> None:
        state = self._state
        if self._logged_in_before():
            shown = state != LIVE
            text = self._stale_text(state) if shown else ""
            offer_address = False
        else:
            # Before the hub has answered: nothing while the first attempt runs (or the login
            # is being handled elsewhere), the unreachable hub once an attempt has failed.
            shown = self._failed and state in (CONNECTING, RECONNECTING)
            text = self._unreachable_text() if shown else ""
            offer_address = shown
        self.message.setText(text)
        if offer_address and not self.address_row.isVisibleTo(self):
            self.address.setText(self.bridge.hub_url or "")
        self.address_row.setVisible(offer_address)
        if not offer_address:
            self.problem.hide()
        self.setVisible(shown)
        if shown and self._next_attempt is not None:
            if not self._timer.isActive():
                self._timer.start()
        else:
            self._timer.stop()

    def _unreachable_text(self) -> str:
        url = self.bridge.hub_url or ""
        seconds = self.seconds_to_retry()
        if seconds:
            return self.tr("Cannot reach {url} — retrying in %n s", "", seconds).format(url=url)
        return self.tr("Cannot reach {url} — retrying now…").format(url=url)

    def _stale_text(self, state: str) -> str:
        text = self.tr("Not connected to the hub ({state}). The queue shows the last known "
                       "state and is not updating; actions are refused until the connection "
                       "is back.").format(state=state_text(state))
        seconds = self.seconds_to_retry()
        if seconds is not None:
            text += " " + self.tr("Next attempt in %n s.", "", seconds)
        return text

    # -- the address ---------------------------------------------------------------------------

    def _choose(self) -> None:
        typed = self.address.text().strip()
        if not typed:
            return
        url = hub_url(typed)
        try:
            check_hub_url(url)
        except ValueError:
            self.problem.setText(self.tr("“{address}” is not a hub address; write it as "
                                         "ws://host:port or wss://host:port.").format(
                                             address=typed))
            self.problem.show()
            return
        self.problem.hide()
        self.address.setText(url)
        self.address_chosen.emit(url)

    def _retranslate(self) -> None:
        self.address_label.setText(self.tr("Hub address:"))
        self.connect_button.setText(self.tr("Connect"))
        self.address.setPlaceholderText("ws://host:port")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
            self._refresh()
        super().changeEvent(event)
