"""Clock-in and checkpoint checks over real sockets (console/domain/roster.py): a device on
/field sends its fixes, then clocks in or passes a checkpoint; the hub checks the command
against the fix it holds (stored or not), the roster and the unit's grid."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from console.comms.clock import Clock as HubClock
from console.domain.model import Actor, Role
from console.domain.roster import Shift
from console.domain.rules import Rules
from console.store.store import Store
from console.store.writer import Command
from tests.hub.conftest import PASSWORD, Client, HubThread, add_users

ADMIN = Actor("admin", frozenset({Role.ADMIN}))
LOCAL = ZoneInfo("Asia/Shanghai")
#: 08:02 in Chengdu: two minutes into G1's and G2's 08:00 shift.
NOW = datetime(2026, 12, 7, 8, 2, tzinfo=LOCAL).astimezone(UTC)
#: In grid cell g000 of tests/geo.py (104.090–104.095 E, 30.660–30.665 N).
IN_G000 = (30.6625, 104.0925)
#: In g001, east of it.
IN_G001 = (30.6625, 104.0975)
CHECKPOINT = {"id": "cp.g000.1", "zh": "望平社区文化广场", "en": "Culture square",
              "lat": IN_G000[0], "lon": IN_G000[1], "grid": "g000", "community": "c00"}
M_PER_DEG_LAT = 111_195.0


def north(point: tuple[float, float], metres: float) -> tuple[float, float]:
    return point[0] + metres / M_PER_DEG_LAT, point[1]


def register(store: Store, unit: str, grid: str) -> None:
    result = store.execute(Command(str(uuid.uuid4()), "unit.register", {
        "id": unit, "name": f"网格员 {unit}", "type": "grid_worker", "tier": 1,
        "status": "off_duty", "street": "street.mengzhuiwan", "community": "c00",
        "grid": grid}), ADMIN)
    assert result.ok, result.error
    store.accounts.create_user(f"dev-{unit}", PASSWORD, ["field"], now=NOW, unit=unit)


@pytest.fixture
def roster_hub(db_url: str, rules: Rules, request: pytest.FixtureRequest
               ) -> Iterator[HubThread]:
    # (indirect param: how often the hub stores positions; default its own)
    flush = getattr(request, "param", None) or {}
    thread = HubThread(db_url, rules, clock=HubClock(1, origin=NOW, real=lambda: 0.0), **flush)
    add_users(thread.store)
    for unit in ("G1", "G2", "G3"):
        register(thread.store, unit, "g000")
    start, end = NOW - timedelta(minutes=2), NOW + timedelta(hours=4)
    thread.store.import_roster([Shift(f"{u}-am", u, "shift", start, end) for u in ("G1", "G2")])
    thread.store.put_checkpoints([CHECKPOINT])
    thread.start()
    yield thread
    thread.stop()


def device(port: int, unit: str) -> Client:
    client = Client(port, "/field")
    client.login(f"dev-{unit}")
    return client


def at(client: Client, unit: str, point: tuple[float, float]) -> None:
    client.send({"type": "positions", "units": [[unit, point[0], point[1], 0.0, 0.0]]})


def clocked_in_flags(client: Client, unit: str) -> dict[str, Any]:
    result = client.command("unit.clock_in", id=unit)
    assert result["ok"], result
    return result


def clock_in_event(ctl: Client, unit: str) -> dict[str, Any]:
    while True:
        event = ctl.until("event")
        if event["name"] == "unit.clocked_in" and event["data"]["unit"] == unit:
            return event


def test_a_clock_in_is_checked_against_the_roster_and_the_grid_and_flagged_not_refused(
        roster_hub: HubThread) -> None:
    ctl = Client(roster_hub.port)
    ctl.login("ctl")
    cases = {"G1": (IN_G000, []),                 # on roster, in its grid
             "G2": (IN_G001, ["outside_grid"]),   # on roster, in the next cell
             "G3": (IN_G000, ["off_roster"])}     # no shift today
    for unit, (point, flags) in cases.items():
        client = device(roster_hub.port, unit)
        at(client, unit, point)
        clocked_in_flags(client, unit)
        event = clock_in_event(ctl, unit)
        assert event["data"]["flags"] == flags, unit
        assert event["data"]["shift"] == (f"{unit}-am" if unit != "G3" else None)
        assert (event["data"]["lat"], event["data"]["lon"]) == pytest.approx(point)
        client.close()
    ctl.close()


def test_a_clock_in_with_no_fix_is_flagged_no_fix(roster_hub: HubThread) -> None:
    client = device(roster_hub.port, "G1")
    result = client.command("unit.clock_in", id="G1")
    assert result["ok"], result
    clocked = [e for e in roster_hub.store.events_after(0) if e.event.name == "unit.clocked_in"]
    assert clocked[-1].event.data["flags"] == ["no_fix"]
    assert "lat" not in clocked[-1].event.data
    client.close()


def test_a_checkpoint_pass_counts_within_50_m_of_the_last_fix_and_is_refused_200_m_away(
        roster_hub: HubThread) -> None:
    client = device(roster_hub.port, "G1")
    at(client, "G1", IN_G000)
    clocked_in_flags(client, "G1")

    at(client, "G1", north(IN_G000, 200))
    far = client.command("unit.checkpoint", id="G1", checkpoint="cp.g000.1")
    assert not far["ok"]
    assert far["error"]["code"] == "conflict"
    assert far["error"]["template"].startswith("Unit {unit} is {distance} m from checkpoint")
    assert far["error"]["params"]["distance"] == 200

    at(client, "G1", north(IN_G000, 30))
    near = client.command("unit.checkpoint", id="G1", checkpoint="cp.g000.1")
    assert near["ok"], near

    unknown = client.command("unit.checkpoint", id="G1", checkpoint="cp.nowhere")
    assert unknown["error"]["code"] == "not_found"
    passed = [e.event.data for e in roster_hub.store.events_after(0)
              if e.event.name == "unit.checkpoint_passed"]
    assert passed == [{"unit": "G1", "checkpoint": "cp.g000.1", "distance_m": 30.0}]
    client.close()


@pytest.mark.parametrize("roster_hub", [{"position_flush_s": 3600.0}], indirect=True)
def test_the_check_uses_the_hubs_latest_fix_before_it_is_stored(
        roster_hub: HubThread) -> None:
    client = device(roster_hub.port, "G1")
    at(client, "G1", IN_G000)
    clocked_in_flags(client, "G1")
    at(client, "G1", north(IN_G000, 20))
    assert client.command("unit.checkpoint", id="G1", checkpoint="cp.g000.1")["ok"]
    assert roster_hub.store.count("positions") == 0  # nothing stored yet: the hub's own fix
    client.close()
