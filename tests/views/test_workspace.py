"""A workspace that holds still, against a real hub: the row being worked keeps its place, the
detail's SLA strip, focus after dialogs, empty states, counts across windows, the roster's
default filter. The world runs on a fixed clock moved on by the test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog

from console.comms.bridge import Bridge
from console.domain.model import UnitType
from console.domain.rules import Rules
from console.domain.sla import ClockLevel
from console.ui.times import time_text
from console.views.incident_detail import IncidentDetail
from console.views.queue_dock import IncidentQueue
from console.views.roster_columns import FIELD_TEAMS
from console.views.roster_dock import UnitRoster
from console.views.sla_strip import COLOURS
from console.views.unit_model import UnitRole
from tests.hub.conftest import Client, HubThread
from tests.views.conftest import log_in
from tests.views.live import WAIT_MS, activate, create, submit
from tests.views.test_console import Consoles, consoles, url_of, window_of  # noqa: F401
from tests.views.test_shift_alerts import advance, fixed_hub  # noqa: F401

pytestmark = pytest.mark.filterwarnings("ignore:This plugin does not support:UserWarning")

Desk = Callable[[str], Bridge]


@pytest.fixture
def desk(qtbot: Any, fixed_hub: HubThread, rules: Rules) -> Iterator[Desk]:  # noqa: F811
    """Connections to the fixed-clock hub, logged in as the user asked for."""
    made: list[Bridge] = []

    def make(username: str = "ctl") -> Bridge:
        bridge = Bridge(rules, backoff_base=0.05, backoff_cap=0.5)
        made.append(bridge)
        log_in(qtbot, bridge, fixed_hub.port, username)
        return bridge

    yield make
    for bridge in made:
        bridge.shutdown()


def y_of(queue: IncidentQueue, iid: str) -> int:
    return queue.table.visualRect(queue.model.index(queue.model.row_of(iid), 0)).top()


# -- 1. the selected row holds still ------------------------------------------------------------

def test_the_selected_row_keeps_its_place_while_20_new_cases_arrive(
        qtbot: Any, fixed_hub: HubThread, desk: Desk, rules: Rules) -> None:  # noqa: F811
    bridge = desk("ctl")
    queue = IncidentQueue(bridge, rules)
    qtbot.addWidget(queue)
    queue.resize(900, 400)
    queue.show()
    qtbot.waitExposed(queue)
    routine = [create(qtbot, bridge, priority="P3") for _ in range(24)]
    qtbot.waitUntil(lambda: queue.model.rowCount() == 24, timeout=WAIT_MS)
    # A list longer than the view (a view with nothing to scroll cannot hold a row still).
    assert queue.table.verticalScrollBar().maximum() > 0
    # Sorted by deadline: the routine cases in the order they came. Work the tenth.
    worked = queue.model.incident_ids()[9]
    assert queue.select_incident(worked)
    queue.table.setFocus()
    before = y_of(queue, worked)
    assert 0 < before < queue.table.viewport().height() - 22

    # 20 urgent cases fall due before it and slot in above; some others move on a stage.
    urgent = []
    for n in range(20):
        urgent.append(create(qtbot, bridge, priority="P1"))
        if n % 7 == 0:
            other = routine[n // 7]
            assert submit(qtbot, bridge, "incident.accept", {"id": other}).ok
    qtbot.waitUntil(lambda: queue.model.rowCount() == 44, timeout=WAIT_MS)
    assert all(queue.model.row_of(i) < queue.model.row_of(worked) for i in urgent)
    assert queue.model.row_of(worked) >= 9 + 20 - 3  # it moved down the list ...
    assert y_of(queue, worked) == before  # ... and not on the screen
    assert queue.table.currentIndex().row() == queue.model.row_of(worked)
    assert queue.table.selectionModel().isRowSelected(queue.model.row_of(worked))


# -- 2. the SLA strip ---------------------------------------------------------------------------

def test_the_sla_strip_shows_stage_due_and_remaining_and_turns_amber_then_red(
        qtbot: Any, fixed_hub: HubThread, desk: Desk, rules: Rules) -> None:  # noqa: F811
    bridge = desk("ctl")
    detail = IncidentDetail(bridge, rules)
    qtbot.addWidget(detail)
    detail.show()
    assert not detail.sla.isVisible()  # nothing shown, nothing timed
    iid = create(qtbot, bridge, priority="P2")
    detail.show_incident(iid)
    clock = bridge.replica.deadlines[iid]
    assert clock is not None
    strip = detail.sla
    assert strip.isVisible() and strip.level in (ClockLevel.OK, ClockLevel.HALF)
    due = time_text(clock.due_at)
    assert strip.text().startswith("Accept · due " + due + " · ")
    assert strip.text().endswith(" left")
    assert COLOURS[ClockLevel.OK][0] in strip.styleSheet()

    limit = clock.due_at - clock.started_at
    advance(fixed_hub, clock.started_at + limit * 0.85)
    qtbot.waitUntil(lambda: strip.level is ClockLevel.AMBER, timeout=3_000)
    assert COLOURS[ClockLevel.AMBER][0] in strip.styleSheet()
    assert strip.text().endswith(" left")

    advance(fixed_hub, clock.due_at + timedelta(seconds=65))
    qtbot.waitUntil(lambda: strip.level is ClockLevel.OVERDUE, timeout=3_000)
    assert COLOURS[ClockLevel.OVERDUE][0] in strip.styleSheet()
    qtbot.waitUntil(lambda: "overdue by 01:0" in strip.text(), timeout=3_000)

    # Accepted, the next stage's clock runs and the strip says so.
    assert submit(qtbot, bridge, "incident.accept", {"id": iid}).ok
    qtbot.waitUntil(lambda: strip.text().startswith("Assign · due "), timeout=WAIT_MS)
    assert strip.level in (ClockLevel.OK, ClockLevel.HALF)


# -- 3. focus after a dialog --------------------------------------------------------------------

def test_focus_returns_to_the_main_window_after_every_dialog(
        qtbot: Any, fixed_hub: HubThread, consoles: Consoles) -> None:  # noqa: F811
    app = consoles(url_of(fixed_hub), "ctl")
    window = window_of(app)
    activate(qtbot, window)
    iid = create(qtbot, app.bridge, priority="P3")
    qtbot.waitUntil(lambda: window.queue.model.row_of(iid) >= 0, timeout=WAIT_MS)
    window.queue.select_incident(iid)
    window.queue.table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.queue.table, timeout=WAIT_MS)

    # A window-modal action dialog (Reject…), cancelled with Esc.
    window.detail.trigger("incident.reject")
    dialog = window.detail.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None
                    and QApplication.focusWidget().window() is dialog, timeout=WAIT_MS)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.queue.table, timeout=WAIT_MS)
    assert QApplication.activeWindow() is window

    # An application-modal dialog (Layouts → Save layout as…), closed with Esc: the focus was
    # on the command line and goes back there.
    window.focus_command_line()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.command_line.edit,
                    timeout=WAIT_MS)
    boxes: list[QDialog] = []

    def close_box() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QDialog):
            boxes.append(box)
            qtbot.keyClick(box, Qt.Key.Key_Escape)
        else:
            QTimer.singleShot(20, close_box)

    QTimer.singleShot(0, close_box)
    window._save_layout_dialog()
    assert boxes
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.command_line.edit,
                    timeout=WAIT_MS)
    assert QApplication.activeWindow() is window


# -- 4. empty states ----------------------------------------------------------------------------

def test_empty_views_say_what_is_empty(qtbot: Any, fixed_hub: HubThread, desk: Desk,  # noqa: F811
                                       rules: Rules) -> None:
    bridge = desk("ctl")
    queue = IncidentQueue(bridge, rules)
    roster = UnitRoster(bridge, rules)
    detail = IncidentDetail(bridge, rules)
    for widget in (queue, roster, detail):
        qtbot.addWidget(widget)
        widget.show()
    assert queue.table.placeholder().startswith("No cases yet")
    assert roster.tree.placeholder().startswith("No units")
    assert detail.header.text().startswith("No incident selected")
    assert not detail.sheet.isVisible()

    iid = create(qtbot, bridge, priority="P3")
    qtbot.waitUntil(lambda: queue.model.rowCount() == 1, timeout=WAIT_MS)
    assert queue.table.placeholder() == ""
    queue.search.setText("nothing like this")
    qtbot.waitUntil(lambda: queue.model.rowCount() == 0, timeout=WAIT_MS)
    assert queue.table.placeholder().startswith("No case matches the filter")
    queue.search.clear()
    qtbot.waitUntil(lambda: queue.model.rowCount() == 1, timeout=WAIT_MS)
    assert submit(qtbot, bridge, "incident.reject", {"id": iid, "reason": "test call"}).ok
    qtbot.waitUntil(lambda: bridge.replica.incidents[iid].state.value == "rejected",
                    timeout=WAIT_MS)
    qtbot.waitUntil(lambda: queue.model.rowCount() == 0, timeout=WAIT_MS)
    assert queue.table.placeholder().startswith("No open cases")

    detail.show_incident(iid)
    assert detail.header.text().startswith(iid) and detail.sheet.isVisible()
    detail.show_incident(None)
    assert detail.header.text().startswith("No incident selected")

    # The placeholder is painted: the empty viewport is not blank.
    queue.search.setText("nothing like this")
    qtbot.waitUntil(lambda: queue.model.rowCount() == 0, timeout=WAIT_MS)
    image = queue.table.viewport().grab().toImage()
    base = image.pixelColor(2, image.height() - 2)
    assert any(image.pixelColor(x, y) != base for x in range(0, image.width(), 2)
               for y in range(10, 40))


# -- 5. counts across windows -------------------------------------------------------------------

def test_two_windows_of_one_console_count_the_same_and_say_what_they_count(
        qtbot: Any, fixed_hub: HubThread, consoles: Consoles) -> None:  # noqa: F811
    app = consoles(url_of(fixed_hub), "ctl")
    first = window_of(app)
    second = app.new_window()
    cases = [create(qtbot, app.bridge, priority=p) for p in ("P1", "P3", "P3")]
    assert submit(qtbot, app.bridge, "incident.reject", {"id": cases[2], "reason": "test"}).ok
    assert submit(qtbot, app.bridge, "incident.accept", {"id": cases[1]}).ok
    qtbot.waitUntil(lambda: app.bridge.replica.incidents[cases[2]].state.value == "rejected",
                    timeout=WAIT_MS)
    # The second window's user narrows its queue and widens it again: it must come back to
    # the open cases the bar says, as the first window's queue shows.
    bar = second.queue
    bar.priority.setCurrentIndex(bar.priority.findData("P1"))
    qtbot.waitUntil(lambda: bar.model.rowCount() == 1, timeout=WAIT_MS)
    bar.priority.setCurrentIndex(bar.priority.findData(None))
    for window in (first, second):
        qtbot.waitUntil(lambda w=window: w.queue.model.rowCount() == 2, timeout=WAIT_MS)
        assert window.queue.state.currentData() == "open"
        assert window.queue.count.text() == "2 incident(s)"
        assert "of 3" in window.queue.count.toolTip()
        qtbot.waitUntil(lambda w=window: w.alert_controls.counter.text()
                        == "Waiting 1 · Overdue 0", timeout=3_000)
        assert window.alert_controls.counter.toolTip()
        figures = window.dashboard.recompute()
        assert sum(figures.open_by_category.values()) == 2


# -- 6. the roster's default filter -------------------------------------------------------------

def register(hub: HubThread, units: list[tuple[str, UnitType]]) -> None:
    admin = Client(hub.port)
    try:
        admin.login("admin")
        for unit_id, kind in units:
            admin.send({"type": "command", "id": f"register-{unit_id}", "name": "unit.register",
                        "args": {"id": unit_id, "name": f"Unit {unit_id}", "type": kind.value,
                                 "status": "available", "street": "street.mengzhuiwan"}})
            reply = admin.until("result")
            assert reply["ok"], reply
    finally:
        admin.close()


def test_a_controllers_roster_opens_on_the_field_teams_and_remembers_a_change(
        qtbot: Any, fixed_hub: HubThread, desk: Desk, rules: Rules,  # noqa: F811
        tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from tests.hub.conftest import PASSWORD
    fixed_hub.store.accounts.create_user("admin", PASSWORD, ["admin"], now=datetime.now(UTC))
    register(fixed_hub, [("U1", UnitType.GRID_WORKER), ("U2", UnitType.GRID_WORKER),
                         ("U3", UnitType.GRID_WORKER), ("P1", UnitType.COMMUNITY_POLICE),
                         ("C1", UnitType.URBAN_MANAGEMENT), ("E1", UnitType.EMERGENCY)])
    settings = QSettings(str(tmp_path / "console.ini"), QSettings.Format.IniFormat)
    ctl = desk("ctl")
    qtbot.waitUntil(lambda: len(ctl.replica.units) == 6, timeout=WAIT_MS)

    roster = UnitRoster(ctl, rules, settings=settings)
    qtbot.addWidget(roster)
    assert roster.type_filter.currentData() == FIELD_TEAMS
    assert sorted(u.id for u in map(ctl.replica.units.get, shown_units(roster))) == [
        "C1", "E1", "P1"]
    assert roster.count.text() == "3 unit(s)"
    assert "of 6" in roster.count.toolTip()

    # The controller asks for every unit; the next roster opens on them.
    roster.type_filter.setCurrentIndex(roster.type_filter.findData(None))
    roster.type_filter.activated.emit(roster.type_filter.currentIndex())
    assert len(shown_units(roster)) == 6
    again = UnitRoster(ctl, rules, settings=settings)
    qtbot.addWidget(again)
    assert again.type_filter.currentData() is None and len(shown_units(again)) == 6

    # A department desk opens on every unit.
    desk_env = desk("desk-env")
    qtbot.waitUntil(lambda: len(desk_env.replica.units) == 6, timeout=WAIT_MS)
    theirs = UnitRoster(desk_env, rules, settings=settings)
    qtbot.addWidget(theirs)
    assert theirs.type_filter.currentData() is None


def test_a_roster_made_before_the_login_opens_on_the_users_default(
        qtbot: Any, fixed_hub: HubThread, rules: Rules, tmp_path: Path) -> None:  # noqa: F811
    """The window shows before anyone is logged in (a hub may be unreachable for a while):
    the roster takes the role's default when the user logs in, and again after a new login."""
    settings = QSettings(str(tmp_path / "console.ini"), QSettings.Format.IniFormat)
    bridge = Bridge(rules, backoff_base=0.05, backoff_cap=0.5)
    try:
        roster = UnitRoster(bridge, rules, settings=settings)
        qtbot.addWidget(roster)
        assert roster.type_filter.currentData() is None  # nobody yet: every unit
        log_in(qtbot, bridge, fixed_hub.port, "ctl")
        qtbot.waitUntil(lambda: roster.type_filter.currentData() == FIELD_TEAMS,
                        timeout=WAIT_MS)
    finally:
        bridge.shutdown()


def shown_units(roster: UnitRoster) -> list[str]:
    roster.model.set_grouping(())
    return [roster.model.index(row, 0).data(UnitRole).id
            for row in range(roster.model.rowCount())]
