"""Freezing the console's heap without keeping its garbage cycles (console.comms.heap), in the
GUI process's helper and in the hub client's child process (its loop run in a thread here)."""

from __future__ import annotations

import gc
import os
import pickle
import threading
import weakref
from multiprocessing.connection import Connection
from typing import Any

from console.comms import heap
from console.comms.client import LIVE
from console.comms.client_process import serve
from console.comms.pieces import FrameReader
from console.domain.rules import Rules
from tests.comms.conftest import RestartableHub
from tests.hub.conftest import PASSWORD, Client, incident_args
from tests.waiting import wait_until


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_garbage_cycles_made_since_the_last_freeze_are_freed_and_survivors_frozen() -> None:
    heap.freeze_survivors()
    frozen = gc.get_freeze_count()
    gc.collect(0)  # what the young generations held before: not this test's concern
    dropped, kept = _Cycle(), _Cycle()
    gc.collect(1)  # both now in the oldest generation, beyond a young collection's reach
    garbage = weakref.ref(dropped)
    del dropped
    gc.collect(1)
    assert garbage() is not None
    heap.freeze_survivors()
    assert garbage() is None
    assert gc.get_freeze_count() > frozen
    assert kept.me is kept


def test_the_hub_client_process_frees_the_garbage_cycles_made_before_it_freezes(
        hub: RestartableHub, rules: Rules) -> None:
    # The child's own loop (client_process.serve), run in a thread here so that its heap is
    # this test's: after every change set it freezes what it holds.
    requests, news = os.pipe(), os.pipe()
    reader = FrameReader(news[0])
    heard: list[tuple[Any, ...]] = []
    ends = (Connection(requests[0], writable=False), Connection(news[1], readable=False))
    child = threading.Thread(target=serve, args=ends)
    to_child = Connection(requests[1], readable=False)
    child.start()  # first: the settings are more than a pipe holds
    to_child.send({"url": hub.ws_url, "username": "ctl", "password": PASSWORD,
                   "rules": pickle.dumps(rules)})

    def read(kind: str) -> bool:
        heard.extend(pickle.loads(data) for data in reader.read())
        return any(isinstance(m, tuple) and m[:2] == ("state", kind) for m in heard)

    enabled = gc.isenabled()
    try:
        wait_until(lambda: read(LIVE), what="the client process's client live")
        gc.disable()  # no collection of this process's own: only the child's may free it
        garbage = weakref.ref(_Cycle())
        other = Client(hub.port)
        other.login("ctl")
        other.command("incident.create", **incident_args())
        wait_until(lambda: garbage() is None, what="the garbage cycle freed")
        other.close()
    finally:
        if enabled:
            gc.enable()
        to_child.send(("stop",))
        child.join(10)
        assert not child.is_alive()
        for end in (*ends, to_child):
            end.close()
        os.close(news[0])
