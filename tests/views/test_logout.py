"""Logging out of the console, and a session the hub ends: back to the login, against a real
hub, over real sockets."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from PySide6.QtGui import QKeySequence

from console.domain.rules import Rules
from console.store.sessions import By
from tests.hub.conftest import PASSWORD, HubThread
from tests.hub.test_session_life import lean_hub
from tests.views.live import WAIT_MS
from tests.views.test_console import Consoles, consoles, url_of

__all__ = ["consoles"]  # the fixture, used by name
pytestmark = pytest.mark.filterwarnings("ignore:This plugin does not support:UserWarning")


@pytest.fixture
def live_hub(tmp_path: Any, rules: Rules) -> Iterator[HubThread]:
    thread = lean_hub(f"sqlite:///{tmp_path}/hub.db", rules)
    yield thread
    thread.stop()


def test_logout_ends_the_session_and_returns_to_the_login(
        qtbot: Any, live_hub: HubThread, consoles: Consoles) -> None:
    app = consoles(url_of(live_hub), "ctl")
    window = app.windows[0]
    assert window.a_logout.shortcut() == QKeySequence("Ctrl+Shift+X")
    assert window.a_logout.text() == "Log out"
    window.a_logout.trigger()
    qtbot.waitUntil(lambda: not app.windows and app.login_dialog is not None
                    and app.login_dialog.isVisible(), timeout=WAIT_MS)
    dialog = app.login_dialog
    assert dialog is not None
    assert dialog.user.text() == "ctl" and dialog.password.text() == ""
    assert dialog.error.text() == "Logged out. Log in again to continue."
    (ended,) = live_hub.store.audit.rows(action="session.logout")
    assert ended.entry.actor == "ctl"
    # The console is still running: the password opens a new window.
    dialog.password.setText(PASSWORD)
    dialog.submit()
    qtbot.waitUntil(lambda: bool(app.windows) and app.bridge.state == "live", timeout=WAIT_MS)


def test_a_session_an_admin_ends_returns_the_console_to_the_login_with_why(
        qtbot: Any, live_hub: HubThread, consoles: Consoles) -> None:
    app = consoles(url_of(live_hub), "ctl")
    assert live_hub.store.accounts.revoke_sessions(
        "ctl", now=datetime.now(UTC), by=By("root", "admin-cli")) == 1
    qtbot.waitUntil(lambda: not app.windows and app.login_dialog is not None
                    and app.login_dialog.isVisible(), timeout=WAIT_MS)
    assert app.login_dialog is not None
    assert app.login_dialog.error.text() == (
        "The session has ended: An administrator ended this session; log in again.")
