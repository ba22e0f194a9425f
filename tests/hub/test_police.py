"""The /police link over real sockets: hand-offs both ways, acks after commit, the outbox."""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from typing import Any

import pytest

from console.domain.rules import Rules
from tests.hub.conftest import Client, HubThread, add_users, incident_args

CASE: dict[str, Any] = {
    "police_case_no": "110-20261127-0457", "sent_at": "2026-11-27T11:02:10+08:00",
    "location": {"lat": 30.6675, "lon": 104.1075, "address": "建设路 1 号"},
    "classification": "env.noise_residential", "summary": "楼上住户深夜噪声扰民",
    "reporter": {"name": "李女士", "phone": "13800000017"}, "remarks": ["非警务类"]}


def police(hub: HubThread) -> Client:
    client = Client(hub.port, "/police")
    client.hello("police110")
    return client


def console(hub: HubThread, user: str = "ctl") -> Client:
    client = Client(hub.port)
    client.login(user)
    return client


def divert(client: Client, shared_id: str | None = None, message: str | None = None
           ) -> dict[str, Any]:
    message = message or f"110-{uuid.uuid4()}"
    client.send({"type": "incident", "id": message,
                 "case": {**CASE, "shared_id": shared_id or str(uuid.uuid4())}})
    return answer(client, message)


def answer(client: Client, message_id: str) -> dict[str, Any]:
    """The hub's ack or error for one message; hand-offs from the hub met meanwhile are kept."""
    while True:
        reply = client.recv()
        if reply["type"] in ("ack", "error") and reply.get("id", reply.get("ref")) == message_id:
            return reply
        client.other.append(reply)


def next_handoff(client: Client, timeout: float = 10) -> dict[str, Any]:
    if client.other:
        return client.other.pop(0)
    return client.recv(timeout)


def event_named(client: Client, name: str, timeout: float = 10) -> dict[str, Any]:
    while True:
        found = next((e for e in client.events if e["name"] == name), None)
        if found is not None:
            client.events.remove(found)
            return found
        client.events.append(client.until("event", timeout))


def test_a_diversion_reaches_the_liaison_within_a_second(hub: HubThread) -> None:
    liaison = console(hub, "liaison")
    ctl = console(hub)
    center = police(hub)
    sent = time.monotonic()
    ack = divert(center)
    created = event_named(liaison, "incident.created")
    assert time.monotonic() - sent < 1.0
    assert ack["type"] == "ack" and ack["incident"] == created["data"]["id"]
    data = created["data"]
    assert data["source"] == "police" and data["police_case_no"] == CASE["police_case_no"]
    assert data["police"]["remarks"] == ["非警务类"]
    # The police's own information is the liaison's: a controller sees the case, not it.
    seen = event_named(ctl, "incident.created")["data"]
    assert seen["police_case_no"] is None and seen["police"]["remarks"] == []
    assert seen["police"]["shared_id"] == data["police"]["shared_id"]
    # Both see the reporter masked, and may ask for it with a reason.
    assert seen["reporter"] == data["reporter"] == {"name": "李**", "phone": "138****0017"}


def test_signing_returning_and_resolving_answer_the_police(hub: HubThread) -> None:
    liaison, ctl, desk = console(hub, "liaison"), console(hub), console(hub, "desk-env")
    center = police(hub)
    signed, returned = divert(center)["incident"], divert(center)["incident"]
    assert liaison.command("incident.accept", id=signed)["ok"]
    message = next_handoff(center)
    assert (message["type"], message["status"]) == ("acknowledgement", "accepted")
    assert message["id"] == f"{signed}/M1"
    center.send({"type": "ack", "id": message["id"]})
    assert liaison.command("incident.reject", id=returned, reason="涉及人身伤害，属警务事项")["ok"]
    message = next_handoff(center)
    assert (message["status"], message["cause"]) == ("rejected", "涉及人身伤害，属警务事项")
    center.send({"type": "ack", "id": message["id"]})
    assert ctl.command("incident.assign", id=signed, department="environment")["ok"]
    assert desk.command("incident.sign", id=signed)["ok"]
    assert desk.command("incident.resolve", id=signed, result="已上门劝导，噪声停止")["ok"]
    message = next_handoff(center)
    assert (message["type"], message["status"], message["disposition"]) == (
        "completion", "completed", "已上门劝导，噪声停止")
    center.send({"type": "ack", "id": message["id"]})
    delivered = [event_named(ctl, "police.message_delivered")["data"]["message"]
                 for _ in range(3)]
    assert delivered == [f"{signed}/M1", f"{returned}/M1", f"{signed}/M2"]
    # Acknowledged messages are not sent again on the next connection.
    center.close()
    again = police(hub)
    ctl.command("incident.note", id=signed, text="nothing for the police")
    assert ctl.command("incident.escalate", id=returned, reason="x")["ok"] is False
    with_police = ctl.command("incident.create", **incident_args())["data"]["id"]
    ctl.command("incident.accept", id=with_police)
    ctl.command("incident.escalate", id=with_police, reason="有人持械")
    assert next_handoff(again)["id"] == f"{with_police}/M1"


def test_an_escalation_is_accepted_and_completed_or_rejected_by_the_police(
        hub: HubThread) -> None:
    ctl = console(hub)
    center = police(hub)
    first, second = (ctl.command("incident.create", **incident_args(
        category="police.violence", priority="P1"))["data"]["id"] for _ in range(2))
    for incident_id in (first, second):
        ctl.command("incident.accept", id=incident_id)
        assert ctl.command("incident.escalate", id=incident_id, reason="有人持械")["ok"]
    cases = {}
    for _ in range(2):
        message = next_handoff(center)
        assert message["type"] == "incident" and message["case"]["classification"] == \
            "police.violence"
        cases[message["id"].split("/")[0]] = message["case"]["shared_id"]
        center.send({"type": "ack", "id": message["id"]})
    center.send({"type": "acknowledgement", "id": "p-1", "shared_id": cases[first],
                 "status": "accepted", "police_case_no": "110-20261127-0999"})
    assert answer(center, "p-1")["type"] == "ack"
    center.send({"type": "completion", "id": "p-2", "shared_id": cases[first],
                 "status": "completed", "completed_at": "2026-11-27T12:00:00+08:00",
                 "disposition": "已将两人带回派出所调查"})
    assert answer(center, "p-2")["type"] == "ack"
    resolved = event_named(ctl, "incident.police_disposed")
    assert resolved["data"]["id"] == first
    assert resolved["data"]["disposition"] == "已将两人带回派出所调查"
    center.send({"type": "acknowledgement", "id": "p-3", "shared_id": cases[second],
                 "status": "rejected", "cause": "经核实不属于警务事项"})
    assert answer(center, "p-3")["type"] == "ack"
    rejected = event_named(ctl, "incident.police_rejected")
    assert (rejected["data"]["id"], rejected["data"]["cause"]) == (second, "经核实不属于警务事项")
    # The same acknowledgement again is acked and changes nothing.
    center.send({"type": "acknowledgement", "id": "p-3", "shared_id": cases[second],
                 "status": "rejected", "cause": "经核实不属于警务事项"})
    assert answer(center, "p-3")["type"] == "ack"
    ctl.command("incident.note", id=second, text="marker")
    assert event_named(ctl, "incident.noted")["data"]["text"] == "marker"
    assert not [e for e in ctl.events if e["name"] == "incident.police_rejected"]


def test_a_message_the_hub_cannot_apply_is_answered_with_an_error(hub: HubThread) -> None:
    center = police(hub)
    center.send({"type": "completion", "id": "p-9", "shared_id": "no-such-case",
                 "status": "completed", "completed_at": "2026-11-27T12:00:00+08:00",
                 "disposition": "x"})
    error = answer(center, "p-9")
    assert (error["type"], error["code"]) == ("error", "not_found")
    center.send({"type": "incident", "id": "p-11", "case": {"shared_id": "s"}})
    assert answer(center, "p-11")["code"] == "bad_message"


def test_the_link_state_is_in_the_log(hub: HubThread) -> None:
    ctl = console(hub)
    center = police(hub)
    up = event_named(ctl, "police.link_up")
    assert up["actor"] == "police110" and up["data"]["center"] == "police110"
    late = Client(hub.port)
    late.hello("ctl")
    snapshot, _ = late.sync()
    assert snapshot is not None
    assert snapshot["police_links"] == [{"center": "police110", "state": "up",
                                         "since": up["at"], "hub": up["data"]["hub"]}]
    center.close()
    assert event_named(ctl, "police.link_down")["actor"] == "police110"


@pytest.mark.slow
def test_a_hundred_hand_offs_each_way_survive_cutting_the_link(hub: HubThread) -> None:
    """Cut the link twice during 100 diversions and 100 escalations: each message is applied
    once, in order per case, and nothing acknowledged is sent again."""
    ctl = console(hub)
    center = police(hub)
    shared = [str(uuid.uuid4()) for _ in range(100)]
    # Diversions: the first 60 sent, the link cut before their acks are read.
    for i in range(60):
        center.send({"type": "incident", "id": f"d-{i}", "case": {**CASE, "shared_id": shared[i]}})
    center.ws.close()
    # Escalations made while the link is down wait in the outbox: an incident, then an update.
    escalated = []
    for _ in range(100):
        incident_id = ctl.command("incident.create", **incident_args(
            category="police.violence"))["data"]["id"]
        ctl.command("incident.accept", id=incident_id)
        assert ctl.command("incident.escalate", id=incident_id, reason="需警方处置")["ok"]
        assert ctl.command("incident.note", id=incident_id, text="补充情况")["ok"]
        escalated.append(incident_id)
    received: dict[str, list[str]] = defaultdict(list)  # per case, in arrival order
    acked: set[str] = set()
    applied: list[str] = []

    def take(client: Client, count: int, ack_every: bool) -> None:
        """Read ``count`` hand-offs from the hub (its acks of our diversions pass by)."""
        while count:
            message = next_handoff(client)
            if message["type"] == "ack":
                continue
            count -= 1
            assert message["id"] not in acked, f"{message['id']} sent again after its ack"
            case = message["id"].split("/")[0]
            if message["id"] not in received[case]:
                received[case].append(message["id"])
                applied.append(message["id"])
            if ack_every:
                client.send({"type": "ack", "id": message["id"]})
                acked.add(message["id"])

    # Second connection: resend every diversion (the first 60 again: duplicates), read 80 of
    # the hub's messages acking only half, then cut again.
    center = police(hub)
    for i in range(100):
        center.send({"type": "incident", "id": f"d-{i}", "case": {**CASE, "shared_id": shared[i]}})
    take(center, 40, ack_every=True)
    take(center, 40, ack_every=False)
    center.ws.close()
    # Third connection: the same case under new message ids creates nothing new; read the rest.
    center = police(hub)
    for i in range(0, 100, 10):
        center.send({"type": "incident", "id": f"again-{i}",
                     "case": {**CASE, "shared_id": shared[i]}})
    while len(acked) < 200:
        take(center, 1, ack_every=True)
    assert sorted(applied) == sorted(f"{i}/M{n}" for i in escalated for n in (1, 2))
    assert all(received[i] == [f"{i}/M1", f"{i}/M2"] for i in escalated)
    # Every diversion is one incident, whatever was sent twice.
    viewer = Client(hub.port)
    viewer.hello("ctl")
    snapshot, _ = viewer.sync()
    assert snapshot is not None
    diverted = [i["police"]["shared_id"] for i in snapshot["incidents"] if i["source"] == "police"]
    assert sorted(diverted) == sorted(shared)
    for client in (ctl, center, viewer):  # (unread events would hold up the hub's stop)
        client.close()


def test_a_link_left_up_by_a_stopped_hub_is_marked_down_at_the_next_start(
        db_url: str, rules: Rules) -> None:
    first = HubThread(db_url, rules)
    add_users(first.store)
    first.start()
    ctl = console(first)
    center = police(first)
    event_named(ctl, "police.link_up")
    first.stop()  # the hub goes away under the link; the down may not have been written
    center.close()
    second = HubThread(db_url, rules).start()
    try:
        (link,) = second.store.police_links()
        assert (link["center"], link["state"]) == ("police110", "down")
    finally:
        second.stop()
