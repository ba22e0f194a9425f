"""The roster's alarm for a dispatched unit that does not acknowledge: against a real hub, the
row turns red and the message bus and the alert sound say so once, when (and only when) the unit
has let the limit pass; an acknowledgement ends it. The model's *now* is set by the test."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from console.comms.bridge import Bridge
from console.domain.rules import Rules
from console.views.alerts import AlertSound, alert_sound
from console.views.roster_dock import UnitRoster
from console.views.unit_model import AckOverdueRole
from tests.hub.conftest import HubThread
from tests.views import live
from tests.views.live import HERE, WAIT_MS, create, heard, register_units, submit, wait_state

live_hub = live.live_hub
bridge_as = live.bridge_as
heard = heard


def test_a_unit_that_does_not_acknowledge_in_time_turns_red_and_rings_once(
        qtbot: Any, rules: Rules, live_hub: HubThread, bridge_as: Callable[[str], Bridge],
        heard: list[tuple[str, str]]) -> None:
    bridge = bridge_as("ctl")
    register_units(live_hub, [("U1", "available", *HERE), ("U2", "available", *HERE)])
    qtbot.waitUntil(lambda: {"U1", "U2"} <= set(bridge.replica.units), timeout=WAIT_MS)
    roster = UnitRoster(bridge, rules, language="en")
    qtbot.addWidget(roster)
    model = roster.model
    model.stop_ticking()  # the test moves *now*
    assert model.ack_limit == timedelta(minutes=2)  # resources/response_plans.toml
    iid = create(qtbot, bridge)
    assert submit(qtbot, bridge, "incident.accept", {"id": iid}).ok
    wait_state(qtbot, bridge, iid, "accepted")
    for unit in ("U1", "U2"):
        version = bridge.replica.incidents[iid].version
        assert submit(qtbot, bridge, "incident.dispatch", {"id": iid, "unit": unit},
                      expected_version=version).ok
        qtbot.waitUntil(lambda unit=unit: unit in [a.unit for a in
                                                   bridge.replica.incidents[iid].assignments],
                        timeout=WAIT_MS)
    # U2 acknowledges at once; U1 never does.
    assert submit(qtbot, bridge, "assignment.update",
                  {"id": iid, "assignment": f"{iid}/2", "status": "acknowledged"}).ok
    qtbot.waitUntil(lambda: bridge.replica.incidents[iid].assignments[1].state.value
                    == "acknowledged", timeout=WAIT_MS)
    sent = bridge.replica.incidents[iid].assignments[0].dispatched_at
    sound = alert_sound(bridge)

    model.tick(sent + timedelta(minutes=1, seconds=59))
    assert model.late_units() == set() and not sound.played
    with qtbot.waitSignal(model.ack_overdue, timeout=WAIT_MS) as overdue:
        model.tick(sent + timedelta(minutes=2))
    assert overdue.args == ["U1", iid]
    row = model.index_of("U1")
    assert model.data(row, AckOverdueRole) is True
    assert model.data(row.siblingAtColumn(3), 8) is not None  # BackgroundRole: the whole row
    assert model.data(model.index_of("U2"), AckOverdueRole) is False
    assert any(level == "warning" and "U1" in text and iid in text and "2 min" in text
               for level, text in heard)
    assert sound.played == [("ack", f"{iid}/1")]
    # Later ticks keep the row red but do not ring again.
    model.tick(sent + timedelta(minutes=5))
    assert model.late_units() == {"U1"} and len(sound.played) == 1
    # The acknowledgement ends the alarm.
    assert submit(qtbot, bridge, "assignment.update",
                  {"id": iid, "assignment": f"{iid}/1", "status": "acknowledged"}).ok
    qtbot.waitUntil(lambda: bridge.replica.incidents[iid].assignments[0].state.value
                    == "acknowledged", timeout=WAIT_MS)
    model.tick(sent + timedelta(minutes=6))
    assert model.late_units() == set()
    assert model.data(model.index_of("U1"), AckOverdueRole) is False


def test_the_sound_forgets_its_oldest_keys_past_what_it_remembers(qapp: Any) -> None:
    """A console runs for weeks: what has sounded is remembered up to a bound, newest kept."""
    sound = AlertSound()
    sound.REMEMBERED = 10
    assert all(sound.play(("k", n)) for n in range(25))
    assert not sound.play(("k", 24))  # recent: still not twice
    assert sound.play(("k", 0))  # forgotten long ago: may sound again
    assert len(sound.played) <= 20 and sound.played[-1] == ("k", 0)
