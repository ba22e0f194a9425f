"""The protocol over real websockets to a real hub (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from websockets.exceptions import ConnectionClosed

from console.comms.clock import Clock
from console.domain.rules import Rules
from console.hub.config import HubConfig
from console.hub.server import Hub
from console.store.store import Store
from tests.hub.conftest import PASSWORD, Client, HubThread, add_users, incident_args
from tests.waiting import wait_until


def test_good_login_gets_welcome_snapshot_and_synced(hub: HubThread) -> None:
    client = Client(hub.port)
    welcome = client.hello("ctl")
    assert welcome["user"]["username"] == "ctl"
    assert welcome["user"]["roles"] == ["controller"]
    assert welcome["protocol"] == 1
    assert len(welcome["token"]) > 30
    snapshot, synced = client.sync()
    assert snapshot is not None
    assert {"incidents", "units", "cameras", "taxonomy"} <= snapshot.keys()
    assert "env.noise_construction" in {c["code"] for c in snapshot["taxonomy"]}
    assert synced["seq"] == snapshot["seq"] == 0
    # The token logs in again without the password.
    again = Client(hub.port)
    assert again.hello(token=welcome["token"])["user"]["username"] == "ctl"


def test_a_faster_world_stamps_events_and_positions_on_its_clock(
        db_url: str, rules: Rules) -> None:
    # E.g. where an earlier demo run ended (whole seconds: the wire's times are exact then).
    origin = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    # The real clock under the world's is the test's: a real second passes when it says so.
    real = [time.time()]
    thread = HubThread(db_url, rules, clock=Clock(60, origin=origin, real=lambda: real[0]))
    add_users(thread.store)
    thread.start()
    try:
        client = Client(thread.port)
        welcome = client.hello("ctl")
        assert welcome["speed"] == 60
        told = datetime.fromisoformat(welcome["time"])
        assert told == origin
        client.sync()
        first = client.command("incident.create", **incident_args())
        real[0] += 1.0
        second = client.command("incident.create", **incident_args(description="又一件"))
        while len(client.events) < 2:
            client.events.append(client.until("event"))
        by_seq = {e["seq"]: datetime.fromisoformat(e["at"]) for e in client.events}
        # One real second is a world minute.
        assert [by_seq[first["seq"]], by_seq[second["seq"]]] == [
            origin, origin + timedelta(minutes=1)]
    finally:
        thread.stop()


def test_a_hub_refuses_a_faster_clock_its_store_does_not_share(
        db_url: str, rules: Rules) -> None:
    store = Store(db_url, rules)
    try:
        with pytest.raises(ValueError, match="same clock"):
            Hub(store, rules, HubConfig(clock=Clock(10)))
    finally:
        store.close()


@pytest.mark.parametrize(("username", "password"), [("ctl", "wrong"), ("nobody", PASSWORD)])
def test_bad_login_is_refused_and_closed(hub: HubThread, username: str, password: str) -> None:
    client = Client(hub.port)
    client.send({"type": "hello", "protocol": 1, "client": "tests",
                 "auth": {"username": username, "password": password}})
    error = client.recv()
    assert error["type"] == "error"
    assert error["code"] == "auth_failed"
    with pytest.raises(ConnectionClosed):
        client.recv()


def test_a_forged_token_is_refused(hub: HubThread) -> None:
    client = Client(hub.port)
    client.send({"type": "hello", "protocol": 1, "client": "t", "auth": {"token": "forged"}})
    assert client.recv()["code"] == "auth_failed"


def test_events_follow_the_snapshot_live(hub: HubThread) -> None:
    watcher, actor = Client(hub.port), Client(hub.port)
    watcher.login("viewer")
    actor.login("ctl")
    result = actor.command("incident.create", **incident_args())
    assert result["ok"], result
    assert result["data"]["version"] == 1
    event = watcher.until("event")
    assert event["seq"] == result["seq"] == 1
    assert event["name"] == "incident.created"
    assert event["actor"] == "ctl"
    # A viewer has no need for the reporter's identity; a controller sees it masked
    # (docs/security.md "Personal data: who sees what").
    assert event["data"]["reporter"] == {"name": "", "phone": "", "withheld": True}
    # The event may have come before the command's result (and been kept on the way).
    own = actor.events[0] if actor.events else actor.until("event")
    assert own["data"]["reporter"]["phone"] == "138****0001"


def test_an_event_is_encoded_once_per_way_of_masking(hub: HubThread) -> None:
    viewers = [Client(hub.port) for _ in range(3)]
    for viewer in viewers:
        viewer.login("viewer")
    actor = Client(hub.port)
    actor.login("ctl")
    result = actor.command("incident.create", **incident_args())
    texts = [viewer.ws.recv(timeout=10) for viewer in viewers]
    assert texts[0] == texts[1] == texts[2]
    assert json.loads(texts[0])["data"]["reporter"]["phone"] == ""
    assert actor.until("event")["data"]["reporter"]["phone"] == "138****0001"
    assert hub.hub is not None
    variants = [key for key in hub.hub.log._frames if key[0] == result["seq"]]
    assert len(variants) == 2  # the viewers' and the controller's


def test_resume_replays_exactly_the_missed_events(hub: HubThread) -> None:
    actor = Client(hub.port)
    actor.login("ctl")
    first = actor.command("incident.create", **incident_args())["data"]["id"]
    watcher = Client(hub.port)
    welcome = watcher.hello("viewer")
    watcher.sync()
    seen = welcome["seq"]
    watcher.close()
    missed = [actor.command("incident.note", id=first, text=f"第 {n} 次回访")["seq"]
              for n in range(5)]
    back = Client(hub.port)
    back.hello(token=welcome["token"], resume_from=seen)
    snapshot, synced = back.sync()
    assert snapshot is None
    assert missed == list(range(seen + 1, seen + 6))
    # The replay runs to what the hub's log follower has read when the session syncs: the
    # acknowledgements may be ahead of it, and what it reads later follows live.
    assert [e["seq"] for e in back.events] == list(range(seen + 1, synced["seq"] + 1))
    while len(back.events) < len(missed):
        back.events.append(back.until("event"))
    assert [e["seq"] for e in back.events] == missed
    # And live afterwards, with no duplicate.
    actor.command("incident.note", id=first, text="结束")
    assert back.until("event")["seq"] == missed[-1] + 1


def test_a_resent_command_id_is_applied_once(hub: HubThread) -> None:
    client = Client(hub.port)
    client.login("ctl")
    command_id = str(uuid.uuid4())
    first = client.command("incident.create", command_id=command_id, **incident_args())
    again = client.command("incident.create", command_id=command_id, **incident_args())
    assert again == first
    assert hub.store.count("incidents") == 1
    assert hub.store.last_seq() == 1


def test_stale_expected_version_is_a_conflict(hub: HubThread) -> None:
    client = Client(hub.port)
    client.login("ctl")
    incident = client.command("incident.create", **incident_args())["data"]["id"]
    client.command("incident.accept", id=incident)
    stale = client.command("incident.assign", id=incident, department="environment",
                           expected_version=1)
    assert stale["ok"] is False
    assert stale["error"]["code"] == "conflict"


def test_a_command_outside_the_role_is_forbidden_and_writes_nothing(hub: HubThread) -> None:
    client = Client(hub.port)
    client.login("ctl")
    incident = client.command("incident.create", **incident_args())["data"]["id"]
    head = hub.store.last_seq()
    viewer = Client(hub.port)
    viewer.login("viewer")
    refused = viewer.command("incident.accept", id=incident)
    assert refused["ok"] is False
    assert refused["error"]["code"] == "forbidden"
    assert "may not accept incidents" in refused["error"]["message"]
    assert hub.store.last_seq() == head


def test_bad_input_gets_clear_errors_and_the_connection_stays(hub: HubThread) -> None:
    client = Client(hub.port)
    client.send({"type": "command", "id": "c1", "name": "incident.accept", "args": {}})
    before_hello = client.recv()
    assert (before_hello["code"], before_hello.get("ref")) == ("not_ready", "c1")
    client.login("ctl")
    cases = [
        ("{not json", "bad_frame"),
        (json.dumps([1, 2]), "bad_message"),
        (json.dumps({"type": "teleport"}), "bad_message"),
        (json.dumps({"type": "command", "id": 5, "name": "incident.accept"}), "bad_message"),
        ("x" * (300 * 1024), "too_large"),
        (json.dumps({"type": "hello", "protocol": 1, "client": "t",
                     "auth": {"token": "again"}}), "bad_message"),
    ]
    for frame, code in cases:
        client.send(frame)
        error = client.recv()
        assert error["type"] == "error", error
        assert error["code"] == code, (frame[:40], error)
        assert error["message"].endswith("."), error
    client.send({"type": "ping", "id": "still-there"})
    assert client.recv() == {"type": "pong", "id": "still-there"}
    assert hub.store.last_seq() == 0


def test_healthz_answers_with_status(hub: HubThread) -> None:
    with urllib.request.urlopen(f"http://127.0.0.1:{hub.port}/healthz", timeout=5) as answer:
        assert answer.status == 200
        status = json.loads(answer.read())
    assert status["status"] == "ok"
    assert status["seq"] == 0


def test_unknown_path_is_404(hub: HubThread) -> None:
    with pytest.raises(Exception, match="404"):
        Client(hub.port, "/nowhere")


def test_positions_reach_consoles_coalesced(hub: HubThread) -> None:
    console = Client(hub.port)
    console.login("ctl")
    admin_result = Client(hub.port)
    admin_result.login("ctl")
    field = Client(hub.port, "/field")
    field.login("gateway")
    started = time.monotonic()
    for step in range(10):
        field.send({"type": "positions", "units": [
            ["G1", 30.66 + step / 10_000, 104.10, 90, 1.2], ["G2", 30.67, 104.09, 0, 0]]})
    frames = []
    while time.monotonic() - started < 1.5:
        try:
            message = console.recv(timeout=0.3)
        except TimeoutError:
            continue
        if message["type"] == "positions":
            frames.append(message)
    assert frames, "no positions frame within 1.5 s"
    latest = {row[0]: row for frame in frames for row in frame["units"]}
    assert latest["G1"][1] == pytest.approx(30.6609)
    # Coalesced: 20 fixes went in, at most 4 frames a second came out, latest per unit.
    assert len(frames) <= 7
    assert all(len(frame["units"]) <= 2 for frame in frames)


@pytest.mark.parametrize(("user", "path", "subscribe", "allowed"), [
    ("gateway", "/ws", None, False), ("gateway", "/field", None, True),
    ("ctl", "/field", None, False), ("police110", "/ws", None, False),
    ("police110", "/ws", ["events"], False), ("police110", "/ws", [], False),
    ("police110", "/field", [], False), ("police110", "/police", None, True),
    ("ctl", "/police", None, False), ("gateway", "/police", None, False),
    ("leader", "/police", None, False),
])
def test_who_may_use_which_endpoint(hub: HubThread, user: str, path: str,
                                    subscribe: list[str] | None, allowed: bool) -> None:
    client = Client(hub.port, path)
    hello: dict[str, object] = {"type": "hello", "protocol": 1, "client": "tests",
                                "auth": {"username": user, "password": PASSWORD}}
    if subscribe is not None:
        hello["subscribe"] = subscribe
    client.send(hello)
    answer = client.recv()
    if allowed:
        assert answer["type"] == "welcome"
        if path != "/police":  # a police center gets no log: nothing to sync
            assert client.recv()["type"] == "synced"
    else:
        assert answer["code"] == "auth_failed"
        assert answer["message"] == f"The account {user} may not connect to {path}."


def test_a_session_gets_only_the_streams_it_subscribed_to(hub: HubThread) -> None:
    actor = Client(hub.port)
    actor.login("ctl")
    field = Client(hub.port, "/field")
    field.login("gateway")
    quiet, events_only = Client(hub.port), Client(hub.port)
    for client, streams in ((quiet, []), (events_only, ["events"])):
        client.send({"type": "hello", "protocol": 1, "client": "tests",
                     "auth": {"username": "ctl", "password": PASSWORD}, "subscribe": streams})
        assert client.recv()["type"] == "welcome"
    assert quiet.recv()["type"] == "synced"  # no snapshot
    assert events_only.recv()["type"] == "snapshot"
    assert events_only.recv()["type"] == "synced"
    created = quiet.command("incident.create", **incident_args())
    assert created["ok"]
    field.send({"type": "positions", "units": [["G1", 30.66, 104.10, 90, 1.2]]})
    assert events_only.until("event")["seq"] == created["seq"]
    assert actor.until("positions")["units"][0][0] == "G1"  # the frame has gone out
    for client in (quiet, events_only):
        with pytest.raises(TimeoutError):  # the point: a second, a few frames' time, of nothing
            client.until("anything", timeout=1.0)
    assert quiet.events == [] and [m["type"] for m in events_only.other] == []


def test_a_console_gets_the_fixes_the_store_does_not_hold_yet(db_url: str,
                                                               rules: Rules) -> None:
    thread = HubThread(db_url, rules, position_flush_s=3600.0)  # nothing reaches the store
    add_users(thread.store)
    thread.start()
    try:
        field = Client(thread.port, "/field")
        field.login("gateway")
        field.send({"type": "positions", "units": [["G1", 30.6611, 104.1011, 45, 1.5]]})
        watcher = Client(thread.port)
        watcher.login("ctl")
        assert watcher.until("positions")["units"][0][0] == "G1"  # the hub has taken it

        late = Client(thread.port)
        late.hello("ctl")
        snapshot, _ = late.sync()
        assert snapshot is not None and snapshot["units"] == []  # not in the store
        first = late.until("positions")
        assert first["units"] == [["G1", 30.6611, 104.1011, 45, 1.5, "unknown"]]

        resumed = Client(thread.port)
        resumed.hello("ctl", resume_from=0)
        assert resumed.sync()[0] is None  # a replay: no snapshot, so every unit's latest fix
        assert resumed.until("positions")["units"][0][:3] == ["G1", 30.6611, 104.1011]
    finally:
        thread.stop()


def stored_fixes(hub: HubThread, unit: str) -> int:
    with hub.store.db.reader.connect() as conn:
        return int(conn.exec_driver_sql(
            f"SELECT count(*) FROM positions WHERE unit_id = '{unit}'").scalar_one())


def test_track_gives_a_units_stored_positions_oldest_first(hub: HubThread) -> None:
    console = Client(hub.port)
    console.login("ctl")
    field = Client(hub.port, "/field")
    field.login("gateway")
    before = datetime.now(UTC) - timedelta(seconds=1)
    for step in range(3):
        field.send({"type": "positions", "units": [["G1", 30.66 + step / 1000, 104.10, 90, 1.2],
                                                   ["G2", 30.67, 104.09, 0, 0]]})
        wait_until(lambda n=step + 1: stored_fixes(hub, "G1") == n, what=f"fix {step} stored")
    after = datetime.now(UTC) + timedelta(seconds=1)
    console.send({"type": "track", "id": "k1", "unit": "G1", "since": before.isoformat(),
                  "until": after.isoformat()})
    answer = console.until("track")
    assert answer["id"] == "k1" and answer["unit"] == "G1"
    assert [round(row[0], 3) for row in answer["points"]] == [30.66, 30.661, 30.662]
    times = [datetime.fromisoformat(row[4]) for row in answer["points"]]
    assert times == sorted(times) and before <= times[0] and times[-1] <= after
    console.send({"type": "track", "id": "k2", "unit": "G1", "since": after.isoformat(),
                  "until": (after + timedelta(hours=1)).isoformat()})
    assert console.until("track")["points"] == []
    console.send({"type": "track", "id": "k3", "unit": "G1", "since": before.isoformat(),
                  "until": (before + timedelta(hours=25)).isoformat()})
    error = console.until("error")
    assert error["code"] == "bad_message" and "24 hours" in error["message"]
    field.send({"type": "track", "id": "k4", "unit": "G1", "since": before.isoformat(),
                "until": after.isoformat()})
    assert field.until("error")["message"] == "Tracks are read on /ws."


def test_timeline_lists_an_incidents_events_masked_by_role(hub: HubThread) -> None:
    actor, watcher = Client(hub.port), Client(hub.port)
    actor.login("ctl")
    watcher.login("viewer")
    created = actor.command("incident.create", **incident_args())
    incident = created["data"]["id"]
    assert actor.command("incident.accept", id=incident)["ok"]
    assert actor.command("incident.note", id=incident, text="回访电话未接通")["ok"]
    actor.command("incident.create", **incident_args(description="另一件"))  # not in it

    actor.send({"type": "timeline", "id": "t1", "incident": incident})
    answer = actor.until("timeline")
    assert answer["id"] == "t1" and answer["incident"] == incident
    assert [e["name"] for e in answer["events"]] == [
        "incident.created", "incident.accepted", "incident.noted"]
    assert [e["seq"] for e in answer["events"]] == [1, 2, 3]
    assert answer["events"][0]["data"]["reporter"] == {"name": "张**", "phone": "138****0001"}

    watcher.send({"type": "timeline", "id": "t2", "incident": incident})
    masked = watcher.until("timeline")
    assert masked["events"][0]["data"]["reporter"] == {"name": "", "phone": "",
                                                       "withheld": True}

    watcher.send({"type": "timeline", "id": "t3", "incident": "CH-NOPE"})
    assert watcher.until("timeline")["events"] == []
    watcher.send({"type": "timeline", "id": "t4"})
    error = watcher.until("error")
    assert error["code"] == "bad_message" and "'incident'" in error["message"]
