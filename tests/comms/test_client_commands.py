"""The hub client's commands against a real hub: results, offline, in flight when the hub dies or
stops, timed out, answers lost, refusals to take — each applied once; and unreadable messages."""
from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve

from console.comms.client import (
    CONNECTING,
    LIVE,
    OFFLINE_MESSAGE,
    RECONNECTING,
    CommandResult,
)
from console.domain.rules import Rules
from console.store.store import Store
from tests.comms.conftest import (
    HubOnPort,
    MakeClient,
    Relay,
    RestartableHub,
    applied,
    created_by,
    incidents_described,
    last_seq,
    live,
)
from tests.hub.conftest import incident_args
from tests.waiting import wait_until


def test_a_command_gets_its_result(hub: RestartableHub, make_client: MakeClient) -> None:
    client, recorder = make_client(hub.ws_url)
    live(client, recorder)
    created = client.submit("incident.create", incident_args()).result(timeout=10)
    assert created.ok and created.seq == hub.store.last_seq()
    incident_id = created.data["id"]
    accepted = client.submit("incident.accept", {"id": incident_id},
                             expected_version=1).result(timeout=10)
    assert accepted.ok and accepted.data["version"] == 2
    again = client.submit("incident.accept", {"id": incident_id},
                          expected_version=2).result(timeout=10)
    assert not again.ok and again.code == "conflict"
    assert again.template and again.params["id"] == incident_id and again.message
    bad = client.submit("nonsense", {}).result(timeout=10)  # refused by the codec itself
    assert not bad.ok and bad.code == "bad_message"
    assert client.pending == 0


def test_a_command_while_the_hub_is_down_fails_at_once(hub: RestartableHub,
                                                       make_client: MakeClient) -> None:
    client, recorder = make_client(hub.ws_url)
    live(client, recorder)
    hub.stop()
    wait_until(lambda: client.state in (RECONNECTING, CONNECTING), what="the drop")
    future = client.submit("incident.create", incident_args(description="sent-while-offline"))
    assert future.done(), "an offline command must fail at once"
    result = future.result(timeout=0)
    assert (result.ok, result.code, result.message) == (False, "offline", OFFLINE_MESSAGE)
    assert client.pending == 0

    hub.start()
    live(client, recorder, times=2)
    # Anything queued would have gone out right after the sync, before this one.
    assert client.submit("incident.create", incident_args()).result(timeout=10).ok
    assert incidents_described(hub.store, "sent-while-offline") == 0


def test_a_command_without_an_answer_times_out(hub: RestartableHub,
                                               make_client: MakeClient) -> None:
    client, recorder = make_client(hub.ws_url)
    live(client, recorder)
    with hub.frozen():
        sent = time.monotonic()
        result = client.submit("incident.create", incident_args(), timeout=0.3).result(5)
        waited = time.monotonic() - sent
    assert (result.ok, result.code) == (False, "timeout")
    assert result.message and "may or may not" in result.message
    assert 0.29 <= waited < 2.0
    assert client.pending == 0


@pytest.mark.slow
def test_a_command_in_flight_when_the_hub_dies_is_sent_again_and_applied_once(
        hub_db: str, rules: Rules, make_client: MakeClient) -> None:
    process = HubOnPort(hub_db)
    store = Store(hub_db, rules)
    try:
        client, recorder = make_client(f"ws://127.0.0.1:{process.port}/ws")
        live(client, recorder)
        process.pause()  # the hub reads nothing more: what is sent now stays in flight
        futures = [client.submit("incident.create", incident_args(description=f"in-flight {n}"))
                   for n in range(5)]
        wait_until(lambda: client.pending == 5)
        process.kill()
        wait_until(lambda: client.state in (RECONNECTING, CONNECTING), what="the drop")
        assert not any(f.done() for f in futures)
        process = HubOnPort(hub_db, process.port)
        results = [f.result(timeout=20) for f in futures]
        assert all(r.ok for r in results), results
        assert all(applied(store, r.id) == 1 for r in results)
        assert incidents_described(store, "in-flight") == 5
        head = store.last_seq()
        wait_until(lambda: last_seq(recorder) == head)
        for n in range(5):
            assert len(created_by(recorder, f"in-flight {n}")) == 1
    finally:
        process.stop()
        store.close()


def test_a_command_whose_answer_was_lost_is_sent_again_and_applied_once(
        hub: RestartableHub, make_client: MakeClient) -> None:
    relay = Relay(hub.port)
    try:
        client, recorder = make_client(relay.ws_url)
        live(client, recorder)
        relay.lose_answers()
        future = client.submit("incident.create", incident_args(description="answer-lost"))
        wait_until(lambda: incidents_described(hub.store, "answer-lost") == 1,
                   what="the hub to commit the command")
        assert not future.done()  # committed, but the client never heard
        relay.cut()
        result = future.result(timeout=10)  # sent again after the reconnect, same id
        assert result.ok
        assert applied(hub.store, result.id) == 1
        assert incidents_described(hub.store, "answer-lost") == 1
        head = hub.store.last_seq()
        wait_until(lambda: last_seq(recorder) == head)
        assert created_by(recorder, "answer-lost") == [result.data["id"]]
        assert recorder.state_names().count(LIVE) == 2
    finally:
        relay.close()


def test_a_command_in_flight_when_the_hub_stops_is_applied_once_after_its_restart(
        hub: RestartableHub, make_client: MakeClient) -> None:
    client, recorder = make_client(hub.ws_url)
    live(client, recorder)
    with hub.frozen():
        future = client.submit("incident.create", incident_args(description="stopping"))
        hub.begin_stop()  # the hub reads the command only once it is stopping
    hub.stop()
    hub.start()  # same database, same port
    result = future.result(timeout=10)
    assert result.ok
    assert applied(hub.store, result.id) == 1
    assert incidents_described(hub.store, "stopping") == 1
    assert recorder.state_names().count(LIVE) == 2


@pytest.mark.slow
def test_commands_in_flight_under_load_survive_a_hub_kill_exactly_once(
        hub_db: str, rules: Rules, make_client: MakeClient) -> None:
    process = HubOnPort(hub_db)
    store = Store(hub_db, rules)
    try:
        client, recorder = make_client(f"ws://127.0.0.1:{process.port}/ws")
        live(client, recorder)
        first = threading.Event()
        futures: list[Future[CommandResult]] = []
        for n in range(300):
            future = client.submit("incident.create", incident_args(description=f"under-load {n}"),
                                   timeout=30)
            future.add_done_callback(lambda _: first.set())
            futures.append(future)
        assert first.wait(20)
        process.kill()
        unanswered = [f for f in futures if not f.done()]
        assert unanswered, "every command was answered before the kill"
        process = HubOnPort(hub_db, process.port)
        results = [f.result(timeout=40) for f in futures]
        assert all(r.ok for r in results), [r for r in results if not r.ok][:3]
        assert all(applied(store, r.id) == 1 for r in results)
        assert incidents_described(store, "under-load") == 300
    finally:
        process.stop()
        store.close()


# -- what the hub should not have sent --------------------------------------------------------


class ScriptedPeer:
    """A real websocket server that plays a script instead of being a hub: for what a real hub
    does only when its database is down, or never."""

    def __init__(self, script: Callable[[ServerConnection], Awaitable[None]]) -> None:
        self._script = script
        self._ready, self._done = threading.Event(), threading.Event()
        self.port = 0
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)
        self._thread.start()
        assert self._ready.wait(10)

    async def _main(self) -> None:
        async with serve(self._script, "127.0.0.1", 0) as server:
            self.port = server.sockets[0].getsockname()[1]
            self._ready.set()
            await asyncio.to_thread(self._done.wait)

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def close(self) -> None:
        self._done.set()
        self._thread.join(10)


async def say(ws: ServerConnection, *messages: dict[str, Any] | str) -> None:
    for message in messages:
        await ws.send(message if isinstance(message, str) else json.dumps(message))


WELCOME = {"type": "welcome", "protocol": 1, "user": {"username": "ctl", "roles": []},
           "token": "t", "seq": 0, "hub": "scripted"}
SNAPSHOT = {"type": "snapshot", "seq": 0, "incidents": [], "units": [], "cameras": [],
            "taxonomy": []}


def test_a_command_the_hub_could_not_take_is_sent_again_with_its_id(
        make_client: MakeClient) -> None:
    received: list[tuple[float, dict[str, Any]]] = []

    async def script(ws: ServerConnection) -> None:
        await ws.recv()  # hello
        await say(ws, WELCOME, SNAPSHOT, {"type": "synced", "seq": 0})
        async for frame in ws:
            command = json.loads(frame)
            received.append((time.monotonic(), command))
            if len(received) == 1:  # what a hub says when its database is out of reach
                await say(ws, {"type": "result", "id": command["id"], "ok": False, "error": {
                    "code": "unavailable", "message": "The database could not be reached."}})
            else:
                await say(ws, {"type": "result", "id": command["id"], "ok": True,
                               "data": {"id": "I1", "version": 1}, "seq": 1})

    peer = ScriptedPeer(script)
    try:
        client, recorder = make_client(peer.ws_url)
        live(client, recorder)
        result = client.submit("incident.create", incident_args()).result(timeout=10)
        assert result.ok and result.data["id"] == "I1"
        assert len(received) == 2
        assert received[0][1] == received[1][1]  # the same command, the same id
        assert received[1][0] - received[0][0] >= 0.9  # after a pause, not in a tight loop
    finally:
        peer.close()


def test_unreadable_messages_become_notices_and_the_client_stays_up(
        make_client: MakeClient) -> None:
    async def script(ws: ServerConnection) -> None:
        await ws.recv()  # hello
        await say(ws, WELCOME, SNAPSHOT, "this is not JSON", {"type": "gossip"},
                  {"type": "event", "seq": 1, "at": "yesterday", "name": "incident.noted",
                   "actor": "x", "data": {"id": "I1"}},
                  {"type": "synced", "seq": 0})
        await ws.wait_closed()

    peer = ScriptedPeer(script)
    try:
        client, recorder = make_client(peer.ws_url)
        live(client, recorder)
        wait_until(lambda: len(recorder.notices) >= 3)
        texts = [message for _, message in recorder.notices]
        assert any("not JSON" in t for t in texts)
        assert any("gossip" in t for t in texts)
        assert any("unusable event message" in t for t in texts)
        assert client.state == LIVE and client.running
        client.stop()
    finally:
        peer.close()


# -- stopping ------------------------------------------------------------------------------------
