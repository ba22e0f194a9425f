"""Starting the desktop console: Qt, the settings, the login, the event loop.

One step at a time, each logged; shutdown is wired to the application's ``aboutToQuit``. An
uncaught exception in a slot is logged and shown to the user instead of killing the console
silently.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import Any

log = logging.getLogger("console")


def _excepthook(kind: type[BaseException], error: BaseException,
                tb: TracebackType | None) -> None:
    text = "".join(traceback.format_exception(kind, error, tb))
    log.error("uncaught exception:\n%s", text)
    from PySide6.QtCore import QCoreApplication

    from console.ui.message import messages

    with contextlib.suppress(RuntimeError):  # no QApplication (any more): the log has it
        messages().error(QCoreApplication.translate(
            "Console", "Internal error: {error}. It has been logged; the console carries on.")
            .format(error=error))


def run_console(rules: Any, *, hub: str | None = None, user: str | None = None,
                password: str | None = None, language: str | None = None,
                embedded_url: str | None = None,
                embedded_consoles: Callable[[], int] | None = None,
                quit_after: float | None = None, screenshot: str | None = None,
                on_ready: Callable[[], None] | None = None) -> int:
    """Run the console until its last window closes; returns the exit status.

    ``embedded_url`` is the hub this process started ("this computer"), if any: the caller
    starts and stops it, since the views reach a hub only over the wire; ``embedded_consoles``
    counts the consoles connected to it (quitting asks first, naming the others).
    """

    # Chromium refuses to sandbox itself as root (POSIX only: Windows has no euid).
    if ("QTWEBENGINE_CHROMIUM_FLAGS" not in os.environ and hasattr(os, "geteuid")
            and os.geteuid() == 0):
        os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = "--no-sandbox"
    try:
        from PySide6.QtCore import QSettings, QTimer
        from PySide6.QtWidgets import QApplication
    except ImportError as error:  # the system libraries Qt needs are missing
        print(f"Qt cannot start: {error}.\nInstall what it needs with: "
              "sudo installer/debian-packages.sh", file=sys.stderr)
        return 2

    log.info("starting Qt")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Linkage Console")
    app.setOrganizationName("linkage-console")
    # The window and task bar icon; the desktop entry of the same name (installer/) lets a
    # desktop match the running program to it.
    from PySide6.QtGui import QIcon

    from console.domain.resources import RESOURCES

    app.setWindowIcon(QIcon(str(RESOURCES / "icons" / "linkage-console.png")))
    app.setDesktopFileName("linkage-console")
    app.setQuitOnLastWindowClosed(False)
    sys.excepthook = _excepthook

    from console.views.app import ConsoleApp
    from console.views.login import hub_url

    settings = QSettings()
    if language:
        settings.setValue("language", language)
    console = ConsoleApp(rules, settings, embedded_url=embedded_url,
                         embedded_consoles=embedded_consoles)
    console.exit_on_quit = True
    if password is not None and user:
        if not hub and not embedded_url:
            print("--user logs in directly only with --hub ws://HOST:PORT", file=sys.stderr)
            return 2
        url = embedded_url if embedded_url and not hub else hub_url(hub or "")
        log.info("logging in to %s as %s", url, user)
        try:
            console.log_in(url, user, password)
        except ValueError as error:
            print(f"cannot log in: {error}", file=sys.stderr)
            return 2
        _say_refusal(console.bridge)
    else:
        log.info("login dialog for %s", hub or "a hub")
        console.show_login(hub=hub, user=user)
    console.bridge.logged_in.connect(
        lambda who: log.info("logged in as %s (%s)", who.username, ", ".join(who.roles)))
    _announce_ready(console, on_ready)
    app.aboutToQuit.connect(lambda: console.bridge.shutdown())  # the bridge of the last login
    if quit_after is not None:
        def finish() -> None:
            _save_screenshot(console, screenshot)
            console.quit()

        QTimer.singleShot(int(quit_after * 1000), finish)
    _quit_on_signals(console)
    return app.exec()


def _save_screenshot(console: Any, path: str | None) -> None:
    """The first main window as it is on screen, to a PNG (the README's screenshots)."""
    if path is None or not console.windows:
        return
    from PySide6.QtGui import QGuiApplication

    window = console.windows[0]
    screen = window.screen() or QGuiApplication.primaryScreen()
    picture = screen.grabWindow(0, window.x(), window.y(), window.width(), window.height()) \
        if screen is not None and QGuiApplication.platformName() == "xcb" else window.grab()
    log.info("screenshot %s: %s", path, "saved" if picture.save(path) else "NOT saved")


def _quit_on_signals(console: Any) -> None:
    """Ctrl+C in the terminal or a SIGTERM quits as the menu does, so the embedded hub and the
    simulator are stopped too. (Python runs signal handlers only between bytecodes: a timer
    gives it the chance while Qt's loop waits.)"""
    import signal

    from PySide6.QtCore import QTimer

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: console.quit())
    wake = QTimer(console)
    wake.timeout.connect(lambda: None)
    wake.start(250)


def _announce_ready(console: Any, on_ready: Callable[[], None] | None) -> None:
    """Say once when the console first shows the hub's state and is idle again: from then on
    the user can work (start-up is measured up to this line: benchmarks/demo_start.py); then
    call ``on_ready``."""
    from PySide6.QtCore import QTimer

    def ready() -> None:
        replica = console.bridge.replica
        print(f"console ready: {len(replica.incidents)} incidents, {len(replica.units)} units",
              flush=True)
        if on_ready is not None:
            on_ready()

    def changed(change: Any) -> None:
        if not change.reset:
            return
        console.bridge.changed.disconnect(changed)
        QTimer.singleShot(0, ready)

    console.bridge.changed.connect(changed)


def _say_refusal(bridge: Any) -> None:
    """Print the hub's refusal of a login given on the command line (the console itself goes
    back to the login dialog, with the reason)."""
    def state_changed(state: str, detail: object) -> None:
        if state == "auth_failed":
            bridge.state_changed.disconnect(state_changed)
            print(f"login refused: {detail}", file=sys.stderr)

    bridge.state_changed.connect(state_changed)
