"""The emergency board and the major-incident banner, end to end on real consoles and a real hub:
a major incident declared on the duty leader's console shows its banner on a controller's
within a second, with the sound; a broadcast changes it, the stand-down removes it, and every
step is in the hub's log. Early warnings reach the board and are acknowledged from it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt

from console.comms.clock import Clock
from console.domain.model import Actor, Role
from console.domain.rules import Rules
from console.store.store import Store
from console.store.writer import Command
from console.views.alerts import alert_sound
from console.views.main_window import MainWindow
from console.views.major_dialogs import (
    CommitDialog,
    DeclareDialog,
    LinkDialog,
    MajorTextDialog,
)
from tests.hub.conftest import HubThread, add_users, incident_args
from tests.views.live import (  # noqa: F401 - fixtures
    HERE,
    WAIT_MS,
    activate,
    live_hub,
    register_units,
    submit,
)
from tests.views.test_console import Consoles, consoles, url_of, window_of  # noqa: F401

CTRL = Qt.KeyboardModifier.ControlModifier
pytestmark = pytest.mark.filterwarnings("ignore:This plugin does not support:UserWarning")


def banner_within(qtbot: Any, window: MainWindow, check: Any) -> float:
    """Wait (at most 1 s) until ``check(banner)`` holds on ``window``; the seconds it took."""
    started = time.monotonic()
    qtbot.waitUntil(lambda: bool(check(window.alerts.major)), timeout=1_000)
    return time.monotonic() - started


def test_a_major_incident_declared_on_one_console_is_a_banner_on_another(
        qtbot: Any, live_hub: HubThread, consoles: Consoles) -> None:  # noqa: F811
    register_units(live_hub, [("U2", "available", HERE[0] + 0.001, HERE[1])])
    leader_app = consoles(url_of(live_hub), "leader")
    controller_app = consoles(url_of(live_hub), "ctl")
    leader, controller = window_of(leader_app), window_of(controller_app)
    board = leader.board
    assert leader.docks["emergency_board"].isCurrentTab()  # a duty leader's desk opens on it
    assert not controller.alerts.major.isVisible()
    incident = submit(qtbot, controller_app.bridge, "incident.create", incident_args(
        location={"lat": HERE[0], "lon": HERE[1], "address": "建设路 1 号"})).data["id"]
    # The controller may see the board but not act on it.
    assert not controller.board.buttons["major.declare"].isEnabled()
    assert "may not declare major incidents" in controller.board.buttons[
        "major.declare"].toolTip()

    # Declare, from the keyboard.
    activate(qtbot, leader)
    board.majors.setFocus()
    qtbot.keyClick(board.majors, Qt.Key.Key_D, CTRL)
    dialog = board.dialog
    assert isinstance(dialog, DeclareDialog)
    dialog.level.setCurrentIndex(dialog.level.findData("II"))
    dialog.title.setText("建设路燃气管道泄漏")
    dialog.commander.setText("王局长")
    dialog.centre.setText(f"{HERE[0]}, {HERE[1]}")
    dialog.radius.setValue(800)
    dialog.message.setPlainText("建设路全线封闭，周边单位听从现场指挥")
    dialog.accept()
    took = banner_within(qtbot, controller, lambda b: b.isVisible() and b.shown)
    print(f"banner on the second console {took * 1000:.0f} ms after the declaration")
    (mid,) = controller.alerts.major.shown
    text = controller.alerts.major.text()
    for part in ("Level II", mid, "建设路燃气管道泄漏", "王局长", "建设路全线封闭"):
        assert part in text
    # The declaring console too, by its own event stream: each console's link runs in its
    # own process, so the two banners arrive in no fixed order.
    banner_within(qtbot, leader, lambda b: b.isVisible() and b.shown == [mid])
    major = controller_app.bridge.replica.major_incidents[mid]
    assert (mid, major.declared_at) in alert_sound(controller_app.bridge).played
    qtbot.waitUntil(lambda: board.current_major() is not None, timeout=WAIT_MS)
    assert board.current_major().id == mid  # type: ignore[union-attr]
    assert board.summary.text() == "Active major incidents: 1"

    # Link the incident in hand, commit a unit, note.
    board.set_incident(incident)
    board.trigger("major.link")
    assert isinstance(board.dialog, LinkDialog)
    assert board.dialog.incident.text() == incident and incident in board.dialog.candidates
    board.dialog.accept()
    qtbot.waitUntil(lambda: board.linked.count() == 1, timeout=WAIT_MS)
    board.trigger("major.commit")
    assert isinstance(board.dialog, CommitDialog)
    board.dialog.choose("U2")
    board.dialog.accept()
    qtbot.waitUntil(lambda: board.units.count() == 1, timeout=WAIT_MS)
    activate(qtbot, leader)
    board.majors.setFocus()
    qtbot.keyClick(board.majors, Qt.Key.Key_T, CTRL)
    assert isinstance(board.dialog, MajorTextDialog)
    board.dialog.text.setPlainText("现场已疏散 200 人")
    board.dialog.accept()
    qtbot.waitUntil(lambda: board.timeline.count() == 4, timeout=WAIT_MS)
    assert "noted: 现场已疏散 200 人" in board.timeline.item(3).text()

    # A broadcast changes every banner, with the sound again.
    board.trigger("major.broadcast")
    assert isinstance(board.dialog, MajorTextDialog)
    board.dialog.text.setPlainText("十分钟后恢复供气，请各单位报告到位情况")
    board.dialog.accept()
    took = banner_within(qtbot, controller,
                         lambda b: "十分钟后恢复供气" in b.text())
    print(f"broadcast on the second console {took * 1000:.0f} ms after it was sent")
    major = controller_app.bridge.replica.major_incidents[mid]
    assert (mid, major.message_at) in alert_sound(controller_app.bridge).played

    # Stand down: the banner goes.
    board.trigger("major.stand_down")
    assert isinstance(board.dialog, MajorTextDialog)
    board.dialog.text.setPlainText("泄漏已处置，道路恢复通行")
    board.dialog.accept()
    took = banner_within(qtbot, controller, lambda b: not b.isVisible())
    print(f"banner gone from the second console {took * 1000:.0f} ms after the stand-down")
    qtbot.waitUntil(lambda: not leader.alerts.major.isVisible(), timeout=WAIT_MS)
    assert not board.buttons["major.broadcast"].isEnabled()
    assert "stood down" in board.majors.topLevelItem(0).text(6)

    # Every step is in the hub's log, by the duty leader.
    steps = [(e.event.name, e.event.actor) for e in live_hub.store.events_after(0)
             if e.event.name.startswith("major.")]
    assert steps == [(name, "leader") for name in (
        "major.declared", "major.incident_linked", "major.unit_committed", "major.noted",
        "major.broadcast", "major.stood_down")]


@pytest.fixture
def warning_hub(tmp_path: Any, rules: Rules) -> Iterator[HubThread]:
    """A hub whose record goes back a day (one old incident), so the detector may raise."""
    url = f"sqlite:///{tmp_path}/warnings.db"
    now = datetime.now(UTC)
    old = Store(url, rules, clock=lambda: now - timedelta(hours=25))
    assert old.execute(Command("old", "incident.create", incident_args(
        category="city.streetlight")), Actor("ctl", frozenset({Role.CONTROLLER}))).ok
    old.close()
    thread = HubThread(url, rules, clock=Clock(origin=now))
    add_users(thread.store)
    thread.start()
    yield thread
    thread.stop()


def test_an_early_warning_is_listed_and_acknowledged_by_the_duty_leader(
        qtbot: Any, warning_hub: HubThread, consoles: Consoles) -> None:  # noqa: F811
    leader_app = consoles(url_of(warning_hub), "leader")
    controller_app = consoles(url_of(warning_hub), "ctl")
    board = window_of(leader_app).board
    created = []
    for n in range(3):  # three gas leaks in one grid cell within a minute
        created.append(submit(qtbot, controller_app.bridge, "incident.create", incident_args(
            category="safety.gas_leak", priority="P1", description=f"燃气味 {n}",
            location={"lat": HERE[0], "lon": HERE[1]})).data["id"])
    started = time.monotonic()
    qtbot.waitUntil(lambda: len(board.warning_rows()) == 1, timeout=WAIT_MS)
    print(f"warning on the board {(time.monotonic() - started) * 1000:.0f} ms after the "
          "third incident's result")
    (warning_id,) = board.warning_rows()
    row = board.warnings.topLevelItem(0)
    assert "3 in 60 min" in row.text(3) and row.text(4) == "unacknowledged"
    assert "grid" in row.text(2)
    assert "1 unacknowledged" in board.warnings_title.text()
    assert board.bridge.replica.warnings[warning_id].incidents == tuple(created)
    # The controller's board lists it too, but only the duty leader acknowledges.
    controller_board = window_of(controller_app).board
    qtbot.waitUntil(lambda: controller_board.warning_rows() == [warning_id], timeout=WAIT_MS)
    assert not controller_board.buttons["warning.acknowledge"].isEnabled()

    activate(qtbot, board.window())
    board.warnings.setFocus()
    qtbot.keyClick(board.warnings, Qt.Key.Key_K, CTRL)
    qtbot.waitUntil(lambda: board.warnings.topLevelItem(0).text(4).startswith(
        "acknowledged by leader"), timeout=WAIT_MS)
    assert "0 unacknowledged" in board.warnings_title.text()
    assert not board.buttons["warning.acknowledge"].isEnabled()
    names = [e.event.name for e in warning_hub.store.events_after(0)]
    assert names.count("warning.raised") == 1 and names[-1] == "warning.acknowledged"
