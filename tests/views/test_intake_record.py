"""The intake and the detail over the hub's record, against a real hub whose world time is fixed:
a caller's case closed a month ago (beyond the replica's day), the cases near the place, and a
past case opened in the detail with its timeline."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt

from console.comms.bridge import Bridge
from console.comms.clock import Clock as HubClock
from console.domain.model import Actor, IncidentState, Role
from console.domain.rules import Rules
from console.store.store import Store
from console.store.writer import Command
from console.ui.names import state_name
from console.views.incident_detail import IncidentDetail
from console.views.intake import IntakeForm
from tests.hub.conftest import PASSWORD, HubThread, add_users, incident_args
from tests.store.conftest import Clock
from tests.views.conftest import log_in
from tests.views.live import HERE, WAIT_MS, activate

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
CENTER = Actor("ctl", frozenset({Role.CONTROLLER}))
DESK = Actor("desk", frozenset({Role.DEPARTMENT}), department="environment")
CALLER = {"name": "赵女士", "phone": "13600000006"}


def run(store: Store, clock: Clock, actor: Actor, name: str, **args: Any) -> str:
    result = store.execute(Command(str(uuid.uuid4()), name, args), actor)
    assert result.ok, result.error
    clock.advance(minutes=1)
    return str(result.data["id"])


@pytest.fixture
def record(tmp_path: Any, rules: Rules) -> Iterator[tuple[HubThread, dict[str, str]]]:
    """A hub at ``NOW`` over a record with: the caller's case closed 30 days ago at ``HERE``;
    another caller's case 20 m away 10 days ago; one 20 m away 100 days ago; one 300 m away."""
    url = f"sqlite:///{tmp_path}/hub.db"
    clock = Clock(NOW - timedelta(days=30, minutes=10))
    store = Store(url, rules, clock=clock)
    here = {"lat": HERE[0], "lon": HERE[1], "address": "建设路 1 号"}
    near = {**here, "lat": HERE[0] + 0.00018}  # 20 m north
    cases: dict[str, str] = {}
    try:
        closed = run(store, clock, CENTER, "incident.create",
                     **incident_args(location=here, reporter=CALLER))
        for actor, name, args in (
                (CENTER, "incident.accept", {}),
                (CENTER, "incident.assign", {"department": "environment"}),
                (DESK, "incident.sign", {}), (DESK, "incident.resolve", {"result": "已停工"}),
                (CENTER, "incident.verify", {"method": "callback", "satisfied": True}),
                (CENTER, "incident.close", {})):
            run(store, clock, actor, name, id=closed, **args)
        cases["closed"] = closed
        for key, days, where in (("neighbour", 10, near), ("long_ago", 100, near),
                                 ("far", 5, {**here, "lat": HERE[0] + 0.0027})):
            clock.now = NOW - timedelta(days=days)
            cases[key] = run(store, clock, CENTER, "incident.create",
                             **incident_args(location=where))
    finally:
        store.close()
    hub = HubThread(url, rules, clock=HubClock(1, origin=NOW, real=lambda: 0.0))
    add_users(hub.store)
    hub.store.accounts.create_user("taker", PASSWORD, ["call_taker"], now=NOW)
    hub.start()
    yield hub, cases
    hub.stop()


@pytest.fixture
def taker(qtbot: Any, record: tuple[HubThread, dict[str, str]], rules: Rules
          ) -> Iterator[Bridge]:
    bridge = Bridge(rules, backoff_base=0.05, backoff_cap=0.5)
    log_in(qtbot, bridge, record[0].port, "taker")
    yield bridge
    bridge.shutdown()


def listed(widget: Any) -> list[str]:
    return [widget.item(n).data(Qt.ItemDataRole.UserRole) for n in range(widget.count())]


def test_the_intake_lists_a_case_closed_a_month_ago_and_the_cases_near_the_place(
        qtbot: Any, taker: Bridge, record: tuple[HubThread, dict[str, str]],
        rules: Rules) -> None:
    hub, cases = record
    assert cases["closed"] not in taker.replica.incidents  # beyond the replica's day
    form = IntakeForm(taker, rules)
    qtbot.addWidget(form)
    form.resize(900, 700)
    activate(qtbot, form)
    qtbot.keyClicks(form.phone, "136-0000-0006")
    qtbot.waitUntil(lambda: listed(form.history) == [cases["closed"]], timeout=WAIT_MS)
    assert form.history.item(0).text().endswith(state_name(IncidentState.CLOSED))
    assert form.reporter_name.text() == CALLER["name"]  # the intake sees callers in full
    # Each ask by phone is on record; the half-typed number was not asked.
    asked = [e.entry.detail["filters"] for e in hub.store.audit.rows(action="search.")]
    assert asked == [{"phone": "136-0000-0006"}]
    form.set_location(*HERE, address="建设路 1 号")
    qtbot.waitUntil(lambda: listed(form.places) == [cases["neighbour"], cases["closed"]],
                    timeout=WAIT_MS)  # not the one 100 days old, nor the one 300 m away
    with qtbot.waitSignal(form.open_requested) as opened:
        form.places.itemActivated.emit(form.places.item(1))
    assert opened.args == [cases["closed"]]
    form.clear()
    assert form.history.count() == 0 and form.places.count() == 0


def test_a_past_case_opens_in_the_detail_with_its_timeline(
        qtbot: Any, taker: Bridge, record: tuple[HubThread, dict[str, str]],
        rules: Rules) -> None:
    _, cases = record
    detail = IncidentDetail(taker, rules)
    qtbot.addWidget(detail)
    detail.show_incident(cases["closed"])
    qtbot.waitUntil(lambda: detail.incident is not None and len(detail.timeline_lines()) == 7,
                    timeout=WAIT_MS)
    assert detail.incident is not None and detail.incident.state.value == "closed"
    assert detail.incident.reporter.name == CALLER["name"]
    assert cases["closed"] in detail.header.text()
    assert cases["closed"] not in taker.replica.incidents
    detail.show_incident("CH-20200101-000001")  # no such case: said so, nothing shown
    qtbot.waitUntil(lambda: "CH-20200101-000001" in detail.header.text(), timeout=WAIT_MS)
    assert detail.incident is None
