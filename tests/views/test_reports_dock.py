"""The Reports dock against a real hub holding the month of tests/store/reports_seed.py: the
duty leader's assessment as chart and tables, exported; a desk's own row; the periods it offers;
which windows have the dock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt

from console.comms.bridge import Bridge
from console.domain.rules import Rules
from console.store.store import Store
from console.views.reports_dock import ReportsDock, period_of
from tests.hub.conftest import HubThread
from tests.store.conftest import Clock
from tests.store.reports_seed import seed_november
from tests.views.live import WAIT_MS, bridge_as, live_hub  # noqa: F401 - fixtures
from tests.views.test_console import Consoles, consoles, url_of  # noqa: F401

ZONE = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def november(live_hub: HubThread, rules: Rules) -> None:  # noqa: F811
    store = Store(live_hub.store.db.url, rules, clock=Clock(datetime(2026, 12, 1, tzinfo=UTC)))
    try:
        seed_november(store, store.clock)
    finally:
        store.close()


def run_november(qtbot: Any, dock: ReportsDock) -> dict[str, Any]:
    dock.period.setCurrentIndex(dock.period.findData("custom"))
    dock.start.setDateTime(datetime(2026, 11, 1))
    dock.end.setDateTime(datetime(2026, 12, 1))
    qtbot.mouseClick(dock.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dock.report is not None, timeout=WAIT_MS)
    assert dock.report is not None
    return dock.report


def table_rows(dock: ReportsDock, tab: int) -> list[list[str]]:
    grid = dock.tabs.widget(tab)
    return [[grid.item(r, c).text() for c in range(grid.columnCount())]
            for r in range(grid.rowCount())]


def test_the_duty_leader_sees_and_exports_the_assessment(
        qtbot: Any, november: None, bridge_as: Callable[[str], Bridge],  # noqa: F811
        rules: Rules, tmp_path: Path) -> None:
    dock = ReportsDock(bridge_as("leader"), rules)
    qtbot.addWidget(dock)
    dock.kind.setCurrentIndex(dock.kind.findData("departments"))
    assert dock.kind.isEnabled() and not dock.xlsx_button.isEnabled()
    report = run_november(qtbot, dock)
    assert [r["code"] for r in report["departments"]] == ["environment", "urban_mgmt"]
    assert dock.heading.text() == "Department assessment, 2026-11-01 00:00 to 2026-12-01 00:00"
    assert [dock.tabs.tabText(i) for i in range(dock.tabs.count())] == [
        "Lead departments", "Streets"]
    rows = table_rows(dock, 0)
    assert [r[0] for r in rows] == ["Ecology and Environment Bureau", "Urban Management Bureau"]
    assert rows[0][1:4] == ["5", "2", "40.0 %"] and rows[0][-2:] == ["73.25", "1"]
    bars = [i for i in dock.chart.getPlotItem().items if isinstance(i, pg.BarGraphItem)]
    assert [list(b.opts["width"]) for b in bars] == [[73.25, 65.0]]
    dock.export(tmp_path / "november.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "november.xlsx", read_only=True).worksheets[0]
    assert list(next(sheet.iter_rows(min_row=2, values_only=True)))[:3] == ["environment", 5, 2]
    dock.export(tmp_path / "november.pdf")
    assert (tmp_path / "november.pdf").read_bytes().startswith(b"%PDF-")
    assert dock.status.text() == f"Written to {tmp_path / 'november.pdf'}"


def test_a_desk_gets_its_own_row_alone(qtbot: Any, november: None, rules: Rules,
                                       bridge_as: Callable[[str], Bridge]) -> None:  # noqa: F811
    dock = ReportsDock(bridge_as("desk-env"), rules)
    qtbot.addWidget(dock)
    assert not dock.kind.isEnabled() and dock.kind.currentData() == "departments"
    report = run_november(qtbot, dock)
    assert [r["code"] for r in report["departments"]] == ["environment"]
    assert report["streets"] == []
    assert len(table_rows(dock, 0)) == 1


def test_statistics_chart_the_stages(qtbot: Any, november: None, rules: Rules,
                                     bridge_as: Callable[[str], Bridge]) -> None:  # noqa: F811
    dock = ReportsDock(bridge_as("ctl"), rules)
    qtbot.addWidget(dock)
    dock.kind.setCurrentIndex(dock.kind.findData("statistics"))
    report = run_november(qtbot, dock)
    assert report["received"] == 5
    bars = [i for i in dock.chart.getPlotItem().items if isinstance(i, pg.BarGraphItem)]
    on_time, late = (list(b.opts["width"]) for b in bars)
    assert (on_time[2], late[2]) == (4.0, 2.0)  # sign
    assert table_rows(dock, 0)[0] == ["Received", "5"]


@pytest.mark.parametrize(("choice", "start", "end"), [
    ("this_shift", datetime(2026, 11, 13, 8), None),
    ("last_shift", datetime(2026, 11, 12, 20), datetime(2026, 11, 13, 8)),
    ("yesterday", datetime(2026, 11, 12), datetime(2026, 11, 13)),
    ("this_week", datetime(2026, 11, 9), None),
    ("last_week", datetime(2026, 11, 2), datetime(2026, 11, 9)),
    ("last_month", datetime(2026, 10, 1), datetime(2026, 11, 1)),
])
def test_the_periods_in_the_districts_time(choice: str, start: datetime,
                                           end: datetime | None) -> None:
    now = datetime(2026, 11, 13, 10, 30, tzinfo=ZONE)  # a Friday morning
    found = period_of(choice, now, ZONE)
    assert found == (start.replace(tzinfo=ZONE), end.replace(tzinfo=ZONE) if end else now)


def test_the_night_shift_began_last_evening() -> None:
    now = datetime(2026, 11, 13, 3, 0, tzinfo=ZONE)
    assert period_of("this_shift", now, ZONE)[0] == datetime(2026, 11, 12, 20, tzinfo=ZONE)


def test_the_dock_is_for_the_center_and_the_desks(
        qtbot: Any, live_hub: HubThread, consoles: Consoles) -> None:  # noqa: F811
    leader = consoles(url_of(live_hub), "leader").windows[0]
    assert leader.reports is not None and leader.docks["reports"].windowTitle() == "Reports"
    viewer = consoles(url_of(live_hub), "viewer").windows[0]
    assert viewer.reports is None and "reports" not in viewer.docks
