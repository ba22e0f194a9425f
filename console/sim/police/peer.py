"""The police center's end of the hub's ``/police``: connection, login, outbox, acks, reconnects.

:class:`PolicePeer` logs in with the console's ``hello``, writes every hand-off from the hub to
its :class:`~console.sim.police.journal.Journal` and commits *before* acknowledging it, and sends
its own messages from the journal's outbox, in order, again after every reconnect until the hub
acknowledges them. Only one message per case is in flight at a time (the oldest not yet
acknowledged), so a case's messages are applied in order even when the hub asks for one again
later (``unavailable``). It reconnects forever, with exponential backoff and full jitter, and
takes the world clock from ``welcome``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, WebSocketException

from console.comms import police_wire as w
from console.comms import protocol
from console.comms.clock import Clock
from console.comms.reconnect import Backoff, Ended, reconnect_forever
from console.sim.police.journal import Journal, Outgoing

__all__ = ["AUTH_FAILED", "CONNECTING", "DOWN", "STOPPED", "UP", "AuthFailed", "PolicePeer",
           "police_url"]

log = logging.getLogger(__name__)

#: States of the link (``PolicePeer.state``).
CONNECTING, UP, DOWN, AUTH_FAILED, STOPPED = "connecting", "up", "down", "auth_failed", "stopped"


class AuthFailed(Exception):
    """The hub refused the police center's account: final, no retry."""


def police_url(hub: str) -> str:
    """The ``/police`` address of a hub given by any of its addresses."""
    parts = urlsplit(hub)
    return urlunsplit((parts.scheme, parts.netloc, "/police", "", ""))


class PolicePeer:
    """The police center's end of ``/police``.

    Args:
        hub: any address of the hub (``ws://host:port``); ``/police`` is taken from it.
        username, password: the police center's account (role ``police``).
        journal: the durable journal, or a path for one (``":memory:"`` in tests).
        on_receive: called with each hand-off from the hub the first time it arrives, inside the
            journal transaction that records it (what it writes commits with the receipt, before
            the ack); an exception rolls the receipt back and the message is not acknowledged.
        window: the most of our messages sent and not yet acknowledged.
        backoff_base, backoff_cap: the reconnect delays (``console.comms.reconnect.Backoff``).
        retry_after_s: real seconds before a message the hub answered ``unavailable`` (or
            ``rate_limited`` without a ``retry_after``) goes again.
        seed: seeds the reconnect jitter (tests).
    """

    def __init__(self, hub: str, username: str, password: str, *,
                 journal: Journal | str | Path = ":memory:",
                 on_receive: Callable[[w.HandOff, Journal], None] | None = None,
                 client_name: str = "110-cad-sim", window: int = 50,
                 backoff_base: float = 0.25, backoff_cap: float = 10.0,
                 retry_after_s: float = 1.0, open_timeout: float = 10.0,
                 seed: int | None = None) -> None:
        self.url = police_url(hub)
        self.username = username
        self._password = password
        self.journal = journal if isinstance(journal, Journal) else Journal(journal)
        self.on_receive = on_receive
        self.client_name = client_name
        self.window = window
        self.clock = Clock()
        #: Set while the hub has welcomed us; cleared while the link is down.
        self.link_up = asyncio.Event()
        self.state = STOPPED
        #: Why the last connection ended, or the hub's refusal of the login.
        self.detail = ""
        #: The hub's last ``welcome``.
        self.welcome: dict[str, Any] | None = None
        #: Connections that reached ``welcome`` so far.
        self.sessions = 0
        self._backoff = Backoff(backoff_base, backoff_cap, seed=seed)
        self._retry_after_s = retry_after_s
        self._open_timeout = open_timeout
        self._wake = asyncio.Event()
        self._inflight: dict[str, str] = {}  # message id → shared id
        self._holding: set[str] = set()  # answered ``unavailable``: waiting to go again
        self._current: asyncio.Task[str] | None = None
        self._stopping = asyncio.Event()

    # -- what the police center does ---------------------------------------------------------

    def now(self) -> datetime:
        """The hub's world time, as of the last ``welcome``."""
        return self.clock.now()

    def send(self, message: w.HandOff) -> None:
        """Queue one of our messages (committed to the outbox) and send it when the link
        allows. Inside a journal transaction, it is committed with the rest of it."""
        self.journal.enqueue(message, self.now())
        self.wake()

    def wake(self) -> None:
        """Look at the outbox again (after writing to it in a transaction of one's own)."""
        self._wake.set()

    def stop(self) -> None:
        """Ask :meth:`run` to end (from the peer's loop)."""
        self._stopping.set()
        if self._current is not None:
            self._current.cancel()  # closes the connection on its way out

    async def run(self) -> None:
        """Connect and stay connected until :meth:`stop`.

        Raises:
            AuthFailed: the hub refused the account (the state is then ``auth_failed``).
        """
        try:
            await reconnect_forever(self._attempt, self._backoff, on_retry=self._down,
                                    stopping=self._stopping)
        finally:
            self.link_up.clear()
            if self.state != AUTH_FAILED:
                self.state = STOPPED

    async def _attempt(self) -> Ended:
        """One connection, as the reconnect loop sees it."""
        self.state = CONNECTING
        before = self.sessions
        self._current = asyncio.create_task(self._connect_once())
        try:
            self.detail = await self._current
        except AuthFailed as refusal:
            self.state, self.detail = AUTH_FAILED, str(refusal)
            log.error("the hub refused %s: %s", self.username, refusal)
            raise
        except asyncio.CancelledError:
            if not self._stopping.is_set():
                raise  # run() itself was cancelled
            return Ended("stopped")
        finally:
            self._current = None
        return Ended(self.detail, live=self.sessions > before)

    def _down(self, delay: float, failures: int, reason: str) -> None:
        self.state = DOWN
        log.info("police link down (%s); again in %.1f s", reason, delay)

    # -- one connection ----------------------------------------------------------------------

    async def _connect_once(self) -> str:
        """One connection, from opening to close; returns why it ended."""
        try:
            async with connect(self.url, open_timeout=self._open_timeout, close_timeout=2.0,
                               compression=None, user_agent_header=self.client_name) as ws:
                try:
                    return await self._session(ws)
                except asyncio.CancelledError:
                    await ws.close()  # stopped: a normal close, not the 1011 of an error
                    raise
                finally:
                    self.link_up.clear()
                    self._inflight.clear()
                    self._holding.clear()
        except ConnectionClosed as closed:
            return f"closed ({closed.rcvd.code if closed.rcvd else 'no close frame'})"
        except (OSError, TimeoutError, WebSocketException) as error:
            return f"could not reach the hub: {error or type(error).__name__}"

    async def _session(self, ws: ClientConnection) -> str:
        await ws.send(protocol.encode({
            "type": "hello", "protocol": protocol.PROTOCOL, "client": self.client_name,
            "auth": {"username": self.username, "password": self._password}}))
        answer = _server_message(await asyncio.wait_for(ws.recv(), self._open_timeout))
        if answer is None or answer.get("type") != "welcome":
            why = (answer or {}).get("message") or "the hub did not welcome us"
            if answer is not None and answer.get("code") == "auth_failed":
                raise AuthFailed(str(why))
            return f"refused: {why}"
        self._welcomed(answer)
        sender = asyncio.create_task(self._sender(ws))
        try:
            async for frame in ws:
                await self._on_frame(ws, frame)
        finally:
            sender.cancel()
            await asyncio.gather(sender, return_exceptions=True)
        return f"closed ({ws.close_code})"

    def _welcomed(self, welcome: dict[str, Any]) -> None:
        self.welcome = welcome
        if "time" in welcome:
            try:
                self.clock.follow(datetime.fromisoformat(str(welcome["time"])),
                                  float(welcome.get("speed", 1.0)))
            except (TypeError, ValueError):
                log.warning("the hub sent an unusable time %r", welcome.get("time"))
        self.sessions += 1
        self.state = UP
        self.link_up.set()
        log.info("police link up to %s as %s", self.url, self.username)

    async def _sender(self, ws: ClientConnection) -> None:
        """Send the outbox: the oldest message not yet acknowledged of each case, up to the
        window, in outbox order; again whenever something changes."""
        while True:
            self._wake.clear()
            batch: list[Outgoing] = []
            cases: set[str] = set()
            for row in self.journal.outbox(pending=True):
                if len(self._inflight) >= self.window:
                    break
                first_of_case = row.shared_id not in cases
                cases.add(row.shared_id)
                if first_of_case and row.id not in self._inflight and row.id not in self._holding:
                    self._inflight[row.id] = row.shared_id
                    batch.append(row)
            if batch:
                self.journal.sent([row.id for row in batch])  # one commit for the lot
                for row in batch:
                    await ws.send(w.encode(row.message))
            await self._wake.wait()

    async def _on_frame(self, ws: ClientConnection, frame: str | bytes) -> None:
        try:
            message = w.decode(frame)
        except protocol.ProtocolError as refusal:
            server = _server_message(frame)
            if server is None:
                log.warning("the hub sent a message the police peer cannot read: %s",
                            refusal.message)
            elif server["type"] == "error":
                self._on_error(server)
            return
        if isinstance(message, w.AckMsg):
            self._inflight.pop(message.id, None)
            if not self.journal.acked(message.id, message.incident, self.now()):
                log.debug("an ack for %s, which is not waiting for one", message.id)
            self.wake()
        elif isinstance(message, protocol.Ping):
            await ws.send(protocol.encode(protocol.pong(message.id)))
        else:
            await self._on_hand_off(ws, message)

    async def _on_hand_off(self, ws: ClientConnection, message: w.HandOff) -> None:
        try:
            with self.journal.transaction() as journal:
                if journal.receive(message, self.now()) and self.on_receive is not None:
                    self.on_receive(message, journal)
        except Exception:
            log.exception("could not record %s from the hub; it is not acknowledged", message.id)
            return
        await ws.send(w.encode(w.AckMsg(message.id)))  # only now: it is committed
        self.wake()

    def _on_error(self, error: Mapping[str, Any]) -> None:
        ref, code, text = error.get("ref"), str(error.get("code")), str(error.get("message"))
        if not isinstance(ref, str) or ref not in self._inflight:
            log.warning("the hub says %s: %s", code, text)
            return
        if code in _TRANSIENT:
            self._holding.add(ref)
            later = error.get("retry_after")
            delay = float(later) if isinstance(later, int | float) and 0 < later < 3600 \
                else self._retry_after_s
            asyncio.get_running_loop().call_later(delay, self._retry, ref)
            return
        del self._inflight[ref]
        log.warning("the hub refused %s (%s): %s", ref, code, text)
        self.journal.refused(ref, code, text)
        self.wake()

    def _retry(self, message_id: str) -> None:
        self._holding.discard(message_id)
        self._inflight.pop(message_id, None)
        self.wake()


#: Refusals that mean "send it again later": the database was out of reach, or we went too fast.
_TRANSIENT = frozenset({"unavailable", "rate_limited"})


def _server_message(frame: str | bytes) -> dict[str, Any] | None:
    try:
        return protocol.decode_server(frame)
    except protocol.ProtocolError:
        return None
