"""A controller's shift alerts, end to end on a real console and a real hub: a new P1 rings and
its row flashes until acknowledged (F9); a clock alerts once at 80 % and once at its deadline;
the status bar counts what waits and F8 jumps to the oldest. The world runs on a fixed clock
(the hub's and the console's alike), moved on by the test."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt

from console.comms.bridge import Bridge
from console.comms.clock import Clock, hub_clock
from console.comms.replica import UserInfo
from console.domain.rules import Rules
from console.domain.sla import ClockLevel
from console.views.alerts import alert_sound
from console.views.main_window import MainWindow
from console.views.queue_dock import FLASH, ROW_SHADES, IncidentQueue
from console.views.shift_alerts import (
    AlertKind,
    ShiftAlerts,
    in_scope,
    setting_key,
    shift_alerts,
    sounds_by_default,
)
from tests.hub.conftest import PASSWORD, HubThread, add_users
from tests.views.conftest import log_in, new_incident
from tests.views.live import WAIT_MS, activate, create, submit
from tests.views.test_console import Consoles, consoles, url_of, window_of  # noqa: F401

pytestmark = pytest.mark.filterwarnings("ignore:This plugin does not support:UserWarning")
#: Wednesday 2026-11-25, 08:00 in Chengdu: a working morning, whatever the machine's clock says.
ORIGIN = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)
BACKGROUND = Qt.ItemDataRole.BackgroundRole


@pytest.fixture
def fixed_hub(tmp_path: Any, rules: Rules) -> Iterator[HubThread]:
    thread = HubThread(f"sqlite:///{tmp_path}/hub.db", rules, clock=Clock(origin=ORIGIN))
    add_users(thread.store)
    thread.store.accounts.create_user("taker", PASSWORD, ["call_taker"], now=ORIGIN)
    thread.start()
    yield thread
    thread.stop()


def advance(hub: HubThread, to: datetime) -> None:
    """Move the world to ``to`` at once, on the hub and in the console alike."""
    hub.config.clock.follow(to, 1.0)
    hub_clock.follow(to, 1.0)


def row_background(window: MainWindow, iid: str) -> Any:
    model = window.queue.model
    return model.data(model.index(model.row_of(iid), 0), BACKGROUND)


def test_a_new_p1_rings_and_flashes_until_acknowledged(
        qtbot: Any, fixed_hub: HubThread, consoles: Consoles) -> None:  # noqa: F811
    app = consoles(url_of(fixed_hub), "ctl")
    window = window_of(app)
    alerts, sound = window.shift, alert_sound(app.bridge)
    quiet = create(qtbot, app.bridge, priority="P3")
    urgent = create(qtbot, app.bridge, priority="P1")
    qtbot.waitUntil(lambda: urgent in alerts.pending, timeout=WAIT_MS)
    assert (urgent, "new") in sound.played
    assert quiet not in alerts.pending and not any(quiet in key for key in sound.played)
    assert alerts.unaccepted == {quiet, urgent}
    assert window.alert_controls.counter.text() == "Waiting 2 · Overdue 0"
    # The row flashes: the flash colour and its own shade by turns.
    qtbot.waitUntil(lambda: row_background(window, urgent) is FLASH, timeout=2_000)
    qtbot.waitUntil(lambda: row_background(window, urgent) is not FLASH, timeout=2_000)
    assert row_background(window, quiet) is None

    # Unacknowledged, it rings again; the key silences it.
    alerts.REPEAT_S = 0.0
    alerts.tick()
    assert (urgent, "new") in sound.repeated
    activate(qtbot, window)
    window.queue.select_incident(urgent)
    qtbot.keyClick(window.queue.table, Qt.Key.Key_F9)
    assert urgent not in alerts.pending
    repeated = len(sound.repeated)
    alerts.tick()
    assert len(sound.repeated) == repeated
    qtbot.waitUntil(lambda: row_background(window, urgent) is None, timeout=2_000)
    assert alerts.unaccepted == {quiet, urgent}  # acknowledged is not accepted

    # F8 shows the oldest case waiting.
    window.queue.table.clearSelection()
    qtbot.keyClick(window.queue.table, Qt.Key.Key_F8)
    assert window.detail.incident_id == quiet and window.incident_in_hand() == quiet

    # A second P1 with its sound turned off flashes but does not ring.
    window.alert_controls.sound_actions[AlertKind.NEW].setChecked(False)
    assert not alerts.sounds(AlertKind.NEW)
    silent = create(qtbot, app.bridge, priority="P1")
    qtbot.waitUntil(lambda: silent in alerts.pending, timeout=WAIT_MS)
    assert (silent, "new") not in sound.played


def test_a_flash_repaints_the_waiting_rows_on_screen_only(
        qtbot: Any, fixed_hub: HubThread, consoles: Consoles,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A queue may hold thousands of alerts nobody scrolls to: each flash looks at the rows on
    screen, never at every waiting alert."""
    app = consoles(url_of(fixed_hub), "ctl")
    window = window_of(app)
    alerts = window.shift
    urgent = create(qtbot, app.bridge, priority="P1")
    qtbot.waitUntil(lambda: urgent in alerts.pending, timeout=WAIT_MS)
    for n in range(5_000):  # waiting alerts of cases this queue does not show
        alerts.pending[f"INC-elsewhere-{n}"] = []
    refreshed: list[list[str]] = []
    monkeypatch.setattr(window.queue.model, "refresh_rows", refreshed.append)
    alerts.flashed.emit()
    assert refreshed == [[urgent]]


@pytest.fixture
def desk(qtbot: Any, fixed_hub: HubThread, rules: Rules, tmp_path: Any
         ) -> Iterator[tuple[Bridge, ShiftAlerts, IncidentQueue]]:
    """A controller's connection with its alerts and a queue: no whole console needed."""
    bridge = Bridge(rules, backoff_base=0.05, backoff_cap=0.5)
    log_in(qtbot, bridge, fixed_hub.port, "ctl")
    settings = QSettings(str(tmp_path / "console.ini"), QSettings.Format.IniFormat)
    alerts = shift_alerts(bridge, settings)
    queue = IncidentQueue(bridge, rules)
    queue.follow_alerts(alerts)
    yield bridge, alerts, queue
    queue.deleteLater()
    bridge.shutdown()


def played(sound: Any, iid: str, kind: str) -> int:
    return len([key for key in sound.played if key[:2] == (iid, kind)])


def test_a_clock_alerts_once_at_80_percent_and_once_at_its_deadline(
        qtbot: Any, fixed_hub: HubThread,
        desk: tuple[Bridge, ShiftAlerts, IncidentQueue]) -> None:
    bridge, alerts, queue = desk
    sound = alert_sound(bridge)
    alerts.set_sounds(AlertKind.NEW, False)  # only the clock's alerts here
    older = create(qtbot, bridge, priority="P3")
    advance(fixed_hub, hub_clock.now() + timedelta(seconds=30))
    iid = create(qtbot, bridge, priority="P3")
    clock = bridge.replica.deadlines[iid]
    assert clock is not None
    amber_at = clock.started_at + (clock.due_at - clock.started_at) * 0.8
    model = queue.model

    def background() -> Any:
        return model.data(model.index(model.row_of(iid), 0), BACKGROUND)

    advance(fixed_hub, amber_at - timedelta(seconds=1))
    alerts.tick()
    assert iid not in alerts.pending and played(sound, iid, "amber") == 0
    assert background() is None
    advance(fixed_hub, amber_at + timedelta(seconds=1))
    alerts.tick()
    assert played(sound, iid, "amber") == 1 and iid in alerts.pending
    model.tick()
    assert background() in (FLASH, ROW_SHADES[ClockLevel.AMBER])  # the whole row
    alerts.tick()
    assert played(sound, iid, "amber") == 1  # once

    advance(fixed_hub, clock.due_at + timedelta(seconds=1))
    alerts.tick()
    assert played(sound, iid, "overdue") == 1
    # The overdue alert takes the amber one's place: one alert waits for the clock.
    assert [a.kind for a in alerts.pending[iid]] == [AlertKind.OVERDUE]
    assert alerts.overdue == {older, iid}  # the older one crossed too
    assert played(sound, older, "amber") == 1 and played(sound, older, "overdue") == 1
    alerts.tick()
    assert played(sound, iid, "overdue") == 1
    assert alerts.oldest() == older

    # Accepting a case ends its alerts and takes it off the waiting count; its next clock
    # (assignment) runs from now, and nothing of it is overdue any more.
    assert alerts.acknowledge(older) == older and older not in alerts.pending
    version = bridge.replica.incidents[iid].version
    assert submit(qtbot, bridge, "incident.accept", {"id": iid}, version).ok
    qtbot.waitUntil(lambda: iid not in alerts.unaccepted, timeout=WAIT_MS)
    assert iid not in alerts.pending and iid not in alerts.overdue
    assert alerts.oldest() == older

    # A case that ends leaves nothing behind in the alerts' bookkeeping (a console runs for
    # weeks).
    assert submit(qtbot, bridge, "incident.reject", {"id": older, "reason": "重复来电"},
                  bridge.replica.incidents[older].version).ok
    qtbot.waitUntil(lambda: older not in alerts.unaccepted, timeout=WAIT_MS)
    assert older not in alerts._scheduled
    assert older not in alerts.pending and alerts.oldest() is None


def test_alerts_follow_the_users_scope() -> None:
    case = new_incident(1)
    desk = UserInfo("desk-env", "Desk", ("department",), department="environment")
    other = UserInfo("desk-water", "Desk", ("department",), department="water")
    assert not in_scope(desk, case) and not in_scope(other, case)
    led = case.__class__(**{**case.__dict__, "lead_department": "environment"})
    co = case.__class__(**{**case.__dict__, "lead_department": "water",
                           "co_handlers": ("environment",)})
    assert in_scope(desk, led) and in_scope(desk, co) and in_scope(other, co)
    assert in_scope(UserInfo("ctl", "C", ("controller",)), case)
    assert not in_scope(UserInfo("admin", "A", ("admin",)), case)
    assert not in_scope(UserInfo("liaison", "L", ("police_liaison",)), case)  # not a police case
    assert not in_scope(None, case)
    # A wall display starts quiet; a desk starts hearing.
    assert not sounds_by_default(UserInfo("wall", "W", ("viewer",)))
    assert sounds_by_default(desk)


def test_sound_settings_are_kept_per_account(qapp: Any, tmp_path: Any) -> None:
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    a, b = UserInfo("a", "A", ("controller",)), UserInfo("b", "B", ("controller",))
    settings.setValue(setting_key(a, AlertKind.AMBER), False)
    assert setting_key(a, AlertKind.AMBER) != setting_key(b, AlertKind.AMBER)
    assert settings.value(setting_key(b, AlertKind.AMBER), True) is True
