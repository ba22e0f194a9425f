"""The simulator plays the field app (DESIGN §5c): its units get their dispatches as tasks on
``/field``, the gateway acknowledges them, and the units act on them — against a real hub, over
real sockets, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from console.comms.clock import Clock
from console.domain.incident import Incident
from console.domain.model import Actor, Role, UnitStatus, UnitType
from console.domain.rules import Rules
from console.sim.demo import FIELD_GATEWAY, SIM_DISPATCH, District
from console.sim.field import FieldUnits
from console.sim.forces import UnitSpec
from console.sim.sessions import Sessions
from console.store.writer import Command
from tests.hub.conftest import PASSWORD, Client, HubThread, add_users, incident_args
from tests.store.conftest import db_url, pg_url, rules  # noqa: F401 - the fixtures

ADMIN = Actor("admin", frozenset({Role.ADMIN}))
DISTRICT = District.load()
SPEC: UnitSpec = next(u for u in DISTRICT.forces if u.type is UnitType.GRID_WORKER)


async def until(condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


@pytest.fixture
def hub(db_url: str, rules: Rules) -> Iterator[HubThread]:  # noqa: F811 - the fixtures above
    """A hub with the simulator's accounts and one of the district's grid workers."""
    thread = HubThread(db_url, rules)
    add_users(thread.store)
    now = datetime.now(UTC)
    thread.store.accounts.create_user(FIELD_GATEWAY, PASSWORD, ["field"], now=now)
    thread.store.accounts.create_user(SIM_DISPATCH, PASSWORD, ["controller"], now=now)
    assert thread.store.execute(Command(str(uuid.uuid4()), "unit.register", {
        "id": SPEC.id, "name": SPEC.name, "type": "grid_worker", "status": "available"}),
        ADMIN).ok
    thread.start()
    yield thread
    thread.stop()


def play(hub: HubThread, rules: Rules, counts: Counter[str],  # noqa: F811
         scene: Callable[[Sessions, FieldUnits], Awaitable[None]]) -> list[Any]:
    """Run ``scene`` with the simulator's sessions and units (every world delay skipped: a
    unit's next step comes at once); the hub's event log after it."""

    async def main() -> None:
        loop = asyncio.get_running_loop()

        def after(_world_seconds: float, step: Callable[..., None], *args: Any) -> None:
            loop.call_soon(step, *args)

        sessions = Sessions(f"ws://127.0.0.1:{hub.port}", PASSWORD, rules,
                            deliver=lambda _change: None, hub_time=Clock(), counts=counts,
                            stopping=asyncio.Event(), tasks=lambda task: units.task(task))
        units = FieldUnits(DISTRICT, random.Random(3), Clock(), sessions, after,
                           hub.store.incident, counts, report_every_s=30,
                           shift_changes_per_s=1, sos_per_day=0)
        sessions.open(loop)
        try:
            await scene(sessions, units)
        finally:
            await asyncio.to_thread(sessions.close)

    asyncio.run(main())
    events, seq = [], 0
    while batch := hub.store.events_after(seq, 1000):
        events.extend(batch)
        seq = batch[-1].seq
    return [(e.event.name, e.event.actor, e.event.data) for e in events]


def incident_of(hub: HubThread, incident: str) -> Incident:
    found = hub.store.incident(incident)
    assert found is not None
    return found


def test_a_unit_gets_its_dispatch_as_a_task_on_field_acknowledges_it_and_reports(
        hub: HubThread, rules: Rules) -> None:  # noqa: F811
    ctl = Client(hub.port)
    ctl.login("ctl")
    incident = ctl.command("incident.create", **incident_args())["data"]["id"]
    ctl.close()
    counts: Counter[str] = Counter()

    def state() -> tuple[str, frozenset[str]]:
        assignment = incident_of(hub, incident).assignments[0]
        return assignment.state.value, frozenset(name for name, _ in assignment.times)

    async def scene(sessions: Sessions, units: FieldUnits) -> None:
        # The colleague at the controller desk dispatches; the unit hears of it on /field.
        sessions.send(SIM_DISPATCH, "incident.dispatch", {"id": incident, "unit": SPEC.id})
        await until(lambda: counts["task.dispatch"] == 1)
        unit = units.units[SPEC.id]
        assert unit.incident == incident and unit.assignment is not None
        # The gateway's ack marks it delivered; the unit acknowledges and sets off.
        await until(lambda: state()[0] == "en_route" and "delivered" in state()[1])
        # A photo of the scene, and a call for help that the colleague clears.
        units._photo(incident)
        unit.status = UnitStatus.AVAILABLE  # on duty (the replica would say so)
        units.sos_per_day = 86_400 * 20  # one within a few hundredths of a second
        pressing = asyncio.create_task(units.sos())
        await until(lambda: counts["ok.unit.sos"] >= 1 and counts["ok.unit.sos_clear"] >= 1
                    and counts["ok.attachment.add"] == 1)
        pressing.cancel()

    named = play(hub, rules, counts, scene)
    delivered = [d for n, a, d in named if n == "assignment.delivered"]
    assert len(delivered) == 1 and delivered[0]["unit"] == SPEC.id
    assert delivered[0]["task"].endswith(f"-{SPEC.id}")
    acknowledged = [a for n, a, d in named
                    if n == "assignment.updated" and d.get("status") == "acknowledged"]
    assert acknowledged == [FIELD_GATEWAY]
    assert counts["task.dispatch"] == 1  # taken once, however often it came
    photos = [d["attachment"] for n, a, d in named if n == "incident.attachment_added"]
    assert len(photos) == 1 and photos[0]["content_type"] == "image/png"
    assert any(n == "unit.sos" and a == FIELD_GATEWAY for n, a, _ in named)
    assert any(n == "unit.sos_cleared" and a == SIM_DISPATCH for n, a, _ in named)


def test_a_unit_sent_to_verify_gets_a_verify_task_and_its_finding_is_recorded(
        hub: HubThread, rules: Rules) -> None:  # noqa: F811
    ctl, desk = Client(hub.port), Client(hub.port)
    ctl.login("ctl")
    desk.login("desk-env")
    incident = ctl.command("incident.create", **incident_args())["data"]["id"]
    for client, name, args in ((ctl, "incident.accept", {}),
                               (ctl, "incident.assign", {"department": "environment"}),
                               (desk, "incident.sign", {}),
                               (desk, "incident.resolve", {"result": "已停工"})):
        assert client.command(name, id=incident, **args)["ok"]
    ctl.close()
    desk.close()
    counts: Counter[str] = Counter()

    async def scene(sessions: Sessions, units: FieldUnits) -> None:
        sessions.send(SIM_DISPATCH, "incident.dispatch",
                      {"id": incident, "unit": SPEC.id, "purpose": "verify"})
        await until(lambda: counts["task.verify"] == 1)
        await until(lambda: incident_of(hub, incident).assignments[0].state.value
                    == "en_route")
        assignment = incident_of(hub, incident).assignments[0].id
        units._arrived(incident, assignment)  # there: it looks, reports, and leaves
        await until(lambda: incident_of(hub, incident).state.value in (
            "verified", "in_progress")
            and not incident_of(hub, incident).assignments[0].active)

    named = play(hub, rules, counts, scene)
    verified = [(n, a, d) for n, a, d in named
                if n in ("incident.verified", "incident.verification_failed")]
    assert len(verified) == 1
    _, actor, data = verified[0]
    assert actor == SIM_DISPATCH and data["method"] == "site"
    assert data["note"].startswith(f"{SPEC.name}现场核查")
    assert [d["status"] for n, _, d in named if n == "assignment.updated"] == [
        "acknowledged", "en_route", "on_scene", "cleared"]
    assert not any(n == "incident.attachment_added" for n, _, _ in named)  # no photo: a look
