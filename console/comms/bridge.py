"""The one door between the hub client and the GUI thread.

:class:`Bridge` is the only Qt object in ``console.comms``. The :class:`HubClient` runs in a
child process (``console.comms.client_process``), so that its decoding and folding never hold
the GUI's interpreter lock; the bridge keeps no thread of its own. The GUI thread is told by a
``QSocketNotifier`` when the child has written, reads what is there without blocking, and
unpickles the messages a few milliseconds at a time (a snapshot comes in many pieces, see
``console.comms.pieces``), yielding to the event loop between slices. It applies each whole
change set to the :class:`Replica` (which only the GUI thread touches) and then tells the views.
Commands and requests go to the child through the other pipe; their answers come back the same
way, so the GUI thread never waits on the network. A child that dies is reported and replaced:
the new one logs in with the session's token and takes a fresh snapshot.
"""

from __future__ import annotations

import gc
import logging
import pickle
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier, Qt, QTimer, Signal, Slot

from console.comms import heap
from console.comms import protocol as p
from console.comms.client import (
    AUTH_FAILED,
    CONNECTING,
    LIVE,
    OFFLINE_MESSAGE,
    RECONNECTING,
    STOPPED,
    CommandResult,
    Retry,
    TrackPoint,
    check_hub_url,
)
from console.comms.client_process import ClientProcess
from console.comms.clock import Clock, hub_clock
from console.comms.pieces import CHANGE, PIECE, Assembly
from console.comms.reconnect import Backoff
from console.comms.replica import ChangeSet, Replica
from console.domain.rules import Rules

log = logging.getLogger(__name__)

ResultCallback = Callable[[CommandResult], None]
#: The longest the GUI thread spends on the child's messages before it lets other events in.
SLICE_S = 0.004
CHILD_ENDED = ("The console's connection process ended; the command's outcome is unknown.")


class Bridge(QObject):
    """The console's connection to a hub, as seen from the GUI thread.

    Args:
        rules: the rule data the client computes deadlines with.
        parent: the Qt parent.
        client_options: passed on to every :class:`HubClient` (``backoff_base``,
            ``backoff_cap``, ``flush_interval``, …: picklable ones), except ``clock``, the
            clock that follows the hub's in this process (default ``hub_clock``).

    Signals:
        changed(ChangeSet): after :attr:`replica` has applied the change set.
        state_changed(str, object): the client's connection state and its detail (see
            ``console.comms.states``; ``stopped`` after :meth:`disconnect_from_hub`).
        notice(str, str): a level (``info``, ``warning``, ``error``) and an English message
            for the user.
        logged_in(UserInfo): after every (re)login; :attr:`replica` ``.user`` is set first.
    """

    changed = Signal(object)
    state_changed = Signal(str, object)
    notice = Signal(str, str)
    logged_in = Signal(object)

    # Answers known at once (offline): queued, so that a callback never runs inside the call.
    _answered = Signal(object, object)

    def __init__(self, rules: Rules, parent: QObject | None = None,
                 **client_options: Any) -> None:
        super().__init__(parent)
        self.rules = rules
        self.replica = Replica()
        self.state = STOPPED
        self.state_detail: object = None
        self._clock: Clock = client_options.pop("clock", hub_clock)
        self._client_options = client_options
        self._restarts = Backoff(client_options.get("backoff_base", 0.25),
                                 client_options.get("backoff_cap", 10.0),
                                 seed=client_options.get("seed"))
        self._client: ClientProcess | None = None
        self._rules_pickled: bytes | None = None
        self._generation = 0
        self._login: dict[str, Any] | None = None  # url, username, password or token
        self._notifier: QSocketNotifier | None = None  # the child has written
        self._writable: QSocketNotifier | None = None  # room for requests that wait
        self._retired: tuple[QSocketNotifier, QSocketNotifier] | None = None
        self._inbox: deque[bytes] = deque()
        self._assembly = Assembly()
        self._final = False  # the current child was asked to end (after a refused login)
        # Requests sent to the child: id → (callback, whether it is a command).
        self._waiting: dict[str, tuple[Callable[[Any], None], bool]] = {}
        self._answered.connect(self._on_answered, Qt.ConnectionType.QueuedConnection)

    @property
    def client(self) -> ClientProcess | None:
        """The client process in use, if any (for ``running`` and ``pid``)."""
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
        self._login = {"url": url, "username": username, "password": password, "token": None}
        self._restarts.reset()
        self._start()
        # Connecting from now on, not only once the child process says so: a window opened
        # meanwhile must not show a console that is not trying ("stopped", in red).
        self.state, self.state_detail = CONNECTING, url
        self.state_changed.emit(CONNECTING, url)

    @property
    def hub_url(self) -> str | None:
        """The hub this console is connected (or connecting) to."""
        return self._login["url"] if self._login is not None else None

    def logout(self, callback: Callable[[bool], None], timeout: float = 5.0) -> None:
        """Ask the hub to end the session; ``callback`` gets whether it did, in the GUI
        thread, never inside this call (False when offline: the token then ends by its idle
        expiry). The caller lets go of the connection after."""
        def answered(answer: object) -> None:
            callback(answer is True)

        if not self._ask(("logout", str(uuid.uuid4()), timeout), answered):
            self._answered.emit(answered, None)

    def disconnect_from_hub(self) -> None:
        """Close the connection without waiting for the close handshake.

        (Not ``disconnect``: that name is QObject's, for signal connections.)
        """
        self._let_go(wait=False)

    def shutdown(self) -> None:
        """Close the connection and wait for the client process to end (at application exit)."""
        self._let_go(wait=True)

    def submit(self, name: str, args: Mapping[str, Any], expected_version: int | None = None,
               callback: ResultCallback | None = None, timeout: float = 15.0) -> None:
        """Send a command; ``callback`` gets its :class:`CommandResult` in the GUI thread.

        The callback always runs later, from the event loop, never inside this call — also
        when the console is offline and the result is known at once.

        Raises:
            TypeError, ValueError: if ``args`` cannot be encoded as JSON.
        """
        p.encode({"args": dict(args)})  # refused here, as by the client itself
        request_id = str(uuid.uuid4())
        if not self._ask(("submit", request_id, name, dict(args), expected_version, timeout),
                         callback or _ignore, command=True):
            self._answered.emit(callback or _ignore, CommandResult.failure(
                request_id, "offline", OFFLINE_MESSAGE))

    def request_timeline(self, incident_id: str,
                         callback: Callable[[list[dict[str, Any]] | None], None]) -> None:
        """Ask the hub for every event of an incident; ``callback`` gets them (wire form, seq
        order) in the GUI thread, or None when offline or unanswered — never inside this call."""
        if not self._ask(("timeline", str(uuid.uuid4()), incident_id, 10.0), callback):
            self._answered.emit(callback, None)

    def request_reporter(self, incident_id: str, reason: str,
                         callback: Callable[[dict[str, Any] | None], None]) -> None:
        """Ask the hub for an incident's reporter unmasked, with the user's ``reason``;
        ``callback`` gets the hub's ``reporter`` answer in the GUI thread, or None when offline
        or unanswered — never inside this call."""
        if not self._ask(("reporter", str(uuid.uuid4()), incident_id, reason, 10.0), callback):
            self._answered.emit(callback, None)

    def request_track(self, unit_id: str, since: datetime, until: datetime,
                      callback: Callable[[list[TrackPoint] | None], None]) -> None:
        """Ask the hub for a unit's stored positions in [since, until] (at most 24 hours);
        ``callback`` gets ``TrackPoint`` rows oldest first in the GUI thread, or None when
        offline or unanswered — never inside this call."""
        if not self._ask(("track", str(uuid.uuid4()), unit_id, since, until, 10.0), callback):
            self._answered.emit(callback, None)

    def request_audit(self, fields: Mapping[str, Any],
                      callback: Callable[[dict[str, Any] | None], None]) -> None:
        """Ask the hub for a page of the audit trail, or (``verify``) to check its chain
        (console/comms/audit_wire.py); ``callback`` gets the hub's ``audit`` answer or its
        ``error``, or None when offline or unanswered — never inside this call."""
        if not self._ask(("audit", str(uuid.uuid4()), dict(fields), 30.0), callback):
            self._answered.emit(callback, None)

    def request_search(self, fields: Mapping[str, Any],
                       callback: Callable[[dict[str, Any] | None], None]) -> None:
        """Ask the hub for a page of the record (console/comms/search_wire.py: ``filters``,
        ``limit``, ``cursor``); ``callback`` gets the hub's ``search`` answer or its ``error``,
        or None when offline or unanswered — never inside this call."""
        if not self._ask(("search", str(uuid.uuid4()), dict(fields), 30.0), callback):
            self._answered.emit(callback, None)

    def request_case(self, incident_id: str,
                     callback: Callable[[dict[str, Any] | None], None]) -> None:
        """Ask the hub for one case of the record, whole (a case the replica does not hold);
        ``callback`` gets the hub's ``case`` answer (``case``: the document or None) or its
        ``error``, or None when offline or unanswered — never inside this call."""
        if not self._ask(("case", str(uuid.uuid4()), incident_id, 10.0), callback):
            self._answered.emit(callback, None)

    def request_workers(self, fields: Mapping[str, Any],
                        callback: Callable[[dict[str, Any] | None], None]) -> None:
        """Ask the hub for the grid workers' assessment (console/comms/workers_wire.py);
        ``callback`` gets the hub's ``workers`` answer or its ``error``, or None when offline
        or unanswered — never inside this call."""
        if not self._ask(("workers", str(uuid.uuid4()), dict(fields), 120.0), callback):
            self._answered.emit(callback, None)

    def request_report(self, kind: str, start: datetime, end: datetime,
                       callback: Callable[[dict[str, Any] | None], None]) -> None:
        """Ask the hub for a report (console/comms/report_wire.py); ``callback`` gets the hub's
        ``report`` answer or its ``error``, or None when offline or unanswered — never inside
        this call."""
        if not self._ask(("report", str(uuid.uuid4()), kind, start, end, 60.0), callback):
            self._answered.emit(callback, None)

    def request_attachment(self, attachment_id: str, thumbnail: bool,
                           callback: Callable[[dict[str, Any] | None], None]) -> None:
        """Ask the hub for an attachment's bytes, or its thumbnail; ``callback`` gets the hub's
        answer (``ok``, ``data`` as bytes, ``content_type``, ``filename``, … or ``error``) in
        the GUI thread, or None when offline or unanswered — never inside this call."""
        if not self._ask(("attachment", str(uuid.uuid4()), attachment_id, thumbnail, 30.0),
                         callback):
            self._answered.emit(callback, None)

    def send_positions(self, rows: list[list[Any]]) -> bool:
        """Send a field ``positions`` batch (see :meth:`HubClient.send_positions`); dropped
        unless live. Returns whether it was handed to the client."""
        client = self._client
        return client is not None and self.state == LIVE and self._send(client,
                                                                        ("positions", rows))

    def _ask(self, request: tuple[Any, ...], callback: Callable[[Any], None],
             command: bool = False) -> bool:
        client = self._client
        if client is None or not self._send(client, request):
            return False
        self._waiting[request[1]] = (callback, command)
        return True

    def _send(self, client: ClientProcess, request: Any) -> bool:
        sent = client.send(request)
        if client.unsent and self._writable is not None:
            self._writable.setEnabled(True)  # the rest when the pipe has room
        return sent

    def _flush(self, generation: int) -> None:
        client = self._client
        if generation != self._generation or client is None or self._writable is None:
            return
        client.flush()
        self._writable.setEnabled(client.unsent)

    # -- the child process ---------------------------------------------------------------------

    def _start(self) -> None:
        assert self._login is not None
        self._generation += 1
        generation = self._generation
        if self._rules_pickled is None:  # once: with the geography it is half a megabyte
            self._rules_pickled = pickle.dumps(self.rules, pickle.HIGHEST_PROTOCOL)
        self._client = client = ClientProcess({**self._login, "rules": self._rules_pickled,
                                               "options": self._client_options})
        self._inbox.clear()
        self._assembly = Assembly()
        self._final = False
        # No Qt parent: Python owns it (Qt's deferred deletion of a notifier whose descriptor
        # was closed crashed).
        notifier = self._notifier = QSocketNotifier(client.fileno, QSocketNotifier.Type.Read)
        notifier.activated.connect(lambda *_: self._readable(generation))
        writable = self._writable = QSocketNotifier(client.write_fileno,
                                                    QSocketNotifier.Type.Write)
        writable.activated.connect(lambda *_: self._flush(generation))
        writable.setEnabled(client.unsent)  # the settings, until the child has read them

    def _let_go(self, *, wait: bool) -> None:
        client, self._client = self._client, None
        self._generation += 1  # whatever it still says is not heard; pending restarts neither
        self._drop_notifier()
        self._fail_waiting("The connection to the hub was closed; the command's outcome is "
                           "unknown.")
        if client is None:
            if self._login is not None and self.state != STOPPED:  # waiting for a restart
                self.state, self.state_detail = STOPPED, None
                self.state_changed.emit(STOPPED, None)
            self._login = None
            return
        self._login = None
        client.stop(wait=wait)
        self.state, self.state_detail = STOPPED, None
        self.state_changed.emit(STOPPED, None)

    def _drop_notifier(self) -> None:
        if self._notifier is not None and self._writable is not None:
            self._notifier.setEnabled(False)
            self._writable.setEnabled(False)
            # Not deleted here: this may run inside one's own signal. They go when the next
            # ones are retired.
            self._retired = (self._notifier, self._writable)
            self._notifier = self._writable = None
        self._inbox.clear()

    def _fail_waiting(self, reason: str) -> None:
        waiting, self._waiting = self._waiting, {}
        for request_id, (callback, command) in waiting.items():
            self._answered.emit(callback, CommandResult.failure(request_id, "stopped", reason)
                                if command else None)

    def _readable(self, generation: int) -> None:
        client = self._client
        if generation != self._generation or client is None or self._notifier is None:
            return
        self._inbox.extend(client.read())
        self._notifier.setEnabled(False)  # until the inbox is worked off: the child waits
        self._work(generation)

    def _work(self, generation: int) -> None:
        """Handle the child's messages for one slice of the GUI thread; the rest after the
        events that came meanwhile."""
        started = time.perf_counter()
        inbox = self._inbox
        while inbox and generation == self._generation:
            try:
                self._handle(self._decode(inbox.popleft()), generation)
            except Exception:  # a view's slot or callback: the next messages still count
                log.exception("handling news from the hub client failed")
            if time.perf_counter() - started > SLICE_S:
                break
        if generation != self._generation:
            return
        if inbox:
            QTimer.singleShot(0, self, lambda: self._work(generation))
            return
        client = self._client
        if client is not None and client.eof:
            self._child_ended(client)
        elif self._notifier is not None:
            self._notifier.setEnabled(True)

    def _decode(self, data: bytes) -> tuple[Any, ...]:
        """One message, and a piece added to the change set being assembled (then the change
        set whole, after its last piece, as ``("changed", change)``)."""
        # What is unpickled here is domain data: long-lived and without reference cycles (see
        # _on_delivered). It is frozen at once, so the collections its allocations would
        # trigger in this thread are not run; nothing else runs meanwhile. What was made since
        # the last freeze (the views') is collected first, all of it, not only the youngest
        # generation: freezing this often, nothing else would collect it, and its garbage
        # cycles would be frozen too, never to be freed (console.comms.heap).
        heap.collect_young()
        enabled = gc.isenabled()
        gc.disable()
        try:
            message: tuple[Any, ...] = pickle.loads(data)
            if message[0] in (PIECE, CHANGE):
                change = self._assembly.add(message)
                message = ("changed", change) if change is not None else ("piece",)
                gc.freeze()
        finally:
            if enabled:
                gc.enable()
        return message

    def _handle(self, message: tuple[Any, ...], generation: int) -> None:
        kind = message[0]
        if kind == "changed":
            self._on_delivered(generation, message[1])
        elif kind == "state":
            self._on_state(message[1], message[2])
        elif kind == "notice":
            self.notice.emit(message[1], message[2])
        elif kind == "login":
            _, user, token, (real, world, speed) = message
            # The child's world time when it said so, moved on to now (one machine, one clock).
            self._clock.follow(world + timedelta(seconds=(time.time() - real) * speed), speed)
            if self._login is not None and token is not None:
                self._login.update(password=None, token=token)  # the token logs in from now on
            self.replica.user = user
            self.logged_in.emit(user)
        elif kind == "answer":
            waiting = self._waiting.pop(message[1], None)
            if waiting is not None:
                answer = message[2]
                if isinstance(answer, Exception):
                    answer = CommandResult.failure(message[1], "invalid", str(answer))
                waiting[0](answer)

    def _on_state(self, state: str, detail: object) -> None:
        if self._final:  # refused: what the child says while it ends (``stopped``) is not news
            return
        if state == LIVE:
            self._restarts.reset()
        if state == CONNECTING and self.state == CONNECTING and detail == self.state_detail:
            return  # the first attempt, already said by connect_to
        self.state, self.state_detail = state, detail
        self.state_changed.emit(state, detail)
        if state == AUTH_FAILED and self._client is not None:
            # Final: the child's client has ended; it answers what waited, then leaves.
            self._final = True
            self._send(self._client, ("stop",))

    def _child_ended(self, client: ClientProcess) -> None:
        """The child closed its end: after a refused login, as asked; otherwise report it and
        start another."""
        self._client = None
        self._drop_notifier()
        client.stop(wait=False)  # it has closed its end: it is leaving, if not gone
        self._fail_waiting(CHILD_ENDED)
        if self._final:
            return
        code = client.exit_code
        reason = "the console's connection process ended" + (
            f" (exit code {code})" if code is not None else "")
        delay = self._restarts.next()
        self.notice.emit("error", f"The connection to the hub failed: {reason}; starting it "
                         "again.")
        self._on_state(RECONNECTING, Retry(delay, self._restarts.failures, reason))
        generation = self._generation
        QTimer.singleShot(round(delay * 1000), self,
                          lambda: self._restart(generation))

    def _restart(self, generation: int) -> None:
        if generation == self._generation and self._client is None and self._login is not None:
            self._start()

    @Slot(int, object)
    def _on_delivered(self, generation: int, change: ChangeSet) -> None:
        if generation == self._generation:
            self.replica.apply(change)
            self.changed.emit(change)
            # A district's snapshot is over a million long-lived objects; a full garbage
            # collection walking them paused the whole console, again and again. They hold no
            # reference cycles (immutable domain objects), so the collector is told to leave
            # them alone — and, after every change set, what has joined them since (new
            # versions of incidents and units, the views' caches): frozen only at snapshots,
            # these grew between them and every full collection walked them.
            # Freezing is O(1): the young generations are appended to the permanent one. The
            # garbage cycles the views made meanwhile are collected first (a walk of the
            # unfrozen objects only): frozen, they would never be freed. A reference cycle that
            # becomes garbage after it was frozen is still not freed (docs/performance.md, "A
            # console that runs a week"; console.comms.heap).
            heap.freeze_survivors()

    @Slot(object, object)
    def _on_answered(self, callback: Callable[[Any], None], result: object) -> None:
        callback(result)


def _ignore(_: object) -> None:
    pass
