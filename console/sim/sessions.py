"""The simulator's sessions on the hub: one connection per account, and the commands sent on them.

The colleague's connection (``sim.dispatch``) follows the event log and hands every change to the
simulator; the field gateway on ``/field`` plays the units' devices: it takes their tasks (DESIGN
§5c), hands them to the simulator and acknowledges them. Every other account — the liaison,
forty department desks — is a command-only session (``subscribe: []``) opened when first needed,
so a start costs the hub few password checks. A command that finds its connection down waits
for it and goes when it is back; its answer comes back on the simulator's loop.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from console.comms.client import AUTH_FAILED, LIVE, CommandResult, HubClient
from console.comms.clock import Clock
from console.comms.replica import ChangeSet
from console.domain.rules import Rules
from console.sim.demo import FIELD_GATEWAY, SIM_DISPATCH

__all__ = ["Sessions", "endpoints"]

log = logging.getLogger(__name__)

#: What a command's answer is handed to: on success, on refusal, and either way.
Callbacks = dict[str, Callable[[CommandResult], None] | None]


class Sessions:
    """The simulator's connections to a hub, one per account.

    Args:
        hub: any address of the hub; ``/ws`` and ``/field`` are taken from it.
        password: every simulator account's password.
        rules: the rule data the clients decode with.
        deliver: called (on the colleague's client thread) with each change of the log.
        hub_time: the clock the colleague's ``welcome`` sets.
        counts: where the answers are counted (``ok.<command>``, ``refused.<command>``).
        stopping: set once the simulator stops: no command waits for a connection any more.
        tasks: called (on the simulator's loop) with each task the hub sends the field
            gateway on ``/field``: the units' dispatches, verifications, recalls, messages.
    """

    def __init__(self, hub: str, password: str, rules: Rules, *,
                 deliver: Callable[[ChangeSet], None], hub_time: Clock, counts: Counter[str],
                 stopping: asyncio.Event,
                 tasks: Callable[[dict[str, Any]], None] | None = None) -> None:
        self.hub = hub
        self.password = password
        self.rules = rules
        self.counts = counts
        self._deliver = deliver
        self._hub_time = hub_time
        self._stopping = stopping
        self._tasks = tasks
        self._clients: dict[str, HubClient] = {}
        # close() runs in a worker thread while the loop may still open a colleague's client.
        self._clients_lock = threading.Lock()
        self._closed = False
        # Commands waiting for their account's connection: name, args, callbacks.
        self._waiting: dict[str, list[tuple[str, dict[str, Any], Callbacks]]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    def open(self, loop: asyncio.AbstractEventLoop) -> None:
        """The colleague's connection (it follows the log) and the field gateway's now; the
        others when first needed. Answers come back on ``loop``."""
        self._loop = loop
        self.client(SIM_DISPATCH)
        self.client(FIELD_GATEWAY)

    def client(self, username: str) -> HubClient:
        """The account's client, started if it was not yet."""
        made = self._clients.get(username)
        if made is not None:
            return made
        ws, field_url = endpoints(self.hub)
        options: dict[str, Any] = {"subscribe": ()}
        if username == SIM_DISPATCH:
            options = {"deliver": self._deliver, "subscribe": ("events",),
                       "clock": self._hub_time}

        def state(state: str, detail: object) -> None:
            self._state(username, state, detail)

        if username == FIELD_GATEWAY:
            options = {"tasks": self._task}
        made = HubClient(field_url if username == FIELD_GATEWAY else ws, username,
                         self.password, self.rules, client_name="linkage-sim",
                         deliver=options.pop("deliver", _ignore), state=state,
                         clock=options.pop("clock", Clock()), **options)
        self._waiting[username] = []
        with self._clients_lock:
            self._clients[username] = made
            if not self._closed:  # one opened while closing stays unstarted, never sends
                made.start()
        return made

    def close(self) -> None:
        with self._clients_lock:
            self._closed = True
            made = list(self._clients.values())
        for client in made:
            client.stop()

    def send(self, who: str, name: str, args: dict[str, Any], *,
             on_ok: Callable[[CommandResult], None] | None = None,
             on_refused: Callable[[CommandResult], None] | None = None,
             on_done: Callable[[CommandResult], None] | None = None) -> None:
        """Send a command as ``who``; one that finds the connection down waits for it."""
        client = self.client(who)
        callbacks: Callbacks = {"on_ok": on_ok, "on_refused": on_refused, "on_done": on_done}
        if client.state != LIVE:
            self._waiting[who].append((name, args, callbacks))
            return
        future = client.submit(name, args)
        loop = self._loop
        assert loop is not None

        def answered(done: Future[CommandResult]) -> None:
            result = done.result()
            if not loop.is_closed():
                loop.call_soon_threadsafe(self._answered, who, name, args, result, callbacks)

        future.add_done_callback(answered)

    def _state(self, who: str, state: str, detail: object) -> None:  # a client's thread
        if state == AUTH_FAILED:
            log.error("the simulator's account %s cannot log in: %s", who, detail)
        elif state == LIVE and self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._flush, who)

    def _task(self, task: dict[str, Any]) -> None:  # the gateway client's thread
        """A task for a unit: taken into the simulator's loop (then the client acks it)."""
        loop = self._loop
        if self._tasks is None or loop is None or loop.is_closed():
            raise RuntimeError("no one takes the field's tasks")  # not acked: sent again
        loop.call_soon_threadsafe(self._tasks, task)

    def _flush(self, who: str) -> None:
        """Send what waited for the account's connection."""
        waiting, self._waiting[who] = self._waiting[who], []
        for name, args, callbacks in waiting:
            self.send(who, name, args, **callbacks)

    def _answered(self, who: str, name: str, args: dict[str, Any], result: CommandResult,
                  callbacks: Callbacks) -> None:
        if result.code == "offline" and not self._stopping.is_set():
            self._waiting[who].append((name, args, callbacks))  # sent again once back
            return
        self.counts[("ok." if result.ok else "refused.") + name] += 1
        on_ok, on_refused, on_done = (callbacks["on_ok"], callbacks["on_refused"],
                                      callbacks["on_done"])
        if not result.ok and result.code not in ("conflict", "offline", "stopped", "timeout"):
            log.debug("%s refused: %s", name, result.message)
        callback = on_ok if result.ok else on_refused
        if callback is not None:
            callback(result)
        if on_done is not None:
            on_done(result)


def _ignore(_change: ChangeSet) -> None:
    pass


def endpoints(hub: str) -> tuple[str, str]:
    """The ``/ws`` and ``/field`` addresses of a hub given by any of its addresses."""
    parts = urlsplit(hub)
    return (urlunsplit((parts.scheme, parts.netloc, "/ws", "", "")),
            urlunsplit((parts.scheme, parts.netloc, "/field", "", "")))
