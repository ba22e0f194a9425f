"""Whether a dispatch reached its unit's device, on the consoles: the roster's incident column
flags a dispatch not delivered within 60 s (red, with a tool tip; on the console's tick, a fixed
clock here) and says when once the device has acknowledged its task."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from console.views.roster_columns import Column
from console.views.unit_model import FOREGROUND, TOOLTIP, DeliveredRole, UnitRosterModel
from tests.hub.conftest import Client, HubThread
from tests.views.live import (  # noqa: F401
    HERE,
    WAIT_MS,
    bridge_as,
    create,
    live_hub,
    register_units,
    submit,
)


def test_the_roster_flags_an_undelivered_dispatch_and_marks_it_delivered(
        qtbot: Any, live_hub: HubThread, bridge_as: Any) -> None:  # noqa: F811
    register_units(live_hub, [("G8", "available", *HERE)])
    bridge = bridge_as("ctl")
    model = UnitRosterModel(bridge.replica, grouping=())
    bridge.changed.connect(model.apply)
    iid = create(qtbot, bridge)
    assert submit(qtbot, bridge, "incident.dispatch", {"id": iid, "unit": "G8"}).ok
    qtbot.waitUntil(lambda: bridge.replica.units["G8"].assignment is not None, timeout=WAIT_MS)

    def cell(role: int) -> Any:
        return model.data(model.index_of("G8", Column.INCIDENT), role)

    dispatched = bridge.replica.incidents[iid].assignments[0].dispatched_at
    model.tick(dispatched + timedelta(seconds=59))
    assert cell(0) == iid and cell(FOREGROUND) is None and cell(TOOLTIP) is None
    with qtbot.waitSignal(model.dataChanged, timeout=WAIT_MS):
        model.tick(dispatched + timedelta(seconds=61))
    assert cell(FOREGROUND) is not None and "device" in cell(TOOLTIP)
    assert cell(DeliveredRole) is None
    device = Client(live_hub.port, "/field")
    device.login("gateway")
    try:
        task = device.until("task")
        device.send({"type": "ack", "id": task["id"]})
        qtbot.waitUntil(lambda: cell(DeliveredRole) is not None, timeout=WAIT_MS)
        model.tick(dispatched + timedelta(seconds=62))
        assert cell(FOREGROUND) is None and "since" in cell(TOOLTIP)
    finally:
        device.close()
