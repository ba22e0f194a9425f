"""The console application: one connection, its replica, the settings, and the windows over it.

:class:`ConsoleApp` is what ``main.py console`` and the demo start: it owns the :class:`Bridge`
(hence the hub client thread), the translators, the layouts and every main window. All windows
read the same replica; closing the last one shuts the connection down.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import QApplication

from console.comms.bridge import Bridge
from console.comms.replica import UserInfo
from console.comms.states import AUTH_FAILED
from console.domain.rules import Rules
from console.ui.message import messages
from console.views.i18n import LANGUAGES, Translations, language_setting
from console.views.layouts import Layouts
from console.views.login import LoginDialog
from console.views.main_window import MainWindow

log = logging.getLogger(__name__)


class ConsoleApp(QObject):
    """Signals:
        windows_changed(): a main window opened or closed.
    """

    windows_changed = Signal()

    def __init__(self, rules: Rules, settings: QSettings, *, embedded_url: str | None = None,
                 **client_options: object) -> None:
        super().__init__()
        self.rules = rules
        self.settings = settings
        self.embedded_url = embedded_url
        self._client_options = client_options
        self.bridge = self._new_bridge()
        self.translations = Translations()
        self.translations.apply(self.language_setting())
        self.layouts = Layouts(settings)
        self.windows: list[MainWindow] = []
        self.login_dialog: LoginDialog | None = None
        self._opened = False
        self._quitting = False
        self._returning = False  # to the login: closing the windows does not quit
        #: Leave the Qt event loop when the console quits (the program; not in tests).
        self.exit_on_quit = False

    def _new_bridge(self) -> Bridge:
        bridge = Bridge(self.rules, self, **self._client_options)
        bridge.logged_in.connect(self._logged_in)
        bridge.notice.connect(self._notice)
        bridge.state_changed.connect(self._state_changed)
        return bridge

    # -- start ---------------------------------------------------------------------------------

    def show_login(self, *, hub: str | None = None, user: str | None = None) -> LoginDialog:
        """The login dialog; the first main window opens once the hub accepts the login."""
        dialog = LoginDialog(self.bridge, self.settings, embedded_url=self.embedded_url,
                             hub=hub, user=user)
        dialog.rejected.connect(self._login_abandoned)
        self.login_dialog = dialog
        dialog.show()
        return dialog

    def log_in(self, url: str, user: str, password: str) -> None:
        """Log in without the dialog (password given on standard input, or the demo)."""
        self.bridge.connect_to(url, user, password)

    def _login_abandoned(self) -> None:
        if not self.windows:
            self.quit()

    def _logged_in(self, user: UserInfo) -> None:
        self.layouts.user = user.username
        if not self._opened:
            self._opened = True
            self.new_window().restore_layout(Layouts.LAST)

    # -- logout, and sessions the hub ended ------------------------------------------------------

    def log_out(self) -> None:
        """End the session on the hub (its token stops working) and go back to the login."""
        if self._returning or not self.windows:
            return
        self._returning = True
        self.bridge.logout(lambda _ended: self._back_to_login(None))

    def _state_changed(self, state: str, detail: object) -> None:
        # The hub refused the token at a reconnect (expired, revoked) or ended the session
        # (revoked, account disabled): the password is asked for again.
        if state == AUTH_FAILED and self.windows:
            self._back_to_login(str(detail) if detail else None)

    def _back_to_login(self, reason: str | None) -> None:
        url, user = self.bridge.hub_url, self.layouts.user
        self._returning = True
        try:
            for window in list(self.windows):
                window.close()
        finally:
            self._returning = False
        self._opened = False
        # A new connection and replica for the next login: nothing of this user's stays, and
        # the closed windows' views, still listening to the old bridge, hear nothing more.
        # The old one is not deleted: what still holds it (the program's quit hook, a closed
        # view) finds a bridge that has let go, not a deleted object.
        old, self.bridge = self.bridge, self._new_bridge()
        old.disconnect_from_hub()
        if self.login_dialog is not None:
            self.login_dialog.deleteLater()
        self.show_login(hub=url, user=user).show_ended(reason)

    def _notice(self, level: str, text: str) -> None:
        getattr(messages(), level if level in ("info", "warning", "error") else "info")(text)

    # -- windows -------------------------------------------------------------------------------

    def new_window(self) -> MainWindow:
        """Another main window on the same connection."""
        window = MainWindow(self.bridge, self.rules, self.settings, self.layouts,
                            number=len(self.windows) + 1)
        self.windows.append(window)
        window.closed.connect(self._closed)
        window.new_window_requested.connect(self.new_window)
        window.quit_requested.connect(self.quit)
        window.logout_requested.connect(self.log_out)
        window.language_chosen.connect(self.set_language)
        window.show()
        self.windows_changed.emit()
        return window

    def _closed(self, window: MainWindow) -> None:
        if window in self.windows:
            self.windows.remove(window)
        self.windows_changed.emit()
        if not self.windows and not self._quitting and not self._returning:
            self.quit()

    def quit(self) -> None:
        """Close every window, end the connection, and leave the event loop."""
        if self._quitting:
            return
        self._quitting = True
        for window in list(self.windows):
            window.close()
        if self.login_dialog is not None and self.login_dialog.isVisible():
            self.login_dialog.close()  # back at the login after a logout
        self.bridge.shutdown()
        app = QApplication.instance()
        if app is not None and self.exit_on_quit:
            app.quit()

    # -- language ------------------------------------------------------------------------------

    def language_setting(self) -> str:
        return language_setting(self.settings)

    def set_language(self, setting: str) -> None:
        if setting not in LANGUAGES:
            raise ValueError(f"unknown language setting {setting!r}")
        self.settings.setValue("language", setting)
        # Installing the translators sends every widget a LanguageChange; each retranslates.
        self.translations.apply(setting)
