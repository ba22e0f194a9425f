"""One hub connection after another, in the hub client's loop thread: the asyncio part.

:class:`HubLink` opens the websocket, says hello (the password first, the session token of the
``welcome`` after that), folds what the hub sends into a :class:`LiveState` and hands over one
:class:`ChangeSet` at most every ``flush_interval`` seconds, writes the commands and queries of
the :class:`PendingTable` it shares with :class:`console.comms.client.HubClient`, and when a
connection ends, opens the next one (``console.comms.reconnect``), resuming from the last event
held. Everything here runs in the loop thread; the client's public side only registers commands
in the table and schedules :meth:`HubLink.dispatch`, :meth:`HubLink.send_query` and
:meth:`HubLink.send_frame` with ``call_soon_threadsafe``.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import logging
import ssl as ssl_module
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, WebSocketException

from console.comms import protocol as p
from console.comms.clock import Clock
from console.comms.live_state import LiveState, OutOfStep
from console.comms.pending import Pending, PendingTable, named_events, track_points
from console.comms.reconnect import Backoff, Ended, reconnect_forever
from console.comms.replica import ChangeSet, UserInfo
from console.comms.states import AUTH_FAILED, CONNECTING, LIVE, RECONNECTING, SYNCING, Retry
from console.domain.rules import Rules

log = logging.getLogger(__name__)

_POSITIONS_PREFIX: Final = '{"type":"positions",'
#: How long to wait before sending again a command the hub answered ``unavailable``.
UNAVAILABLE_RETRY_S: Final = 1.0
#: A replica that went wrong (a gap in the log, an event about something never seen) is
#: rebuilt from a fresh snapshot, at most this often.
RESYNC_INTERVAL_S: Final = 60.0
#: The largest frame read from the hub: a snapshot of a whole district is big.
MAX_FRAME_IN: Final = 256 * 1024 * 1024


class _AuthFailed(Exception):
    pass


class _LoggedOut(Exception):
    """The hub answered ``logout``: the session is over; do not connect again."""


class _Resync(Exception):
    """The replica cannot follow the log any more: reconnect and take a fresh snapshot."""


@dataclass(eq=False)
class _Connection:
    number: int
    ws: ClientConnection
    outbox: asyncio.Queue[str]
    welcomed: bool = False
    synced: bool = False


class HubLink:
    """The loop thread's side of a :class:`console.comms.client.HubClient`.

    ``set_state``, ``notice``, ``deliver`` and ``login`` are the client's callbacks (already
    guarded: they do not raise); the other arguments are the client's (see there).
    """

    def __init__(self, url: str, username: str, password: str, rules: Rules, *,
                 waiting: PendingTable, set_state: Callable[[str, object], None],
                 notice: Callable[[str, str], None], deliver: Callable[[ChangeSet], None],
                 login: Callable[[UserInfo], None], ssl: ssl_module.SSLContext | None,
                 client_name: str, backoff: Backoff, flush_interval: float,
                 open_timeout: float, clock: Clock, subscribe: tuple[str, ...] | None,
                 token: str | None = None,
                 tasks: Callable[[dict[str, Any]], bool] | None = None) -> None:
        self.url = url
        self.username = username
        self._password: str | None = password
        self._token = token
        self.clock = clock
        self._waiting = waiting
        self._set_state = set_state
        self._notice = notice
        self._deliver = deliver
        self._login = login
        self._tasks = tasks
        self._ssl = ssl
        self._client_name = client_name
        self._backoff = backoff
        self._flush_interval = flush_interval
        self._open_timeout = open_timeout
        self._subscribe = subscribe
        #: Who the hub says is logged in, after the first ``welcome``.
        self.user: UserInfo | None = None
        #: The hub's refusal of the login, which ends the client.
        self.auth_refusal: str | None = None
        self._logged_out = False
        self.live = LiveState(rules, notice)
        self._numbers = itertools.count(1)
        self._connection: _Connection | None = None
        self._want_snapshot = False
        self._last_resync = -RESYNC_INTERVAL_S
        self._went_live = False
        self._flush_handle: asyncio.TimerHandle | None = None
        self._last_flush = float("-inf")

    @property
    def token(self) -> str | None:
        """The session token of the last ``welcome`` (it logs in from then on)."""
        return self._token

    def send_frame(self, frame: str) -> None:
        """Write a frame on the connection if it is synced (dropped otherwise)."""
        connection = self._connection
        if connection is not None and connection.synced:
            connection.outbox.put_nowait(frame)

    async def run(self) -> None:
        try:
            await reconnect_forever(self._attempt, self._backoff, on_retry=self._on_retry)
        except _AuthFailed as refusal:
            self.auth_refusal = str(refusal)
            self._set_state(AUTH_FAILED, self.auth_refusal)
            self._notice("error", self.auth_refusal)
        except _LoggedOut:
            pass  # the client ends: ``stopped``

    async def _attempt(self) -> Ended:
        self._set_state(CONNECTING, self.url)
        try:
            reason = await self._connect_once()
        except _Resync:
            return Ended("rebuilding the console's copy of the live state from a fresh "
                         "snapshot", live=self._went_live, delay=0.0)
        except _AuthFailed:
            raise
        except Exception as error:  # a bug here must not end the connection for good
            log.exception("the hub connection failed")
            reason = f"an error in the console: {type(error).__name__}: {error}"
            self._notice("error", f"The hub connection failed with {reason}.")
        if self._logged_out:
            raise _LoggedOut
        return Ended(reason, live=self._went_live)

    def _on_retry(self, delay: float, failures: int, reason: str) -> None:
        self._set_state(RECONNECTING, Retry(delay, failures, reason))

    async def _connect_once(self) -> str:
        """One connection, from opening to close; returns why it ended."""
        self._went_live = False
        self.auth_refusal = None
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
                        if self.auth_refusal is not None:
                            raise _AuthFailed(self.auth_refusal)
                    if self.auth_refusal is not None:
                        raise _AuthFailed(self.auth_refusal)
                finally:
                    self._connection = None
                    writer.cancel()
                    await asyncio.gather(writer, return_exceptions=True)
                return _closed_reason(ws.close_code, ws.close_reason or "")
        except ConnectionClosed as closed:
            if self.auth_refusal is not None:
                raise _AuthFailed(self.auth_refusal) from None
            return _closed_reason(closed.rcvd.code if closed.rcvd else None,
                                  closed.rcvd.reason if closed.rcvd else "")
        except (OSError, TimeoutError, WebSocketException) as error:
            return f"could not reach the hub: {error or type(error).__name__}"

    def _hello(self) -> dict[str, Any]:
        if self._token is not None:
            auth: dict[str, str] = {"token": self._token}
        else:
            auth = {"username": self.username, "password": self._password or ""}
        resume = self.live.seq if self.live.has_snapshot and not self._want_snapshot \
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
                # The largest and most frequent frame (up to every unit): decoded without the
                # codec's per-number and per-string checks, most of its decoding time, and by
                # orjson, several times faster than json.loads. Its rows are still read field
                # by field where they are used.
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
            elif kind == "task":
                self._on_task(message)
            elif kind == "timeline":
                self._answer_query(str(message.get("id")), named_events(message))
            elif kind == "track":
                self._answer_query(str(message.get("id")), track_points(message))
            elif kind == "logged_out":  # the hub closes the connection next
                self._logged_out = True
                self._answer_query(str(message.get("id")), True)
            elif kind in ("audit", "reporter", "search", "case", "workers", "report"):
                self._answer_query(str(message.get("id")), message)
            elif kind == "attachment":  # the bytes decoded here, off the GUI's process
                data = message.pop("data_b64", None)
                message["data"] = base64.b64decode(data) if isinstance(data, str) else None
                self._answer_query(str(message.get("id")), message)
            # pong: the websocket layer's own pings keep the connection alive; nothing to do.
        except _Resync:
            raise
        except Exception as error:  # a malformed message must not end the connection
            log.warning("could not use a %s message from the hub", kind, exc_info=True)
            self._notice("warning", f"The hub sent an unusable {kind} message "
                         f"({type(error).__name__}: {error}); it was ignored.")

    def _on_task(self, message: dict[str, Any]) -> None:
        """A field task (DESIGN §5c): acknowledged once the client's ``tasks`` has taken it.
        Without one nothing stores it, so nothing is acknowledged and the hub keeps it."""
        if self._tasks is not None and self._tasks(message):
            self.send_frame(p.encode({"type": "ack", "id": message["id"]}))

    def _on_welcome(self, message: dict[str, Any]) -> None:
        connection = self._connection
        assert connection is not None
        connection.welcomed = True
        self._token = str(message["token"])
        self._password = None  # the token logs in from now on
        self.user = UserInfo.from_wire(message["user"])
        if "time" in message:  # hubs before the world clock send none: real time
            try:
                self.clock.follow(datetime.fromisoformat(str(message["time"])),
                                  float(message.get("speed", 1.0)))
            except (TypeError, ValueError):
                log.warning("the hub sent an unusable time %r; the local clock is used",
                            message.get("time"))
        self._set_state(SYNCING, self.user)
        self._login(self.user)
        # Commands submitted while syncing were written behind the hello; the hub answers them
        # after the sync. Older ones wait for `synced` (see _on_synced).

    def _on_snapshot(self, message: dict[str, Any]) -> None:
        self.live.snapshot(message)
        self._want_snapshot = False
        self._schedule_flush()

    def _on_event(self, message: dict[str, Any]) -> None:
        try:
            if self.live.event(message):
                self._schedule_flush()
        except OutOfStep as trouble:
            self._schedule_flush()
            self._resync(str(trouble))

    def _on_positions(self, message: dict[str, Any]) -> None:
        self.live.positions(message)
        self._schedule_flush()

    def _on_synced(self, message: dict[str, Any]) -> None:
        connection = self._connection
        assert connection is not None
        connection.synced = True
        self._went_live = True
        self._set_state(LIVE, self.live.seq)
        # Commands in flight when an earlier connection dropped go out again, with their ids:
        # the hub answers one it has already applied with its first result.
        for pending in self._waiting.unsent_on(connection.number):
            self._send(pending, connection)

    def _on_result(self, message: dict[str, Any]) -> None:
        again = self._waiting.on_result(message)
        if again is not None:  # ``unavailable``: here, or after the next sync
            asyncio.get_running_loop().call_later(UNAVAILABLE_RETRY_S, self._retry, again)

    def _on_error(self, message: dict[str, Any]) -> None:
        code, text = str(message.get("code")), str(message.get("message", ""))
        connection = self._connection
        if code == "auth_failed" and connection is not None and not connection.welcomed:
            self.auth_refusal = text or "The hub refused the login."
            return
        if code == "session_ended":  # revoked, or the account disabled: the hub closes next
            self.auth_refusal = text or "The hub ended this session."
            return
        if self._waiting.on_error(message.get("ref"), code, text):
            return  # the codec refused the command itself
        if self._waiting.refuse_query(message.get("ref"), message):
            return  # a request refused: its asker shows why
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

    def dispatch(self, pending: Pending) -> None:
        """A newly submitted command, in the loop thread: start its clock, send it."""
        pending.timer = asyncio.get_running_loop().call_later(pending.timeout,
                                                              self._waiting.expire, pending)
        connection = self._connection
        if connection is not None and connection.welcomed:
            self._send(pending, connection)
        # Otherwise the connection dropped since submit() looked: it goes after the next sync.

    def _send(self, pending: Pending, connection: _Connection) -> None:
        if self._waiting.mark_sent(pending, connection.number):  # not answered or expired
            connection.outbox.put_nowait(pending.frame)

    def send_query(self, request_id: str, frame: str, timeout: float) -> None:
        asyncio.get_running_loop().call_later(timeout, self._answer_query, request_id, None)
        connection = self._connection
        if connection is not None and connection.synced:
            connection.outbox.put_nowait(frame)
        else:
            self._answer_query(request_id, None)

    def _answer_query(self, request_id: str, answer: Any) -> None:
        self._waiting.answer(request_id, answer)

    def _retry(self, pending: Pending) -> None:
        connection = self._connection
        if connection is not None and connection.synced and pending.sent_on is None:
            self._send(pending, connection)

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
        change = self.live.take()
        if change is not None:
            self._deliver(change)
        # Counted from the hand-over, not the start: two deliveries are always an interval
        # apart, however long building the next change set takes.
        self._last_flush = asyncio.get_running_loop().time()


def _closed_reason(code: int | None, reason: str) -> str:
    if code is None:
        return "the connection to the hub was lost"
    if code == 1001:
        return "the hub is shutting down"
    return f"the hub closed the connection ({code}{': ' + reason if reason else ''})"
