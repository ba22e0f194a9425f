"""The Records dock against a real hub whose world time is fixed: the form's filters, a result
that pages as the table scrolls (no row twice), a case opened, the result exported to .xlsx."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QModelIndex, Qt

from console.comms.bridge import Bridge
from console.comms.clock import Clock as HubClock
from console.domain.model import Actor, Role
from console.domain.rules import Rules
from console.store.store import Store
from console.store.writer import Command
from console.views import records_model
from console.views.records_dock import RecordsDock
from tests.hub.conftest import HubThread, add_users, incident_args
from tests.store.conftest import Clock
from tests.views.conftest import log_in
from tests.views.live import WAIT_MS

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
CENTER = Actor("ctl", frozenset({Role.CONTROLLER}))
GAS = 25  # cases of gas leaks, one every hour back from two days ago


@pytest.fixture
def hub(tmp_path: Any, rules: Rules) -> Iterator[tuple[HubThread, list[str], str]]:
    url = f"sqlite:///{tmp_path}/hub.db"
    clock = Clock(NOW - timedelta(days=2, hours=GAS))
    store = Store(url, rules, clock=clock)
    try:
        gas = []
        for number in range(GAS):
            result = store.execute(Command(str(uuid.uuid4()), "incident.create", incident_args(
                category="safety.gas_leak", description=f"燃气泄漏 第{number}户"),
            ), CENTER)
            assert result.ok, result.error
            gas.append(str(result.data["id"]))
            clock.advance(hours=1)
        noise = store.execute(Command(str(uuid.uuid4()), "incident.create", incident_args()),
                              CENTER)
        assert noise.ok
    finally:
        store.close()
    thread = HubThread(url, rules, clock=HubClock(1, origin=NOW, real=lambda: 0.0))
    add_users(thread.store)
    thread.start()
    yield thread, gas, str(noise.data["id"])
    thread.stop()


@pytest.fixture
def bridge(qtbot: Any, hub: tuple[HubThread, list[str], str], rules: Rules) -> Iterator[Bridge]:
    made = Bridge(rules, backoff_base=0.05, backoff_cap=0.5)
    log_in(qtbot, made, hub[0].port, "ctl")
    yield made
    made.shutdown()


def ids(dock: RecordsDock) -> list[str]:
    return [dock.model.data(dock.model.index(row, 0), Qt.ItemDataRole.UserRole)
            for row in range(dock.model.rowCount())]


def test_the_result_pages_as_the_table_scrolls_opens_a_case_and_exports(
        qtbot: Any, bridge: Bridge, hub: tuple[HubThread, list[str], str], rules: Rules,
        qtmodeltester: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(records_model, "PAGE", 10)
    monkeypatch.setattr(records_model, "EXPORT_PAGE", 7)
    _, gas, noise = hub
    dock = RecordsDock(bridge, rules)
    qtbot.addWidget(dock)
    dock.resize(1000, 400)
    dock.show()
    qtbot.waitExposed(dock)
    dock.text.setText("燃气")  # two characters of 燃气泄漏
    qtbot.mouseClick(dock.search_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dock.model.rowCount() >= 10 and not dock.model.waiting,
                    timeout=WAIT_MS)
    assert dock.model.total == GAS and ids(dock)[:10] == list(reversed(gas))[:10]
    assert dock.export_button.isEnabled()
    # Scrolling to the end asks for the next page, until there is none.
    while dock.model.rowCount() < GAS:
        before = dock.model.rowCount()
        dock.table.scrollToBottom()
        # The next page is asked for as the view reaches the end (a busy machine may take a
        # moment to get there): wait for it to come in, not just for nothing to be waiting.
        qtbot.waitUntil(lambda before=before: dock.model.rowCount() > before
                        and not dock.model.waiting, timeout=WAIT_MS)
    assert ids(dock) == list(reversed(gas))  # newest first, each once
    assert "25" in dock.status.text()
    qtmodeltester.check(dock.model)
    with qtbot.waitSignal(dock.open_incident) as opened:
        dock.table.doubleClicked.emit(dock.model.index(3, 2))
    assert opened.args == [ids(dock)[3]]
    # The whole result goes to the workbook, in pages of its own.
    path = tmp_path / "records.xlsx"
    with qtbot.waitSignal(dock.exported, timeout=WAIT_MS) as written:
        dock.export(path)
    assert written.args == [str(path), GAS]
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    lines = list(sheet.iter_rows(values_only=True))
    assert lines[0][0] == "Case" and len(lines) == GAS + 1
    assert [line[0] for line in lines[1:]] == list(reversed(gas))
    assert all(line[7] == "张** 138****0001" for line in lines[1:])  # as the controller sees
    # Another search: the noise complaint alone; the language switch keeps the rows.
    dock.text.setText("施工噪声")
    dock.search()
    qtbot.waitUntil(lambda: ids(dock) == [noise], timeout=WAIT_MS)
    QCoreApplication.sendEvent(dock, QEvent(QEvent.Type.LanguageChange))
    assert ids(dock) == [noise] and dock.model.headerData(
        0, Qt.Orientation.Horizontal) == "Case"
    assert not dock.model.canFetchMore(QModelIndex())


def test_the_form_is_the_search_s_filters(qtbot: Any, bridge: Bridge, rules: Rules) -> None:
    dock = RecordsDock(bridge, rules)
    qtbot.addWidget(dock)
    assert dock.filters() == {}
    dock.phone.setText(" 136-0000-0006 ")
    dock.category.setCurrentIndex(dock.category.findData("environment"))
    dock.department.setCurrentIndex(dock.department.findData("environment"))
    dock.state.setCurrentIndex(dock.state.findData("closed"))
    dock.satisfaction.setCurrentIndex(dock.satisfaction.findData("basically_satisfied"))
    dock.overdue.setCurrentIndex(dock.overdue.findData(True))
    dock.supervised.setCurrentIndex(dock.supervised.findData(False))
    dock.set_dates(date(2026, 11, 1), date(2026, 11, 30))
    dock.closed_on.setChecked(True)
    found = dock.filters()
    assert found.pop("closed_from") == "2026-11-01T00:00:00+08:00"  # the district's midnight
    assert found.pop("closed_to") == "2026-12-01T00:00:00+08:00"  # the last day included
    assert found == {"phone": "136-0000-0006", "category": "environment",
                     "department": "environment", "state": "closed",
                     "satisfaction": "basically_satisfied", "ever_overdue": True,
                     "ever_supervised": False}
    dock.search()
    qtbot.waitUntil(lambda: not dock.model.waiting, timeout=WAIT_MS)
    assert dock.model.rowCount() == 0 and dock.model.total == 0
    assert not dock.export_button.isEnabled()
