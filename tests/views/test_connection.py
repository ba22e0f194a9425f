"""An honest connection: the window at once while the hub is looked for, its address editable,
a calm normal start, and quitting — one Ctrl+Q over several windows, a question before the
embedded hub stops. Against real hubs on real ports."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from console.comms.bridge import Bridge
from console.domain.rules import Rules
from console.hub.embedded import EmbeddedHub
from console.store.store import Store
from console.views.app import ConsoleApp
from console.views.main_window import MainWindow
from tests.hub.conftest import PASSWORD, HubThread, add_users
from tests.pgcluster import free_port
from tests.views.conftest import log_in
from tests.views.live import WAIT_MS, activate
from tests.views.test_console import Consoles, consoles, url_of  # noqa: F401
from tests.views.test_liaison_dock import police_center

pytestmark = pytest.mark.filterwarnings(
    # The offscreen platform cannot raise windows or grab the keyboard; it says so on stderr
    # as a Qt warning each time a popup or a new window opens. Nothing is wrong with the code.
    "ignore:This plugin does not support:UserWarning")

CTRL = Qt.KeyboardModifier.ControlModifier
#: The acceptance bound: the window and its message, from the start of the login.
WINDOW_WITHIN_S = 2.0


@pytest.fixture
def apps(tmp_path: Path, rules: Rules) -> Iterator[list[ConsoleApp]]:
    """Consoles made by the test (``new_app``), all quit after it."""
    made: list[ConsoleApp] = []
    yield made
    for app in made:
        app.quit()


def new_app(made: list[ConsoleApp], tmp_path: Path, rules: Rules, **options: Any) -> ConsoleApp:
    settings = QSettings(str(tmp_path / f"settings-{len(made)}" / "console.ini"),
                         QSettings.Format.IniFormat)
    settings.setValue("language", "en")
    app = ConsoleApp(rules, settings, **options)
    made.append(app)
    return app


def hub_on(tmp_path: Path, rules: Rules, port: int = 0, name: str = "hub") -> HubThread:
    thread = HubThread(f"sqlite:///{tmp_path}/{name}.db", rules, port=port)
    add_users(thread.store)
    return thread.start()


def retrying_window(qtbot: Any, app: ConsoleApp, url: str,
                    within: float = WINDOW_WITHIN_S) -> MainWindow:
    """Wait for the window that says it cannot reach ``url``; fail if it took over
    ``within`` seconds."""
    started = time.monotonic()

    def shown() -> bool:
        return bool(app.windows) and app.windows[0].isVisible() \
            and app.windows[0].banner.isVisible() \
            and app.windows[0].banner.text().startswith(f"Cannot reach {url} — retrying")

    qtbot.waitUntil(shown, timeout=WAIT_MS)
    took = time.monotonic() - started
    print(f"window with the retrying message {took * 1000:.0f} ms after the login")
    assert took < within
    return app.windows[0]


def test_a_console_whose_hub_is_not_there_shows_its_window_and_logs_in_when_it_starts(
        qtbot: Any, tmp_path: Path, rules: Rules, apps: list[ConsoleApp]) -> None:
    port = free_port()
    url = f"ws://127.0.0.1:{port}/ws"
    # Delays of up to 3 s between attempts, so that the countdown has seconds to count.
    app = new_app(apps, tmp_path, rules, backoff_base=1.5, backoff_cap=3.0, seed=3)
    app.log_in(url, "ctl", PASSWORD)
    window = retrying_window(qtbot, app, url)
    assert window.isMaximized()
    assert window.banner.address.isVisible() and window.banner.address.text() == url
    assert "Reconnecting" in window.status.connection.text() \
        or "Connecting" in window.status.connection.text()

    # N counts down to the next attempt, as the reconnect policy drew it.
    counts: list[int] = []

    def counted_down() -> bool:
        found = re.search(r"retrying in (\d+) s", window.banner.text())
        if found and (not counts or counts[-1] != int(found[1])):
            counts.append(int(found[1]))
        return any(later < earlier for earlier, later in pairwise(counts))

    qtbot.waitUntil(counted_down, timeout=WAIT_MS)

    hub = hub_on(tmp_path, rules, port)
    try:
        # (The hub's start, its users' password hashes, holds up this thread a few seconds.)
        qtbot.waitUntil(lambda: app.bridge.state == "live", timeout=2 * WAIT_MS)
        assert app.windows == [window]  # the same window, filled
        qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=WAIT_MS)
        assert "ctl" in window.windowTitle() and "controller" in window.windowTitle()
        assert window.isMaximized()
        # The password was for the first answer only.
        assert app._credentials is None
    finally:
        app.quit()
        hub.stop()


def test_an_address_corrected_in_the_banner_is_tried_at_once(
        qtbot: Any, tmp_path: Path, rules: Rules, apps: list[ConsoleApp]) -> None:
    hub = hub_on(tmp_path, rules)
    try:
        dead = f"ws://127.0.0.1:{free_port()}/ws"
        # A minute between attempts: only trying the new address at once logs in in time.
        app = new_app(apps, tmp_path, rules, backoff_base=60.0, backoff_cap=60.0)
        app.log_in(dead, "ctl", PASSWORD)
        window = retrying_window(qtbot, app, dead)
        banner = window.banner

        banner.address.setText("ftp://nowhere")
        qtbot.keyClick(banner.address, Qt.Key.Key_Return)
        assert "is not a hub address" in banner.problem.text() and banner.problem.isVisible()
        assert app.bridge.hub_url == dead

        banner.address.setText(f"127.0.0.1:{hub.port}")
        started = time.monotonic()
        qtbot.keyClick(banner.address, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: app.bridge.state == "live", timeout=WAIT_MS)
        print(f"logged in at the new address {time.monotonic() - started:.2f} s after Enter")
        assert app.bridge.hub_url == url_of(hub)
        assert app.settings.value("login/hubs") == [url_of(hub)]
        qtbot.waitUntil(lambda: not banner.isVisible(), timeout=WAIT_MS)
    finally:
        for app in apps:
            app.quit()
        hub.stop()


def test_the_login_dialog_hands_over_to_the_window_and_a_later_refusal_comes_back_to_it(
        qtbot: Any, tmp_path: Path, rules: Rules, apps: list[ConsoleApp]) -> None:
    port = free_port()
    url = f"ws://127.0.0.1:{port}/ws"
    app = new_app(apps, tmp_path, rules, backoff_base=0.05, backoff_cap=0.5)
    dialog = app.show_login(hub=f"127.0.0.1:{port}", user="ctl")
    dialog.password.setText("wrong")
    dialog.submit()
    # Nothing listens there: the first failed attempt hands over to the window. (No bound here:
    # the window is built after that failure, not meanwhile as on a command-line login, and the
    # client process's start before it is what a busy machine stretches.)
    retrying_window(qtbot, app, url, within=WAIT_MS / 1000)
    assert not dialog.isVisible()

    hub = hub_on(tmp_path, rules, port)
    try:
        # The hub, once there, refuses the password: back to the login, saying so.
        qtbot.waitUntil(lambda: not app.windows and app.login_dialog is not None
                        and app.login_dialog.isVisible(), timeout=WAIT_MS)
        again = app.login_dialog
        assert again is not None and again is not dialog
        assert again.error.text().startswith("The hub refused the login")
        assert again.url() == url and again.user.text() == "ctl"
    finally:
        app.quit()
        hub.stop()


def test_a_normal_start_shows_no_error(qtbot: Any, tmp_path: Path, rules: Rules,
                                       apps: list[ConsoleApp]) -> None:
    hub = hub_on(tmp_path, rules)
    # The police center is there before the console (as the demo starts it); it was gone
    # once before (the link has been down), as after the last run.
    police_center(hub).close()
    center = police_center(hub)
    try:
        app = new_app(apps, tmp_path, rules, backoff_base=0.05, backoff_cap=0.5)
        notices: list[tuple[str, str]] = []
        seen: list[str] = []
        app.bridge.notice.connect(lambda level, text: notices.append((level, text)))

        def look(*_: object) -> None:
            for window in app.windows:
                if window.banner.isVisibleTo(window):
                    seen.append(f"banner: {window.banner.text()}")
                for label in (window.status.connection, window.status.police):
                    if "#c5221f" in label.styleSheet():
                        seen.append(f"red: {label.text()}")

        app.bridge.state_changed.connect(look)
        app.bridge.changed.connect(look)
        app.log_in(url_of(hub), "ctl", PASSWORD)
        look()
        qtbot.waitUntil(lambda: app.bridge.state == "live" and bool(app.windows)
                        and "110 link up" in app.windows[0].status.police.text(),
                        timeout=WAIT_MS)
        look()
        assert seen == [] and [n for n in notices if n[0] == "error"] == []
    finally:
        center.close()
        for app in apps:
            app.quit()
        hub.stop()


def test_ctrl_q_quits_once_from_any_of_several_windows(
        qtbot: Any, tmp_path: Path, rules: Rules, consoles: Consoles) -> None:  # noqa: F811
    hub = hub_on(tmp_path, rules)
    try:
        app = consoles(url_of(hub), "ctl")
        app.windows[0].a_new_window.trigger()
        first, second = app.windows
        assert second.isMaximized()
        assert first.a_quit is second.a_quit is app.quit_action  # one shortcut, not two
        quits: list[bool] = []
        app.bridge.state_changed.connect(lambda state, _d: quits.append(state == "stopped"))
        activate(qtbot, second)
        qtbot.keyClick(second, Qt.Key.Key_Q, CTRL)
        assert app.windows == [] and app.bridge.state == "stopped"
        assert quits.count(True) == 1
    finally:
        hub.stop()


@pytest.fixture
def embedded(tmp_path: Path, rules: Rules) -> Iterator[EmbeddedHub]:
    store = Store(f"sqlite:///{tmp_path}/embedded.db", rules)
    add_users(store)
    hub = EmbeddedHub(store, rules).start()
    yield hub
    hub.stop()
    store.close()


def question_of(qtbot: Any, app: ConsoleApp) -> QMessageBox:
    qtbot.waitUntil(lambda: app.quit_question is not None and app.quit_question.isVisible(),
                    timeout=WAIT_MS)
    assert app.quit_question is not None
    return app.quit_question


def test_quitting_asks_once_before_it_stops_the_embedded_hub_others_use(
        qtbot: Any, tmp_path: Path, rules: Rules, embedded: EmbeddedHub,
        apps: list[ConsoleApp]) -> None:
    app = new_app(apps, tmp_path, rules, embedded_url=embedded.url,
                  embedded_consoles=embedded.console_sessions, backoff_base=0.05,
                  backoff_cap=0.5)
    app.log_in(embedded.url, "ctl", PASSWORD)
    qtbot.waitUntil(lambda: app.bridge.state == "live", timeout=WAIT_MS)
    other = Bridge(rules, backoff_base=0.05, backoff_cap=0.5)  # a colleague's console
    try:
        assert embedded.hub is not None
        log_in(qtbot, other, embedded.hub.port, "leader")
        qtbot.waitUntil(lambda: embedded.console_sessions() == 2, timeout=WAIT_MS)
        app.windows[0].a_new_window.trigger()
        first, second = app.windows
        activate(qtbot, second)
        qtbot.keyClick(second, Qt.Key.Key_Q, CTRL)
        question = question_of(qtbot, app)
        assert embedded.url in question.text()
        assert question.informativeText() == \
            "1 other console(s) connected to it will lose their connection."
        # Asked again meanwhile (the menu of the other window): still the one question.
        first.a_quit.trigger()
        assert app.quit_question is question
        assert [w for w in QApplication.topLevelWidgets()
                if isinstance(w, QMessageBox) and w.isVisible()] == [question]
        # Enter keeps a hub others use running.
        qtbot.keyClick(question, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: app.quit_question is None, timeout=WAIT_MS)
        assert app.windows == [first, second] and app.bridge.state == "live"

        # Closing one of two windows asks nothing; closing the last one asks.
        second.close()
        assert app.windows == [first] and app.quit_question is None
        first.close()
        question = question_of(qtbot, app)
        assert app.windows == [first] and first.isVisible()
        confirm = question.findChild(QPushButton, "quitConfirm")
        assert confirm is not None
        confirm.click()
        qtbot.waitUntil(lambda: app.windows == [], timeout=WAIT_MS)
        assert app.bridge.state == "stopped"
    finally:
        other.shutdown()
