"""The simulator plays the field app (DESIGN §5c): its units get their dispatches as tasks on
``/field``, the gateway acknowledges them, and the units act on them — against a real hub, over
real sockets, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from console.comms.clock import Clock
from console.domain.model import Actor, Role, UnitStatus, UnitType
from console.domain.rules import Rules
from console.sim.demo import FIELD_GATEWAY, SIM_DISPATCH, District
from console.sim.field import FieldUnits
from console.sim.sessions import Sessions
from console.store.writer import Command
from tests.hub.conftest import PASSWORD, Client, HubThread, add_users, incident_args
from tests.store.conftest import db_url, pg_url, rules  # noqa: F401 - the fixtures

ADMIN = Actor("admin", frozenset({Role.ADMIN}))


async def until(condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


def test_a_unit_gets_its_dispatch_as_a_task_on_field_acknowledges_it_and_reports(
        db_url: str, rules: Rules) -> None:  # noqa: F811 - the fixtures above
    district = District.load()
    spec = next(u for u in district.forces if u.type is UnitType.GRID_WORKER)
    hub = HubThread(db_url, rules)
    add_users(hub.store)
    now = datetime.now(UTC)
    hub.store.accounts.create_user(FIELD_GATEWAY, PASSWORD, ["field"], now=now)
    hub.store.accounts.create_user(SIM_DISPATCH, PASSWORD, ["controller"], now=now)
    assert hub.store.execute(Command(str(uuid.uuid4()), "unit.register", {
        "id": spec.id, "name": spec.name, "type": "grid_worker", "status": "available"}),
        ADMIN).ok
    hub.start()
    ctl = Client(hub.port)
    ctl.login("ctl")
    incident = ctl.command("incident.create", **incident_args())["data"]["id"]
    ctl.close()
    counts: Counter[str] = Counter()

    async def play() -> None:
        loop = asyncio.get_running_loop()

        def after(_world_seconds: float, step: Callable[..., None], *args: Any) -> None:
            loop.call_soon(step, *args)  # the world's delays skipped: the next step at once

        sessions = Sessions(f"ws://127.0.0.1:{hub.port}", PASSWORD, rules,
                            deliver=lambda _change: None, hub_time=Clock(), counts=counts,
                            stopping=asyncio.Event(), tasks=lambda task: units.task(task))
        units = FieldUnits(district, random.Random(3), Clock(), sessions, after,
                           hub.store.incident, counts, report_every_s=30,
                           shift_changes_per_s=1, sos_per_day=0)
        sessions.open(loop)
        try:
            # The colleague at the controller desk dispatches; the unit hears of it on /field.
            sessions.send(SIM_DISPATCH, "incident.dispatch", {"id": incident, "unit": spec.id})
            await until(lambda: counts["task.dispatch"] == 1)
            unit = units.units[spec.id]
            assert unit.incident == incident and unit.assignment is not None

            def state() -> tuple[str, frozenset[str]]:
                inc = hub.store.incident(incident)
                assert inc is not None
                assignment = inc.assignments[0]
                return assignment.state.value, frozenset(name for name, _ in assignment.times)

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
        finally:
            await asyncio.to_thread(sessions.close)

    try:
        asyncio.run(play())
        events = []
        seq = 0
        while batch := hub.store.events_after(seq, 1000):
            events.extend(batch)
            seq = batch[-1].seq
    finally:
        hub.stop()
    named = [(e.event.name, e.event.actor, e.event.data) for e in events]
    delivered = [d for n, a, d in named if n == "assignment.delivered"]
    assert len(delivered) == 1 and delivered[0]["unit"] == spec.id
    assert delivered[0]["task"].endswith(f"-{spec.id}")
    acknowledged = [a for n, a, d in named
                    if n == "assignment.updated" and d.get("status") == "acknowledged"]
    assert acknowledged == [FIELD_GATEWAY]
    assert counts["task.dispatch"] == 1  # taken once, however often it came
    photos = [d["attachment"] for n, a, d in named if n == "incident.attachment_added"]
    assert len(photos) == 1 and photos[0]["content_type"] == "image/png"
    assert any(n == "unit.sos" and a == FIELD_GATEWAY for n, a, _ in named)
    assert any(n == "unit.sos_cleared" and a == SIM_DISPATCH for n, a, _ in named)
