"""The client's live state, without sockets: real events from a real store, folded in and
coalesced into change sets."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from console.comms.live_state import LiveState, OutOfStep
from console.domain.model import IncidentState
from console.domain.rules import Rules
from console.domain.units import Position
from console.store.store import Store
from console.store.writer import Command
from tests.hub.conftest import incident_args
from tests.store.conftest import ADMIN, CONTROLLER


@pytest.fixture
def store(tmp_path: Path, rules: Rules) -> Iterator[Store]:
    made = Store(f"sqlite:///{tmp_path / 'state.db'}", rules)
    yield made
    made.close()


def run(store: Store, name: str, args: dict[str, Any], actor: Any = CONTROLLER) -> Any:
    result = store.execute(Command(str(uuid.uuid4()), name, args), actor)
    assert result.ok, result
    return result


def wire_events(store: Store, after: int = 0) -> list[dict[str, Any]]:
    return [event.to_wire() for event in store.events_after(after)]


def snapshot(store: Store) -> dict[str, Any]:
    taken = store.snapshot()
    return {"type": "snapshot", "seq": taken.seq, "incidents": taken.incidents,
            "units": taken.units, "cameras": taken.cameras, "taxonomy": []}


def test_events_after_a_snapshot_coalesce_into_the_latest_state(store: Store,
                                                                rules: Rules) -> None:
    first = run(store, "incident.create", incident_args()).data["id"]
    notices: list[tuple[str, str]] = []
    state = LiveState(rules, lambda level, text: notices.append((level, text)))
    state.snapshot(snapshot(store))
    reset = state.take()
    assert reset is not None and reset.reset and set(reset.incidents) == {first}
    assert state.take() is None  # nothing changed since

    run(store, "incident.accept", {"id": first})
    second = run(store, "incident.create", incident_args()).data["id"]
    run(store, "incident.assign", {"id": first})
    run(store, "unit.register", {"id": "U1", "name": "巡逻 1", "type": "patrol",
                                 "status": "available"}, ADMIN)
    for message in wire_events(store, after=reset.seq):
        assert state.event(message)
    change = state.take()
    assert change is not None and not change.reset
    assert set(change.incidents) == {first, second}  # each once, in its latest state
    assert change.incidents[first].state is IncidentState.ASSIGNED
    assert change.incidents[first] == store.incident(first)
    assert set(change.deadlines) == {first, second}
    assert change.deadlines[first] is not None and change.deadlines[first].stage == "sign"
    assert set(change.units) == {"U1"}
    assert [seq for seq, _ in change.events] == list(range(reset.seq + 1, store.last_seq() + 1))
    assert change.seq == store.last_seq()
    assert notices == []


def test_a_duplicate_is_skipped_and_a_gap_is_out_of_step(store: Store, rules: Rules) -> None:
    state = LiveState(rules, lambda level, text: None)
    state.snapshot(snapshot(store))
    state.take()
    for n in range(3):
        run(store, "incident.create", incident_args(description=f"第 {n} 件"))
    events = wire_events(store)
    assert state.event(events[0])
    assert not state.event(events[0])  # replayed twice: held once
    with pytest.raises(OutOfStep, match="missing"):
        state.event(events[2])
    assert state.seq == 3


def test_an_event_about_an_incident_never_held_is_out_of_step(store: Store,
                                                              rules: Rules) -> None:
    incident_id = run(store, "incident.create", incident_args()).data["id"]
    state = LiveState(rules, lambda level, text: None)
    state.snapshot({"type": "snapshot", "seq": 1, "incidents": [], "units": []})
    run(store, "incident.accept", {"id": incident_id})
    with pytest.raises(OutOfStep, match="could not be applied"):
        state.event(wire_events(store, after=1)[0])


def test_positions_keep_the_latest_per_unit(rules: Rules) -> None:
    state = LiveState(rules, lambda level, text: None)
    state.positions({"type": "positions", "at": "2026-11-27T03:12:44+00:00",
                     "units": [["U1", 30.1, 104.1, 10.0, 1.0, "available"]]})
    state.positions({"type": "positions", "at": "2026-11-27T03:12:45+00:00",
                     "units": [["U1", 30.2, 104.2, 20.0, 2.0, "en_route"],
                               ["U2", 30.3, 104.3, 0, 0, "busy"]]})
    change = state.take()
    assert change is not None
    assert (change.positions["U1"].lat, change.positions["U1"].heading) == (30.2, 20.0)
    assert set(change.positions) == {"U1", "U2"}
    assert state.take() is None


def test_positions_between_a_snapshot_and_its_change_set_are_in_the_reset(rules: Rules) -> None:
    state = LiveState(rules, lambda level, text: None)
    state.positions({"type": "positions", "at": "2026-11-27T03:12:43+00:00",
                     "units": [["U9", 30.0, 104.0, 0.0, 0.0, "available"]]})
    state.snapshot({"type": "snapshot", "seq": 3, "incidents": [], "units": [
        {"id": "U1", "name": "巡逻 1", "type": "patrol", "status": "available",
         "status_since": "2026-11-27T03:00:00+00:00",
         "position": {"lat": 30.1, "lon": 104.1, "at": "2026-11-27T03:12:40+00:00"}}]})
    state.positions({"type": "positions", "at": "2026-11-27T03:12:44+00:00",
                     "units": [["U2", 30.2, 104.2, 90, 1, "busy"]]})
    reset = state.take()
    assert reset is not None and reset.reset
    # The frame before the snapshot is superseded by it; the one after it is kept.
    assert set(reset.positions) == {"U1", "U2"}
    assert reset.positions["U2"] == Position(30.2, 104.2, 90.0, 1.0, reset.positions["U2"].at)
    assert isinstance(reset.positions["U2"].heading, float)
    state.positions({"type": "positions", "at": "2026-11-27T03:12:45+00:00",
                     "units": [["U1", 30.3, 104.3, 0.0, 0.0, "available"]]})
    moved = state.take()
    assert moved is not None and not moved.reset and set(moved.positions) == {"U1"}
    state.snapshot({"type": "snapshot", "seq": 4, "incidents": [], "units": []})
    again = state.take()
    assert again is not None and again.reset and again.positions == {}


def test_a_snapshot_entry_that_cannot_be_read_is_left_out_with_a_notice(rules: Rules) -> None:
    notices: list[tuple[str, str]] = []
    state = LiveState(rules, lambda level, text: notices.append((level, text)))
    state.snapshot({"type": "snapshot", "seq": 0, "incidents": [{"id": "broken"}],
                    "units": [{"id": "U9", "name": "x", "type": "no such type"}]})
    change = state.take()
    assert change is not None and not change.incidents and not change.units
    assert [level for level, _ in notices] == ["warning", "warning"]
    assert "broken" in notices[0][1] and "U9" in notices[1][1]


def test_the_police_links_come_with_the_snapshot_and_follow_link_events(rules: Rules) -> None:
    state = LiveState(rules, lambda level, text: None)
    state.snapshot({"seq": 7, "police_links": [
        {"center": "police110", "state": "up", "since": "2026-11-27T03:00:00+00:00",
         "hub": "hub-a"}]})
    first = state.take()
    assert first is not None and first.police_links is not None
    assert first.police_links["police110"].up and first.police_links["police110"].hub == "hub-a"
    state.event({"seq": 8, "name": "police.link_down", "at": "2026-11-27T03:05:00+00:00",
                 "actor": "police110", "data": {"center": "police110", "hub": "hub-a"}})
    change = state.take()
    assert change is not None and change.police_links is not None
    link = change.police_links["police110"]
    assert not link.up and link.since.isoformat() == "2026-11-27T03:05:00+00:00"
    state.event({"seq": 9, "name": "unit.checkpoint_passed", "at": "2026-11-27T03:06:00+00:00",
                 "actor": "x", "data": {}})
    quiet = state.take()
    assert quiet is not None and quiet.police_links is None  # unchanged: not sent again
