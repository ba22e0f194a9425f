"""The police peer and the simulated 110 center (console/sim/police/).

First without a hub: the journal (a repeated id applied once, order kept, durable across a
reopen), the peer's own framing against a tiny websockets server in the test (hello, ack only
after the commit, the outbox resent in order after a reconnect, refusals and ``unavailable``,
a refused login), and the center's policy (the same seed, the same cases; escalations answered).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from websockets.asyncio.server import ServerConnection, serve

from console.comms import police_wire as w
from console.comms.clock import Clock
from console.domain.gazetteer import Gazetteer
from console.domain.rules import Rules
from console.sim.calls import Place
from console.sim.police.center import PoliceCenter, PoliceConfig
from console.sim.police.journal import Journal
from console.sim.police.peer import AUTH_FAILED, AuthFailed, PolicePeer, police_url
from console.store.store import Store
from tests.hub.conftest import (
    MAIN,
    PASSWORD,
    Client,
    HubProcess,
    HubThread,
    add_users,
    incident_args,
)

T = TypeVar("T")

WORLD = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
SHANGHAI_DAY = "20261127"


def case(shared_id: str = "S1", **changes: Any) -> w.Case:
    fields: dict[str, Any] = {
        "shared_id": shared_id, "police_case_no": None, "sent_at": WORLD,
        "location": w.Location(30.66, 104.1, "建设路1号"), "classification": "police.violence",
        "summary": "两人在小区门口斗殴", "priority": "P1",
        "remarks": ("有人持械，需警方处置", "linkage incident CH-20261127-000140")}
    fields.update(changes)
    return w.Case(**fields)


def escalation(message_id: str = "CH-20261127-000140/M1", shared_id: str = "S1") -> w.IncidentMsg:
    return w.IncidentMsg(message_id, case(shared_id))


def update(message_id: str, shared_id: str) -> w.UpdateMsg:
    return w.UpdateMsg(message_id, shared_id, ("报警人再次来电",))


# --- the journal ----------------------------------------------------------------------------


def test_a_repeated_id_is_applied_once_and_counted() -> None:
    journal = Journal()
    try:
        assert journal.receive(escalation("M1", "S1"), WORLD) is True
        assert journal.receive(update("M2", "S1"), WORLD) is True
        assert journal.receive(escalation("M3", "S2"), WORLD) is True
        assert journal.receive(escalation("M1", "S1"), WORLD) is False
        assert journal.receive(escalation("M1", "S1"), WORLD) is False
        received = journal.received("S1")
        assert [(r.id, r.type, r.deliveries) for r in received] == [
            ("M1", "incident", 3), ("M2", "update", 1)]
        assert received[0].message == escalation("M1", "S1")
        assert [r.id for r in journal.received()] == ["M1", "M2", "M3"]
    finally:
        journal.close()


def test_a_failed_transaction_leaves_no_receipt() -> None:
    journal = Journal()

    def receive_and_fail() -> None:
        with journal.transaction():
            journal.receive(escalation("M1"), WORLD)
            journal.enqueue(update("110-x-1", "S1"), WORLD)
            raise RuntimeError("the policy failed")

    try:
        with pytest.raises(RuntimeError):
            receive_and_fail()
        assert journal.received() == [] and journal.outbox() == []
        assert journal.receive(escalation("M1"), WORLD) is True  # applied when it comes again
    finally:
        journal.close()


def test_the_outbox_keeps_its_order_and_forgets_what_is_done(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    journal = Journal(path)
    instance = journal.instance
    for i, shared_id in enumerate(["A", "B", "A", "C"]):
        journal.enqueue(update(f"m{i}", shared_id), WORLD)
    assert journal.acked("m1", None, WORLD) and not journal.acked("m1", None, WORLD)
    journal.refused("m3", "not_found", "There is no case C here.")
    journal.close()

    again = Journal(path)  # everything committed is still there
    try:
        assert again.instance == instance and re.fullmatch(r"[0-9a-f]{6}", instance)
        assert [o.id for o in again.outbox(pending=True)] == ["m0", "m2"]
        done = {o.id: o for o in again.outbox()}
        assert done["m1"].acked and done["m3"].refused_code == "not_found"
        assert [o.message for o in again.outbox("A")] == [update("m0", "A"), update("m2", "A")]
    finally:
        again.close()


def test_the_police_url() -> None:
    assert police_url("ws://10.0.0.1:8765") == "ws://10.0.0.1:8765/police"
    assert police_url("wss://hub.example:443/ws?x=1") == "wss://hub.example:443/police"


# --- the peer's framing against a tiny server -----------------------------------------------


class TinyHub:
    """Just enough of ``/police`` to test the peer's framing: welcome (or refuse), record what
    arrives, send what the test says, drop the connection when told."""

    def __init__(self, password: str = "pw") -> None:
        self.password = password
        self.hellos: list[dict[str, Any]] = []
        self.frames: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.connected = asyncio.Event()
        self.ws: ServerConnection | None = None
        self.port = 0

    async def __aenter__(self) -> TinyHub:
        self.server = await serve(self._handler, "127.0.0.1", 0)
        self.port = next(iter(self.server.sockets)).getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.server.close()
        await self.server.wait_closed()

    async def _handler(self, ws: ServerConnection) -> None:
        assert ws.request is not None and ws.request.path == "/police"
        hello = json.loads(await ws.recv())
        self.hellos.append(hello)
        if hello["auth"]["password"] != self.password:
            await ws.send(json.dumps({"type": "error", "code": "auth_failed",
                                      "message": "Unknown user or wrong password."}))
            await ws.close(1008)
            return
        await ws.send(json.dumps({"type": "welcome", "protocol": 1, "token": "t", "seq": 0,
                                  "hub": "tiny", "user": {"username": "police110",
                                                          "roles": ["police"]},
                                  "time": WORLD.isoformat(), "speed": 60.0}))
        self.ws = ws
        self.connected.set()
        async for frame in ws:
            await self.frames.put(json.loads(frame))

    async def send(self, message: dict[str, Any] | w.HandOff | w.AckMsg) -> None:
        assert self.ws is not None
        await self.ws.send(json.dumps(message) if isinstance(message, dict) else w.encode(message))

    async def next(self, timeout: float = 5.0) -> dict[str, Any]:
        return await asyncio.wait_for(self.frames.get(), timeout)

    async def drop(self) -> None:
        assert self.ws is not None
        self.connected.clear()
        await self.ws.close(1001)
        self.ws = None


async def with_peer(test: Callable[[TinyHub, PolicePeer], Awaitable[T]], *,
                    password: str = "pw", **options: Any) -> T:
    async with TinyHub() as hub:
        peer = PolicePeer(f"ws://127.0.0.1:{hub.port}", "police110", password,
                          backoff_base=0.01, backoff_cap=0.05, seed=1, **options)
        running = asyncio.create_task(peer.run())
        try:
            return await test(hub, peer)
        finally:
            peer.stop()
            await asyncio.wait_for(asyncio.gather(running, return_exceptions=True), 10)
            peer.journal.close()


def test_hello_welcome_and_the_world_clock() -> None:
    async def test(hub: TinyHub, peer: PolicePeer) -> None:
        await asyncio.wait_for(peer.link_up.wait(), 5)
        assert hub.hellos == [{"type": "hello", "protocol": 1, "client": "110-cad-sim",
                               "auth": {"username": "police110", "password": "pw"}}]
        assert peer.state == "up" and peer.clock.speed == 60.0
        assert abs((peer.now() - WORLD).total_seconds()) < 60 * 5

    asyncio.run(with_peer(test))


def test_a_hand_off_is_acknowledged_after_its_commit_and_applied_once() -> None:
    applied: list[str] = []

    async def test(hub: TinyHub, peer: PolicePeer) -> None:
        def on_receive(message: w.HandOff, journal: Journal) -> None:
            applied.append(message.id)
            journal.enqueue(w.AcknowledgementMsg("110-ack-1", "S1", "accepted"), WORLD)

        peer.on_receive = on_receive
        await asyncio.wait_for(hub.connected.wait(), 5)
        await hub.send(escalation())
        assert await hub.next() == {"type": "ack", "id": "CH-20261127-000140/M1"}
        # By the time the ack is out, the receipt is committed.
        assert peer.journal.received("S1")[0].id == "CH-20261127-000140/M1"
        # What the policy wrote with the receipt follows it.
        assert await hub.next() == w.to_wire(w.AcknowledgementMsg("110-ack-1", "S1", "accepted"))
        for _ in range(2):  # a repeat: acknowledged again, not applied again
            await hub.send(escalation())
            assert await hub.next() == {"type": "ack", "id": "CH-20261127-000140/M1"}
        assert peer.journal.received("S1")[0].deliveries == 3
        await hub.send({"type": "ping", "id": "p1"})
        assert await hub.next() == {"type": "pong", "id": "p1"}

    asyncio.run(with_peer(test))
    assert applied == ["CH-20261127-000140/M1"]


def test_a_failing_policy_means_no_ack_and_no_receipt() -> None:
    async def test(hub: TinyHub, peer: PolicePeer) -> None:
        def on_receive(message: w.HandOff, journal: Journal) -> None:
            raise RuntimeError("policy bug")

        peer.on_receive = on_receive
        await asyncio.wait_for(hub.connected.wait(), 5)
        await hub.send(escalation())
        await hub.send({"type": "ping", "id": "after"})
        assert await hub.next() == {"type": "pong", "id": "after"}  # no ack before it
        assert peer.journal.received() == []

    asyncio.run(with_peer(test))


def test_the_outbox_goes_in_order_again_after_a_reconnect() -> None:
    async def test(hub: TinyHub, peer: PolicePeer) -> None:
        for message in (update("u1", "A"), update("u2", "B"), update("u3", "A"),
                        update("u4", "C")):
            peer.send(message)
        await asyncio.wait_for(hub.connected.wait(), 5)
        # One message per case in flight: u3 waits for u1.
        first = [(await hub.next())["id"] for _ in range(3)]
        assert first == ["u1", "u2", "u4"]
        await hub.send(w.AckMsg("u2"))
        await hub.drop()  # u1 and u4 were never acknowledged
        await asyncio.wait_for(hub.connected.wait(), 5)
        again = [(await hub.next())["id"] for _ in range(2)]
        assert again == ["u1", "u4"]
        await hub.send(w.AckMsg("u1", incident="CH-1"))
        assert (await hub.next())["id"] == "u3"  # its case's turn now
        await hub.send(w.AckMsg("u3"))
        await hub.send(w.AckMsg("u4"))
        await hub.send({"type": "ping", "id": "p"})
        assert (await hub.next())["type"] == "pong"
        assert peer.journal.outbox(pending=True) == []
        sends = {o.id: o.sends for o in peer.journal.outbox()}
        assert sends == {"u1": 2, "u2": 1, "u3": 1, "u4": 2}
        assert peer.sessions == 2

    asyncio.run(with_peer(test))


def test_unavailable_is_sent_again_and_a_refusal_is_not() -> None:
    async def test(hub: TinyHub, peer: PolicePeer) -> None:
        await asyncio.wait_for(hub.connected.wait(), 5)
        peer.send(update("u1", "A"))
        peer.send(update("u2", "A"))
        assert (await hub.next())["id"] == "u1"
        await hub.send({"type": "error", "code": "unavailable", "message": "later",
                        "ref": "u1"})
        assert (await hub.next())["id"] == "u1"  # again, and still before u2
        await hub.send({"type": "error", "code": "rate_limited", "message": "Slow down.",
                        "ref": "u1", "retry_after": 0.05})
        assert (await hub.next())["id"] == "u1"
        await hub.send({"type": "error", "code": "not_found", "message": "No case A.",
                        "ref": "u1"})
        assert (await hub.next())["id"] == "u2"
        await hub.send(w.AckMsg("u2"))
        await hub.send({"type": "ping", "id": "p"})
        assert (await hub.next())["type"] == "pong"
        refused = peer.journal.outbox("A")[0]
        assert (refused.refused_code, refused.acked) == ("not_found", False)
        assert peer.journal.outbox(pending=True) == []

    asyncio.run(with_peer(test, retry_after_s=0.05))


def test_a_window_limits_what_is_in_flight() -> None:
    async def test(hub: TinyHub, peer: PolicePeer) -> None:
        await asyncio.wait_for(hub.connected.wait(), 5)
        for i in range(5):
            peer.send(update(f"u{i}", f"S{i}"))
        assert [(await hub.next())["id"] for _ in range(2)] == ["u0", "u1"]
        with pytest.raises(TimeoutError):
            await hub.next(timeout=0.2)
        await hub.send(w.AckMsg("u1"))
        assert (await hub.next())["id"] == "u2"

    asyncio.run(with_peer(test, window=2))


def test_a_refused_login_is_final() -> None:
    async def test(hub: TinyHub, peer: PolicePeer) -> None:
        with pytest.raises(AuthFailed, match="wrong password"):
            await asyncio.wait_for(peer.run(), 5)
        assert peer.state == AUTH_FAILED and len(hub.hellos) == 1

    async def run() -> None:
        async with TinyHub() as hub:
            peer = PolicePeer(f"ws://127.0.0.1:{hub.port}", "police110", "wrong")
            try:
                await test(hub, peer)
            finally:
                peer.journal.close()

    asyncio.run(run())


def test_an_unreachable_hub_is_retried_until_stopped() -> None:
    async def run() -> None:
        peer = PolicePeer("ws://127.0.0.1:9", "police110", "pw", backoff_base=0.01,
                          backoff_cap=0.02)
        running = asyncio.create_task(peer.run())
        await until(lambda: "could not reach" in peer.detail)
        assert not peer.link_up.is_set()
        peer.stop()
        await asyncio.wait_for(running, 5)
        assert peer.state == "stopped"
        peer.journal.close()

    asyncio.run(run())


# --- the police center's policy -------------------------------------------------------------


@pytest.fixture(scope="module")
def places() -> list[Place]:
    return [Place(a.zh, a.lat, a.lon) for a in list(Gazetteer.load())[:200]]


@pytest.fixture(scope="module")
def rules() -> Rules:
    return Rules.load()


def center(rules: Rules, places: list[Place], **config: Any) -> PoliceCenter:
    peer = PolicePeer("ws://127.0.0.1:1", "police110", "pw")
    peer.clock.follow(WORLD, 1.0)
    return PoliceCenter(peer, PoliceConfig(**config), places)


def content(message: w.IncidentMsg) -> tuple[Any, ...]:
    c = message.case
    return (c.police_case_no, c.location, c.classification, c.summary, c.priority, c.reporter,
            c.remarks)


def test_the_center_sends_its_own_codes_some_of_which_the_table_cannot_map(
        rules: Rules, places: list[Place]) -> None:
    made = center(rules, places, seed=7)
    try:
        codes = {made.next_case(WORLD).case.classification for _ in range(400)}
    finally:
        made.peer.journal.close()
    mapped = {c for c in codes if rules.police_codes.category_for(c, rules.taxonomy)}
    assert "0301" in mapped and "noise" in mapped
    assert codes - mapped >= {"0399", "0698"}
    assert not any(rules.taxonomy.has_category(c) for c in codes)  # the police's, not ours


def test_the_same_seed_diverts_the_same_cases(rules: Rules, places: list[Place]) -> None:
    one, two, other = (center(rules, places, seed=s) for s in (5, 5, 6))
    try:
        firsts = [one.next_case(WORLD) for _ in range(30)]
        seconds = [two.next_case(WORLD) for _ in range(30)]
        assert [content(m) for m in firsts] == [content(m) for m in seconds]
        assert [content(m) for m in firsts] != [content(other.next_case(WORLD))
                                               for _ in range(30)]
        # Ids are the journal's own: unique even when a simulator starts again.
        assert {m.case.shared_id for m in firsts}.isdisjoint(m.case.shared_id for m in seconds)
        assert len({m.id for m in firsts}) == 30
        for message in firsts:
            assert re.fullmatch(rf"110-{SHANGHAI_DAY}-\d{{4}}", message.case.police_case_no or "")
            code = rules.police_codes.category_for(message.case.classification, rules.taxonomy)
            if code is not None:  # the police's own code, mapped by the center's table
                category = rules.taxonomy.category(code)
                assert not category.police_matter
                assert category.group in ("environment", "community", "utility", "city")
            assert message.case.sent_at == WORLD and message.case.sent_at.utcoffset() == \
                timedelta(hours=8)
            assert message.case.reporter.name and re.fullmatch(r"1\d{10}",
                                                               message.case.reporter.phone)
            assert decode_again(message) == message
        numbers = [m.case.police_case_no for m in firsts]
        assert numbers == sorted(numbers) and len(set(numbers)) == 30
        priorities = [m.case.priority for m in firsts]
        assert priorities.count("P3") > 15
    finally:
        for made in (one, two, other):
            made.journal.close()


def decode_again(message: w.IncidentMsg) -> w.PoliceMessage:
    return w.decode(w.encode(message))


def carry_out_all(made: PoliceCenter, until: datetime) -> None:
    for plan in made.journal.plans(due_by=until):
        made._carry_out(plan, plan.due_at)


def test_an_escalation_is_acknowledged_then_completed(rules: Rules,
                                                      places: list[Place]) -> None:
    made = center(rules, places, reject_share=0.0)
    try:
        with made.journal.transaction() as journal:
            assert journal.receive(escalation(), WORLD)
            made._received(escalation(), journal)
        made._received(w.IncidentMsg("again", case("S1")), made.journal)  # same case, new id
        assert made.journal.case("S1") == {
            "shared_id": "S1", "direction": "escalated", "state": "received",
            "police_case_no": None, "incident": "CH-20261127-000140"}
        [plan] = made.journal.plans()
        assert plan.action == "acknowledge"
        assert timedelta(seconds=60) <= plan.due_at - WORLD <= timedelta(seconds=180)
        carry_out_all(made, WORLD + timedelta(hours=1))
        carry_out_all(made, WORLD + timedelta(hours=2))
        sent = [o.message for o in made.journal.outbox("S1")]
        assert [type(m) for m in sent] == [w.AcknowledgementMsg, w.CompletionMsg]
        acknowledgement, completion = sent
        assert isinstance(acknowledgement, w.AcknowledgementMsg)
        assert acknowledgement.status == "accepted" and acknowledgement.police_case_no
        assert isinstance(completion, w.CompletionMsg)
        assert completion.status == "completed" and completion.disposition
        assert made.journal.case("S1")["state"] == "completed"  # type: ignore[index]
        assert made.journal.plans() == []
    finally:
        made.journal.close()


def test_a_share_of_escalations_is_rejected_with_a_cause(rules: Rules,
                                                         places: list[Place]) -> None:
    made = center(rules, places, reject_share=1.0)
    try:
        made._received(escalation(), made.journal)
        carry_out_all(made, WORLD + timedelta(hours=5))
        [sent] = [o.message for o in made.journal.outbox()]
        assert isinstance(sent, w.AcknowledgementMsg)
        assert sent.status == "rejected"
        assert sent.cause and ("不属于警务事项" in sent.cause or "无警情" in sent.cause)
    finally:
        made.journal.close()


def test_a_diversion_its_answers_and_an_update(rules: Rules, places: list[Place]) -> None:
    made = center(rules, places, update_share=1.0)
    try:
        diverted = made.divert()
        shared_id = diverted.case.shared_id
        assert made.journal.case(shared_id)["state"] == "sent"  # type: ignore[index]
        assert made.journal.outbox(shared_id)[0].message == diverted
        made.journal.acked(diverted.id, "CH-20261127-000123", WORLD)
        assert made.journal.case(shared_id)["incident"] == "CH-20261127-000123"  # type: ignore[index]
        made._received(w.AcknowledgementMsg("CH-20261127-000123/M1", shared_id, "accepted"),
                       made.journal)
        assert made.journal.case(shared_id)["state"] == "signed"  # type: ignore[index]
        carry_out_all(made, WORLD + timedelta(hours=1))
        update_sent = made.journal.outbox(shared_id)[-1].message
        assert isinstance(update_sent, w.UpdateMsg) and update_sent.remarks
        made._received(w.CompletionMsg("CH-20261127-000123/M2", shared_id, "completed", WORLD,
                                       "街道城管已上门劝导"), made.journal)
        assert made.journal.case(shared_id)["state"] == "completed"  # type: ignore[index]
    finally:
        made.journal.close()


def test_diversions_follow_the_rate_in_world_time(rules: Rules, places: list[Place]) -> None:
    made = center(rules, places, rate_per_hour=3600.0 * 20)  # 20 a world second

    async def run() -> None:
        made.peer.link_up.set()
        made.peer.clock.follow(WORLD, 10.0)
        diverting = asyncio.create_task(made._diverting())
        # The window the rate is counted over, five world seconds (about a hundred cases): the
        # center sleeps real time between cases, so the test lets real time pass too.
        await asyncio.sleep(0.5)
        diverting.cancel()
        await asyncio.gather(diverting, return_exceptions=True)

    try:
        asyncio.run(run())
        assert 40 < len(made.journal.cases(direction="diverted")) < 200
    finally:
        made.journal.close()


# --- against a real hub ---------------------------------------------------------------------
#
# A hub in a thread of this process, its world running 600 times faster (the police take one to
# three world minutes to acknowledge, ten to forty-five to dispose: under five real seconds).


@pytest.fixture
def fast_hub(tmp_path: Path, rules: Rules) -> Iterator[HubThread]:
    thread = HubThread(f"sqlite:///{tmp_path / 'hub.db'}", rules,
                       clock=Clock(600.0, origin=WORLD))
    add_users(thread.store)
    thread.start()
    yield thread
    thread.stop()


async def until(check: Callable[[], T | None], timeout: float = 20.0) -> T:
    """Poll ``check`` until it returns something (not None, not False)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not (found := check()):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(0.02)
    return found


def event_named(client: Client, name: str, incident: str, timeout: float = 20) -> dict[str, Any]:
    """The first event ``name`` about ``incident`` the console client sees (blocking)."""
    while True:
        found = next((e for e in client.events
                      if e["name"] == name and e["data"].get("id") == incident), None)
        if found is not None:
            return found
        client.events.append(client.until("event", timeout))


def live_incident(hub: HubThread, incident: str) -> dict[str, Any]:
    """The incident as a fresh liaison console's snapshot shows it."""
    viewer = Client(hub.port)
    try:
        viewer.hello("liaison")  # who sees the police case number
        snapshot, _ = viewer.sync()
        assert snapshot is not None
        return next(i for i in snapshot["incidents"] if i["id"] == incident)
    finally:
        viewer.close()


async def with_center(hub: HubThread, test: Callable[[PoliceCenter], Awaitable[T]],
                      **config: Any) -> T:
    peer = PolicePeer(f"ws://127.0.0.1:{hub.port}", "police110", PASSWORD,
                      backoff_base=0.01, backoff_cap=0.2)
    made = PoliceCenter(peer, PoliceConfig(rate_per_hour=0, **config),
                        [Place("建设路1号", 30.6675, 104.1075)])
    running = asyncio.create_task(made.run())
    try:
        await asyncio.wait_for(peer.link_up.wait(), 20)
        return await test(made)
    finally:
        peer.stop()
        await asyncio.wait_for(asyncio.gather(running, return_exceptions=True), 20)
        peer.journal.close()


def escalate(ctl: Client, note: str | None = None) -> str:
    incident = ctl.command("incident.create", **incident_args(
        category="police.violence", priority="P1", description="两人在小区门口斗殴"))["data"]["id"]
    assert ctl.command("incident.accept", id=incident)["ok"]
    assert ctl.command("incident.escalate", id=incident, reason="有人持械，需警方处置")["ok"]
    if note is not None:  # while the police have it: an update to them
        assert ctl.command("incident.note", id=incident, text=note)["ok"]
    return str(incident)


@pytest.mark.slow
def test_a_diversion_becomes_one_police_incident_however_often_it_is_sent(
        fast_hub: HubThread) -> None:
    async def test(made: PoliceCenter) -> None:
        journal = made.journal
        diverted = made.divert()
        shared_id = diverted.case.shared_id
        incident = await until(lambda: (journal.case(shared_id) or {}).get("incident"))
        [sent] = journal.outbox(shared_id)
        assert sent.acked and sent.incident == incident  # the hub's ack names it
        # The same case again, under a new message id: acknowledged, naming the same incident.
        made.peer.send(w.IncidentMsg(f"{diverted.id}-again", diverted.case))
        await until(lambda: not journal.outbox(pending=True))
        assert [o.incident for o in journal.outbox(shared_id)] == [incident, incident]
        shown = await asyncio.to_thread(live_incident, fast_hub, incident)
        assert shown["source"] == "police"
        assert shown["police_case_no"] == diverted.case.police_case_no
        assert shown["police_code"] == diverted.case.classification
        rules = fast_hub.store.rules
        assert shown["category"] == (rules.police_codes.category_for(
            diverted.case.classification, rules.taxonomy) or "unclassified")
        assert shown["police"]["shared_id"] == shared_id

    asyncio.run(with_center(fast_hub, test))


@pytest.mark.slow
def test_an_escalation_is_acknowledged_and_completed_by_the_police(fast_hub: HubThread) -> None:
    ctl = Client(fast_hub.port)
    ctl.login("ctl")

    async def test(made: PoliceCenter) -> None:
        incident = await asyncio.to_thread(escalate, ctl, "嫌疑人往北逃离")
        journal = made.journal
        case = await until(lambda: next((c for c in journal.cases(direction="escalated")
                                         if c["incident"] == incident), None))
        disposed = await asyncio.to_thread(event_named, ctl, "incident.police_disposed",
                                           incident)
        acknowledged = next(e for e in ctl.events if e["name"] == "incident.police_acknowledged"
                            and e["data"]["id"] == incident)
        sent = [o.message for o in journal.outbox(case["shared_id"])]
        assert [type(m) for m in sent] == [w.AcknowledgementMsg, w.CompletionMsg]
        # The controller who escalated sees it acknowledged; the police case number it carries
        # is for liaison officers (checked on their snapshot below).
        assert acknowledged["data"]["police_case_no"] is None
        assert disposed["data"]["disposition"] == sent[1].disposition  # type: ignore[union-attr]
        await until(lambda: not journal.outbox(pending=True))
        # Everything the hub sent about the case, once each and in order.
        received = journal.received(case["shared_id"])
        assert [(r.type, r.deliveries) for r in received] == [("incident", 1), ("update", 1)]
        assert received[1].message == w.UpdateMsg(received[1].id, case["shared_id"],
                                                  ("嫌疑人往北逃离",))
        shown = await asyncio.to_thread(live_incident, fast_hub, incident)
        assert shown["state"] == "resolved"
        assert shown["police_case_no"] == sent[0].police_case_no  # type: ignore[union-attr]
        assert journal.case(case["shared_id"])["state"] == "completed"  # type: ignore[index]

    try:
        asyncio.run(with_center(fast_hub, test, reject_share=0.0))
    finally:
        ctl.close()


@pytest.mark.slow
def test_a_rejected_escalation_goes_back_with_the_cause(fast_hub: HubThread) -> None:
    ctl = Client(fast_hub.port)
    ctl.login("ctl")

    async def test(made: PoliceCenter) -> None:
        incident = await asyncio.to_thread(escalate, ctl)
        rejected = await asyncio.to_thread(event_named, ctl, "incident.police_rejected",
                                           incident)
        [case] = made.journal.cases(direction="escalated")
        [sent] = [o.message for o in made.journal.outbox(case["shared_id"])]
        assert isinstance(sent, w.AcknowledgementMsg) and sent.status == "rejected"
        assert rejected["data"]["cause"] == sent.cause
        shown = await asyncio.to_thread(live_incident, fast_hub, incident)
        assert shown["state"] == "accepted"

    try:
        asyncio.run(with_center(fast_hub, test, reject_share=1.0))
    finally:
        ctl.close()


@pytest.mark.slow
def test_main_py_simulate_police(tmp_path: Path, rules: Rules) -> None:
    """The command line: a run against a real hub process, then plain errors for a refused
    password and a bad address."""
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    store = Store(url, rules)
    add_users(store)
    store.close()
    hub = HubProcess(url, "police-hub", 0, "--speed", "600", "--world-start", WORLD.isoformat())

    def simulate(*options: str, password: str = PASSWORD) -> subprocess.CompletedProcess[str]:
        # Unbuffered, and with faulthandler on: should it ever hang (it did once, in a loaded
        # fresh-clone run), SIGABRT makes it print where each of its threads waits.
        args = [sys.executable, str(MAIN), "simulate-police", "--hub",
                f"ws://127.0.0.1:{hub.port}", "--password-stdin", *options]
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONFAULTHANDLER": "1"}
        with subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env) as process:
            try:
                out, err = process.communicate(password + "\n", timeout=60)
            except subprocess.TimeoutExpired:
                process.send_signal(signal.SIGABRT)
                out, err = process.communicate()
                pytest.fail(f"simulate-police {' '.join(options)} still ran after 60 s:\n"
                            f"{out}\n{err}")
        return subprocess.CompletedProcess(args, process.returncode, out, err)

    try:
        # 120 an hour of world time at 600×: twenty a real second.
        run = simulate("--rate", "120", "--duration", "3", "--journal",
                       str(tmp_path / "police.db"))
        refused = simulate("--duration", "3", password="wrong")
    finally:
        assert hub.stop() == 0
    assert run.returncode == 0, run.stdout + run.stderr
    summary = re.search(r"police: (\d+) cases diverted \((\d+) taken as incidents\)", run.stdout)
    assert summary and int(summary.group(1)) >= 3 and int(summary.group(2)) >= 1, run.stdout
    journal = Journal(tmp_path / "police.db")  # durable: still there after the process
    try:
        assert len(journal.cases(direction="diverted")) == int(summary.group(1))
    finally:
        journal.close()
    assert refused.returncode == 1
    assert "simulate-police: the hub refused police110" in refused.stderr
    assert "Traceback" not in refused.stderr
    bad = subprocess.run([sys.executable, str(MAIN), "simulate-police", "--hub", "nothere"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "is not a hub address" in bad.stderr
    assert "Traceback" not in bad.stderr
