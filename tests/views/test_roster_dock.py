"""The unit roster dock against a real hub: grouping, filters, status changes from the context
menu and the shortcuts (reaching the hub and coming back through the replica), refusals shown,
the unit's incident opened."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from pytestqt.qtbot import QtBot

from console.comms.bridge import Bridge
from console.domain.model import AssignmentState, UnitStatus
from console.domain.rules import Rules
from console.ui.message import messages
from console.views.roster_columns import Column
from console.views.roster_dock import UnitRoster
from tests.hub.conftest import Client
from tests.views.conftest import log_in
from tests.views.test_command_line import create, register_units, unit

WAIT_MS = 10_000
MZW, SQZ = "street.mengzhuiwan", "street.shuangqiaozi"
UNITS = {"U1": "available", "U2": "available", "U3": "busy", "U4": "off_duty"}


@pytest.fixture
def fleet(live_hub: Any) -> dict[str, str]:
    """Four units: two grid workers in Mengzhuiwan, a patrol in Shuangqiaozi, an urban
    management team in Mengzhuiwan."""
    register_units(
        live_hub,
        unit("U1", name="Alpha"), unit("U2", name="Bravo"),
        unit("U3", name="Charlie", type="patrol", street=SQZ, status="busy"),
        unit("U4", name="Delta", type="urban_management", status="off_duty"))
    return UNITS


@pytest.fixture
def ctl_client(live_hub: Any) -> Iterator[Client]:
    client = Client(live_hub.port)
    client.login("ctl")
    yield client
    client.close()


@pytest.fixture
def heard(qapp: Any) -> Iterator[list[tuple[str, str]]]:
    got: list[tuple[str, str]] = []

    def keep(level: str, text: str) -> None:
        got.append((level, text))

    messages().message.connect(keep)
    yield got
    messages().message.disconnect(keep)


def make_roster(qtbot: QtBot, bridge: Bridge, rules: Rules, units: dict[str, str]) -> UnitRoster:
    qtbot.waitUntil(lambda: units.keys() <= bridge.replica.units.keys(), timeout=WAIT_MS)
    roster = UnitRoster(bridge, rules, language="en")
    qtbot.addWidget(roster)
    return roster


def outline(roster: UnitRoster, parent: QModelIndex | None = None) -> list[Any]:
    """Group rows as (label, children), unit rows as their id."""
    model, parent = roster.model, parent or QModelIndex()
    rows: list[Any] = []
    for row in range(model.rowCount(parent)):
        index = model.index(row, 0, parent)
        unit_ = index.data(Qt.ItemDataRole.UserRole)
        rows.append(unit_.id if unit_ else (index.data(), outline(roster, index)))
    return rows


def choose(combo: Any, data: Any) -> None:
    found = combo.findData(data)
    assert found >= 0, data
    combo.setCurrentIndex(found)


def select(roster: UnitRoster, *unit_ids: str) -> None:
    selection, flag = roster.tree.selectionModel(), QItemSelectionModel.SelectionFlag
    selection.setCurrentIndex(roster.model.index_of(unit_ids[-1]),
                              flag.ClearAndSelect | flag.Rows)
    for uid in unit_ids[:-1]:
        selection.select(roster.model.index_of(uid), flag.Select | flag.Rows)


def test_grouped_by_type_then_street_and_regrouped(qtbot: QtBot, live_bridge: Bridge,
                                                   rules: Rules, fleet: dict[str, str]) -> None:
    roster = make_roster(qtbot, live_bridge, rules, fleet)
    assert outline(roster) == [
        ("Grid worker (2)", [("Mengzhuiwan (2)", ["U1", "U2"])]),
        ("Urban management (1)", [("Mengzhuiwan (1)", ["U4"])]),
        ("Patrol (1)", [("Shuangqiaozi (1)", ["U3"])]),
    ]
    assert roster.tree.isExpanded(roster.model.index(0, 0))
    assert roster.count.text() == "4 unit(s)"
    grid = roster.model.index(0, 0)
    roster.tree.collapse(grid)  # a group the user closed stays closed when the filter changes
    choose(roster.status_filter, "available")
    assert not roster.tree.isExpanded(roster.model.index(0, 0))
    assert roster.tree.isExpanded(roster.model.index(0, 0, roster.model.index(0, 0)))
    choose(roster.status_filter, None)
    choose(roster.grouping, "street,type")
    assert roster.model.grouping == ("street", "type")
    assert [label for label, _ in outline(roster)] == ["Mengzhuiwan (3)", "Shuangqiaozi (1)"]
    choose(roster.grouping, "")
    assert outline(roster) == ["U1", "U2", "U3", "U4"]
    assert roster.settings()["grouping"] == []


def test_filters_by_type_street_status_and_text(qtbot: QtBot, live_bridge: Bridge,
                                                rules: Rules, fleet: dict[str, str]) -> None:
    roster = make_roster(qtbot, live_bridge, rules, fleet)
    choose(roster.grouping, "")
    choose(roster.type_filter, "grid_worker")
    assert outline(roster) == ["U1", "U2"]
    choose(roster.type_filter, None)
    choose(roster.street_filter, SQZ)
    assert outline(roster) == ["U3"]
    choose(roster.street_filter, None)
    choose(roster.status_filter, "off_duty")
    assert outline(roster) == ["U4"]
    assert roster.count.text() == "1 unit(s)"
    choose(roster.status_filter, None)
    roster.search.setText("bra")
    qtbot.waitUntil(lambda: outline(roster) == ["U2"], timeout=WAIT_MS)
    assert roster.settings() == {"grouping": [], "type": None, "street": None, "status": None,
                                 "search": "bra"}


def test_status_change_from_the_context_menu_reaches_the_hub(
        qtbot: QtBot, live_hub: Any, live_bridge: Bridge, rules: Rules, fleet: dict[str, str],
        heard: list[Any]) -> None:
    roster = make_roster(qtbot, live_bridge, rules, fleet)
    select(roster, "U1", "U2")
    assert roster.selected_units() == ["U1", "U2"]
    menu = roster.context_menu()
    busy = next(a for a in menu.actions() if a.data() == "busy")
    assert busy.isEnabled() and busy.text() == "Set Busy"
    assert busy.shortcut().toString() == "Ctrl+3"
    busy.trigger()
    units = live_bridge.replica.units
    qtbot.waitUntil(lambda: all(units[u].status is UnitStatus.BUSY for u in ("U1", "U2")),
                    timeout=WAIT_MS)
    assert live_hub.store.unit("U1").status is UnitStatus.BUSY
    qtbot.waitUntil(lambda: roster.outcome.text().endswith("is now Busy."), timeout=WAIT_MS)
    assert ("info", "U1 is now Busy.") in heard
    assert roster.model.index_of("U1", Column.STATUS).data() == "Busy"
    menu.deleteLater()


def test_status_change_by_shortcut(qtbot: QtBot, live_bridge: Bridge, rules: Rules,
                                   fleet: dict[str, str]) -> None:
    roster = make_roster(qtbot, live_bridge, rules, fleet)
    roster.show()
    qtbot.waitExposed(roster)
    roster.activateWindow()
    qtbot.waitUntil(roster.isActiveWindow, timeout=WAIT_MS)
    roster.tree.setFocus()
    select(roster, "U3")
    qtbot.keyClick(roster.tree, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(
        lambda: live_bridge.replica.units["U3"].status is UnitStatus.OUT_OF_SERVICE,
        timeout=WAIT_MS)


def test_a_refusal_is_shown(qtbot: QtBot, live_bridge: Bridge, rules: Rules,
                            fleet: dict[str, str], ctl_client: Client,
                            heard: list[Any]) -> None:
    iid = create(ctl_client)
    assert ctl_client.command("incident.dispatch", id=iid, unit="U1")["ok"]
    roster = make_roster(qtbot, live_bridge, rules, fleet)
    qtbot.waitUntil(lambda: live_bridge.replica.units["U1"].status is UnitStatus.DISPATCHED,
                    timeout=WAIT_MS)
    select(roster, "U1")
    with qtbot.waitSignal(roster.answered, timeout=WAIT_MS) as answer:
        roster.status_actions[UnitStatus.AVAILABLE].trigger()
    ok, text = answer.args
    assert not ok
    assert text == f"U1: Unit U1 is on assignment {iid}/1; clear or cancel it first."
    assert roster.outcome.text() == text and ("error", text) in heard
    assert live_bridge.replica.units["U1"].status is UnitStatus.DISPATCHED


def test_actions_are_off_for_a_role_that_may_not_change_statuses(
        qtbot: QtBot, live_hub: Any, rules: Rules, fleet: dict[str, str]) -> None:
    viewer = Bridge(rules, backoff_base=0.05, backoff_cap=0.5)
    try:
        log_in(qtbot, viewer, live_hub.port, "viewer")
        roster = make_roster(qtbot, viewer, rules, fleet)
        select(roster, "U1")
        roster.context_menu().deleteLater()
        assert not any(a.isEnabled() for a in roster.status_actions.values())
    finally:
        viewer.shutdown()


def test_double_click_opens_the_units_incident(qtbot: QtBot, live_bridge: Bridge,
                                               rules: Rules, fleet: dict[str, str],
                                               ctl_client: Client) -> None:
    iid = create(ctl_client)
    assert ctl_client.command("incident.dispatch", id=iid, unit="U2")["ok"]
    roster = make_roster(qtbot, live_bridge, rules, fleet)
    roster.show()
    qtbot.waitExposed(roster)
    qtbot.waitUntil(lambda: roster.model.index_of("U2", Column.INCIDENT).data() == iid,
                    timeout=WAIT_MS)
    with qtbot.waitSignal(roster.unit_selected, timeout=WAIT_MS) as selected:
        select(roster, "U2")
    assert selected.args == ["U2"]
    rect = roster.tree.visualRect(roster.model.index_of("U2", Column.NAME))
    with qtbot.waitSignal(roster.open_incident, timeout=WAIT_MS) as opened:
        # QTest's double click is one event; an item view acts only on the row it saw pressed.
        qtbot.mouseClick(roster.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(roster.tree.viewport(), Qt.MouseButton.LeftButton,
                          pos=rect.center())
    assert opened.args == [iid]
    roster.context_menu().deleteLater()
    assert roster.open_action.isEnabled()
    select(roster, "U1")  # no incident: nothing to open
    with qtbot.assertNotEmitted(roster.open_incident):
        roster.tree.doubleClicked.emit(roster.model.index_of("U1"))


def test_time_ticks_and_the_roster_goes_stale_when_not_live(
        qtbot: QtBot, live_bridge: Bridge, rules: Rules, fleet: dict[str, str]) -> None:
    roster = make_roster(qtbot, live_bridge, rules, fleet)
    assert roster.tree.property("stale") is False
    before = roster.model.now  # time in status ticks on its own
    qtbot.waitUntil(lambda: roster.model.now > before, timeout=WAIT_MS)
    live_bridge.disconnect_from_hub()
    assert roster.tree.property("stale") is True
    assert "Not live" in roster.tree.toolTip()
    assert outline(roster)  # the last state stays on show


def test_one_key_moves_the_selected_units_assignment_on(
        qtbot: QtBot, live_hub: Any, live_bridge: Bridge, rules: Rules, fleet: dict[str, str],
        ctl_client: Client, heard: list[Any]) -> None:
    iid = create(ctl_client)
    for uid in ("U1", "U2"):
        assert ctl_client.command("incident.dispatch", id=iid, unit=uid)["ok"]
    roster = make_roster(qtbot, live_bridge, rules, fleet)
    incident = lambda: live_bridge.replica.incidents[iid]  # noqa: E731
    qtbot.waitUntil(lambda: iid in live_bridge.replica.incidents
                    and len(incident().assignments) == 2, timeout=WAIT_MS)
    roster.show()
    qtbot.waitExposed(roster)
    roster.activateWindow()
    qtbot.waitUntil(roster.isActiveWindow, timeout=WAIT_MS)
    roster.tree.setFocus()
    select(roster, "U1")
    # The menu offers the steps the assignment may take next, each with its key.
    menu = roster.context_menu()
    offered = {a.data(): a for a in menu.actions() if a in roster.progress_actions.values()}
    assert {step: a.shortcut().toString() for step, a in offered.items()} == {
        "acknowledged": "A", "en_route": "E", "on_scene": "O", "cleared": "C",
        "cancelled": "X"}
    assert offered["on_scene"].text() == "Report On scene" and offered["on_scene"].toolTip()
    assert all(a.isEnabled() for a in offered.values())
    menu.deleteLater()
    with qtbot.waitSignal(roster.answered, timeout=WAIT_MS) as answer:
        qtbot.keyClick(roster.tree, Qt.Key.Key_O)
    assert answer.args == [True, f"U1 on {iid}: On scene."]
    assert live_hub.store.incident(iid).assignments[0].state.value == "on_scene"
    qtbot.waitUntil(lambda: live_bridge.replica.units["U1"].status is UnitStatus.ON_SCENE,
                    timeout=WAIT_MS)
    # On scene: it can only be cleared now, and only U1 moved.
    roster.context_menu().deleteLater()
    enabled = {s.value for s, a in roster.progress_actions.items() if a.isEnabled()}
    assert enabled == {"cleared"}
    assert incident().assignments[1].state.value == "dispatched"
    # Two units at once: E moves both that can (U1, on scene, cannot go back: left alone).
    select(roster, "U1", "U2")
    with qtbot.waitSignal(roster.answered, timeout=WAIT_MS):
        qtbot.keyClick(roster.tree, Qt.Key.Key_E)
    assert [a.state.value for a in live_hub.store.incident(iid).assignments] == [
        "on_scene", "en_route"]
    assert ("info", f"U2 on {iid}: En route.") in heard
    # Typing in the search field is typing, not a progress report.
    roster.search.setFocus()
    qtbot.keyClicks(roster.search, "C")
    assert roster.search.text() == "C"
    assert live_hub.store.incident(iid).assignments[0].state.value == "on_scene"


def test_progress_keys_are_off_without_an_assignment_or_the_right(
        qtbot: QtBot, live_hub: Any, rules: Rules, fleet: dict[str, str],
        ctl_client: Client) -> None:
    iid = create(ctl_client)
    assert ctl_client.command("incident.dispatch", id=iid, unit="U1")["ok"]
    viewer = Bridge(rules, backoff_base=0.05, backoff_cap=0.5)
    try:
        log_in(qtbot, viewer, live_hub.port, "viewer")
        roster = make_roster(qtbot, viewer, rules, fleet)
        qtbot.waitUntil(lambda: viewer.replica.units["U1"].assignment is not None,
                        timeout=WAIT_MS)
        select(roster, "U1")
        roster.context_menu().deleteLater()
        assert not any(a.isEnabled() for a in roster.progress_actions.values())
        assert roster.report_progress(AssignmentState.ON_SCENE) == 0
    finally:
        viewer.shutdown()
