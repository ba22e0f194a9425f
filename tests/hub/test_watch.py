"""Early warning through a real hub, on SQLite and PostgreSQL: a day of the demo district's
calls as history, two more hours of them live at the same rate — no warning; then three gas
leaks in one grid cell within ten minutes — a warning in the log, on every console, raised once
even by two hubs on one database, and acknowledged by the duty leader."""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from console.comms.clock import Clock
from console.domain.geography import Geography
from console.domain.model import Actor, Role
from console.domain.resources import RESOURCES
from console.domain.rules import Rules
from console.hub.watch import command_id
from console.sim.calls import CallMaker, Place, calls_per_hour
from console.store.store import Store
from console.store.writer import Command
from tests.hub.conftest import Client, HubThread, add_users
from tests.waiting import wait_until

#: Monday 2026-11-23, 09:00 in Chengdu: the morning peak.
ORIGIN = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
LOCAL_OFFSET = timedelta(hours=8)
#: 20 world minutes a real second: the two live hours take six seconds.
SPEED = 1200.0
CALLS_PER_DAY = 3000.0  # the demo's rate (console/sim/simulator.py)
GAS = "safety.gas_leak"
CONTROLLER = Actor("ctl", frozenset({Role.CONTROLLER}))


@pytest.fixture(scope="module")
def district() -> tuple[Rules, list[Place]]:
    """The demo district: its 1,500 grid cells, 99 communities and its gazetteer's places."""
    gazetteer = json.loads((RESOURCES / "geography" / "gazetteer.json").read_text("utf-8"))
    return (Rules.load(geography=Geography.from_files()),
            [Place(a["zh"], a["lat"], a["lon"]) for a in gazetteer])


def arrivals(start: datetime, end: datetime, seed: str) -> list[datetime]:
    """Call times at the demo's rate and daily rhythm."""
    rng = random.Random(seed)
    times, at = [], start
    while True:
        hour = ((at + LOCAL_OFFSET).hour + (at + LOCAL_OFFSET).minute / 60)
        at += timedelta(seconds=rng.expovariate(calls_per_hour(CALLS_PER_DAY, hour) / 3600))
        if at >= end:
            return times
        times.append(at)


def seed_history(url: str, rules: Rules, places: list[Place], hours: float) -> int:
    """``hours`` of the demo's calls before ``ORIGIN``, written as the hub would have."""
    times = arrivals(ORIGIN - timedelta(hours=hours), ORIGIN, "history")
    clock = iter(times)
    store = Store(url, rules, clock=lambda: next(clock))
    calls = CallMaker(rules.taxonomy, places, "history")
    try:
        for first in range(0, len(times), 250):
            batch = [(Command(str(uuid.uuid4()), "incident.create", calls.next("20261122").args),
                      CONTROLLER) for _ in times[first:first + 250]]
            results, _ = store.execute_batch(batch)
            assert all(r.ok for r in results)
    finally:
        store.close()
    return len(times)


def start_hub(url: str, rules: Rules, name: str = "hub", *, users: bool = True) -> HubThread:
    thread = HubThread(url, rules, name=name, clock=Clock(speed=SPEED, origin=ORIGIN))
    if users:
        add_users(thread.store)
    return thread.start()


@pytest.fixture
def demo_hub(db_url: str, district: tuple[Rules, list[Place]]) -> Iterator[HubThread]:
    rules, places = district
    started = time.monotonic()
    seeded = seed_history(db_url, rules, places, hours=24)
    print(f"history: {seeded} incidents in {time.monotonic() - started:.1f} s")
    thread = start_hub(db_url, rules)
    yield thread
    thread.stop()


def at_world_time(hub: HubThread, when: datetime) -> None:
    """Pace a caller by the hub's world clock (a generator of traffic, not a wait on state)."""
    ahead = (when - hub.config.clock.now()).total_seconds() / SPEED
    if ahead > 0:
        time.sleep(ahead)


def create(client: Client, args: dict[str, Any]) -> str:
    reply = client.command("incident.create", **args)
    assert reply["ok"], reply
    return str(reply["data"]["id"])


def caught_up(hub: HubThread) -> bool:
    assert hub.hub is not None
    return hub.hub.watch.followed == hub.store.last_seq()


def warnings_in_log(hub: HubThread) -> list[dict[str, Any]]:
    return [dict(e.event.data) for e in hub.store.events_after(0, limit=100_000)
            if e.event.name == "warning.raised"]


@pytest.mark.slow
def test_normal_traffic_raises_nothing_and_a_spike_raises_a_warning(
        demo_hub: HubThread, district: tuple[Rules, list[Place]]) -> None:
    rules, places = district
    hub = demo_hub
    assert hub.hub is not None
    watch = hub.hub.watch
    ctl, leader = Client(hub.port), Client(hub.port)
    ctl.login("ctl")
    leader.login("leader")
    try:
        # Two hours of the morning peak, live, at the demo's rate over the same district.
        calls = CallMaker(rules.taxonomy, places, "live")
        live = arrivals(ORIGIN, ORIGIN + timedelta(hours=2), "live")
        started = time.monotonic()
        for when in live:
            at_world_time(hub, when)
            create(ctl, calls.next("20261123").args)
        wait_until(lambda: caught_up(hub))
        print(f"live: {len(live)} incidents over 2 world hours in "
              f"{time.monotonic() - started:.1f} s; spikes {watch.spikes}")
        assert len(live) > 300
        assert watch.spikes == 0 and warnings_in_log(hub) == []

        # Three gas leaks at one address within ten minutes.
        place = places[0]
        grid = rules.geography.locate(place.lat, place.lon).grid  # type: ignore[union-attr]
        gas = []
        for minutes in (0, 4, 9):
            at_world_time(hub, ORIGIN + timedelta(hours=2, minutes=minutes))
            gas.append(create(ctl, {
                "source": "hotline", "category": GAS, "priority": "P1",
                "description": "楼道里有很浓的燃气味",
                "location": {"lat": place.lat, "lon": place.lon, "address": place.address},
                "reporter": {"name": "王先生", "phone": "13800000009"}}))
        (raised,) = wait_until(lambda: warnings_in_log(hub))
        assert raised["id"].startswith("EW-20261123-")
        assert {k: raised[k] for k in ("category", "level", "area", "count", "threshold",
                                       "window", "incidents")} == {
            "category": GAS, "level": "grid", "area": grid, "count": 3, "threshold": 3,
            "window": 60, "incidents": gas}
        # Every console hears it; the duty leader acknowledges it.
        heard = leader.until("event")
        while heard["name"] != "warning.raised":
            heard = leader.until("event")
        assert heard["actor"] == "system" and heard["data"]["id"] == raised["id"]
        acknowledged = leader.command("warning.acknowledge", id=raised["id"], note="已派员核实")
        assert acknowledged["ok"], acknowledged
        wait_until(lambda: caught_up(hub))
        assert watch.spikes == 1 and watch.raised == 1
        (wire,) = hub.store.warnings()
        assert wire["acknowledged_by"] == "leader"
    finally:
        ctl.close()
        leader.close()


@pytest.mark.slow
def test_two_hubs_on_one_postgresql_raise_a_spike_once(pg_db_url: str, rules: Rules) -> None:
    # A day of record: one old incident.
    old = Store(pg_db_url, rules, clock=lambda: ORIGIN - timedelta(hours=25))
    assert old.execute(Command("old", "incident.create", {
        "source": "hotline", "category": "city.streetlight", "priority": "P4",
        "description": "路灯不亮", "location": {"lat": 30.6625, "lon": 104.0925}}),
        CONTROLLER).ok
    old.close()
    east = start_hub(pg_db_url, rules, "east")
    try:
        west = start_hub(pg_db_url, rules, "west", users=False)
    except BaseException:
        east.stop()
        raise
    try:
        clients = [Client(east.port), Client(west.port)]
        for client in clients:
            client.login("ctl")
        # Two on one hub, the third on the other: both hubs decide the spike at the same seq.
        for n, client in enumerate((clients[0], clients[1], clients[0])):
            create(client, {"source": "hotline", "category": GAS, "priority": "P1",
                            "description": f"燃气味 {n}",
                            "location": {"lat": 30.6675, "lon": 104.0925}})
        wait_until(lambda: len(warnings_in_log(east)) == 1 and caught_up(east)
                   and caught_up(west))
        assert east.hub is not None and west.hub is not None
        assert (east.hub.watch.spikes, west.hub.watch.spikes) == (1, 1)
        assert east.hub.watch.raised + west.hub.watch.raised == 1
        assert len(warnings_in_log(west)) == 1
        for client in clients:
            client.close()
    finally:
        east.stop()
        west.stop()


def test_the_command_id_is_the_same_on_every_hub() -> None:
    from console.domain.warning import Spike

    spike = Spike(GAS, "grid", "grid.mengzhuiwan.03", ORIGIN, 3, 0.0, 3, 60, ("a", "b", "c"))
    assert command_id(spike, 1234) == command_id(spike, 1234)
    assert command_id(spike, 1234) != command_id(spike, 1235)
    assert len(command_id(spike, 10**12)) <= 64
