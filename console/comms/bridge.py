"""The one door between the hub client's loop thread and the GUI thread (Electrum's pattern).

:class:`Bridge` is the only Qt object in ``console.comms``. It owns the :class:`HubClient`
(whose callbacks run in the loop thread) and the :class:`Replica` (which only the GUI thread
touches). The loop thread emits private signals; Qt queues them into the GUI thread, where the
bridge applies each change set to the replica and then tells the views. Commands go out as
futures; their results come back as queued signals too, so the GUI thread never waits on the
network.
"""

from __future__ import annotations

import gc
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

from console.comms.client import (
    OFFLINE_MESSAGE,
    STOPPED,
    CommandResult,
    HubClient,
    TrackPoint,
    check_hub_url,
)
from console.comms.replica import ChangeSet, Replica, UserInfo
from console.domain.rules import Rules

ResultCallback = Callable[[CommandResult], None]


class Bridge(QObject):
    """The console's connection to a hub, as seen from the GUI thread.

    Args:
        rules: the rule data the client computes deadlines with.
        parent: the Qt parent.
        client_options: passed on to every :class:`HubClient` (``ssl``, ``backoff_base``,
            ``backoff_cap``, ``flush_interval``, …).

    Signals:
        changed(ChangeSet): after :attr:`replica` has applied the change set.
        state_changed(str, object): the client's connection state and its detail (see
            ``console.comms.client``; ``stopped`` after :meth:`disconnect_from_hub`).
        notice(str, str): a level (``info``, ``warning``, ``error``) and an English message
            for the user.
        logged_in(UserInfo): after every (re)login; :attr:`replica` ``.user`` is set first.
    """

    changed = Signal(object)
    state_changed = Signal(str, object)
    notice = Signal(str, str)
    logged_in = Signal(object)

    # Emitted in the loop thread, received in the GUI thread. The first argument is the
    # generation of the client that spoke: a client being let go may still say something.
    _delivered = Signal(int, object)
    _state = Signal(int, str, object)
    _notice = Signal(int, str, str)
    _login = Signal(int, object)
    _answered = Signal(object, object)

    def __init__(self, rules: Rules, parent: QObject | None = None,
                 **client_options: Any) -> None:
        super().__init__(parent)
        self.rules = rules
        self.replica = Replica()
        self.state = STOPPED
        self.state_detail: object = None
        self._client: HubClient | None = None
        self._generation = 0
        self._client_options = client_options
        queued = Qt.ConnectionType.QueuedConnection
        self._delivered.connect(self._on_delivered, queued)
        self._state.connect(self._on_state, queued)
        self._notice.connect(self._on_notice, queued)
        self._login.connect(self._on_login, queued)
        self._answered.connect(self._on_answered, queued)

    @property
    def client(self) -> HubClient | None:
        """The client in use, if any (for its ``state`` and ``pending``; do not wait on it)."""
        return self._client

    def connect_to(self, url: str, username: str, password: str) -> None:
        """Let go of any current connection and connect to ``url`` as ``username``.

        Returns at once; progress arrives as :attr:`state_changed`, :attr:`logged_in` and
        :attr:`changed`.

        Raises:
            ValueError: if ``url`` is not a ``ws://`` or ``wss://`` address.
        """
        check_hub_url(url)  # before letting go: a typo must not drop a working connection
        self._let_go(wait=False)
        self._generation += 1
        generation = self._generation
        self._client = HubClient(
            url, username, password, self.rules,
            deliver=lambda change: self._delivered.emit(generation, change),
            state=lambda state, detail: self._state.emit(generation, state, detail),
            notice=lambda level, text: self._notice.emit(generation, level, text),
            login=lambda user: self._login.emit(generation, user),
            **self._client_options)
        self._client.start()

    def disconnect_from_hub(self) -> None:
        """Close the connection without waiting for the close handshake.

        (Not ``disconnect``: that name is QObject's, for signal connections.)
        """
        self._let_go(wait=False)

    def shutdown(self) -> None:
        """Close the connection and wait for the client's thread to end (at application exit)."""
        self._let_go(wait=True)

    def submit(self, name: str, args: Mapping[str, Any], expected_version: int | None = None,
               callback: ResultCallback | None = None, timeout: float = 15.0) -> None:
        """Send a command; ``callback`` gets its :class:`CommandResult` in the GUI thread.

        The callback always runs later, from the event loop, never inside this call — also
        when the console is offline and the result is known at once.
        """
        client = self._client
        if client is None:
            if callback is not None:
                self._answered.emit(callback, CommandResult.failure(
                    str(uuid.uuid4()), "offline", OFFLINE_MESSAGE))
            return
        future = client.submit(name, args, expected_version, timeout)
        if callback is not None:
            future.add_done_callback(lambda done: self._pass_on(done, callback))

    def request_timeline(self, incident_id: str,
                         callback: Callable[[list[dict[str, Any]] | None], None]) -> None:
        """Ask the hub for every event of an incident; ``callback`` gets them (wire form, seq
        order) in the GUI thread, or None when offline or unanswered — never inside this call."""
        self._ask(lambda client: client.request_timeline(incident_id), callback)

    def request_track(self, unit_id: str, since: datetime, until: datetime,
                      callback: Callable[[list[TrackPoint] | None], None]) -> None:
        """Ask the hub for a unit's stored positions in [since, until] (at most 24 hours);
        ``callback`` gets ``TrackPoint`` rows oldest first in the GUI thread, or None when
        offline or unanswered — never inside this call."""
        self._ask(lambda client: client.request_track(unit_id, since, until), callback)

    def _ask(self, query: Callable[[HubClient], Future[Any]],
             callback: Callable[[Any], None]) -> None:
        client = self._client
        if client is None:
            self._answered.emit(callback, None)
            return
        query(client).add_done_callback(
            lambda done: self._answered.emit(callback, done.result()))

    # -- in the loop thread --------------------------------------------------------------------

    def _pass_on(self, future: Future[CommandResult], callback: ResultCallback) -> None:
        if not future.cancelled():
            self._answered.emit(callback, future.result())  # done: result() does not wait

    # -- in the GUI thread ---------------------------------------------------------------------

    def _let_go(self, *, wait: bool) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        self._generation += 1  # whatever it still says is not heard
        client.stop(wait=wait)
        self.state, self.state_detail = STOPPED, None
        self.state_changed.emit(STOPPED, None)

    @Slot(int, object)
    def _on_delivered(self, generation: int, change: ChangeSet) -> None:
        if generation == self._generation:
            self.replica.apply(change)
            self.changed.emit(change)
            # A district's snapshot is over a million long-lived objects; a full garbage
            # collection walking them paused the whole console for 0.6-1.1 s every ~20 s. They
            # hold no reference cycles (immutable domain objects), so the collector is told to
            # leave them alone — and, after every change set, what has joined them since (new
            # versions of incidents and units, the views' caches): frozen only at snapshots,
            # these grew to 100,000-150,000 objects, walked by a full collection every 5-10 s
            # for 0.5-2.8 s of GIL each under the benchmark's load (the client thread's
            # collections too: the GIL is the process's). Freezing is O(1): the young
            # generations are appended to the permanent one.
            # The price: a reference cycle that becomes garbage after it was frozen is freed
            # only by a full collection, which this console no longer runs by itself. The
            # console makes little such garbage: about 170 unreachable objects in all the
            # collections of half a minute under benchmarks/console_load.py's load.
            gc.freeze()

    @Slot(int, str, object)
    def _on_state(self, generation: int, state: str, detail: object) -> None:
        if generation == self._generation:
            self.state, self.state_detail = state, detail
            self.state_changed.emit(state, detail)

    @Slot(int, str, str)
    def _on_notice(self, generation: int, level: str, text: str) -> None:
        if generation == self._generation:
            self.notice.emit(level, text)

    @Slot(int, object)
    def _on_login(self, generation: int, user: UserInfo) -> None:
        if generation == self._generation:
            self.replica.user = user
            self.logged_in.emit(user)

    @Slot(object, object)
    def _on_answered(self, callback: Callable[[Any], None], result: object) -> None:
        callback(result)
