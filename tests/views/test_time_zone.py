"""Times are shown in the district's zone (Asia/Shanghai), whatever the workstation's zone is.

The machine's zone is set to New York for these tests (``TZ`` and ``time.tzset``), where the
hub's world time — Monday 2026-11-23 01:00 UTC, frozen — is Sunday evening 20:00; the console
must still show Monday 09:00 in the status bar, the queue, the detail and the timeline, until
the user picks this computer's own zone in *Settings → Time zone*.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QSettings, Qt

from console.comms.clock import Clock
from console.domain.rules import Rules
from console.ui import times
from console.views.app import ConsoleApp
from console.views.queue_columns import Column
from tests.hub.conftest import PASSWORD, Client, HubThread, add_users, incident_args
from tests.views.live import HERE, WAIT_MS

pytestmark = pytest.mark.filterwarnings("ignore:This plugin does not support:UserWarning")
#: Monday 2026-11-23 09:00 in the district; Sunday 20:00 in New York.
ORIGIN = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


@pytest.fixture
def new_york() -> Iterator[None]:
    before = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()
    times.use_zone(ZoneInfo(times.DEFAULT_ZONE))  # whatever a test chose, for the next ones


@pytest.fixture
def frozen_hub(tmp_path: Path, rules: Rules) -> Iterator[HubThread]:
    """A hub whose world clock stands still at :data:`ORIGIN`."""
    thread = HubThread(f"sqlite:///{tmp_path}/hub.db", rules,
                       clock=Clock(origin=ORIGIN, real=lambda: 1_000_000.0))
    add_users(thread.store)
    thread.start()
    yield thread
    thread.stop()


def test_the_machine_zone_is_really_another(new_york: None) -> None:
    assert ORIGIN.astimezone().strftime("%m-%d %H:%M") == "11-22 20:00"
    assert times.computer_zone().utcoffset(ORIGIN) == timedelta(hours=-5)
    assert times.time_text(ORIGIN, "%m-%d %H:%M") == "11-23 09:00"


def test_the_console_shows_shanghai_time_on_a_new_york_machine(
        qtbot: Any, tmp_path: Path, rules: Rules, frozen_hub: HubThread,
        new_york: None) -> None:
    ctl = Client(frozen_hub.port)
    try:
        ctl.login("ctl")
        reply = ctl.command("incident.create", **incident_args(
            location={"lat": HERE[0], "lon": HERE[1], "address": "建设路 1 号"}))
        assert reply["ok"], reply
        incident = str(reply["data"]["id"])
    finally:
        ctl.close()
    assert incident.startswith("CH-20261123-")  # the id's date is the district's day

    settings = QSettings(str(tmp_path / "console.ini"), QSettings.Format.IniFormat)
    settings.setValue("language", "en")
    app = ConsoleApp(rules, settings, backoff_base=0.05, backoff_cap=0.5)
    try:
        app.log_in(f"ws://127.0.0.1:{frozen_hub.port}/ws", "leader", PASSWORD)
        qtbot.waitUntil(lambda: bool(app.windows) and app.bridge.state == "live"
                        and incident in app.bridge.replica.incidents, timeout=WAIT_MS)
        window = app.windows[0]
        # The console's copy of the world clock runs on from the hub's time at login.
        qtbot.waitUntil(lambda: window.status.clock.text().startswith("2026-11-23 09:"),
                        timeout=WAIT_MS)

        window.open_and_select(incident)
        qtbot.waitUntil(lambda: window.detail.incident_id == incident, timeout=WAIT_MS)
        assert window.detail.fields["created"].text().startswith("09:00")
        qtbot.waitUntil(lambda: any(line.startswith("09:00")
                                    for line in window.detail.timeline_lines()),
                        timeout=WAIT_MS)
        model = window.queue.model
        row = next(r for r in range(model.rowCount())
                   if model.index(r, 0).data(Qt.ItemDataRole.UserRole).id == incident)
        due = model.index(row, Column.DEADLINE).data(Qt.ItemDataRole.ToolTipRole)
        assert "2026-11-23 09:" in due or "2026-11-23 10:" in due, due

        # This computer's own zone, when the user asks for it.
        window.time_zone.actions[times.COMPUTER].trigger()
        qtbot.waitUntil(lambda: window.status.clock.text().startswith("2026-11-22 20:"),
                        timeout=WAIT_MS)
        qtbot.waitUntil(lambda: window.detail.fields["created"].text().startswith("20:00"),
                        timeout=WAIT_MS)
        assert settings.value("time_zone") == times.COMPUTER
        window.time_zone.actions[times.DISTRICT].trigger()
        qtbot.waitUntil(lambda: window.status.clock.text().startswith("2026-11-23 09:"),
                        timeout=WAIT_MS)
    finally:
        app.quit()
