"""Major incidents and early warnings in the client's live state, without sockets: from a real
store's snapshot and events into change sets and the replica, like the police links."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from console.comms.live_state import LiveState
from console.comms.replica import Replica
from console.domain.model import SYSTEM, Actor, Role
from console.domain.rules import Rules
from console.store.store import Store
from console.store.writer import Command
from tests.hub.conftest import incident_args
from tests.store.conftest import CONTROLLER

LEADER = Actor("leader", frozenset({Role.DUTY_LEADER}))
AREA = {"center": {"lat": 30.6675, "lon": 104.1075}, "radius_m": 500}


@pytest.fixture
def store(tmp_path: Path, rules: Rules) -> Iterator[Store]:
    made = Store(f"sqlite:///{tmp_path / 'state.db'}", rules)
    yield made
    made.close()


def run(store: Store, name: str, args: dict[str, Any], actor: Actor = LEADER) -> Any:
    result = store.execute(Command(str(uuid.uuid4()), name, args), actor)
    assert result.ok, result
    return result


def snapshot(store: Store) -> dict[str, Any]:
    taken = store.snapshot()
    return {"type": "snapshot", "seq": taken.seq, "incidents": taken.incidents,
            "units": taken.units, "cameras": taken.cameras, "taxonomy": [],
            "major_incidents": taken.major_incidents, "warnings": taken.warnings}


def test_major_incidents_and_warnings_follow_the_log(store: Store, rules: Rules) -> None:
    incident = run(store, "incident.create", incident_args(), CONTROLLER).data["id"]
    first = run(store, "major.declare", {"level": "III", "title": "积水", "commander": "李",
                                         "area": AREA}).data["id"]
    state = LiveState(rules, lambda level, text: None)
    state.snapshot(snapshot(store))
    replica = Replica()
    reset = state.take()
    assert reset is not None and reset.major_incidents is not None
    replica.apply(reset)
    assert set(replica.major_incidents) == {first} and replica.warnings == {}

    head = store.last_seq()
    run(store, "major.link", {"id": first, "incident": incident})
    run(store, "major.broadcast", {"id": first, "message": "注意绕行"})
    raised = run(store, "warning.raise", {
        "category": "safety.gas_leak", "level": "grid", "area": "g111", "count": 3,
        "baseline": 0.0, "threshold": 3, "window": 60, "incidents": [incident]}, SYSTEM)
    for logged in store.events_after(head):
        assert state.event(logged.to_wire())
    change = state.take()
    assert change is not None and not change.reset
    assert change.major_incidents is not None and change.warnings is not None
    assert change.incidents == {}  # linking changes the major incident, not the incident
    replica.apply(change)
    held = replica.major_incidents[first]
    assert (held.incidents, held.message, held.version) == ((incident,), "注意绕行", 3)
    assert not replica.warnings[raised.data["id"]].acknowledged

    # An incident event changes neither: they are not sent again.
    run(store, "incident.note", {"id": incident, "text": "x"}, CONTROLLER)
    for logged in store.events_after(store.last_seq() - 1):
        state.event(logged.to_wire())
    quiet = state.take()
    assert quiet is not None and quiet.major_incidents is None and quiet.warnings is None

    # Acknowledged and stood down: still held (a console shows the last day's).
    head = store.last_seq()
    run(store, "warning.acknowledge", {"id": raised.data["id"]})
    run(store, "major.stand_down", {"id": first, "summary": "已排水"})
    for logged in store.events_after(head):
        state.event(logged.to_wire())
    change = state.take()
    assert change is not None
    replica.apply(change)
    assert not replica.major_incidents[first].active
    assert replica.warnings[raised.data["id"]].acknowledged_by == "leader"
    # The store's snapshot says the same as the state followed from the log.
    again = LiveState(rules, lambda level, text: None)
    again.snapshot(snapshot(store))
    fresh = again.take()
    assert fresh is not None
    assert fresh.major_incidents == replica.major_incidents
    assert fresh.warnings == replica.warnings


def test_an_unreadable_major_incident_in_a_snapshot_is_left_out(rules: Rules) -> None:
    notices: list[tuple[str, str]] = []
    state = LiveState(rules, lambda level, text: notices.append((level, text)))
    state.snapshot({"seq": 3, "major_incidents": [{"id": "MI-1", "level": "IX"}],
                    "warnings": [{"id": "EW-1"}]})
    change = state.take()
    assert change is not None and change.major_incidents == {} and change.warnings == {}
    assert [n[1].split(" ")[:2] for n in notices] == [["Major", "incident"], ["Warning", "EW-1"]]
