"""A field unit's SOS on two controllers' consoles: the alarm sounds and the map marks the unit
within a second; acknowledged on one console, it is gone on both (console/views/sos_alarm.py)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from console.domain.model import UnitStatus, UnitType
from console.domain.units import Sos, Unit
from console.map.live import LiveLayers
from console.ui import times
from console.views.alerts import alert_sound
from console.views.sos_alarm import SosAlarm
from tests.hub.conftest import Client, HubThread
from tests.views.live import HERE, WAIT_MS, bridge_as, live_hub, register_units  # noqa: F401


def test_an_sos_alarms_two_consoles_and_one_acknowledgement_clears_both(
        qtbot: Any, live_hub: HubThread, bridge_as: Any) -> None:  # noqa: F811
    register_units(live_hub, [("G7", "available", *HERE)])
    consoles = [bridge_as("ctl"), bridge_as("leader")]
    strips = [SosAlarm(bridge) for bridge in consoles]
    maps = [LiveLayers(bridge, lambda inc: inc.id, lambda c: c.id, (), 24, bridge)
            for bridge in consoles]
    for strip, layers, bridge in zip(strips, maps, consoles, strict=True):
        qtbot.addWidget(strip)
        bridge.changed.connect(layers.apply)
    field = Client(live_hub.port, "/field")
    field.login("gateway")
    try:
        sent = time.monotonic()
        reply = field.command("unit.sos", id="G7", lat=HERE[0], lon=HERE[1], text="被围堵")
        assert reply["ok"], reply
        qtbot.waitUntil(lambda: all(s.calling == ["G7"] for s in strips), timeout=WAIT_MS)
        assert time.monotonic() - sent < 1.0
        for strip, layers, bridge in zip(strips, maps, consoles, strict=True):
            assert strip.isVisibleTo(None) or not strip.isHidden()
            assert "被围堵" in strip.text.text() and "G7" in strip.text.text()
            assert [key[:2] for key in alert_sound(bridge).played] == [("sos", "G7")]
            assert [row[0] for row in layers.sos] == ["G7"]
        # The leader acknowledges: gone on both consoles, the marker too.
        assert strips[1].acknowledge.isEnabled()
        strips[1].acknowledge.click()
        qtbot.waitUntil(lambda: all(s.calling == [] and s.isHidden() for s in strips),
                        timeout=WAIT_MS)
        qtbot.waitUntil(lambda: all(layers.sos == [] for layers in maps), timeout=WAIT_MS)
    finally:
        field.close()


def test_the_time_of_a_call_is_shown_in_the_consoles_zone_not_the_computers(qtbot: Any) -> None:
    shown = times.shown_zone()
    times.use_zone(ZoneInfo("Asia/Shanghai"))
    try:
        at = datetime(2026, 12, 8, 0, 41, 7, tzinfo=UTC)
        unit = Unit("G7", "网格员 7", UnitType.GRID_WORKER, UnitStatus.AVAILABLE, at,
                    sos=Sos(30.66, 104.1, at, "被围堵"))
        line = SosAlarm.line(unit)
        assert "08:41:07" in line and "被围堵" in line
    finally:
        times.use_zone(shown)
