"""Helpers for widgets driven end to end against a real hub: more staff, more consoles, units.

Import the fixtures into a test module (``from tests.views.live import bridge_as, live_hub``):
this ``live_hub`` replaces the conftest's with one that also has an admin (who registers
units) and a call taker.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget

from console.comms.bridge import Bridge
from console.comms.client import CommandResult
from console.domain.rules import Rules
from console.ui.message import messages
from tests.hub.conftest import PASSWORD, Client, HubThread, add_users, incident_args
from tests.views.conftest import log_in

WAIT_MS = 10_000
#: Where the test incidents are: the small test district's street "mengzhuiwan".
HERE = (30.6675, 104.0925)


@pytest.fixture
def live_hub(tmp_path: Any, rules: Rules) -> Iterator[HubThread]:
    thread = HubThread(f"sqlite:///{tmp_path}/hub.db", rules)
    add_users(thread.store)
    now = datetime.now(UTC)
    thread.store.accounts.create_user("admin", PASSWORD, ["admin"], now=now)
    thread.store.accounts.create_user("taker", PASSWORD, ["call_taker"], now=now,
                                      display_name="Call taker Li")
    thread.start()
    yield thread
    thread.stop()


@pytest.fixture
def bridge_as(qtbot: Any, live_hub: HubThread, rules: Rules) -> Iterator[Callable[[str], Bridge]]:
    """Another console, logged in as ``username`` and live."""
    made: list[Bridge] = []

    def make(username: str) -> Bridge:
        bridge = Bridge(rules, backoff_base=0.05, backoff_cap=0.5)
        made.append(bridge)
        log_in(qtbot, bridge, live_hub.port, username)
        return bridge

    yield make
    for bridge in made:
        bridge.shutdown()


@pytest.fixture
def heard() -> Iterator[list[tuple[str, str]]]:
    """What reaches the app-wide message bus during the test."""
    log: list[tuple[str, str]] = []

    def keep(level: str, text: str) -> None:
        log.append((level, text))

    messages().message.connect(keep)
    yield log
    messages().message.disconnect(keep)


def submit(qtbot: Any, bridge: Bridge, name: str, args: dict[str, Any],
           expected_version: int | None = None) -> CommandResult:
    """Send a command through ``bridge`` and wait for its result."""
    results: list[CommandResult] = []
    bridge.submit(name, args, expected_version, callback=results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=WAIT_MS)
    return results[0]


def create(qtbot: Any, bridge: Bridge, **overrides: Any) -> str:
    """A new incident (a noise complaint at ``HERE`` by default), once the replica has it."""
    args = incident_args(location={"lat": HERE[0], "lon": HERE[1], "address": "建设路 1 号"})
    args.update(overrides)
    result = submit(qtbot, bridge, "incident.create", args)
    assert result.ok, result
    iid = str(result.data["id"])
    qtbot.waitUntil(lambda: iid in bridge.replica.incidents, timeout=WAIT_MS)
    return iid


def register_units(hub: HubThread, units: list[tuple[str, str, float, float]],
                   kinds: dict[str, str] | None = None) -> None:
    """Register ``(id, status, lat, lon)`` units as the admin and report their positions;
    grid workers unless ``kinds`` gives a unit another type."""
    admin = Client(hub.port)
    field = Client(hub.port, "/field")
    try:
        admin.login("admin")
        for unit_id, status, _, _ in units:
            # (not Client.command: its own first parameter is called ``name``)
            admin.send({"type": "command", "id": f"register-{unit_id}", "name": "unit.register",
                        "args": {"id": unit_id, "name": f"Grid worker {unit_id}",
                                 "type": (kinds or {}).get(unit_id, "grid_worker"),
                                 "status": status, "street": "street.mengzhuiwan"}})
            reply = admin.until("result")
            assert reply["ok"], reply
        field.login("gateway")
        field.send({"type": "positions",
                    "units": [[unit_id, lat, lon, 0.0, 0.0] for unit_id, _, lat, lon in units]})
        field.send({"type": "ping", "id": "sent"})
        field.until("pong")
    finally:
        admin.close()
        field.close()


def state_of(bridge: Bridge, iid: str) -> str:
    return bridge.replica.incidents[iid].state.value


def wait_state(qtbot: Any, bridge: Bridge, iid: str, state: str) -> None:
    qtbot.waitUntil(lambda: state_of(bridge, iid) == state, timeout=WAIT_MS)


def activate(qtbot: Any, widget: QWidget) -> None:
    """Show ``widget`` as the active window, so that shortcuts and focus work."""
    widget.show()
    widget.activateWindow()
    widget.raise_()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget.window(), timeout=WAIT_MS)


def key(qtbot: Any, which: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
        ) -> None:
    """Press a key where the keyboard focus is."""
    target = QApplication.focusWidget()
    assert target is not None, "nothing has the keyboard focus"
    qtbot.keyClick(target, which, modifier)


def type_text(qtbot: Any, text: str, target: QWidget | None = None) -> None:
    """Type ``text`` where the keyboard focus is (or into ``target``).

    ASCII goes as key presses; Chinese as an input method commits it (QTest cannot press keys
    outside ASCII, and a real keyboard does not either: the IME sends the committed text).
    """
    target = target or QApplication.focusWidget()
    assert target is not None, "nothing has the keyboard focus"
    for ascii_part, other in re.findall(r"([\x00-\x7f]+)|([^\x00-\x7f]+)", text):
        if ascii_part:
            qtbot.keyClicks(target, ascii_part)
        else:
            event = QInputMethodEvent()
            event.setCommitString(other)
            QApplication.sendEvent(target, event)
