"""Recommended units against a real hub: a gas leak's plan ranks the emergency team and community
police ahead of nearer grid workers, the panel puts the ETA first and sends one unit per choice
(a double click or a second Enter dispatches once), and the command line's ``D 123 `` completes
with the recommended units soonest first while ``D 123`` proposes the top one for Enter."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from console.comms.bridge import Bridge
from console.domain.rules import Rules
from console.map.nearest import TravelTimes
from console.map.nearest_panel import DISTANCE, ETA, PLAN, UNIT, NearestPanel
from console.ui.names import unit_type_name
from console.views.command_line import CommandLine
from console.views.map_dock import MapDock
from tests.hub.conftest import Client, HubThread
from tests.map.helpers import WAIT_MS, map_settings
from tests.views import live
from tests.views.live import HERE, create, submit, wait_state

live_hub = live.live_hub
bridge_as = live.bridge_as

#: (id, type, skills, metres north of the incident): the grid workers are nearest.
UNITS = [("G1", "grid_worker", [], 80), ("G2", "grid_worker", ["mediation"], 150),
         ("E1", "emergency", ["rescue", "first_aid"], 2_600),
         ("P1", "community_police", ["law_enforcement"], 1_300),
         ("W1", "department_crew", ["plumbing"], 900)]


def register(hub: HubThread, units: list[tuple[str, str, list[str], float]]) -> None:
    """Register units of these types and skills as the admin and report where they are."""
    admin, field = Client(hub.port), Client(hub.port, "/field")
    try:
        admin.login("admin")
        for unit_id, kind, skills, _ in units:
            admin.send({"type": "command", "id": f"register-{unit_id}", "name": "unit.register",
                        "args": {"id": unit_id, "name": f"Team {unit_id}", "type": kind,
                                 "status": "available", "skills": skills,
                                 "street": "street.mengzhuiwan"}})
            reply = admin.until("result")
            assert reply["ok"], reply
        field.login("gateway")
        field.send({"type": "positions", "units": [
            [unit_id, HERE[0] + metres / 111_195, HERE[1], 0.0, 0.0]
            for unit_id, _, _, metres in units]})
        field.send({"type": "ping", "id": "sent"})
        field.until("pong")
    finally:
        admin.close()
        field.close()


@pytest.fixture
def gas_leak(qtbot: Any, tmp_path: Path, rules: Rules, live_hub: HubThread,
             bridge_as: Callable[[str], Bridge]) -> tuple[Bridge, MapDock, str]:
    """A controller's console (its map dock never shown: no browser engine, the feed still
    follows the hub) with the units placed and an accepted gas leak at ``HERE``."""
    bridge = bridge_as("ctl")
    dock = MapDock(bridge, rules, map_settings(tmp_path))
    qtbot.addWidget(dock)
    register(live_hub, UNITS)
    qtbot.waitUntil(lambda: all(dock.units.position(u[0]) is not None for u in UNITS),
                    timeout=WAIT_MS)
    iid = create(qtbot, bridge, category="safety.gas_leak", priority="P1",
                 description="煤气味很重")
    assert submit(qtbot, bridge, "incident.accept", {"id": iid}).ok
    wait_state(qtbot, bridge, iid, "accepted")
    return bridge, dock, iid


def assignments(hub: HubThread, iid: str) -> list[str]:
    """The units the hub has stored as sent to ``iid``."""
    incident = hub.store.incident(iid)
    assert incident is not None
    return [a.unit for a in incident.assignments]


def test_a_gas_leak_ranks_the_plan_first_by_eta_and_a_double_click_dispatches_once(
        qtbot: Any, rules: Rules, live_hub: HubThread,
        gas_leak: tuple[Bridge, MapDock, str]) -> None:
    bridge, dock, iid = gas_leak
    panel = NearestPanel(bridge, rules, dock.units, TravelTimes.load(), unit_type_name)
    qtbot.addWidget(panel)
    panel.resize(360, 300)
    panel.show_for(iid)
    qtbot.waitUntil(lambda: len(panel.rows) == len(UNITS), timeout=WAIT_MS)
    # The community police and the emergency team (the plan) before the nearer grid workers;
    # no gas crew is on duty, the plumbers do not fit.
    assert [r.unit_id for r in panel.rows] == ["P1", "E1", "G1", "G2", "W1"]
    etas = [r.eta_s for r in panel.rows]
    assert etas[:2] == sorted(etas[:2]) and etas[2:] == sorted(etas[2:])
    assert panel.rows[2].distance_m < panel.rows[0].distance_m  # nearer, yet after
    tree = panel.units
    header = tree.headerItem()
    assert (header.text(ETA), header.text(PLAN), header.text(UNIT)) == ("ETA", "Plan", "Unit")
    first = tree.topLevelItem(0)
    assert first.text(PLAN) == "recommended" and first.text(UNIT) == "P1  Team P1"
    assert tree.topLevelItem(2).text(PLAN) == "" and tree.topLevelItem(2).text(DISTANCE) == "80 m"
    # Nothing is cut off: every column is as wide as its widest cell and its title.
    for column in range(tree.columnCount()):
        assert tree.header().sectionSize(column) >= tree.sizeHintForColumn(column), column
        assert tree.header().sectionSize(column) >= tree.header().sectionSizeHint(column), column

    # A double click on the first row sends P1, once.
    qtbot.waitUntil(panel.dispatch_button.isEnabled, timeout=WAIT_MS)
    with qtbot.waitSignal(panel.dispatched, timeout=WAIT_MS) as sent:
        at = tree.visualItemRect(first).center()
        # A real double click: the first click's press and release, then the double click.
        qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=at)
        qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=at)
        assert not panel.dispatch()  # a second send while the first is in flight: refused
    assert sent.args == [iid, "P1"]
    qtbot.waitUntil(lambda: "P1" not in [r.unit_id for r in panel.rows], timeout=WAIT_MS)
    # Enter again once the answer is in: no unit is chosen any more, nothing goes.
    assert panel.chosen_unit() is None and not panel.dispatch_button.isEnabled()
    tree.setFocus()
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert not panel._sending
    assert assignments(live_hub, iid) == ["P1"]
    assert [a.unit for a in bridge.replica.incidents[iid].assignments] == ["P1"]
    # Choosing the next unit is the user's act; then it goes.
    panel.choose("E1")
    with qtbot.waitSignal(panel.dispatched, timeout=WAIT_MS):
        qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert assignments(live_hub, iid) == ["P1", "E1"]


def test_d_with_a_space_completes_with_the_plan_soonest_first_and_d_alone_proposes(
        qtbot: Any, live_hub: HubThread, gas_leak: tuple[Bridge, MapDock, str]) -> None:
    bridge, dock, iid = gas_leak
    line = CommandLine(bridge)
    line.recommender = dock.nearest.recommend_for
    qtbot.addWidget(line)
    line.show()
    number = iid.rpartition("-")[2].lstrip("0")

    qtbot.keyClicks(line.edit, f"D {number} ")
    assert line.completions()[:5] == ["P1", "E1", "G1", "G2", "W1"]
    assert line.popup.isVisible()
    labels = [line._completions.item(row).text() for row in range(2)]
    assert labels[0].startswith("P1  ") and "recommended" in labels[0]
    # A typed prefix narrows the recommendation.
    qtbot.keyClicks(line.edit, "E")
    assert line.completions()[0] == "E1"
    line.clear()

    # D 123 alone: the top unit is proposed, nothing is sent until Enter.
    qtbot.keyClicks(line.edit, f"D {number}")
    line.popup.hide()
    qtbot.keyClick(line.edit, Qt.Key.Key_Return)
    assert "P1" in line.outcome.text() and line.edit.text() == f"D {number}"
    assert assignments(live_hub, iid) == []
    # Esc cancels.
    qtbot.keyClick(line.edit, Qt.Key.Key_Escape)
    assert line.outcome.text() == "Not dispatched." and line.edit.text() == ""
    qtbot.keyClicks(line.edit, f"D {number}")
    line.popup.hide()
    qtbot.keyClick(line.edit, Qt.Key.Key_Return)
    with qtbot.waitSignal(line.answered, timeout=WAIT_MS) as answered:
        qtbot.keyClick(line.edit, Qt.Key.Key_Return)
    assert answered.args == [True, f"P1 dispatched to {iid}."]
    assert assignments(live_hub, iid) == ["P1"]
