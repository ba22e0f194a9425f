"""The Grid workers dock against a real hub: a duty leader ranks a community's workers, opens
one worker's day and replays it, and exports the month as the pay office's sheet; a controller
is told why not; the dock speaks Chinese after a language switch."""

from __future__ import annotations

import uuid
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt

from console.comms.bridge import Bridge
from console.comms.clock import Clock as HubClock
from console.domain.model import Actor, Role
from console.domain.roster import Shift
from console.domain.rules import Rules
from console.store.writer import Command
from console.views.workers_dock import WorkersDock
from tests.hub.conftest import HubThread, add_users
from tests.hub.test_roster_checks import CHECKPOINT, IN_G000, NOW, north, register
from tests.views.conftest import log_in
from tests.views.live import WAIT_MS

#: NOW's day in Chengdu.
DAY = QDate(2026, 12, 7)
G1 = Actor("dev-G1", frozenset({Role.FIELD}), unit="G1")


@pytest.fixture
def worker_hub(tmp_path: Path, rules: Rules) -> Iterator[HubThread]:
    """G1–G3 of community c00 on a day: G1 on roster and on duty, a checkpoint passed."""
    thread = HubThread(f"sqlite:///{tmp_path}/hub.db", rules,
                       clock=HubClock(1, origin=NOW, real=lambda: 0.0))
    add_users(thread.store)
    for unit in ("G1", "G2", "G3"):
        register(thread.store, unit, "g000")
    thread.store.import_roster([Shift("G1-am", "G1", "shift", NOW, NOW.replace(hour=4))])
    thread.store.put_checkpoints([CHECKPOINT])
    thread.store.positions.append([("G1", *IN_G000, 0.0, 0.0, NOW),
                                   ("G1", *north(IN_G000, 30), 0.0, 0.0, NOW)])
    for name, args in (("unit.clock_in", {"id": "G1"}),
                       ("unit.checkpoint", {"id": "G1", "checkpoint": CHECKPOINT["id"]})):
        result = thread.store.execute(Command(str(uuid.uuid4()), name, args), G1)
        assert result.ok, result.error
    thread.start()
    yield thread
    thread.stop()


@pytest.fixture
def bridge_to(qtbot: Any, worker_hub: HubThread, rules: Rules
              ) -> Iterator[Callable[[str], Bridge]]:
    made: list[Bridge] = []

    def make(username: str) -> Bridge:
        bridge = Bridge(rules, backoff_base=0.05, backoff_cap=0.5)
        made.append(bridge)
        log_in(qtbot, bridge, worker_hub.port, username)
        return bridge

    yield make
    for bridge in made:
        bridge.shutdown()


def ranked(qtbot: Any, dock: WorkersDock) -> None:
    dock.day.setDate(DAY)
    dock.area.setCurrentIndex(dock.area.findData("c00"))
    qtbot.mouseClick(dock.show_button, Qt.MouseButton.LeftButton)
    assert dock.status.text() == "Asking the hub…"
    qtbot.waitUntil(lambda: dock.status.text() != "Asking the hub…", timeout=3 * WAIT_MS)


def test_a_duty_leader_ranks_opens_replays_and_exports(
        qtbot: Any, bridge_to: Callable[[str], Bridge], rules: Rules, tmp_path: Path) -> None:
    dock = WorkersDock(bridge_to("leader"), rules)
    qtbot.addWidget(dock)
    ranked(qtbot, dock)
    units = [dock.table.item(row, 0).text() for row in range(dock.table.rowCount())]
    assert units[0] == "G1" and sorted(units) == ["G1", "G2", "G3"]
    assert dock.table.item(0, 8).text() == "1 / 1"  # the one checkpoint of c00 passed

    dock.table.setCurrentCell(0, 0)
    qtbot.waitUntil(lambda: dock.replay_button.isEnabled(), timeout=WAIT_MS)
    assert "G1" in dock.figures.text() and "社区c00" not in dock.figures.text()
    with qtbot.waitSignal(dock.replay, timeout=WAIT_MS) as replayed:
        qtbot.mouseClick(dock.replay_button, Qt.MouseButton.LeftButton)
    unit, points, checkpoints = replayed.args
    assert unit == "G1" and [(p.lat, p.lon) for p in points] == [IN_G000, north(IN_G000, 30)]
    assert checkpoints == [(CHECKPOINT["lat"], CHECKPOINT["lon"], True, CHECKPOINT["en"])]

    sheet = tmp_path / "month.xlsx"
    dock.choose_path = lambda suggested: str(sheet)
    qtbot.mouseClick(dock.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: sheet.exists() and dock.export_button.isEnabled(), timeout=WAIT_MS)
    with zipfile.ZipFile(sheet) as book:
        strings = book.read("xl/sharedStrings.xml").decode("utf-8")
    assert all(unit in strings for unit in ("G1", "G2", "G3"))
    assert dock.status.text() == f"3 workers written to {sheet}"


def test_a_controller_is_told_why_not(qtbot: Any, bridge_to: Callable[[str], Bridge],
                                      rules: Rules) -> None:
    dock = WorkersDock(bridge_to("ctl"), rules)
    qtbot.addWidget(dock)
    ranked(qtbot, dock)
    assert dock.status.text() == ("Only a duty leader or an administrator may read grid "
                                  "workers' assessment.")
    assert dock.table.rowCount() == 0


def test_a_language_switch_retranslates_the_dock(qtbot: Any, bridge_to: Callable[[str], Bridge],
                                                 rules: Rules, tmp_path: Path) -> None:
    """Its own small catalogue (the project's .qm is built elsewhere): installing it sends the
    LanguageChange the console's switch sends."""
    import subprocess
    import sys

    from PySide6.QtCore import QCoreApplication, QTranslator

    ts, qm = tmp_path / "w.ts", tmp_path / "w.qm"
    pairs = {"Show": "显示", "Score": "得分", "Community": "社区",
             "Choose a worker to see the day.": "选择一名网格员查看当天情况。"}
    ts.write_text('<?xml version="1.0" encoding="utf-8"?><!DOCTYPE TS><TS version="2.1" '
                  'language="zh_CN"><context><name>WorkersDock</name>' + "".join(
                      f"<message><source>{s}</source><translation>{t}</translation></message>"
                      for s, t in pairs.items()) + "</context></TS>", encoding="utf-8")
    subprocess.run([str(Path(sys.executable).with_name("pyside6-lrelease")), "-silent",
                    str(ts), "-qm", str(qm)], check=True)
    dock = WorkersDock(bridge_to("leader"), rules)
    qtbot.addWidget(dock)
    translator = QTranslator()
    assert translator.load(str(qm))
    QCoreApplication.installTranslator(translator)
    try:
        qtbot.waitUntil(lambda: dock.show_button.text() == "显示", timeout=WAIT_MS)
        assert dock.table.horizontalHeaderItem(2).text() == "得分"
        assert dock.level.currentText() == "社区" and dock.level.currentData() == "community"
        assert dock.figures.text() == "选择一名网格员查看当天情况。"
    finally:
        QCoreApplication.removeTranslator(translator)
    qtbot.waitUntil(lambda: dock.show_button.text() == "Show", timeout=WAIT_MS)
