"""The command line inside the main window: the detail follows the incident last acted on, and
the help is a side panel that stays open while the dispatcher types."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from console.domain.rules import Rules
from console.ui.names import DisplayNames
from tests.hub.conftest import HubThread
from tests.views import live
from tests.views.live import WAIT_MS, key, type_text
from tests.views.test_console import Consoles, consoles, url_of, window_of

live_hub = live.live_hub
__all__ = ["consoles"]  # the fixture, used by name
pytestmark = pytest.mark.filterwarnings(
    # The offscreen platform cannot raise windows; it says so as a Qt warning (test_console.py).
    "ignore:This plugin does not support:UserWarning")


def short(incident_id: str) -> str:
    return str(int(incident_id.rsplit("-", 1)[1]))


def run(qtbot: Any, window: Any, text: str) -> tuple[bool, str]:
    if QApplication.activeWindow() is not window:
        # Offscreen, the completion popup is made the active window, and once it closes no
        # window is active (a window manager gives the activation back; see PLATFORM.md).
        live.activate(qtbot, window)
    type_text(qtbot, text, window.command_line.edit)
    with qtbot.waitSignal(window.command_line.answered, timeout=WAIT_MS) as answered:
        key(qtbot, Qt.Key.Key_Return)
    return answered.args[0], answered.args[1]


def test_the_detail_follows_the_line_and_help_stays_open_beside_it(
        qtbot: Any, live_hub: HubThread, consoles: Consoles, rules: Rules) -> None:
    app = consoles(url_of(live_hub), "ctl")
    window = window_of(app)
    first, second = live.create(qtbot, app.bridge), live.create(qtbot, app.bridge)
    window.open_incident(first)
    window.focus_command_line()
    edit = window.command_line.edit
    qtbot.waitUntil(lambda: QApplication.focusWidget() is edit, timeout=WAIT_MS)

    # H: the help opens beside the incident, no modal box, and the keyboard stays on the line.
    help_dock = window.docks["command_help"]
    assert help_dock.isClosed()
    type_text(qtbot, "H", edit)
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.command_help.isVisible(), timeout=WAIT_MS)
    assert QApplication.activeModalWidget() is None
    assert QApplication.focusWidget() is edit
    # Given half the column under the incident, enough to read the table in.
    qtbot.waitUntil(lambda: window.command_help.height() > window.detail.height() * 0.6,
                    timeout=WAIT_MS)
    usages = [row[0] for row in window.command_help.rows()]
    assert "U [<incident>] <unit> <step>" in usages and "A <incident>" in usages

    # Typing goes on in the line; A 23 shows 23 in the detail, the help still open.
    done, text = run(qtbot, window, f"A {short(second)}")
    assert done, text
    assert window.detail.incident_id == second
    assert not help_dock.isClosed() and window.command_help.isVisible()
    assert QApplication.focusWidget() is edit
    live.wait_state(qtbot, app.bridge, second, "accepted")

    # G names the department; the detail follows back to the first incident with A, then G.
    done, _ = run(qtbot, window, f"A {short(first)}")
    assert done and window.detail.incident_id == first
    live.wait_state(qtbot, app.bridge, first, "accepted")
    done, text = run(qtbot, window, f"G {short(second)}")
    assert window.detail.incident_id == second
    code = live_hub.store.incident(second).lead_department
    assert done and code and text == f"{second} assigned to " \
        f"{DisplayNames('en', rules).department(code)}."

    # F1 closes the help and opens it again; the line keeps the keyboard.
    live.activate(qtbot, window)
    key(qtbot, Qt.Key.Key_F1)
    qtbot.waitUntil(help_dock.isClosed, timeout=WAIT_MS)
    key(qtbot, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: window.command_help.isVisible(), timeout=WAIT_MS)
    assert QApplication.focusWidget() is edit
