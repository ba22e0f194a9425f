"""The login dialog: which hub, who, and the password.

"This computer" stands for the embedded hub when the console started one; otherwise the user
types a ``ws://`` or ``wss://`` address (the ``/ws`` path is added when missing). The dialog
never blocks on the network: it hands the login over (to the application, which connects) and
waits for the bridge's signals, showing the hub's own refusal when the password is wrong. Once an
attempt to reach the hub has failed, the application closes the dialog and opens the window,
which says that the hub cannot be reached (console.views.connection).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QSettings, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from console.comms.bridge import Bridge
from console.comms.replica import UserInfo

THIS_COMPUTER = "this-computer"


def hub_url(address: str) -> str:
    """A websocket URL for what the user typed: scheme and ``/ws`` added when missing."""
    address = address.strip()
    if "://" not in address:
        address = "ws://" + address
    scheme, rest = address.split("://", 1)
    if "/" not in rest:
        rest += "/ws"
    return f"{scheme}://{rest}"


class LoginDialog(QDialog):
    """Signals:
        logged_in(UserInfo): the hub accepted the login (the dialog then closes itself).
    """

    logged_in = Signal(object)

    def __init__(self, bridge: Bridge, settings: QSettings, *, embedded_url: str | None = None,
                 hub: str | None = None, user: str | None = None,
                 log_in: Callable[[str, str, str], None] | None = None,
                 parent: QWidget | None = None) -> None:
        """``log_in(url, user, password)`` starts the login (default: the bridge's
        ``connect_to``); it raises ValueError for an address that is not a hub's."""
        super().__init__(parent)
        self.setObjectName("loginDialog")
        self.bridge = bridge
        self._log_in = log_in or bridge.connect_to
        self.settings = settings
        self.embedded_url = embedded_url
        self.hub = QComboBox(self)
        self.hub.setObjectName("loginHub")
        self.hub.setEditable(True)
        if embedded_url:
            self.hub.addItem(self.tr("This computer"), THIS_COMPUTER)
        for address in settings.value("login/hubs", [], list) or []:
            if address and self.hub.findText(address) < 0:
                self.hub.addItem(address, address)
        if hub:
            found = self.hub.findData(hub)
            if found < 0:
                self.hub.insertItem(0, hub, hub)
                found = 0
            self.hub.setCurrentIndex(found)
        self.user = QLineEdit(user or str(settings.value("login/user", "") or ""), self)
        self.user.setObjectName("loginUser")
        self.password = QLineEdit(self)
        self.password.setObjectName("loginPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = QLabel(self)
        self.error.setObjectName("loginError")
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow(self.tr("Hub"), self.hub)
        form.addRow(self.tr("User"), self.user)
        form.addRow(self.tr("Password"), self.password)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setWindowTitle(self.tr("Linkage Console — log in"))
        (self.password if self.user.text() else self.user).setFocus()

        bridge.logged_in.connect(self._accepted)
        bridge.state_changed.connect(self._state)
        self._waiting = False

    def url(self) -> str:
        data = self.hub.currentData()
        if data == THIS_COMPUTER and self.hub.currentText() == self.hub.itemText(
                self.hub.currentIndex()):
            assert self.embedded_url is not None
            return self.embedded_url
        return hub_url(self.hub.currentText())

    def submit(self) -> None:
        if not self.user.text().strip():
            self._show_error(self.tr("Enter your user name."))
            return
        if not self.password.text():
            self._show_error(self.tr("Enter your password."))
            return
        if not self.hub.currentText().strip():
            self._show_error(self.tr("Enter the hub's address."))
            return
        try:
            self._log_in(self.url(), self.user.text().strip(), self.password.text())
        except ValueError:
            self._show_error(self.tr("“{address}” is not a hub address; write it as "
                                     "ws://host:port or wss://host:port.").format(
                                         address=self.hub.currentText().strip()))
            return
        self._show_error(self.tr("Connecting to {url}…").format(url=self.url()), problem=False)
        self._waiting = True
        self.buttons.setEnabled(False)

    def show_ended(self, reason: str | None) -> None:
        """Say why the console is back at the login: the hub's reason (its English text,
        translated when a translation of it is installed), or a logout."""
        if reason is None:
            self._show_error(self.tr("Logged out. Log in again to continue."))
        else:
            self._show_error(self.tr("The session has ended: {reason}").format(
                reason=QCoreApplication.translate("Refusal", reason)))

    def show_refused(self, reason: str) -> None:
        """Say that the hub refused the login (it answered after the window had opened)."""
        self._show_error(self.tr("The hub refused the login: {reason}").format(reason=reason))
        self.password.setFocus()

    def _show_error(self, text: str, *, problem: bool = True) -> None:
        self.error.setText(text)
        self.error.setStyleSheet(f"QLabel {{ color: {'#c5221f' if problem else '#555'}; }}")
        self.error.show()

    def _state(self, state: str, detail: object) -> None:
        if not self._waiting:
            return
        if state == "auth_failed":
            self._waiting = False
            self.buttons.setEnabled(True)
            self.password.clear()
            self.password.setFocus()
            self._show_error(self.tr("The hub refused the login: {reason}").format(
                reason=detail))

    def _accepted(self, user: UserInfo) -> None:
        if not self._waiting:
            return
        self._waiting = False
        self.logged_in.emit(user)
        self.accept()
