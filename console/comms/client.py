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
event held, until :meth:`HubClient.stop`. Nothing here imports Qt: ``console.comms.bridge`` turns
these callbacks into queued signals for the GUI thread.

Connection states, passed to the ``state`` callback with a detail:

============== ==============================================================================
``connecting``  opening the websocket and saying hello (detail: the hub URL)
``syncing``     logged in; the snapshot or the replayed events are arriving (detail: the
                :class:`UserInfo`). Commands are accepted and answered after the sync.
``live``        synced: live events follow (detail: the seq held)
``reconnecting`` the connection is down; the next attempt is in ``detail.delay`` seconds
                (detail: a :class:`Retry`)
``auth_failed`` the hub refused the password or the session token (detail: its message);
                final: no retry, the thread ends, log in again with a new client
``stopped``     :meth:`HubClient.stop` was called and the thread has ended (detail: None)
============== ==============================================================================

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
import itertools
import logging
import random
import ssl as ssl_module
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import Future, InvalidStateError
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, NamedTuple

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidURI, WebSocketException
from websockets.uri import parse_uri

from console.comms import protocol as p
from console.comms.clock import Clock, hub_clock
from console.comms.live_state import LiveState, OutOfStep
from console.comms.replica import ChangeSet, UserInfo
from console.domain.rules import Rules

log = logging.getLogger(__name__)

CONNECTING: Final = "connecting"
SYNCING: Final = "syncing"
LIVE: Final = "live"
RECONNECTING: Final = "reconnecting"
AUTH_FAILED: Final = "auth_failed"
STOPPED: Final = "stopped"
_POSITIONS_PREFIX: Final = '{"type":"positions",'
#: Every connection state, in the order a first login goes through them.
STATES: Final = (CONNECTING, SYNCING, LIVE, RECONNECTING, AUTH_FAILED, STOPPED)

OFFLINE_MESSAGE: Final = "Not connected to the hub; the command was not sent."
CLIENT_NAME: Final = "linkage-console 0.1"
#: How long to wait before sending again a command the hub answered ``unavailable``.
UNAVAILABLE_RETRY_S: Final = 1.0
#: A replica that went wrong (a gap in the log, an event about something never seen) is
#: rebuilt from a fresh snapshot, at most this often.
RESYNC_INTERVAL_S: Final = 60.0
#: The largest frame read from the hub: a snapshot of a whole district is big.
MAX_FRAME_IN: Final = 256 * 1024 * 1024


@dataclass(frozen=True)
class Retry:
    """The detail of the ``reconnecting`` state: the next attempt is in ``delay`` seconds;
    ``attempt`` connections failed in a row (1 after a live connection drops), so ``delay`` is
    at most ``min(cap, base·2^(attempt-1))``; ``reason`` says why the last one ended."""

    delay: float
    attempt: int
    reason: str


class TrackPoint(NamedTuple):
    """One stored position of a unit's trail."""

    lat: float
    lon: float
    heading: float
    speed: float
    at: datetime


@dataclass(frozen=True)
class CommandResult:
    """The answer to one command: ``ok`` with ``data`` and the ``seq`` of its last event, or an
    error ``code`` with an English ``message`` (and, from the hub, a ``template`` and its
    ``params`` to translate it)."""

    id: str
    ok: bool
    data: Mapping[str, Any] = field(default_factory=dict)
    seq: int | None = None
    code: str | None = None
    message: str | None = None
    template: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def failure(cls, command_id: str, code: str, message: str) -> CommandResult:
        return cls(command_id, ok=False, code=code, message=message)

    @classmethod
    def from_wire(cls, message: Mapping[str, Any]) -> CommandResult:
        """A ``result`` message from the hub."""
        if message.get("ok") is True:
            return cls(message["id"], ok=True, data=dict(message.get("data") or {}),
                       seq=message.get("seq"))
        error = message.get("error") or {}
        return cls(message["id"], ok=False, code=str(error.get("code", "invalid")),
                   message=str(error.get("message", "")), template=error.get("template"),
                   params=dict(error.get("params") or {}))


def check_hub_url(url: str) -> None:
    """Raises ValueError unless ``url`` is a ``ws://`` or ``wss://`` address with a host."""
    try:
        parse_uri(url)
    except InvalidURI as error:
        raise ValueError(f"{url!r} is not a hub address (ws://host:port/ws): {error}") \
            from None


def backoff_delay(attempt: int, base: float = 0.25, cap: float = 10.0,
                  rng: random.Random | None = None) -> float:
    """Exponential backoff with full jitter: a uniform draw in [0, min(cap, base·2^attempt)].

    ``attempt`` counts the failures since the last time the connection was live, from 0.
    """
    ceiling = min(cap, base * 2.0 ** min(max(attempt, 0), 32))
    return (rng or random).uniform(0.0, ceiling)


class _AuthFailed(Exception):
    pass


class _Resync(Exception):
    """The replica cannot follow the log any more: reconnect and take a fresh snapshot."""


@dataclass(eq=False)
class _Pending:
    """A command sent (or about to be) and not answered yet."""

    id: str
    frame: str
    future: Future[CommandResult]
    timeout: float
    sent_on: int | None = None  # the number of the connection it was last written to
    timer: asyncio.TimerHandle | None = None


@dataclass(eq=False)
class _Connection:
    number: int
    ws: ClientConnection
    outbox: asyncio.Queue[str]
    welcomed: bool = False
    synced: bool = False


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
        backoff_base, backoff_cap: the reconnect delays, in seconds (see :func:`backoff_delay`).
        flush_interval: the shortest time between two change sets, in seconds.
        open_timeout: how long opening a connection and its handshake may take.
        seed: seeds the jitter, for tests.
        clock: follows the hub's world time and speed from each ``welcome`` (default: the
            console's process-wide :data:`console.comms.clock.hub_clock`).
        subscribe: the streams to ask for (``protocol.STREAMS``; default all): without
            ``events`` there is no snapshot and no replica, only command results.

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
                 subscribe: tuple[str, ...] | None = None) -> None:
        check_hub_url(url)
        self.clock = clock
        self._subscribe = subscribe
        self.url = url
        self.username = username
        self._password: str | None = password
        self._token: str | None = None
        self.rules = rules
        self._deliver = deliver
        self._on_state = state
        self._on_notice = notice
        self._on_login = login
        self._ssl = ssl
        self._client_name = client_name
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._flush_interval = flush_interval
        self._open_timeout = open_timeout
        self._rng = random.Random(seed)

        self._state: str = STOPPED
        self._detail: object = None  # of the state
        self._user: UserInfo | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._main: asyncio.Task[None] | None = None
        self._ready = threading.Event()
        self._stopping = False
        # Shared between the caller's threads and the loop thread: guarded by the lock.
        self._lock = threading.Lock()
        self._pending: dict[str, _Pending] = {}
        self._queries: dict[str, Future[Any]] = {}

        # Loop-thread state from here on.
        self._numbers = itertools.count(1)
        self._connection: _Connection | None = None
        self._live = LiveState(rules, self._notice)
        self._want_snapshot = False
        self._last_resync = -RESYNC_INTERVAL_S
        self._auth_refusal: str | None = None
        self._went_live = False
        self._flush_handle: asyncio.TimerHandle | None = None
        self._last_flush = float("-inf")

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
        return self._live.seq

    @property
    def user(self) -> UserInfo | None:
        """Who the hub says is logged in, after the first ``welcome``."""
        return self._user

    @property
    def pending(self) -> int:
        """How many commands wait for their result."""
        with self._lock:
            return len(self._pending)

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
        command_id = str(uuid.uuid4())
        message: dict[str, Any] = {"type": "command", "id": command_id, "name": name,
                                   "args": dict(args)}
        if expected_version is not None:
            message["expected_version"] = expected_version
        future: Future[CommandResult] = Future()
        pending = _Pending(command_id, p.encode(message), future, timeout)
        with self._lock:
            loop = self._loop
            if loop is None or self._stopping or self._state not in (SYNCING, LIVE):
                future.set_result(CommandResult.failure(command_id, "offline", OFFLINE_MESSAGE))
                return future
            self._pending[command_id] = pending
            # Under the lock: the loop thread's last act takes the lock and fails whatever is
            # registered, so a command registered here is always answered.
            loop.call_soon_threadsafe(self._dispatch, pending)
        return future

    def send_positions(self, rows: list[list[Any]]) -> bool:
        """Send a field ``positions`` batch (``[id, lat, lon, heading, speed]`` rows, at most
        ``protocol.MAX_POSITION_ROWS``) on a ``/field`` connection.

        Positions are not commands: a batch sent while the client is not live is dropped, and
        the next one takes its place. Returns whether it was handed to the connection.
        """
        frame = p.encode({"type": "positions", "units": rows})
        with self._lock:
            loop = self._loop
            if loop is None or self._stopping or self._state != LIVE:
                return False
            loop.call_soon_threadsafe(self._send_frame, frame)
        return True

    def _send_frame(self, frame: str) -> None:
        connection = self._connection
        if connection is not None and connection.synced:
            connection.outbox.put_nowait(frame)

    def request_timeline(self, incident_id: str, timeout: float = 10.0
                         ) -> Future[list[dict[str, Any]] | None]:
        """Every event of one incident, from the hub (wire form, seq order).

        The future resolves to None when the client is not live or no answer comes within
        ``timeout`` seconds; it never raises. Ask again when the connection is back.
        """
        return self._query({"type": "timeline", "incident": incident_id}, timeout)

    def request_track(self, unit_id: str, since: datetime, until: datetime,
                      timeout: float = 10.0) -> Future[list[TrackPoint] | None]:
        """One unit's stored positions in [since, until], oldest first (at most
        ``protocol.MAX_TRACK_POINTS``, the newest kept); None as for :meth:`request_timeline`."""
        return self._query({"type": "track", "unit": unit_id, "since": since.isoformat(),
                            "until": until.isoformat()}, timeout)

    def _query(self, message: dict[str, Any], timeout: float) -> Future[Any]:
        """Send a read-only request; its answer (same ``id``) resolves the future."""
        request_id = str(uuid.uuid4())
        future: Future[Any] = Future()
        frame = p.encode({**message, "id": request_id})
        with self._lock:
            loop = self._loop
            if loop is None or self._stopping or self._state != LIVE:
                future.set_result(None)
                return future
            self._queries[request_id] = future
            loop.call_soon_threadsafe(self._send_query, request_id, frame, timeout)
        return future

    # -- the loop thread ---------------------------------------------------------------------

    def _thread_main(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            self._main = loop.create_task(self._run())
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
            with self._lock:
                self._loop = None
                left = list(self._pending.values())
                self._pending.clear()
                unanswered = list(self._queries.values())
                self._queries.clear()
            for query in unanswered:  # a read-only request is simply not answered
                if not query.done():
                    query.set_result(None)
            reason = (f"Logged out of the hub ({self._auth_refusal}); the command's outcome "
                      "is unknown." if self._auth_refusal else
                      "The connection to the hub was closed; the command's outcome is unknown.")
            for pending in left:
                _resolve(pending.future, CommandResult.failure(pending.id, "stopped", reason))
            loop.close()
            if self._stopping or self._auth_refusal is None:
                self._set_state(STOPPED, None)

    def _cancel_main(self) -> None:
        if self._main is not None:
            self._main.cancel()

    async def _run(self) -> None:
        failures = 0  # in a row, since the connection was last live
        while True:
            self._set_state(CONNECTING, self.url)
            delay: float | None = None
            try:
                reason = await self._connect_once()
            except _AuthFailed as refusal:
                self._auth_refusal = str(refusal)
                self._set_state(AUTH_FAILED, self._auth_refusal)
                self._notice("error", self._auth_refusal)
                return
            except _Resync:
                reason = "rebuilding the console's copy of the live state from a fresh snapshot"
                delay = 0.0
            except Exception as error:  # a bug here must not end the connection for good
                log.exception("the hub connection failed")
                reason = f"an error in the console: {type(error).__name__}: {error}"
                self._notice("error", f"The hub connection failed with {reason}.")
            if self._went_live:
                failures = 0
            if delay is None:
                delay = backoff_delay(failures, self._backoff_base, self._backoff_cap,
                                      self._rng)
            failures += 1
            self._set_state(RECONNECTING, Retry(delay, failures, reason))
            await asyncio.sleep(delay)

    async def _connect_once(self) -> str:
        """One connection, from opening to close; returns why it ended."""
        self._went_live = False
        self._auth_refusal = None
        try:
            async with connect(self.url, ssl=self._ssl, open_timeout=self._open_timeout,
                               close_timeout=2.0, max_size=MAX_FRAME_IN, compression=None,
                               user_agent_header=self._client_name) as ws:
                connection = _Connection(next(self._numbers), ws, asyncio.Queue())
                self._connection = connection
                writer = asyncio.create_task(self._write(connection))
                try:
                    connection.outbox.put_nowait(p.encode(self._hello()))
                    async for frame in ws:
                        self._receive(frame)
                        if self._auth_refusal is not None:
                            raise _AuthFailed(self._auth_refusal)
                    if self._auth_refusal is not None:
                        raise _AuthFailed(self._auth_refusal)
                finally:
                    self._connection = None
                    writer.cancel()
                    await asyncio.gather(writer, return_exceptions=True)
                return _closed_reason(ws.close_code, ws.close_reason or "")
        except ConnectionClosed as closed:
            if self._auth_refusal is not None:
                raise _AuthFailed(self._auth_refusal) from None
            return _closed_reason(closed.rcvd.code if closed.rcvd else None,
                                  closed.rcvd.reason if closed.rcvd else "")
        except (OSError, TimeoutError, WebSocketException) as error:
            return f"could not reach the hub: {error or type(error).__name__}"

    def _hello(self) -> dict[str, Any]:
        if self._token is not None:
            auth: dict[str, str] = {"token": self._token}
        else:
            auth = {"username": self.username, "password": self._password or ""}
        resume = self._live.seq if self._live.has_snapshot and not self._want_snapshot \
            else None
        hello = {"type": "hello", "protocol": p.PROTOCOL, "client": self._client_name,
                 "auth": auth, "resume_from": resume}
        if self._subscribe is not None:
            hello["subscribe"] = list(self._subscribe)
        return hello

    async def _write(self, connection: _Connection) -> None:
        while True:
            frame = await connection.outbox.get()
            await connection.ws.send(frame)

    # -- what the hub sends --------------------------------------------------------------------

    def _receive(self, frame: str | bytes) -> None:
        try:
            if isinstance(frame, str) and frame.startswith(_POSITIONS_PREFIX):
                # The largest and most frequent frame (up to every unit, ~1 MB): decoded
                # without the codec's per-number and per-string checks, which took two thirds
                # of its decoding time, and by orjson: one C call that holds the GIL, so the
                # GUI thread waits for all of it — 5 ms for 20,000 rows where json.loads took
                # 19 ms. Its rows are still read field by field where they are used.
                message = orjson.loads(frame)
            else:
                message = p.decode_server(frame)
        except ValueError as error:
            self._notice("warning", f"The hub sent a message this console cannot read: {error}")
            return
        except p.ProtocolError as error:
            self._notice("warning", f"The hub sent a message this console cannot read: "
                         f"{error.message}")
            return
        kind = message["type"]
        try:
            if kind == "event":
                self._on_event(message)
            elif kind == "positions":
                self._on_positions(message)
            elif kind == "result":
                self._on_result(message)
            elif kind == "welcome":
                self._on_welcome(message)
            elif kind == "snapshot":
                self._on_snapshot(message)
            elif kind == "synced":
                self._on_synced(message)
            elif kind == "error":
                self._on_error(message)
            elif kind == "timeline":
                self._answer_query(str(message.get("id")), list(message.get("events") or []))
            elif kind == "track":
                self._answer_query(str(message.get("id")), [
                    TrackPoint(float(lat), float(lon), float(heading), float(speed),
                               datetime.fromisoformat(at))
                    for lat, lon, heading, speed, at in message.get("points") or []])
            # pong: the websocket layer's own pings keep the connection alive; nothing to do.
        except _Resync:
            raise
        except Exception as error:  # a malformed message must not end the connection
            log.warning("could not use a %s message from the hub", kind, exc_info=True)
            self._notice("warning", f"The hub sent an unusable {kind} message "
                         f"({type(error).__name__}: {error}); it was ignored.")

    def _on_welcome(self, message: dict[str, Any]) -> None:
        connection = self._connection
        assert connection is not None
        connection.welcomed = True
        self._token = str(message["token"])
        self._password = None  # the token logs in from now on
        self._user = UserInfo.from_wire(message["user"])
        if "time" in message:  # hubs before the world clock send none: real time
            try:
                self.clock.follow(datetime.fromisoformat(str(message["time"])),
                                  float(message.get("speed", 1.0)))
            except (TypeError, ValueError):
                log.warning("the hub sent an unusable time %r; the local clock is used",
                            message.get("time"))
        self._set_state(SYNCING, self._user)
        self._call(self._on_login, self._user)
        # Commands submitted while syncing were written behind the hello; the hub answers them
        # after the sync. Older ones wait for `synced` (see _on_synced).

    def _on_snapshot(self, message: dict[str, Any]) -> None:
        self._live.snapshot(message)
        self._want_snapshot = False
        self._schedule_flush()

    def _on_event(self, message: dict[str, Any]) -> None:
        try:
            if self._live.event(message):
                self._schedule_flush()
        except OutOfStep as trouble:
            self._schedule_flush()
            self._resync(str(trouble))

    def _on_positions(self, message: dict[str, Any]) -> None:
        self._live.positions(message)
        self._schedule_flush()

    def _on_synced(self, message: dict[str, Any]) -> None:
        connection = self._connection
        assert connection is not None
        connection.synced = True
        self._went_live = True
        self._set_state(LIVE, self._live.seq)
        # Commands in flight when an earlier connection dropped go out again, with their ids:
        # the hub answers one it has already applied with its first result.
        with self._lock:
            waiting = [c for c in self._pending.values() if c.sent_on != connection.number]
        for pending in waiting:
            self._send(pending, connection)

    def _on_result(self, message: dict[str, Any]) -> None:
        result = CommandResult.from_wire(message)
        with self._lock:
            pending = self._pending.get(result.id)
            if pending is None:
                log.debug("result for %s, which no longer waits", result.id)
                return
            if result.code == "unavailable":
                # The hub could not reach its database, or is shutting down: the protocol says
                # to send it again with the same id; do so here or after the next sync.
                log.info("the hub could not take command %s now (%s); sending it again",
                         result.id, result.message)
                pending.sent_on = None
                asyncio.get_running_loop().call_later(UNAVAILABLE_RETRY_S, self._retry, pending)
                return
            del self._pending[result.id]
        self._finish(pending, result)

    def _on_error(self, message: dict[str, Any]) -> None:
        code, text = str(message.get("code")), str(message.get("message", ""))
        connection = self._connection
        if code == "auth_failed" and connection is not None and not connection.welcomed:
            self._auth_refusal = text or "The hub refused the login."
            return
        ref = message.get("ref")
        with self._lock:
            pending = self._pending.pop(ref, None) if isinstance(ref, str) else None
        if pending is not None:  # the codec refused the command itself
            self._finish(pending, CommandResult.failure(pending.id, code, text))
            return
        self._notice("warning", f"The hub reports {code}: {text}")

    def _resync(self, why: str) -> None:
        now = time.monotonic()
        if now - self._last_resync < RESYNC_INTERVAL_S:
            self._notice("warning", f"{why} The console's view may be incomplete until the next "
                         "reconnect.")
            return
        self._last_resync = now
        self._want_snapshot = True
        self._notice("warning", f"{why} Reloading the live state from the hub.")
        raise _Resync(why)

    # -- commands ----------------------------------------------------------------------------

    def _dispatch(self, pending: _Pending) -> None:
        """A newly submitted command, in the loop thread: start its clock, send it."""
        pending.timer = asyncio.get_running_loop().call_later(pending.timeout, self._expire,
                                                              pending)
        connection = self._connection
        if connection is not None and connection.welcomed:
            self._send(pending, connection)
        # Otherwise the connection dropped since submit() looked: it goes after the next sync.

    def _send(self, pending: _Pending, connection: _Connection) -> None:
        with self._lock:
            if self._pending.get(pending.id) is not pending:
                return  # answered or expired meanwhile
            pending.sent_on = connection.number
        connection.outbox.put_nowait(pending.frame)

    def _send_query(self, request_id: str, frame: str, timeout: float) -> None:
        asyncio.get_running_loop().call_later(timeout, self._answer_query, request_id, None)
        connection = self._connection
        if connection is not None and connection.synced:
            connection.outbox.put_nowait(frame)
        else:
            self._answer_query(request_id, None)

    def _answer_query(self, request_id: str, answer: Any) -> None:
        with self._lock:
            future = self._queries.pop(request_id, None)
        if future is not None and not future.done():
            future.set_result(answer)

    def _retry(self, pending: _Pending) -> None:
        connection = self._connection
        if connection is not None and connection.synced and pending.sent_on is None:
            self._send(pending, connection)

    def _expire(self, pending: _Pending) -> None:
        with self._lock:
            if self._pending.get(pending.id) is not pending:
                return
            del self._pending[pending.id]
        self._finish(pending, CommandResult.failure(
            pending.id, "timeout", f"The hub did not answer within {pending.timeout:g} s; the "
            "command may or may not have been applied."))

    def _finish(self, pending: _Pending, result: CommandResult) -> None:
        if pending.timer is not None:
            pending.timer.cancel()
        _resolve(pending.future, result)

    # -- change sets -------------------------------------------------------------------------

    def _schedule_flush(self) -> None:
        if self._flush_handle is not None:
            return
        loop = asyncio.get_running_loop()
        self._flush_handle = loop.call_at(max(loop.time(), self._last_flush
                                              + self._flush_interval), self._flush)

    def _flush(self) -> None:
        """Hand over what changed since the last change set, at most once per interval."""
        self._flush_handle = None
        change = self._live.take()
        if change is not None:
            self._call(self._deliver, change)
        # Counted from the hand-over, not the start: two deliveries are always an interval
        # apart, however long building the next change set takes.
        self._last_flush = asyncio.get_running_loop().time()

    # -- callbacks ---------------------------------------------------------------------------

    def _set_state(self, state: str, detail: object) -> None:
        with self._lock:
            self._state, self._detail = state, detail
        self._call(self._on_state, state, detail)

    def _notice(self, level: str, message: str) -> None:
        log.log(logging.ERROR if level == "error" else logging.WARNING if level == "warning"
                else logging.INFO, "%s", message)
        self._call(self._on_notice, level, message)

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


def _resolve(future: Future[CommandResult], result: CommandResult) -> None:
    with contextlib.suppress(InvalidStateError):  # the caller cancelled it
        future.set_result(result)


def _closed_reason(code: int | None, reason: str) -> str:
    if code is None:
        return "the connection to the hub was lost"
    if code == 1001:
        return "the hub is shutting down"
    return f"the hub closed the connection ({code}{': ' + reason if reason else ''})"
