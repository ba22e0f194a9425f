"""Tasks to the field over real sockets (DESIGN §5c, console/hub/field.py): a dispatch reaches
the unit's device, its ack marks it delivered on the consoles, nothing acknowledged is sent
again, and nothing committed is lost to a killed hub or a cut connection."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from console.domain.model import Actor, Role
from console.domain.rules import Rules
from console.store.store import Store
from console.store.writer import Command
from tests.faultproxy import FaultProxy
from tests.hub.conftest import PASSWORD, Client, HubProcess, HubThread, add_users, incident_args

ADMIN = Actor("admin", frozenset({Role.ADMIN}))


def register(store: Store, *units: str) -> None:
    for unit in units:
        result = store.execute(Command(str(uuid.uuid4()), "unit.register", {
            "id": unit, "name": f"网格员 {unit}", "type": "grid_worker", "tier": 1,
            "status": "available"}), ADMIN)
        assert result.ok, result.error
        store.accounts.create_user(f"dev-{unit}", PASSWORD, ["field"], now=datetime.now(UTC),
                                   unit=unit)


@pytest.fixture
def field_hub(db_url: str, rules: Rules) -> Iterator[HubThread]:
    thread = HubThread(db_url, rules, message_rate=5000.0, message_burst=5000.0)
    add_users(thread.store)
    register(thread.store, "G1", "G2")
    thread.start()
    yield thread
    thread.stop()


def device(port: int, unit: str | None) -> Client:
    """A unit's device (or the gateway, for None) logged in on /field."""
    client = Client(port, "/field")
    client.login(f"dev-{unit}" if unit else "gateway")
    return client


def next_task(client: Client, timeout: float = 10) -> dict[str, Any]:
    return client.until("task", timeout)


def event_named(client: Client, name: str, timeout: float = 10) -> dict[str, Any]:
    for i, event in enumerate(client.events):
        if event["name"] == name:
            return client.events.pop(i)
    deadline = time.monotonic() + timeout
    while True:
        event = client.until("event", max(0.1, deadline - time.monotonic()))
        if event["name"] == name:
            return event


def dispatch(ctl: Client, unit: str) -> tuple[str, str]:
    incident = ctl.command("incident.create", **incident_args())["data"]["id"]
    result = ctl.command("incident.dispatch", id=incident, unit=unit)
    assert result["ok"], result
    return incident, result["data"]["assignment"]


def test_a_dispatch_reaches_the_units_device_within_a_second_and_its_ack_marks_it_delivered(
        field_hub: HubThread) -> None:
    ctl = Client(field_hub.port)
    ctl.login("ctl")
    g1 = device(field_hub.port, "G1")
    gateway = device(field_hub.port, None)
    incident = ctl.command("incident.create", **incident_args())["data"]["id"]
    sent = time.monotonic()
    result = ctl.command("incident.dispatch", id=incident, unit="G1")
    task = next_task(g1, timeout=5)
    assert time.monotonic() - sent < 1.0
    assert task["kind"] == "dispatch" and task["unit"] == "G1"
    assert task["assignment"] == result["data"]["assignment"]
    assert task["incident"]["id"] == incident
    assert task["incident"]["category"] == "env.noise_construction"
    assert task["incident"]["priority"] == "P3"
    assert task["incident"]["location"] == {"lat": 30.6675, "lon": 104.1075,
                                            "address": "建设路 1 号"}
    assert task["incident"]["reporter"]["phone"] == ""  # the field role does not see it
    assert "13800000001" not in json.dumps(task)
    assert set(task) >= {"id", "unit", "kind", "sent_at", "incident", "assignment", "text"}
    # The gateway serves every unit: it gets the same task.
    assert next_task(gateway)["id"] == task["id"]
    g1.send({"type": "ack", "id": task["id"]})
    delivered = event_named(ctl, "assignment.delivered")
    assert delivered["data"] == {"id": incident, "assignment": task["assignment"],
                                 "unit": "G1", "task": task["id"]}
    # Another device of another unit gets nothing of G1's.
    g2 = device(field_hub.port, "G2")
    _, assignment = dispatch(ctl, "G2")
    assert next_task(g2)["assignment"] == assignment
    for client in (ctl, g1, g2, gateway):
        client.close()


def test_a_task_comes_again_after_a_reconnect_until_acked_and_never_after(
        field_hub: HubThread) -> None:
    ctl = Client(field_hub.port)
    ctl.login("ctl")
    g1 = device(field_hub.port, "G1")
    incident, _ = dispatch(ctl, "G1")
    first = next_task(g1)
    g1.close()  # not acknowledged
    g1 = device(field_hub.port, "G1")
    again = next_task(g1)
    assert again == first  # the same id, the same body
    g1.send({"type": "ack", "id": first["id"]})
    event_named(ctl, "assignment.delivered")
    g1.close()
    g1 = device(field_hub.port, "G1")
    # A recall of the same assignment is the next task: the dispatch is not sent again.
    assignment = first["assignment"]
    assert ctl.command("assignment.update", id=incident, assignment=assignment,
                       status="cancelled")["ok"]
    recall = next_task(g1)
    assert (recall["kind"], recall["assignment"]) == ("recall", assignment)
    assert int(recall["id"][1:].split("-")[0]) > int(first["id"][1:].split("-")[0])
    for client in (ctl, g1):
        client.close()


def test_messages_broadcasts_and_sos(field_hub: HubThread) -> None:
    ctl = Client(field_hub.port)
    ctl.login("ctl")
    leader = Client(field_hub.port)
    leader.login("leader")
    g1 = device(field_hub.port, "G1")
    assert ctl.command("unit.message", id="G1", text="请到社区服务站报到")["ok"]
    message = next_task(g1)
    assert (message["kind"], message["text"], message["incident"]) == (
        "message", "请到社区服务站报到", None)
    g1.send({"type": "ack", "id": message["id"]})
    assert event_named(ctl, "unit.task_delivered")["data"]["task"] == message["id"]
    major = leader.command("major.declare", level="II", title="燃气泄漏", commander="王队",
                           area={"center": {"lat": 30.66, "lon": 104.10}, "radius_m": 500})
    assert major["ok"], major
    major_id = major["data"]["id"]
    assert leader.command("major.commit", id=major_id, unit="G1")["ok"]
    committed = next_task(g1)
    assert committed["kind"] == "broadcast" and "燃气泄漏" in committed["text"]
    assert leader.command("major.broadcast", id=major_id, message="所有人员撤离")["ok"]
    broadcast = next_task(g1)
    assert broadcast["kind"] == "broadcast" and "所有人员撤离" in broadcast["text"]
    # SOS: an event every console sees; a field unit may not clear it, a controller may.
    sos = g1.command("unit.sos", id="G1", lat=30.66, lon=104.10, text="被围堵")
    assert sos["ok"], sos
    assert event_named(leader, "unit.sos")["data"] == {"unit": "G1", "lat": 30.66,
                                                       "lon": 104.10, "text": "被围堵"}
    assert g1.command("unit.sos", id="G2", lat=30.66, lon=104.10)["error"]["code"] == \
        "forbidden"
    assert g1.command("unit.sos_clear", id="G1")["error"]["code"] == "forbidden"
    assert ctl.command("unit.sos_clear", id="G1")["ok"]
    assert event_named(leader, "unit.sos_cleared")["data"] == {"unit": "G1"}
    assert ctl.command("unit.sos_clear", id="G1")["error"]["code"] == "conflict"
    for client in (ctl, leader, g1):
        client.close()


def test_an_on_site_verification_is_a_task_of_its_own_kind_and_the_unit_reports_it(
        field_hub: HubThread) -> None:
    """核查 (DESIGN §5c kind ``verify``): the center sends a unit to check a handler's result;
    its device gets a ``verify`` task, the ack marks the assignment delivered, and the unit
    verifies the incident on site."""
    ctl = Client(field_hub.port)
    ctl.login("ctl")
    desk = Client(field_hub.port)
    desk.login("desk-env")
    g1 = device(field_hub.port, "G1")
    incident = ctl.command("incident.create", **incident_args())["data"]["id"]
    assert ctl.command("incident.accept", id=incident)["ok"]
    assert ctl.command("incident.assign", id=incident, department="environment")["ok"]
    assert desk.command("incident.sign", id=incident)["ok"]
    assert desk.command("incident.resolve", id=incident, result="已停工")["ok"]
    # A purpose the hub does not know: refused, and nothing sent.
    refused = ctl.command("incident.dispatch", id=incident, unit="G1", purpose="inspect")
    assert refused["error"]["code"] == "invalid" and "purpose" in refused["error"]["message"]
    sent = ctl.command("incident.dispatch", id=incident, unit="G1", purpose="verify")
    assert sent["ok"], sent
    task = next_task(g1)
    assert (task["kind"], task["assignment"]) == ("verify", sent["data"]["assignment"])
    assert task["incident"]["id"] == incident
    g1.send({"type": "ack", "id": task["id"]})
    delivered = event_named(ctl, "assignment.delivered")
    assert delivered["data"]["task"] == task["id"]
    snapshot, _ = _snapshot(field_hub.port)
    doc = next(i for i in snapshot["incidents"] if i["id"] == incident)
    assert doc["assignments"][0]["purpose"] == "verify"
    assert "delivered" in doc["assignments"][0]["times"]
    # The unit that was sent verifies on site; another unit's device may not.
    g2 = device(field_hub.port, "G2")
    assert g2.command("incident.verify", id=incident, method="site",
                      satisfied=True)["error"]["code"] == "forbidden"
    verified = g1.command("incident.verify", id=incident, method="site", satisfied=True)
    assert verified["ok"], verified
    assert event_named(ctl, "incident.verified")["data"]["method"] == "site"
    for client in (ctl, desk, g1, g2):
        client.close()


def test_an_ack_on_ws_or_of_another_units_task_changes_nothing(field_hub: HubThread) -> None:
    ctl = Client(field_hub.port)
    ctl.login("ctl")
    ctl.send({"type": "ack", "id": "T1-G1"})
    assert ctl.until("error")["code"] == "bad_message"
    g2 = device(field_hub.port, "G2")
    g1 = device(field_hub.port, "G1")
    dispatch(ctl, "G1")
    task = next_task(g1)
    g2.send({"type": "ack", "id": task["id"]})  # refused by the write path (forbidden)
    assert g2.command("field.delivered", task=task["id"])["error"]["code"] == "forbidden"
    g1.close()
    g1 = device(field_hub.port, "G1")
    assert next_task(g1)["id"] == task["id"]  # still owed
    for client in (ctl, g1, g2):
        client.close()


def test_a_hub_killed_between_the_commit_and_the_send_delivers_the_task_once_restarted(
        db_url: str, rules: Rules) -> None:
    store = Store(db_url, rules)
    add_users(store)
    register(store, "G1")
    store.close()
    hub = HubProcess(db_url, "field-a")
    try:
        ctl = Client(hub.port)
        ctl.login("ctl")
        incident, assignment = dispatch(ctl, "G1")  # committed; no device is connected
        ctl.close()
        hub.kill()
        hub = HubProcess(db_url, "field-b")
        g1 = device(hub.port, "G1")
        task = next_task(g1)
        assert (task["kind"], task["assignment"]) == ("dispatch", assignment)
        g1.send({"type": "ack", "id": task["id"]})
        watcher = Client(hub.port)
        watcher.login("ctl")
        # The delivery is recorded: the console's incident says so.
        deadline = time.monotonic() + 10
        while True:
            snapshot, _ = _snapshot(hub.port)
            doc = next(i for i in snapshot["incidents"] if i["id"] == incident)
            if "delivered" in doc["assignments"][0]["times"]:
                break
            assert time.monotonic() < deadline, "delivery not recorded"
        g1.close()
        g1 = device(hub.port, "G1")
        assert g1.command("unit.message", id="G1", text="x")["error"]["code"] == "forbidden"
        watcher.command("unit.message", id="G1", text="下一条")
        assert next_task(g1)["kind"] == "message"  # the dispatch is not sent again
        for client in (g1, watcher):
            client.close()
    finally:
        assert hub.stop() == 0


def _snapshot(port: int) -> tuple[dict[str, Any], dict[str, Any]]:
    client = Client(port)
    client.hello("ctl")
    snapshot, synced = client.sync()
    client.close()
    assert snapshot is not None
    return snapshot, synced


@pytest.mark.slow
def test_a_thousand_tasks_to_a_hundred_units_through_twenty_cuts(
        db_url: str, rules: Rules) -> None:
    """Every task delivered, none sent on a connection opened after its ack was committed, none
    twice on one connection, and in order per unit."""
    hub = HubThread(db_url, rules, message_rate=20_000.0, message_burst=20_000.0)
    add_users(hub.store)
    units = [f"U{i:03d}" for i in range(100)]
    for unit in units:
        assert hub.store.execute(Command(str(uuid.uuid4()), "unit.register", {
            "id": unit, "name": unit, "type": "grid_worker", "status": "available"}),
            ADMIN).ok
    hub.start()
    proxy = FaultProxy("127.0.0.1", hub.port).start()
    received: dict[str, list[int]] = defaultdict(list)  # unit → seqs of first receipts
    connections = 0
    errors: list[str] = []
    total = threading.Event()
    stop = threading.Event()
    seen: set[str] = set()

    def delivered_now() -> set[str]:
        waiting = {t.id for t in hub.store.field_waiting(None, limit=100_000)}
        return seen - waiting

    def gateway() -> None:
        nonlocal connections
        while not stop.is_set():
            done_before = delivered_now()
            try:
                client = Client(proxy.port, "/field", open_timeout=5)
                client.login("gateway")
            except (OSError, ConnectionClosed, InvalidHandshake, TimeoutError, AssertionError):
                time.sleep(0.05)  # the proxy is cut: try again
                continue
            connections += 1
            here: set[str] = set()
            last: dict[str, int] = {}
            try:
                while not stop.is_set():
                    try:
                        task = client.until("task", timeout=0.5)
                    except TimeoutError:
                        continue
                    tid, unit = task["id"], task["unit"]
                    seq = int(tid[1:].split("-")[0])
                    if tid in done_before:
                        errors.append(f"{tid} sent after its ack was committed")
                    if tid in here:
                        errors.append(f"{tid} twice on one connection")
                    if seq <= last.get(unit, 0):
                        errors.append(f"{tid} out of order for {unit}")
                    here.add(tid)
                    last[unit] = seq
                    if tid not in seen:
                        seen.add(tid)
                        received[unit].append(seq)
                    client.send({"type": "ack", "id": tid})
                    if len(seen) == 1000:
                        total.set()
            except (ConnectionClosed, OSError):
                pass
            finally:
                client.close()

    reader = threading.Thread(target=gateway, daemon=True)
    reader.start()
    ctl = Client(hub.port)
    ctl.hello("ctl")
    ctl.sync()
    started = time.monotonic()
    try:
        for cut in range(20):
            ids = []
            for n in range(50):
                unit = units[(cut * 50 + n) % 100]
                command_id = str(uuid.uuid4())
                ids.append(command_id)
                ctl.send({"type": "command", "id": command_id, "name": "unit.message",
                          "args": {"id": unit, "text": f"第 {cut * 50 + n} 条"}})
            results = {}
            while len(results) < len(ids):
                reply = ctl.until("result", timeout=30)
                results[reply["id"]] = reply
            assert all(r["ok"] for r in results.values())
            target = min(1000, (cut + 1) * 50) - 25
            deadline = time.monotonic() + 60
            while len(seen) < target and time.monotonic() < deadline:
                time.sleep(0.01)
            proxy.cut()
            proxy.heal()
        assert total.wait(120), f"only {len(seen)} of 1000 tasks arrived"
        # The last acks are committed: nothing is left owed.
        deadline = time.monotonic() + 30
        while hub.store.field_waiting(None, limit=10):
            assert time.monotonic() < deadline, "acks not all recorded"
            time.sleep(0.05)
    finally:
        stop.set()
        reader.join(30)
        ctl.close()
        proxy.stop()
        hub.stop()
    assert not errors, errors[:10]
    assert connections >= 20
    assert sum(len(v) for v in received.values()) == 1000
    assert all(seqs == sorted(seqs) and len(seqs) == 10 for seqs in received.values())
    print(f"1000 tasks through {connections} connections in {time.monotonic() - started:.1f} s")
