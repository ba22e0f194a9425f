"""The hub client (no Qt) against a real hub: login, snapshot and events into change sets,
coalescing, reconnect and resume, and a clean stop (its commands: test_client_commands.py)."""
from __future__ import annotations

import itertools
import random
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from console.comms.client import (
    AUTH_FAILED,
    CONNECTING,
    LIVE,
    RECONNECTING,
    STOPPED,
    SYNCING,
    Retry,
)
from console.comms.clock import Clock
from console.comms.reconnect import backoff_delay
from console.comms.replica import Replica
from console.domain.incident import Incident
from console.domain.model import IncidentState, UnitStatus
from console.domain.rules import Rules
from console.domain.sla import SlaClock, Stage
from console.domain.units import Position, Unit
from console.store.store import Store
from console.store.writer import Command
from tests.comms.conftest import (
    MakeClient,
    RestartableHub,
    last_seq,
    live,
    seed,
)
from tests.hub.conftest import Client, HubThread, add_users, incident_args
from tests.store.conftest import CONTROLLER
from tests.waiting import wait_until

# -- login and the snapshot ----------------------------------------------------------------------


def test_login_turns_the_snapshot_into_a_reset_change_set(hub: RestartableHub,
                                                          make_client: MakeClient) -> None:
    other = Client(hub.port)
    other.login("ctl")
    created = other.command("incident.create", **incident_args(description="快照里的事件"))
    incident_id = created["data"]["id"]
    admin = Client(hub.port)
    admin.login("admin")
    admin.send({"type": "command", "id": "reg-1", "name": "unit.register",
                "args": {"id": "U1", "name": "巡逻 1", "type": "patrol", "status": "available"}})
    assert admin.until("result")["ok"]  # (Client.command's own `name` is the command's)
    field = Client(hub.port, "/field")
    field.login("gateway")
    field.send({"type": "positions", "units": [["U1", 30.66, 104.1, 90.0, 1.5]]})
    wait_until(lambda: hub.store.units()[0]["position"], what="the position to be stored")

    client, recorder = make_client(hub.ws_url)
    live(client, recorder)

    assert recorder.state_names()[:3] == [CONNECTING, SYNCING, LIVE]
    assert recorder.logins[0].username == "ctl"
    assert recorder.logins[0].roles == ("controller",)
    assert client.user == recorder.logins[0]
    first = wait_until(recorder.change_sets)[0]
    assert first.reset
    assert first.seq == hub.store.last_seq()
    incident = first.incidents[incident_id]
    assert isinstance(incident, Incident)
    assert incident.description == "快照里的事件"
    assert incident.state is IncidentState.NEW
    clock = first.deadlines[incident_id]
    assert isinstance(clock, SlaClock) and clock.stage is Stage.ACCEPT and clock.running
    assert isinstance(first.units["U1"], Unit)
    assert first.units["U1"].status is UnitStatus.AVAILABLE
    assert first.positions["U1"] == Position(30.66, 104.1, 90.0, 1.5,
                                             first.positions["U1"].at)
    assert first.taxonomy and any(c["code"] == "env.noise_construction" for c in first.taxonomy)
    assert first.cameras == ()
    assert all(name.startswith("hub-client") for name in recorder.threads)

    # Live position frames become positions of the next change sets.
    field.send({"type": "positions", "units": [["U1", 30.67, 104.2, 180.0, 3.0]]})
    moved = wait_until(lambda: [c for c in recorder.change_sets()
                                if "U1" in c.positions and c.positions["U1"].lat == 30.67],
                       what="the position frame")
    assert not moved[0].reset and moved[0].positions["U1"].heading == 180.0
    for connection in (other, admin, field):
        connection.close()


def test_the_client_follows_the_hubs_world_clock(tmp_path: Path, rules: Rules,
                                                 make_client: MakeClient) -> None:
    origin = datetime.now(UTC) + timedelta(days=3)
    thread = HubThread(f"sqlite:///{tmp_path / 'clock.db'}", rules,
                       clock=Clock(30, origin=origin))
    add_users(thread.store)
    thread.start()
    try:
        client, recorder = make_client(f"ws://127.0.0.1:{thread.port}/ws")
        live(client, recorder)
        assert client.clock.speed == 30
        hub_now = thread.config.clock.now()
        assert abs((client.clock.now() - hub_now).total_seconds()) < 15  # 0.5 s at 30×
        assert client.clock.now() > origin
    finally:
        client.stop()
        thread.stop()


def test_a_wrong_password_is_auth_failed_without_a_retry(hub: RestartableHub,
                                                         make_client: MakeClient) -> None:
    client, recorder = make_client(hub.ws_url, password="not the password")
    wait_until(lambda: not client.running, what="the client to give up")
    assert recorder.state_names() == [CONNECTING, AUTH_FAILED]
    detail = recorder.states[-1][1]
    assert isinstance(detail, str) and "wrong password" in detail
    assert ("error", detail) in recorder.notices
    assert client.state == AUTH_FAILED
    result = client.submit("incident.create", incident_args()).result(timeout=0)
    assert result.code == "offline"


# -- events ------------------------------------------------------------------------------------


def test_an_incident_created_elsewhere_arrives_within_a_second(hub: RestartableHub,
                                                              make_client: MakeClient) -> None:
    client, recorder = make_client(hub.ws_url)
    live(client, recorder)
    other = Client(hub.port)
    other.login("leader")
    sent = time.monotonic()
    incident_id = other.command("incident.create", **incident_args())["data"]["id"]
    wait_until(lambda: incident_id in recorder.incident_ids(), 1.0, "the new incident")
    assert time.monotonic() - sent < 1.0
    change = next(c for c in recorder.change_sets() if incident_id in c.incidents)
    assert not change.reset
    assert [event.name for _, event in change.events] == ["incident.created"]
    assert change.events[0][1].actor == "leader"
    assert change.deadlines[incident_id] is not None
    assert change.seq == change.events[-1][0] == hub.store.last_seq()
    other.close()


def test_a_burst_of_events_comes_as_at_most_ten_change_sets_a_second(
        hub: RestartableHub, make_client: MakeClient) -> None:
    client, recorder = make_client(hub.ws_url)
    live(client, recorder)
    wait_until(recorder.change_sets, what="the snapshot")
    start = len(recorder.change_sets())
    other = Client(hub.port, max_queue=None)  # it reads no events: let them pile up
    other.login("ctl")
    for n in range(300):
        other.send({"type": "command", "id": str(uuid.uuid4()), "name": "incident.create",
                    "args": incident_args(description=f"突发 {n}")})
    answered = 0
    while answered < 300:
        if other.recv(timeout=30)["type"] == "result":
            answered += 1
    head = hub.store.last_seq()
    wait_until(lambda: last_seq(recorder) == head, 10, "the whole burst")

    changes = recorder.changes[start:]
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(changes)]
    assert len(changes) >= 2
    assert min(gaps) >= 0.099, f"two change sets {min(gaps):.3f} s apart"
    assert max(len(c.events) for _, c in changes) > 1, "events were not coalesced"
    seqs = [seq for _, c in changes for seq, _ in c.events]
    assert seqs == list(range(seqs[0], head + 1)) and len(seqs) == 300
    assert sum(len(c.incidents) for _, c in changes) == 300  # each incident once per set
    other.close()


# -- reconnect and resume ----------------------------------------------------------------------


def test_a_restarted_hub_is_resumed_with_missed_events_and_no_duplicates(
        hub: RestartableHub, make_client: MakeClient, rules: Rules) -> None:
    client, recorder = make_client(hub.ws_url)
    live(client, recorder)
    other = Client(hub.port)
    other.login("ctl")
    before = other.command("incident.create", **incident_args(description="重启前"))
    wait_until(lambda: before["data"]["id"] in recorder.incident_ids())
    other.close()

    hub.stop()
    wait_until(lambda: client.state in (RECONNECTING, CONNECTING), what="reconnecting")
    # While the client is cut off, another console works on another hub over the same log.
    elsewhere = RestartableHub(hub.url, rules).start()
    assert elsewhere.port != hub.port
    writer = Client(elsewhere.port)
    writer.login("leader")
    missed = [writer.command("incident.create", **incident_args(description=f"断线期间 {n}"))
              ["data"]["id"] for n in range(3)]
    writer.command("incident.accept", id=missed[0])
    writer.close()
    elsewhere.stop()

    hub.start()
    live(client, recorder, times=2)
    head = hub.store.last_seq()
    wait_until(lambda: last_seq(recorder) == head, what="the missed events")

    names = recorder.state_names()
    after_first_live = names[names.index(LIVE) + 1:]
    assert after_first_live[0] == RECONNECTING
    assert after_first_live[-3:] == [CONNECTING, SYNCING, LIVE]
    changes = recorder.change_sets()
    assert [c.reset for c in changes].count(True) == 1, "resumed, not reloaded"
    assert recorder.event_seqs() == list(range(1, head + 1))
    replica = Replica()
    for change in changes:
        replica.apply(change)
    assert set(replica.incidents) == {before["data"]["id"], *missed}
    assert replica.incidents[missed[0]].state is IncidentState.ACCEPTED
    assert replica.seq == head


def test_a_replica_that_cannot_follow_reloads_a_snapshot(
        hub_db: str, rules: Rules, make_client: MakeClient) -> None:
    # An inquiry answered three days ago: not in a snapshot (only the last 24 h of finished).
    old = Store(hub_db, rules, clock=lambda: datetime.now(UTC) - timedelta(days=3))
    created = old.execute(Command(str(uuid.uuid4()), "incident.create", incident_args(
        request_type="inquiry", description="三天前的咨询")), CONTROLLER)
    incident_id = created.data["id"]
    assert old.execute(Command(str(uuid.uuid4()), "incident.answer",
                               {"id": incident_id, "answer": "已答复"}), CONTROLLER).ok
    old.close()
    hub = RestartableHub(hub_db, rules).start()
    try:
        client, recorder = make_client(hub.ws_url)
        live(client, recorder)
        # Live is said before the snapshot's change set is handed over.
        wait_until(lambda: bool(recorder.change_sets()), 10, "the snapshot")
        assert incident_id not in recorder.change_sets()[0].incidents
        other = Client(hub.port)
        other.login("ctl")
        assert other.command("incident.reopen", id=incident_id, reason="来电人不满意")["ok"]
        other.close()
        # The reopen is about an incident the client never saw: it reloads.
        live(client, recorder, times=2)
        reload = wait_until(lambda: [c for c in recorder.change_sets()[1:] if c.reset])[0]
        assert reload.incidents[incident_id].state is IncidentState.ACCEPTED
        assert reload.seq == hub.store.last_seq()
        assert any("Reloading" in message for _, message in recorder.notices)
    finally:
        hub.stop()


def test_a_refused_token_on_reconnect_is_auth_failed(
        hub: RestartableHub, make_client: MakeClient, rules: Rules, tmp_path: Any) -> None:
    client, recorder = make_client(hub.ws_url)
    live(client, recorder)
    hub.stop()
    # Another hub on the same port, over a database that never issued this session's token.
    fresh = f"sqlite:///{tmp_path / 'other.db'}"
    seed(fresh, rules)
    stranger = RestartableHub(fresh, rules)
    stranger.port = hub.port
    stranger.start()
    try:
        wait_until(lambda: not client.running, what="the client to give up")
        names = recorder.state_names()
        assert names[-2:] == [CONNECTING, AUTH_FAILED]
        assert names.count(AUTH_FAILED) == 1 and LIVE not in names[names.index(AUTH_FAILED):]
    finally:
        stranger.stop()


def test_reconnect_delays_back_off_with_full_jitter_within_bounds(
        hub: RestartableHub, make_client: MakeClient) -> None:
    rng = random.Random(1)
    for attempt in range(12):
        ceiling = min(10.0, 0.25 * 2 ** attempt)
        draws = [backoff_delay(attempt, 0.25, 10.0, rng) for _ in range(500)]
        assert all(0 <= d <= ceiling for d in draws)
        assert max(draws) > 0.9 * ceiling and min(draws) < 0.1 * ceiling  # full jitter
    assert backoff_delay(10_000, 0.25, 10.0, rng) <= 10.0

    client, recorder = make_client(hub.ws_url, backoff_base=0.02, backoff_cap=0.1)
    live(client, recorder)
    hub.stop()
    wait_until(lambda: sum(1 for s, _ in recorder.states if s == RECONNECTING) >= 6,
               what="six reconnect attempts")
    details = [detail for state, detail in recorder.states if state == RECONNECTING]
    retries = [detail for detail in details if isinstance(detail, Retry)]
    assert len(retries) == len(details)
    assert [r.attempt for r in retries[:6]] == [1, 2, 3, 4, 5, 6]
    for retry in retries:
        assert 0 <= retry.delay <= min(0.1, 0.02 * 2 ** (retry.attempt - 1))
    assert "shutting down" in retries[0].reason
    assert "could not reach" in retries[1].reason


# -- commands ------------------------------------------------------------------------------------


def test_stop_closes_the_connection_and_leaves_no_thread(hub: RestartableHub,
                                                         make_client: MakeClient) -> None:
    client, recorder = make_client(hub.ws_url)
    live(client, recorder)
    assert client.running
    with hub.frozen():  # a command the hub never answers fails when the client stops
        waiting = client.submit("incident.create", incident_args())
        client.stop()
    assert not client.running
    assert not [t for t in threading.enumerate() if t.name.startswith("hub-client")]
    assert recorder.state_names()[-1] == STOPPED and client.state == STOPPED
    assert waiting.result(timeout=0).code == "stopped"
    assert client.submit("incident.create", incident_args()).result(timeout=0).code == "offline"
    assert hub.thread is not None and hub.thread.hub is not None
    sessions = hub.thread.hub.sessions
    wait_until(lambda: not sessions, what="the hub to see the session end")
    with pytest.raises(RuntimeError):
        client.start()
