"""The hub killed mid-stream, several hubs on one PostgreSQL, and a flood of malformed frames."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from websockets.exceptions import ConnectionClosed

from console.domain.model import Actor, Role
from console.domain.rules import Rules
from console.store.store import Store
from console.store.writer import Command
from tests.hub.conftest import Client, HubProcess, add_users, incident_args


def command_frame(command_id: str, n: int) -> str:
    return json.dumps({"type": "command", "id": command_id, "name": "incident.create",
                       "args": incident_args(description=f"第 {n} 件")})


def applied_per_command(store: Store) -> dict[str, int]:
    with store.db.reader.connect() as conn:
        rows = conn.execute(text("SELECT command_id, count(*) FROM events GROUP BY command_id"))
        return {command_id: count for command_id, count in rows}


@pytest.mark.slow
def test_sigkill_mid_stream_loses_no_acknowledged_command(db_url: str, rules: Rules) -> None:
    store = Store(db_url, rules)
    add_users(store)
    ids = [str(uuid.uuid4()) for _ in range(1000)]
    hub = HubProcess(db_url, "doomed")
    client = Client(hub.port)
    client.login("ctl")
    acknowledged: list[str] = []

    def stream() -> None:
        try:
            for n, command_id in enumerate(ids):
                client.send(command_frame(command_id, n))
        except ConnectionClosed:
            pass

    sender = threading.Thread(target=stream)
    sender.start()
    try:
        while len(acknowledged) < 300:
            message = client.recv()
            if message["type"] == "result":
                assert message["ok"], message
                acknowledged.append(message["id"])
    finally:
        hub.kill()
        sender.join(30)
    # Every acknowledged command is in the log exactly once.
    applied = applied_per_command(store)
    assert all(applied.get(command_id) == 1 for command_id in acknowledged)
    assert set(applied) <= set(ids)
    # Restart, and send everything again with the same ids: each is applied exactly once.
    hub = HubProcess(db_url, "reborn")
    try:
        client = Client(hub.port)
        client.login("ctl")
        results = {}
        for n, command_id in enumerate(ids):
            client.send(command_frame(command_id, n))
        while len(results) < len(ids):
            message = client.recv(timeout=30)
            if message["type"] == "result":
                results[message["id"]] = message
        assert all(r["ok"] for r in results.values())
        applied = applied_per_command(store)
        assert applied == dict.fromkeys(ids, 1)
        assert store.count("incidents") == 1000
        assert [e.seq for e in store.events_after(0, limit=2000)] == list(range(1, 1001))
    finally:
        assert hub.stop() == 0
        store.close()


@pytest.mark.slow
def test_two_hubs_on_one_postgresql_deliver_every_event_in_order(pg_db_url: str,
                                                                 rules: Rules) -> None:
    db_url = pg_db_url
    store = Store(db_url, rules)
    add_users(store)
    hubs = [HubProcess(db_url, "east"), HubProcess(db_url, "west")]
    try:
        watchers = [Client(h.port) for h in hubs for _ in range(2)]
        for w in watchers:
            w.login("viewer")
        writers = [Client(hubs[i % 2].port) for i in range(4)]
        for w in writers:
            w.login("ctl")

        def write(client: Client, index: int) -> None:
            for n in range(250):
                client.send(command_frame(str(uuid.uuid4()), index * 1000 + n))
            done = 0
            while done < 250:
                message = client.recv(timeout=60)
                if message["type"] == "result":
                    assert message["ok"], message
                    done += 1

        threads = [threading.Thread(target=write, args=(w, i)) for i, w in enumerate(writers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(180)
        for watcher in watchers:
            seqs = []
            while len(seqs) < 1000:
                message = watcher.recv(timeout=30)
                if message["type"] == "event":
                    seqs.append(message["seq"])
            assert seqs == list(range(1, 1001))

        # Positions reported on one hub reach a console on the other within 2 s.
        registered = store.execute(Command(str(uuid.uuid4()), "unit.register", {
            "id": "X9", "name": "巡逻 9", "type": "patrol", "status": "available"}),
            Actor("admin", frozenset({Role.ADMIN})))
        assert registered.ok
        field = Client(hubs[0].port, "/field")
        field.login("gateway")
        console = watchers[2]  # on the other hub
        sent = time.monotonic()
        field.send({"type": "positions", "units": [["X9", 30.6612, 104.0987, 45, 1.1]]})
        while True:
            assert time.monotonic() - sent < 2.0, "position did not cross hubs within 2 s"
            # (flush 0.5 s + the other hub's read 0.5 s + its next frame 0.25 s, at worst)
            try:
                message = console.recv(timeout=0.2)
            except TimeoutError:
                continue
            if message["type"] == "positions" and any(r[0] == "X9" for r in message["units"]):
                break
    finally:
        for h in hubs:
            assert h.stop() == 0
        store.close()


# -- a flood of malformed frames ------------------------------------------------------------------

@pytest.fixture(scope="module")
def flood_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[HubProcess, Store]]:
    """A hub in its own process: in this one, its keepalive pings would draw on `random` while
    hypothesis generates frames, which hypothesis rightly refuses."""
    from tests.geo import small_geography

    url = f"sqlite:///{tmp_path_factory.mktemp('flood') / 'hub.db'}"
    store = Store(url, Rules.load(geography=small_geography()))
    add_users(store)
    hub = HubProcess(url, "flooded")
    yield hub, store
    assert hub.stop() == 0
    store.close()


class Flooder:
    def __init__(self, hub: HubProcess) -> None:
        self.hub = hub
        self.client = self._connect()
        self.answers = 0
        self.closes = 0

    def _connect(self) -> Client:
        # No keepalive pings: their random payloads, drawn on the client's background thread
        # while hypothesis generates the next frame, would look like a strategy using `random`.
        client = Client(self.hub.port, ping_interval=None)
        client.login("ctl")
        return client

    def throw(self, frame: str | bytes) -> None:
        try:
            self.client.send(frame)
            answer = self.client.recv(timeout=10)
        except ConnectionClosed:
            self.closes += 1
            self.client = self._connect()
            return
        assert answer["type"] in ("error", "result", "pong"), answer
        if answer["type"] == "result":
            assert answer["ok"] is False, answer
        self.answers += 1


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=12)
MESSAGE_LIKE = st.fixed_dictionaries(
    {"type": st.sampled_from(["command", "positions", "ping", "hello", "event", ""])},
    optional={"id": JSONISH, "name": JSONISH | st.sampled_from(["incident.create",
                                                                "incident.accept"]),
              "args": JSONISH, "units": JSONISH, "expected_version": JSONISH,
              "auth": JSONISH, "protocol": JSONISH})
FRAMES = st.one_of(
    st.text(max_size=200),
    st.binary(max_size=200),
    JSONISH.map(json.dumps),
    MESSAGE_LIKE.map(json.dumps),
)


@pytest.mark.slow
def test_ten_thousand_malformed_frames(flood_hub: tuple[HubProcess, Store]) -> None:
    hub, store = flood_hub
    flooder = Flooder(hub)
    thrown: list[Any] = []

    @settings(max_examples=10_000, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(frame=FRAMES)
    def throw(frame: str | bytes) -> None:
        thrown.append(frame)
        flooder.throw(frame)

    throw()
    assert len(thrown) >= 10_000
    assert flooder.answers + flooder.closes == len(thrown)
    assert store.last_seq() == 0  # nothing malformed was ever written
    # The hub is still up and serving.
    client = Client(hub.port)
    client.login("ctl")
    assert client.command("incident.create", **incident_args())["ok"]
    client.close()
    flooder.client.close()
