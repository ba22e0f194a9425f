"""The bridge between the client process and the GUI thread, with pytest-qt and a real hub:
the replica is filled before views hear of it, results come back as callbacks in the GUI thread,
the GUI thread never waits on the network, and a client process that dies is replaced."""

from __future__ import annotations

import gc
import os
import signal
import threading
import time
import weakref
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from console.comms.bridge import Bridge
from console.comms.client import (
    AUTH_FAILED,
    CONNECTING,
    LIVE,
    OFFLINE_MESSAGE,
    RECONNECTING,
    STOPPED,
    SYNCING,
    CommandResult,
    Retry,
)
from console.comms.replica import ChangeSet, UserInfo
from console.domain.rules import Rules
from tests.comms.conftest import RestartableHub
from tests.hub.conftest import PASSWORD, Client, incident_args
from tests.views.conftest import qt_leaks  # noqa: F401 - no window or QThread outlives a test

WAIT_MS = 10_000


def in_gui_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@pytest.fixture
def bridge(rules: Rules) -> Iterator[Bridge]:
    made = Bridge(rules, backoff_base=0.05, backoff_cap=0.5)
    yield made
    made.shutdown()
    assert made.client is None


def go_live(qtbot: QtBot, bridge: Bridge, hub: RestartableHub) -> None:
    bridge.connect_to(hub.ws_url, "ctl", PASSWORD)
    qtbot.waitUntil(lambda: bridge.state == LIVE, timeout=WAIT_MS)


def test_the_replica_is_filled_before_the_views_hear_of_it(qtbot: QtBot, bridge: Bridge,
                                                           hub: RestartableHub) -> None:
    other = Client(hub.port)
    other.login("ctl")
    first_id = other.command("incident.create", **incident_args())["data"]["id"]
    heard: list[tuple[bool, bool, ChangeSet]] = []

    def on_changed(change: ChangeSet) -> None:
        applied = all(bridge.replica.incidents.get(i) is incident
                      for i, incident in change.incidents.items())
        heard.append((in_gui_thread(), applied and bridge.replica.seq == change.seq, change))

    states: list[str] = []
    bridge.changed.connect(on_changed)
    bridge.state_changed.connect(lambda state, _: states.append(state))
    with qtbot.waitSignal(bridge.logged_in, timeout=WAIT_MS) as login:
        bridge.connect_to(hub.ws_url, "ctl", PASSWORD)
    user = login.args[0]
    assert isinstance(user, UserInfo) and user.username == "ctl"
    assert bridge.replica.user == user
    qtbot.waitUntil(lambda: first_id in bridge.replica.incidents, timeout=WAIT_MS)
    assert heard[0][2].reset
    assert bridge.replica.deadlines[first_id] is not None
    assert bridge.replica.taxonomy

    second_id = other.command("incident.create", **incident_args())["data"]["id"]
    qtbot.waitUntil(lambda: second_id in bridge.replica.incidents, timeout=WAIT_MS)
    assert all(gui and applied for gui, applied, _ in heard)
    assert not heard[-1][2].reset
    assert bridge.replica.last_event_at is not None
    assert states[:3] == [CONNECTING, SYNCING, LIVE]
    other.close()


def test_a_command_result_comes_back_in_the_gui_thread(qtbot: QtBot, bridge: Bridge,
                                                       hub: RestartableHub) -> None:
    go_live(qtbot, bridge, hub)
    results: list[tuple[CommandResult, bool]] = []
    bridge.submit("incident.create", incident_args(),
                  callback=lambda result: results.append((result, in_gui_thread())))
    qtbot.waitUntil(lambda: bool(results), timeout=WAIT_MS)
    result, gui = results[0]
    assert result.ok and gui
    qtbot.waitUntil(lambda: result.data["id"] in bridge.replica.incidents, timeout=WAIT_MS)

    bridge.submit("incident.accept", {"id": result.data["id"]}, expected_version=7,
                  callback=lambda refused: results.append((refused, in_gui_thread())))
    qtbot.waitUntil(lambda: len(results) == 2, timeout=WAIT_MS)
    assert results[1][0].code == "conflict" and results[1][1]


def test_offline_commands_are_answered_later_never_inside_the_call(qtbot: QtBot,
                                                                   bridge: Bridge) -> None:
    results: list[CommandResult] = []
    bridge.submit("incident.create", incident_args(), callback=results.append)
    assert results == [], "the callback must not run inside submit()"
    qtbot.waitUntil(lambda: bool(results), timeout=WAIT_MS)
    assert (results[0].ok, results[0].code, results[0].message) == (False, "offline",
                                                                     OFFLINE_MESSAGE)


def test_the_gui_thread_never_waits_on_a_hub_that_does_not_answer(
        qtbot: QtBot, bridge: Bridge, hub: RestartableHub) -> None:
    go_live(qtbot, bridge, hub)
    results: list[CommandResult] = []
    states: list[str] = []
    bridge.state_changed.connect(lambda state, _: states.append(state))
    client = bridge.client
    assert client is not None
    with hub.frozen():
        started = time.perf_counter()
        bridge.submit("incident.create", incident_args(), timeout=0.5, callback=results.append)
        assert time.perf_counter() - started < 0.05
        qtbot.waitUntil(lambda: bool(results), timeout=WAIT_MS)
        assert results[0].code == "timeout"
        # Hanging up on a frozen hub cannot finish the close handshake: that is not waited for.
        started = time.perf_counter()
        bridge.disconnect_from_hub()
        assert time.perf_counter() - started < 0.1
        assert bridge.client is None and bridge.state == STOPPED
    qtbot.waitUntil(lambda: not client.running, timeout=WAIT_MS)
    qtbot.wait(50)  # let anything the old client still said be delivered: it must be ignored
    assert states == [STOPPED]


def test_states_and_notices_reach_the_gui_through_a_failed_login_and_a_restart(
        qtbot: QtBot, bridge: Bridge, hub: RestartableHub) -> None:
    notices: list[tuple[str, str]] = []
    details: list[tuple[str, Any]] = []
    bridge.notice.connect(lambda level, text: notices.append((level, text)))
    bridge.state_changed.connect(lambda state, detail: details.append((state, detail)))
    bridge.connect_to(hub.ws_url, "ctl", "not the password")
    qtbot.waitUntil(lambda: bridge.state == AUTH_FAILED, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: bool(notices), timeout=WAIT_MS)
    assert notices[0][0] == "error" and "wrong password" in notices[0][1]

    go_live(qtbot, bridge, hub)
    held = dict(bridge.replica.incidents)
    hub.stop()
    qtbot.waitUntil(lambda: bridge.state in (RECONNECTING, CONNECTING), timeout=WAIT_MS)
    retry = next(detail for state, detail in details if state == RECONNECTING)
    assert isinstance(retry, Retry) and retry.delay <= 0.5
    hub.start()
    qtbot.waitUntil(lambda: bridge.state == LIVE, timeout=WAIT_MS)
    assert bridge.replica.incidents == held


def test_shutdown_ends_the_client_process(qtbot: QtBot, bridge: Bridge,
                                          hub: RestartableHub) -> None:
    go_live(qtbot, bridge, hub)
    client = bridge.client
    assert client is not None and client.running and client.pid != os.getpid()
    # The network is the child's: no thread of this process works for it.
    assert not [t for t in threading.enumerate()
                if t.name.startswith(("hub-client", "client-process"))]
    bridge.shutdown()
    running: bool = client.running  # not narrowed by the assertion above: shutdown() ended it
    assert not running
    assert bridge.state == STOPPED


def test_a_client_process_that_dies_is_reported_and_replaced(
        qtbot: QtBot, bridge: Bridge, hub: RestartableHub) -> None:
    go_live(qtbot, bridge, hub)
    other = Client(hub.port)
    other.login("ctl")
    incident = other.command("incident.create", **incident_args())["data"]["id"]
    qtbot.waitUntil(lambda: incident in bridge.replica.incidents, timeout=WAIT_MS)
    notices: list[tuple[str, str]] = []
    states: list[tuple[str, Any]] = []
    bridge.notice.connect(lambda level, text: notices.append((level, text)))
    bridge.state_changed.connect(lambda state, detail: states.append((state, detail)))
    first = bridge.client
    assert first is not None
    results: list[CommandResult] = []
    with hub.frozen():  # the command waits for its answer when the process dies
        bridge.submit("incident.accept", {"id": incident}, callback=results.append)
        os.kill(first.pid, signal.SIGKILL)
        qtbot.waitUntil(lambda: bool(results) and bool(notices), timeout=WAIT_MS)
    assert results[0].code == "stopped" and not results[0].ok
    assert notices[0][0] == "error" and "connection process ended" in notices[0][1]
    retry = next(detail for state, detail in states if state == RECONNECTING)
    assert isinstance(retry, Retry) and retry.attempt == 1 and retry.delay <= 0.05
    # The new process logs in with the session's token (the password is not kept).
    qtbot.waitUntil(lambda: bridge.state == LIVE and bridge.client is not first,
                    timeout=WAIT_MS)
    assert not first.running
    assert incident in bridge.replica.incidents
    second = other.command("incident.create", **incident_args())["data"]["id"]
    qtbot.waitUntil(lambda: second in bridge.replica.incidents, timeout=WAIT_MS)
    other.close()


def test_a_track_comes_back_in_the_gui_thread_as_points(
        qtbot: QtBot, bridge: Bridge, hub: RestartableHub) -> None:
    answers: list[tuple[Any, bool]] = []
    since = datetime.now(UTC) - timedelta(minutes=5)
    bridge.request_track("G1", since, since + timedelta(hours=1),
                         lambda points: answers.append((points, in_gui_thread())))
    qtbot.waitUntil(lambda: bool(answers), timeout=WAIT_MS)
    assert answers.pop() == (None, True)  # offline

    go_live(qtbot, bridge, hub)
    field = Client(hub.port, "/field")
    field.login("gateway")
    field.send({"type": "positions", "units": [["G1", 30.661, 104.101, 45, 1.5]]})

    deadline = time.monotonic() + 5
    while True:  # the hub stores positions every 0.5 s
        bridge.request_track("G1", since, datetime.now(UTC) + timedelta(seconds=5),
                             lambda points: answers.append((points, in_gui_thread())))
        qtbot.waitUntil(lambda: bool(answers), timeout=WAIT_MS)
        if answers[-1][0] or time.monotonic() > deadline:
            break
        answers.pop()
        qtbot.wait(200)
    points, in_gui = answers.pop()
    assert in_gui
    [point] = points
    assert (point.lat, point.lon, point.heading, point.speed) == (30.661, 104.101, 45.0, 1.5)
    assert since <= point.at <= datetime.now(UTC)


def test_a_timeline_comes_back_in_the_gui_thread_and_none_when_offline(
        qtbot: QtBot, bridge: Bridge, hub: RestartableHub) -> None:
    answers: list[tuple[Any, bool]] = []
    bridge.request_timeline("CH-X", lambda events: answers.append((events, in_gui_thread())))
    assert answers == [], "the callback must not run inside request_timeline()"
    qtbot.waitUntil(lambda: bool(answers), timeout=WAIT_MS)
    assert answers.pop() == (None, True)  # not connected: nothing to show, nothing hangs

    go_live(qtbot, bridge, hub)
    other = Client(hub.port)
    other.login("ctl")
    incident = other.command("incident.create", **incident_args())["data"]["id"]
    assert other.command("incident.accept", id=incident)["ok"]
    bridge.request_timeline(incident, lambda events: answers.append((events, in_gui_thread())))
    qtbot.waitUntil(lambda: bool(answers), timeout=WAIT_MS)
    events, in_gui = answers.pop()
    assert in_gui
    assert [e["name"] for e in events] == ["incident.created", "incident.accepted"]


class _Cycle:
    """An object in a reference cycle with itself: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.me = self


def test_garbage_cycles_the_views_make_are_freed_though_the_bridge_freezes_its_heap(
        qtbot: QtBot, bridge: Bridge, hub: RestartableHub) -> None:
    # The bridge freezes the heap after every change set; a cycle that was already garbage then
    # would be frozen with it and never freed: a console that runs for a week would keep them all.
    go_live(qtbot, bridge, hub)
    cycles: list[weakref.ref[_Cycle]] = []

    def view(change: ChangeSet) -> None:  # a view's slot that leaves a garbage cycle behind
        cycles.append(weakref.ref(_Cycle()))

    bridge.changed.connect(view)
    other = Client(hub.port)
    other.login("ctl")
    created = other.command("incident.create", **incident_args())["data"]["id"]
    qtbot.waitUntil(lambda: created in bridge.replica.incidents, timeout=WAIT_MS)
    assert cycles
    assert gc.get_freeze_count() > 0, "the bridge froze its heap"
    assert [ref for ref in cycles if ref() is not None] == []
    other.close()
