"""The console application: one connection, its replica, the settings, and the windows over it.

:class:`ConsoleApp` is what ``main.py console`` and the demo start: it owns the :class:`Bridge`
(hence the hub client thread), the translators, the layouts and every main window. All windows
read the same replica; closing the last one shuts the connection down.

The first window does not wait for the hub (docs/console.md, "Connecting"): a login given on the
command line opens it at once; the login dialog waits for the hub's answer (so that a wrong
password is told in the dialog) until an attempt fails, and then hands over to the window, whose
banner says the hub cannot be reached and takes another address. The password stays in memory
until the hub has answered it. Quitting (one Quit action shared by every window) asks first when
it would stop the hub this process runs for others (``quit_question``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QApplication, QMessageBox

from console.comms.bridge import Bridge
from console.comms.replica import UserInfo
from console.comms.states import AUTH_FAILED, RECONNECTING
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
                 embedded_consoles: Callable[[], int] | None = None,
                 **client_options: object) -> None:
        """``embedded_url`` is the hub this process runs, if any; ``embedded_consoles`` counts
        the consoles connected to it (this one included), for the question before quitting."""
        super().__init__()
        self.rules = rules
        self.settings = settings
        self.embedded_url = embedded_url
        self.embedded_consoles = embedded_consoles
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
        # Until the hub has answered the login: who, and the password, for another address.
        self._credentials: tuple[str, str] | None = None
        self._ever_logged_in = False  # with this bridge: a refusal then ends a session
        #: The one Quit action (Ctrl+Q) every window's File menu holds.
        self.quit_action = QAction(self)
        self.quit_action.setObjectName("quit")
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.quit_action.triggered.connect(lambda _checked=False: self.request_quit())
        #: The question before quitting stops this process's hub, while it is asked.
        self.quit_question: QMessageBox | None = None
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
        """The login dialog; the first main window opens once the hub accepts the login, or
        once an attempt to reach it has failed."""
        dialog = LoginDialog(self.bridge, self.settings, embedded_url=self.embedded_url,
                             hub=hub, user=user, log_in=self._connect)
        dialog.rejected.connect(self._login_abandoned)
        self.login_dialog = dialog
        dialog.show()
        return dialog

    def log_in(self, url: str, user: str, password: str) -> None:
        """Log in without the dialog (password given on standard input, or the demo); the
        window opens at once, before the hub answers.

        Raises:
            ValueError: ``url`` is not a hub address.
        """
        self._connect(url, user, password)
        self._open_first_window()

    def _connect(self, url: str, user: str, password: str) -> None:
        self.bridge.connect_to(url, user, password)
        self._credentials = (user, password)

    def connect_elsewhere(self, url: str) -> None:
        """Try another address at once, with the login typed for the first (the banner's
        address field, before the hub has answered)."""
        if self._credentials is None or self._ever_logged_in:
            return
        log.info("trying the hub at %s instead", url)
        self.bridge.connect_to(url, *self._credentials)

    def _hand_over(self) -> None:
        """From the login dialog to the window, while the hub is still being looked for."""
        if self.login_dialog is not None and self.login_dialog.isVisible():
            self.login_dialog.accept()
        self._open_first_window()

    def _open_first_window(self) -> None:
        if self._opened:
            return
        self._opened = True
        window = self.new_window()
        if self.bridge.replica.user is not None:
            self._restore_last(window)

    def _restore_last(self, window: MainWindow) -> None:
        window.restore_layout(Layouts.LAST)
        # The last layout brings back the docks and the screen; the window itself opens
        # maximised there.
        window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)

    def _login_abandoned(self) -> None:
        if not self.windows:
            self.quit()

    def _logged_in(self, user: UserInfo) -> None:
        self.layouts.user = user.username
        first = not self._ever_logged_in
        self._ever_logged_in = True
        self._credentials = None  # the session token logs in from now on
        if first:
            self._remember_login(user)
        if not self._opened:
            if self.login_dialog is not None and self.login_dialog.isVisible():
                self.login_dialog.accept()
            self._open_first_window()
        elif first:
            # The windows opened before the hub said who is logged in.
            for window in self.windows:
                window.suit_user()
            if self.windows:
                self._restore_last(self.windows[0])

    def _remember_login(self, user: UserInfo) -> None:
        self.settings.setValue("login/user", user.username)
        url = self.bridge.hub_url
        if url and url != self.embedded_url:
            hubs = [url, *[h for h in self.settings.value("login/hubs", [], list) or []
                           if h != url]]
            self.settings.setValue("login/hubs", hubs[:10])

    # -- logout, and sessions the hub ended ------------------------------------------------------

    def log_out(self) -> None:
        """End the session on the hub (its token stops working) and go back to the login."""
        if self._returning or not self.windows:
            return
        self._returning = True
        self.bridge.logout(lambda _ended: self._back_to_login(None))

    def _state_changed(self, state: str, detail: object) -> None:
        log.info("connection: %s (%s)", state, detail)  # "live": synced, events follow
        if state == RECONNECTING and not self._opened and self._credentials is not None:
            self._hand_over()  # the hub cannot be reached: the window says so
        # The hub refused the password (a window opened before it answered), refused the token
        # at a reconnect (expired, revoked) or ended the session (revoked, account disabled):
        # the password is asked for again.
        if state == AUTH_FAILED and self.windows:
            refused = not self._ever_logged_in
            self._back_to_login(str(detail) if detail else None, refused=refused)

    def _back_to_login(self, reason: str | None, *, refused: bool = False) -> None:
        url = self.bridge.hub_url
        user = self._credentials[0] if self._credentials is not None else self.layouts.user
        self._credentials = None
        self._ever_logged_in = False
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
        dialog = self.show_login(hub=url, user=user)
        if refused:
            dialog.show_refused(reason or "")
        else:
            dialog.show_ended(reason)

    def _notice(self, level: str, text: str) -> None:
        getattr(messages(), level if level in ("info", "warning", "error") else "info")(text)

    # -- windows -------------------------------------------------------------------------------

    def new_window(self) -> MainWindow:
        """Another main window on the same connection, maximised on the screen of the window
        it was asked from."""
        window = MainWindow(self.bridge, self.rules, self.settings, self.layouts,
                            number=len(self.windows) + 1)
        asking = QApplication.activeWindow()
        self.windows.append(window)
        window.closed.connect(self._closed)
        window.new_window_requested.connect(self.new_window)
        window.quit_requested.connect(self.request_quit)
        window.logout_requested.connect(self.log_out)
        window.language_chosen.connect(self.set_language)
        window.banner.address_chosen.connect(self.connect_elsewhere)
        window.share_quit(self.quit_action)
        window.installEventFilter(self)
        screen = asking.screen() if asking is not None else QGuiApplication.primaryScreen()
        if screen is not None:
            window.move(screen.availableGeometry().topLeft())
        window.showMaximized()
        self.windows_changed.emit()
        return window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Closing the last window quits; when that stops this process's hub, ask first.
        if (event.type() == QEvent.Type.Close and watched in self.windows
                and len(self.windows) == 1 and self._would_stop_hub()
                and not self._quitting and not self._returning):
            event.ignore()
            self.request_quit()
            return True
        return super().eventFilter(watched, event)

    def _closed(self, window: MainWindow) -> None:
        if window in self.windows:
            self.windows.remove(window)
        self.windows_changed.emit()
        if not self.windows and not self._quitting and not self._returning:
            self.quit()

    # -- quitting ------------------------------------------------------------------------------

    def _would_stop_hub(self) -> bool:
        return self.embedded_url is not None

    def request_quit(self) -> None:
        """Quit as the user asked (Ctrl+Q, File → Quit, closing the last window): after a
        question when that stops the hub this process runs; the question is asked once, however
        often the user asks meanwhile."""
        if self._quitting:
            return
        if not self._would_stop_hub():
            self.quit()
            return
        if self.quit_question is not None:
            self.quit_question.raise_()
            self.quit_question.activateWindow()
            return
        parent = QApplication.activeWindow()
        if parent not in self.windows:
            parent = self.windows[0] if self.windows else None
        question = QMessageBox(parent)
        question.setObjectName("quitQuestion")
        question.setIcon(QMessageBox.Icon.Warning)
        question.setWindowTitle(self.tr("Quit Linkage Console"))
        question.setText(self.tr("Quitting stops the hub this console runs at {url}, and the "
                                 "demo's simulators with it.").format(url=self.embedded_url))
        others = max(0, (self.embedded_consoles() if self.embedded_consoles else 1) - 1)
        if others:
            question.setInformativeText(self.tr(
                "%n other console(s) connected to it will lose their connection.", "", others))
        quit_button = question.addButton(self.tr("Quit and stop the hub"),
                                         QMessageBox.ButtonRole.AcceptRole)
        quit_button.setObjectName("quitConfirm")
        cancel = question.addButton(QMessageBox.StandardButton.Cancel)
        # With others depending on the hub, Enter keeps it running.
        question.setDefaultButton(cancel if others else quit_button)
        question.setEscapeButton(cancel)
        question.setWindowModality(Qt.WindowModality.ApplicationModal)
        question.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(_result: int) -> None:
            self.quit_question = None
            if question.clickedButton() is quit_button:
                self.quit()

        question.finished.connect(answered)
        self.quit_question = question
        question.open()

    def quit(self) -> None:
        """Close every window, end the connection, and leave the event loop (no question:
        a signal, a timer, a test)."""
        if self._quitting:
            return
        self._quitting = True
        if self.quit_question is not None:
            self.quit_question.close()
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
