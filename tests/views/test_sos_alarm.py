"""A field unit's SOS on two controllers' consoles: the alarm sounds and the map marks the unit
within a second; acknowledged on one console, it is gone on both (console/views/sos_alarm.py)."""

from __future__ import annotations

import time
from typing import Any

from console.map.live import LiveLayers
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
