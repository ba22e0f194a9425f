"""The Audit dock against a real hub: an admin reads the trail with filters and has the hub
verify its chain; anyone else is told why not; only an admin's window has the dock."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from sqlalchemy import update

from console.comms.bridge import Bridge
from console.store import schema as s
from console.views.audit_dock import PERIODS, AuditDock
from tests.hub.conftest import Client, HubThread
from tests.views.live import WAIT_MS, bridge_as, live_hub  # noqa: F401 - fixtures
from tests.views.test_console import Consoles, consoles, url_of  # noqa: F401

ALL = [str(name) for name, _ in PERIODS].index("All")


def column(dock: AuditDock, index: int) -> list[str]:
    return [dock.table.item(row, index).text() for row in range(dock.table.rowCount())]


def read(qtbot: Any, dock: AuditDock) -> None:
    asked = dock._asked
    qtbot.mouseClick(dock.refresh_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dock._asked > asked and dock.refresh_button.isEnabled(),
                    timeout=WAIT_MS)


def test_an_admin_reads_filters_and_verifies_the_trail(
        qtbot: Any, live_hub: HubThread, bridge_as: Callable[[str], Bridge]) -> None:  # noqa: F811
    guess = Client(live_hub.port, source_address=("127.0.0.7", 0))
    guess.send({"type": "hello", "protocol": 1, "client": "guesser/1",
                "auth": {"username": "ctl", "password": "not it"}})
    assert guess.recv()["code"] == "auth_failed"
    guess.close()
    dock = AuditDock(bridge_as("admin"))
    qtbot.addWidget(dock)
    dock.period.setCurrentIndex(ALL)
    read(qtbot, dock)
    # Newest first: this reading itself, the admin's login, the wrong password.
    assert column(dock, 2) == ["audit.read", "login.ok", "login.failed"]
    assert [dock.table.item(2, c).text() for c in (1, 3, 4, 5, 6)] == [
        "ctl", "ctl", "127.0.0.7", "guesser/1", '{"reason": "wrong password"}']
    dock.user.setText("ctl")
    read(qtbot, dock)
    assert column(dock, 2) == ["login.failed"]
    assert dock.status.text() == "1 rows shown"
    qtbot.mouseClick(dock.verify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dock.status.text().startswith("The chain is sound"), timeout=WAIT_MS)
    assert dock.status.text().startswith("The chain is sound: 4 rows checked; head ")
    with live_hub.store.db.writer.begin() as conn:  # someone hides where the guess came from
        conn.execute(update(s.audit).where(s.audit.c.seq == 1).values(address="10.0.0.1"))
    qtbot.mouseClick(dock.verify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "broken" in dock.status.text(), timeout=WAIT_MS)
    assert dock.status.text().startswith(
        "The chain is broken at row 1: its contents do not match its hash.")


def test_anyone_else_is_told_why_not(qtbot: Any, bridge_as: Callable[[str], Bridge]) -> None:  # noqa: F811
    dock = AuditDock(bridge_as("ctl"))
    qtbot.addWidget(dock)
    read(qtbot, dock)
    assert dock.status.text() == "Only an administrator may read the audit trail."
    assert dock.table.rowCount() == 0


def test_only_an_admins_window_has_the_dock(
        qtbot: Any, live_hub: HubThread, consoles: Consoles) -> None:  # noqa: F811
    admin = consoles(url_of(live_hub), "admin").windows[0]
    assert admin.audit is not None and "audit" in admin.docks
    assert admin.docks["audit"].windowTitle() == "Audit"
    controller = consoles(url_of(live_hub), "ctl").windows[0]
    assert controller.audit is None and "audit" not in controller.docks
