"""The console's hub client: one asyncio loop in its own thread, the network kept off the GUI.

    client = HubClient("ws://hub:8765/ws", "wang", password, rules, deliver=on_change,
                       state=on_state, notice=on_notice)
    client.start()                       # returns at once; the loop thread connects
    future = client.submit("incident.accept", {"id": "CH-…"}, expected_version=3)
    ...
    client.stop()                        # closes the socket, ends the thread

The loop thread logs in (password first, the session token of the ``welcome`` after that),
builds the state from the snapshot and the events with the domain's own :class:`Aggregates`,
and hands the caller one :class:`ChangeSet` at most every 100 ms through ``deliver``. A dropped
connection is retried forever with exponential backoff and full jitter, resuming from the last
event held, until :meth:`HubClient.stop`. This module is the client's public, thread-safe side
and its thread; the connections themselves are ``console.comms.link``'s, the commands waiting
for an answer ``console.comms.pending``'s. Nothing here imports Qt: ``console.comms.bridge``
turns these callbacks into queued signals for the GUI thread.

The connection states and their details are in ``console.comms.states``.

Command results (:class:`CommandResult`) carry the hub's error codes (``invalid``,
``forbidden``, ``not_found``, ``conflict``, ``rate_limited``, or a codec code such as
``bad_message``) and three of the client's own: ``offline`` (not connected: the command was
not sent), ``timeout`` (no answer in time: it may or may not have been applied) and ``stopped``
(the client stopped or was logged out before the answer came). ``unavailable`` from the hub is
not passed on: the command is sent again with the same id, as the protocol asks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl as ssl_module
import threading
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from datetime import datetime
from typing import Any, Final

from websockets.exceptions import InvalidURI
from websockets.uri import parse_uri

from console.comms import protocol as p
from console.comms.clock import Clock, hub_clock
from console.comms.link import HubLink
from console.comms.pending import OFFLINE_MESSAGE, CommandResult, Pending, PendingTable, TrackPoint
from console.comms.reconnect import Backoff
from console.comms.replica import ChangeSet, UserInfo
from console.comms.states import (
    AUTH_FAILED,
    CONNECTING,
    LIVE,
    RECONNECTING,
    STATES,
    STOPPED,
    SYNCING,
    Retry,
)
from console.domain.rules import Rules

# The names callers of the client use, wherever they are defined.
__all__ = ["AUTH_FAILED", "CONNECTING", "LIVE", "OFFLINE_MESSAGE", "RECONNECTING", "STATES",
           "STOPPED", "SYNCING", "CommandResult", "HubClient", "Retry", "TrackPoint",
           "check_hub_url"]

log = logging.getLogger(__name__)

CLIENT_NAME: Final = "linkage-console 0.1"


def check_hub_url(url: str) -> None:
    """Raises ValueError unless ``url`` is a ``ws://`` or ``wss://`` address with a host."""
    try:
        parse_uri(url)
    except InvalidURI as error:
        raise ValueError(f"{url!r} is not a hub address (ws://host:port/ws): {error}") \
            from None


class HubClient:
    """A connection to one hub, kept up from :meth:`start` to :meth:`stop`.

    Args:
        url: ``ws://host:port/ws`` or ``wss://…``.
        username: the account to log in as.
        password: its password; forgotten once the hub has given a session token.
        rules: the rule data deadlines are computed with.
        deliver: called in the loop thread with each :class:`ChangeSet`.
        state: called in the loop thread with each connection state and its detail.
        notice: called in the loop thread with ``(level, message)``: ``info``, ``warning`` or
            ``error`` and an English sentence (messages the client could not use, refusals).
        login: called in the loop thread with the :class:`UserInfo` of every (re)login.
        ssl: the TLS context for ``wss://`` (default: the system's trust store).
        backoff_base, backoff_cap: the reconnect delays, in seconds
            (:class:`~console.comms.reconnect.Backoff`).
        flush_interval: the shortest time between two change sets, in seconds.
        open_timeout: how long opening a connection and its handshake may take.
        seed: seeds the jitter, for tests.
        clock: follows the hub's world time and speed from each ``welcome`` (default: the
            console's process-wide :data:`console.comms.clock.hub_clock`).
        subscribe: the streams to ask for (``protocol.STREAMS``; default all): without
            ``events`` there is no snapshot and no replica, only command results.
        token: a session token of an earlier ``welcome`` to log in with instead of the
            password (a client taking over a session).
        tasks: on a ``/field`` connection, called with each ``task`` the hub sends (DESIGN
            §5c); once it returns the task is acknowledged, and if it raises it is not (the hub
            sends it again on the next connection). A task can come twice: after a reconnect,
            one whose ack was lost with the connection.

    Every callback must return quickly; an exception it raises is logged and ignored.
    """

    def __init__(self, url: str, username: str, password: str, rules: Rules, *,
                 deliver: Callable[[ChangeSet], None],
                 state: Callable[[str, object], None] | None = None,
                 notice: Callable[[str, str], None] | None = None,
                 login: Callable[[UserInfo], None] | None = None,
                 ssl: ssl_module.SSLContext | None = None,
                 client_name: str = CLIENT_NAME,
                 backoff_base: float = 0.25, backoff_cap: float = 10.0,
                 flush_interval: float = 0.1, open_timeout: float = 10.0,
                 seed: int | None = None, clock: Clock = hub_clock,
                 subscribe: tuple[str, ...] | None = None, token: str | None = None,
                 tasks: Callable[[dict[str, Any]], None] | None = None) -> None:
        check_hub_url(url)
        self.url = url
        self.username = username
        self.rules = rules
        self._on_deliver = deliver
        self._on_state = state
        self._on_notice = notice
        self._on_login = login
        self._on_task = tasks

        self._state: str = STOPPED
        self._detail: object = None  # of the state
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._main: asyncio.Task[None] | None = None
        self._ready = threading.Event()
        self._stopping = False
        # Shared between the caller's threads and the loop thread (it has its own lock).
        self._waiting = PendingTable()
        # The loop thread's.
        self._link = HubLink(
            url, username, password, rules, waiting=self._waiting, set_state=self._set_state,
            notice=self._notice, deliver=lambda change: self._call(self._on_deliver, change),
            login=lambda user: self._call(self._on_login, user), ssl=ssl,
            client_name=client_name, backoff=Backoff(backoff_base, backoff_cap, seed=seed),
            flush_interval=flush_interval, open_timeout=open_timeout, clock=clock,
            subscribe=subscribe, token=token,
            tasks=self._take_task if tasks is not None else None)

    @property
    def clock(self) -> Clock:
        """The clock that follows the hub's world time."""
        return self._link.clock

    # -- the public, thread-safe side ------------------------------------------------------

    @property
    def state(self) -> str:
        """The current connection state (one of :data:`STATES`)."""
        return self._state

    @property
    def detail(self) -> object:
        """The detail that came with the current state."""
        return self._detail

    @property
    def seq(self) -> int:
        """The seq of the last event held (written by the loop thread)."""
        return self._link.live.seq

    @property
    def user(self) -> UserInfo | None:
        """Who the hub says is logged in, after the first ``welcome``."""
        return self._link.user

    @property
    def token(self) -> str | None:
        """The session token of the last ``welcome``."""
        return self._link.token

    @property
    def pending(self) -> int:
        """How many commands wait for their result."""
        return len(self._waiting)

    @property
    def running(self) -> bool:
        """Whether the loop thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the loop thread; it connects at once. Returns without waiting on the network.

        Raises:
            RuntimeError: if the client was started before (a client runs once).
        """
        if self._thread is not None:
            raise RuntimeError("A HubClient runs once; make a new one to connect again.")
        self._thread = threading.Thread(target=self._thread_main, name=f"hub-client {self.url}",
                                        daemon=True)
        self._thread.start()
        self._ready.wait()

    def stop(self, wait: bool = True, timeout: float = 10.0) -> None:
        """Close the connection, fail the commands still waiting (``stopped``), end the thread.

        Args:
            wait: join the thread (up to ``timeout`` seconds). Without it, the thread ends by
                itself within the websocket close timeout.
        """
        thread, loop = self._thread, self._loop
        if thread is None:
            self._stopping = True
            return
        if not self._stopping:
            self._stopping = True
            if loop is not None:
                with contextlib.suppress(RuntimeError):  # the loop has already ended
                    loop.call_soon_threadsafe(self._cancel_main)
        if wait and threading.current_thread() is not thread:
            thread.join(timeout)
            if thread.is_alive():
                log.warning("the hub client thread did not end within %.0f s", timeout)

    def submit(self, name: str, args: Mapping[str, Any], expected_version: int | None = None,
               timeout: float = 15.0) -> Future[CommandResult]:
        """Send a command; the future resolves to its :class:`CommandResult`, never raises.

        While the client is not connected and logged in the future is already resolved with
        ``offline`` when this returns: a command is never queued for later. A command sent
        when the connection drops is sent again, with the same id, after the next sync, until
        ``timeout`` seconds after this call (then ``timeout``).

        Raises:
            TypeError, ValueError: if ``args`` cannot be encoded as JSON.
        """
        pending = Pending.command(name, args, expected_version, timeout)
        loop = self._loop
        if loop is None or self._stopping or self._state not in (SYNCING, LIVE) \
                or not self._waiting.add(pending):
            pending.future.set_result(CommandResult.failure(pending.id, "offline",
                                                            OFFLINE_MESSAGE))
            return pending.future
        # Once registered, the command is answered: by the loop, or by the table's closing,
        # the loop thread's last act (and then the loop may already be closed).
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(self._link.dispatch, pending)
        return pending.future

    def send_positions(self, rows: list[list[Any]]) -> bool:
        """Send a field ``positions`` batch (``[id, lat, lon, heading, speed]`` rows, at most
        ``protocol.MAX_POSITION_ROWS``) on a ``/field`` connection.

        Positions are not commands: a batch sent while the client is not live is dropped, and
        the next one takes its place. Returns whether it was handed to the connection.
        """
        frame = p.encode({"type": "positions", "units": rows})
        loop = self._loop
        if loop is None or self._stopping or self._state != LIVE:
            return False
        try:
            loop.call_soon_threadsafe(self._link.send_frame, frame)
        except RuntimeError:  # the loop has just ended
            return False
        return True

    def request_timeline(self, incident_id: str, timeout: float = 10.0
                         ) -> Future[list[dict[str, Any]] | None]:
        """Every event of one incident, from the hub (wire form, seq order).

        The future resolves to None when the client is not live or no answer comes within
        ``timeout`` seconds; it never raises. Ask again when the connection is back.
        """
        return self._query({"type": "timeline", "incident": incident_id}, timeout)

    def request_reporter(self, incident_id: str, reason: str, timeout: float = 10.0
                         ) -> Future[dict[str, Any] | None]:
        """One incident's reporter unmasked, asked for with ``reason`` (the hub checks and
        audits it): the hub's ``reporter`` answer (``ok``, then ``reporter`` and
        ``description``, or ``error``); None as for :meth:`request_timeline`."""
        return self._query({"type": "reporter", "incident": incident_id, "reason": reason},
                           timeout)

    def request_track(self, unit_id: str, since: datetime, until: datetime,
                      timeout: float = 10.0) -> Future[list[TrackPoint] | None]:
        """One unit's stored positions in [since, until], oldest first (at most
        ``protocol.MAX_TRACK_POINTS``, the newest kept); None as for :meth:`request_timeline`."""
        return self._query({"type": "track", "unit": unit_id, "since": since.isoformat(),
                            "until": until.isoformat()}, timeout)

    def request_attachment(self, attachment_id: str, thumbnail: bool, timeout: float = 30.0
                           ) -> Future[dict[str, Any] | None]:
        """One attachment's bytes or thumbnail (console/comms/attachment_wire.py): the hub's
        ``attachment`` answer with ``data`` (bytes, or None) in place of ``data_b64``; None as
        for :meth:`request_timeline`."""
        return self._query({"type": "attachment", "attachment": attachment_id,
                            "thumbnail": thumbnail}, timeout)

    def logout(self, timeout: float = 5.0) -> Future[bool | None]:
        """End the session on the hub (its token stops working); True once the hub has,
        None when offline or unanswered. The client then stops without reconnecting."""
        return self._query({"type": "logout"}, timeout)

    def request_audit(self, fields: dict[str, Any], timeout: float = 30.0
                      ) -> Future[dict[str, Any] | None]:
        """An ``audit`` request (console/comms/audit_wire.py: ``filters``, ``limit``,
        ``before`` or ``verify``): the hub's ``audit`` answer, or its ``error`` refusing it, as
        a dict; None as for :meth:`request_timeline`."""
        return self._query({**fields, "type": "audit"}, timeout, refusable=True)

    def request_search(self, fields: dict[str, Any], timeout: float = 30.0
                       ) -> Future[dict[str, Any] | None]:
        """A ``search`` request (console/comms/search_wire.py: ``filters``, ``limit``,
        ``cursor``): the hub's ``search`` answer, or its ``error`` refusing it, as a dict; None
        as for :meth:`request_timeline`."""
        return self._query({**fields, "type": "search"}, timeout, refusable=True)

    def request_case(self, incident_id: str, timeout: float = 10.0
                     ) -> Future[dict[str, Any] | None]:
        """One case of the record, whole (console/comms/search_wire.py ``case``): the hub's
        ``case`` answer (``case`` the document, or None); None as for
        :meth:`request_timeline`."""
        return self._query({"type": "case", "incident": incident_id}, timeout, refusable=True)

    def request_workers(self, fields: dict[str, Any], timeout: float = 120.0
                        ) -> Future[dict[str, Any] | None]:
        """A ``workers`` request (console/comms/workers_wire.py: ``day`` or ``month``, an
        area or a ``unit``): the hub's answer, or its ``error`` refusing it; None as for
        :meth:`request_timeline`."""
        return self._query({**fields, "type": "workers"}, timeout, refusable=True)

    def request_report(self, kind: str, start: datetime, end: datetime, timeout: float = 60.0
                       ) -> Future[dict[str, Any] | None]:
        """A ``report`` (console/comms/report_wire.py) of ``kind`` from ``start`` to ``end``: the
        hub's ``report`` answer, or its ``error`` refusing it, as a dict; None as for
        :meth:`request_timeline`."""
        return self._query({"type": "report", "kind": kind, "from": start.isoformat(),
                            "to": end.isoformat()}, timeout, refusable=True)

    def _query(self, message: dict[str, Any], timeout: float,
               refusable: bool = False) -> Future[Any]:
        """Send a read-only request; its answer (same ``id``) resolves the future, and so
        does an ``error`` naming it when it is ``refusable``."""
        request_id = str(uuid.uuid4())
        frame = p.encode({**message, "id": request_id})
        loop = self._loop
        if loop is not None and not self._stopping and self._state == LIVE:
            future = self._waiting.add_query(request_id, refusable)
            if future is not None:
                with contextlib.suppress(RuntimeError):  # ended: the table's closing answered
                    loop.call_soon_threadsafe(self._link.send_query, request_id, frame, timeout)
                return future
        unanswered: Future[Any] = Future()
        unanswered.set_result(None)
        return unanswered

    # -- the loop thread ---------------------------------------------------------------------

    def _thread_main(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            self._main = loop.create_task(self._link.run())
            self._ready.set()
            with contextlib.suppress(asyncio.CancelledError):
                loop.run_until_complete(self._main)
            loop.run_until_complete(_cancel_the_rest())
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())  # name lookups
        except BaseException:
            log.exception("the hub client loop failed")
        finally:
            self._ready.set()
            self._loop = None
            # Read-only requests are simply not answered; commands are ``stopped``.
            self._waiting.close(
                f"Logged out of the hub ({self._link.auth_refusal}); the command's outcome is "
                "unknown." if self._link.auth_refusal else
                "The connection to the hub was closed; the command's outcome is unknown.")
            loop.close()
            if self._stopping or self._link.auth_refusal is None:
                self._set_state(STOPPED, None)

    def _cancel_main(self) -> None:
        if self._main is not None:
            self._main.cancel()

    # -- callbacks ---------------------------------------------------------------------------

    def _set_state(self, state: str, detail: object) -> None:
        self._state, self._detail = state, detail
        self._call(self._on_state, state, detail)

    def _notice(self, level: str, message: str) -> None:
        log.log(logging.ERROR if level == "error" else logging.WARNING if level == "warning"
                else logging.INFO, "%s", message)
        self._call(self._on_notice, level, message)

    def _take_task(self, task: dict[str, Any]) -> bool:
        """Hand a field task to ``tasks``; whether it took it (then it is acknowledged)."""
        try:
            assert self._on_task is not None
            self._on_task(task)
        except Exception:
            log.exception("a field task could not be taken; the hub sends it again")
            return False
        return True

    @staticmethod
    def _call(callback: Callable[..., None] | None, *args: Any) -> None:
        if callback is None:
            return
        try:
            callback(*args)
        except Exception:
            log.exception("a hub client callback failed")


async def _cancel_the_rest() -> None:
    tasks = asyncio.all_tasks() - {asyncio.current_task()}
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)

