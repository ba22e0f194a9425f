"""The police 110 command center as a peer of the hub's ``/police`` (docs/police-interface.md).

Two layers:

- :class:`PolicePeer` is the link: an asyncio websockets client of ``/police`` that logs in with
  the console's ``hello``, keeps a durable :class:`Journal` (SQLite), writes every hand-off from
  the hub to it and commits *before* acknowledging it (a repeated ``id`` is acknowledged again and
  applied once: the journal's primary key decides), and sends its own messages from the journal's
  outbox, in order, again after every reconnect until the hub acknowledges them. It reconnects
  forever, with exponential backoff and full jitter, and takes the world clock from ``welcome``.
- :class:`PoliceCenter` is the simulator's policy on top of it: it diverts non-police cases to the
  center at a rate per hour of world time, sometimes sends an update on one, and answers each
  escalation — acknowledged after a while (a share rejected, with a cause), completed later.
  What it diverts is drawn from its own seeded random stream: the same seed, the same cases.

Only one message per case is in flight at a time (the oldest not yet acknowledged), so a case's
messages are applied in order even when the hub asks for one again later (``unavailable``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import re
import secrets
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, WebSocketException

from console.comms import police_wire as w
from console.comms import protocol
from console.comms.client import backoff_delay
from console.comms.clock import Clock
from console.domain.taxonomy import Taxonomy
from console.sim.calls import _PHONE_PREFIXES, _SURNAMES, _TITLES, Place
from console.sim.pace import Pace

__all__ = ["AuthFailed", "Journal", "PoliceCenter", "PoliceConfig", "PolicePeer", "police_url"]

log = logging.getLogger(__name__)

LOCAL = ZoneInfo("Asia/Shanghai")

#: States of the link (``PolicePeer.state``).
CONNECTING, UP, DOWN, AUTH_FAILED, STOPPED = "connecting", "up", "down", "auth_failed", "stopped"


class AuthFailed(Exception):
    """The hub refused the police center's account: final, no retry."""


def police_url(hub: str) -> str:
    """The ``/police`` address of a hub given by any of its addresses."""
    parts = urlsplit(hub)
    return urlunsplit((parts.scheme, parts.netloc, "/police", "", ""))


def _stamp(moment: datetime) -> str:
    """A time as the journal stores it: UTC, fixed width, so text order is time order."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


# --- the journal ----------------------------------------------------------------------------

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS received (
    id TEXT PRIMARY KEY, n INTEGER NOT NULL UNIQUE, type TEXT NOT NULL,
    shared_id TEXT NOT NULL, body TEXT NOT NULL, received_at TEXT NOT NULL,
    deliveries INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS outbox (
    n INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, type TEXT NOT NULL,
    shared_id TEXT NOT NULL, body TEXT NOT NULL, queued_at TEXT NOT NULL,
    sends INTEGER NOT NULL DEFAULT 0, acked_at TEXT, incident TEXT,
    refused_code TEXT, refused_message TEXT);
CREATE TABLE IF NOT EXISTS cases (
    shared_id TEXT PRIMARY KEY, direction TEXT NOT NULL, state TEXT NOT NULL,
    police_case_no TEXT, incident TEXT, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS plans (
    n INTEGER PRIMARY KEY AUTOINCREMENT, shared_id TEXT NOT NULL, action TEXT NOT NULL,
    due_at TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS plans_due ON plans (done, due_at);
"""


@dataclass(frozen=True)
class Received:
    """A hand-off from the hub as the journal holds it; ``deliveries`` counts its arrivals."""

    n: int
    id: str
    type: str
    shared_id: str
    deliveries: int
    message: w.HandOff


@dataclass(frozen=True)
class Outgoing:
    """One of the police center's own messages in the outbox, and what became of it."""

    n: int
    id: str
    type: str
    shared_id: str
    message: w.HandOff
    sends: int
    acked: bool
    incident: str | None
    refused_code: str | None
    refused_message: str | None


@dataclass(frozen=True)
class Plan:
    """Something the police center means to do about a case at a world time."""

    n: int
    shared_id: str
    action: str
    due_at: datetime


def _shared_id(message: w.HandOff) -> str:
    return message.case.shared_id if isinstance(message, w.IncidentMsg) else message.shared_id


class Journal:
    """The police center's durable record: what it received, what it sends, its cases and plans.

    Args:
        path: an SQLite file (made when absent) or ``":memory:"``.

    Writes outside :meth:`transaction` commit at once; inside, all at its end or none.
    """

    def __init__(self, path: str | Path = ":memory:") -> None:
        self.path = str(path)
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._lock = threading.RLock()
        self._depth = 0
        if self.path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        with self.transaction():
            self._db.execute("INSERT OR IGNORE INTO meta VALUES ('instance', ?)",
                             (secrets.token_hex(3),))

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Journal]:
        """Everything written inside commits together (nested uses join the outer one)."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self
                finally:
                    self._depth -= 1
                return
            self._db.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")
            finally:
                self._depth = 0

    def _one(self, sql: str, *params: Any) -> Any:
        with self._lock:
            row = self._db.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def _all(self, sql: str, *params: Any) -> list[Any]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    @property
    def instance(self) -> str:
        """Six hex digits drawn when the journal was made: in every message id, so ids stay
        unique even when a simulator starts again with a fresh journal."""
        return str(self._one("SELECT value FROM meta WHERE key = 'instance'"))

    def count(self, key: str, step: int = 1) -> int:
        """A counter kept in the journal: its value after adding ``step``."""
        with self.transaction():
            value = int(self._one("SELECT value FROM meta WHERE key = ?", key) or 0) + step
            self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, str(value)))
        return value

    # -- from the hub ------------------------------------------------------------------------

    def receive(self, message: w.HandOff, now: datetime) -> bool:
        """Record a hand-off from the hub; True the first time its ``id`` arrives (apply it),
        False for a repeat (only its delivery is counted)."""
        with self.transaction():
            repeat = self._db.execute(
                "UPDATE received SET deliveries = deliveries + 1 WHERE id = ?", (message.id,))
            if repeat.rowcount:
                return False
            n = int(self._one("SELECT COALESCE(MAX(n), 0) + 1 FROM received"))
            self._db.execute(
                "INSERT INTO received (id, n, type, shared_id, body, received_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (message.id, n, w.to_wire(message)["type"], _shared_id(message),
                 w.encode(message), _stamp(now)))
        return True

    def received(self, shared_id: str | None = None) -> list[Received]:
        """Every hand-off received (of one case), in the order it first arrived."""
        rows = self._all("SELECT n, id, type, shared_id, deliveries, body FROM received "
                         "WHERE ? IS NULL OR shared_id = ? ORDER BY n", shared_id, shared_id)
        return [Received(n, i, t, s, d, _handoff(body)) for n, i, t, s, d, body in rows]

    # -- to the hub --------------------------------------------------------------------------

    def enqueue(self, message: w.HandOff, now: datetime) -> None:
        """Put one of our messages in the outbox (sent in outbox order)."""
        with self.transaction():
            self._db.execute(
                "INSERT INTO outbox (id, type, shared_id, body, queued_at) VALUES (?, ?, ?, ?, ?)",
                (message.id, w.to_wire(message)["type"], _shared_id(message), w.encode(message),
                 _stamp(now)))

    def outbox(self, shared_id: str | None = None, *, pending: bool = False) -> list[Outgoing]:
        """Our messages (of one case; with ``pending``, only those neither acknowledged nor
        refused), in outbox order."""
        rows = self._all(
            "SELECT n, id, type, shared_id, body, sends, acked_at, incident, refused_code, "
            "refused_message FROM outbox WHERE (? IS NULL OR shared_id = ?) "
            "AND (NOT ? OR (acked_at IS NULL AND refused_code IS NULL)) ORDER BY n",
            shared_id, shared_id, pending)
        return [Outgoing(n, i, t, s, _handoff(body), sends, acked is not None, incident, code,
                         why)
                for n, i, t, s, body, sends, acked, incident, code, why in rows]

    def sent(self, message_ids: Sequence[str]) -> None:
        """Count a sending of each message."""
        with self.transaction():
            self._db.executemany("UPDATE outbox SET sends = sends + 1 WHERE id = ?",
                                 [(i,) for i in message_ids])

    def acked(self, message_id: str, incident: str | None, now: datetime) -> bool:
        """The hub committed our message; False if it is not one of ours (or acked before)."""
        with self.transaction():
            done = self._db.execute(
                "UPDATE outbox SET acked_at = ?, incident = ? WHERE id = ? AND acked_at IS NULL",
                (_stamp(now), incident, message_id)).rowcount
            if done and incident is not None:
                self._db.execute(
                    "UPDATE cases SET incident = ? WHERE shared_id = "
                    "(SELECT shared_id FROM outbox WHERE id = ?)", (incident, message_id))
        return bool(done)

    def refused(self, message_id: str, code: str, message: str) -> None:
        """The hub will never apply our message: it is not sent again."""
        with self.transaction():
            self._db.execute("UPDATE outbox SET refused_code = ?, refused_message = ? "
                             "WHERE id = ?", (code, message, message_id))

    # -- the police center's cases and plans -------------------------------------------------

    def set_case(self, shared_id: str, now: datetime, *, direction: str | None = None,
                 state: str, police_case_no: str | None = None,
                 incident: str | None = None) -> None:
        """Make a case (``direction`` given) or move it to ``state``."""
        with self.transaction():
            if direction is not None:
                self._db.execute(
                    "INSERT OR IGNORE INTO cases (shared_id, direction, state, police_case_no, "
                    "updated_at) VALUES (?, ?, ?, ?, ?)",
                    (shared_id, direction, state, police_case_no, _stamp(now)))
            self._db.execute(
                "UPDATE cases SET state = ?, updated_at = ?, "
                "police_case_no = COALESCE(?, police_case_no), incident = COALESCE(?, incident) "
                "WHERE shared_id = ?", (state, _stamp(now), police_case_no, incident, shared_id))

    def case(self, shared_id: str) -> dict[str, Any] | None:
        """A case: ``shared_id``, ``direction`` (diverted, escalated), ``state``,
        ``police_case_no`` and ``incident`` (the center's id, once it named it)."""
        rows = self.cases(shared_id=shared_id)
        return rows[0] if rows else None

    def cases(self, *, direction: str | None = None,
              shared_id: str | None = None) -> list[dict[str, Any]]:
        rows = self._all("SELECT shared_id, direction, state, police_case_no, incident "
                         "FROM cases WHERE (? IS NULL OR direction = ?) "
                         "AND (? IS NULL OR shared_id = ?) ORDER BY rowid",
                         direction, direction, shared_id, shared_id)
        keys = ("shared_id", "direction", "state", "police_case_no", "incident")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def plan(self, shared_id: str, action: str, due_at: datetime) -> None:
        with self.transaction():
            self._db.execute("INSERT INTO plans (shared_id, action, due_at) VALUES (?, ?, ?)",
                             (shared_id, action, _stamp(due_at)))

    def plans(self, *, due_by: datetime | None = None) -> list[Plan]:
        """Plans not yet carried out (those due by a time), soonest first."""
        rows = self._all("SELECT n, shared_id, action, due_at FROM plans WHERE done = 0 "
                         "AND (? IS NULL OR due_at <= ?) ORDER BY due_at, n",
                         *(2 * [None if due_by is None else _stamp(due_by)]))
        return [Plan(n, s, a, datetime.fromisoformat(d)) for n, s, a, d in rows]

    def carried_out(self, plan: Plan) -> None:
        with self.transaction():
            self._db.execute("UPDATE plans SET done = 1 WHERE n = ?", (plan.n,))


def _handoff(body: str) -> w.HandOff:
    message = w.from_wire(json.loads(body))
    assert not isinstance(message, w.AckMsg)
    return message


# --- the link -------------------------------------------------------------------------------


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
        backoff_base, backoff_cap: the reconnect delays (``console.comms.client.backoff_delay``).
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
        self._backoff = (backoff_base, backoff_cap)
        self._retry_after_s = retry_after_s
        self._open_timeout = open_timeout
        self._rng = random.Random(seed)
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
        failures = 0
        try:
            while not self._stopping.is_set():
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
                    break
                finally:
                    self._current = None
                if self._stopping.is_set():
                    break
                failures = 0 if self.sessions > before else failures + 1
                delay = backoff_delay(failures, *self._backoff, rng=self._rng)
                self.state = DOWN
                log.info("police link down (%s); again in %.1f s", self.detail, delay)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), delay)
        finally:
            self.link_up.clear()
            if self.state != AUTH_FAILED:
                self.state = STOPPED

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


# --- the police center ----------------------------------------------------------------------


@dataclass
class PoliceConfig:
    """How the simulated police center behaves."""

    #: Cases diverted to the center per hour of world time.
    rate_per_hour: float = 10.0
    #: The share of escalations rejected as not a police matter.
    reject_share: float = 0.1
    #: The share of diverted cases the police later send an update on.
    update_share: float = 0.15
    seed: int = 110


# What the 110 operator writes about the cases the police divert, by category (those present in
# the taxonomy and not police matters are used), with how often each comes up.
_DIVERSIONS: Mapping[str, tuple[int, tuple[str, ...]]] = {
    "env.noise_residential": (6, ("楼上住户深夜噪声扰民，报警人要求处理", "邻居家中聚会喧哗至深夜",
                                  "楼上住户凌晨装修敲打，影响休息")),
    "env.noise_commercial": (3, ("楼下酒吧音乐声过大，持续至凌晨", "商铺音箱外放广告，噪声扰民")),
    "env.noise_construction": (3, ("工地夜间违规施工，噪声扰民", "凌晨仍有渣土车和机械作业")),
    "neighbour.dispute": (5, ("邻里因停车位发生口角，无人受伤", "邻居占用公共走廊，双方协商不成")),
    "neighbour.water_leak": (3, ("楼上渗水至楼下，双方协商未果", "卫生间漏水引发邻里纠纷")),
    "neighbour.dog_nuisance": (2, ("邻居犬只整夜吠叫，报警人要求处理", "遛狗不牵绳引发口角")),
    "neighbour.square_dance": (2, ("广场舞音响过大，晚十点后仍未停止",)),
    "neighbour.family_dispute": (1, ("家庭成员因赡养问题发生争执，无肢体冲突",)),
    "utility.water_outage": (2, ("小区突然停水，报警人称未接到通知",)),
    "utility.power_outage": (2, ("整栋楼停电，报警人询问抢修情况",)),
    "utility.sewer_blockage": (1, ("下水道堵塞，污水漫至路面",)),
    "city.illegal_parking": (3, ("车辆堵塞小区出入口，联系不上车主", "货车长时间占用消防通道")),
    "city.street_vendor": (2, ("夜市摊贩占道经营，油烟扰民",)),
    "city.stray_animals": (1, ("小区内有流浪犬追咬行人，暂无人受伤",)),
    "city.construction_waste": (1, ("有车辆夜间向空地倾倒建筑垃圾",)),
}
_REMARKS = (("报警人情绪平稳",), ("报警人情绪激动，请尽快联系",), ("现场无人员受伤",),
            ("报警人要求回电告知处理结果",))
_DIVERTED = "非警务类，分流至联动中心"
_UPDATES = ("报警人再次来电催促", "报警人称问题仍未解决", "报警人补充：对方已离开现场",
            "报警人称已持续两小时")
_REJECTIONS = ("经核实不属于警务事项", "经核实系民事纠纷，不属于警务事项，请联动中心协调处置",
               "经核实现场无警情，请联动中心跟进")
_DISPOSITIONS = ("民警已到场处置，当事人已带回调查", "已出警，现场秩序已恢复",
                 "已受理立案，后续侦查中", "民警到场后双方已调解，当事人离开")
_PRIORITIES = (("P3", 0.80), ("P4", 0.12), ("P2", 0.08))

#: The center's incident id, named in an escalation's remarks ("linkage incident CH-…").
_INCIDENT_ID = re.compile(r"\bCH-\d{8}-\d{6}\b")

#: Names the police center's shared ids (uuid5 of the journal instance and the case's number).
_SHARED_IDS = uuid.UUID("3a1b2f5e-0d6c-4c7a-9f11-110110110110")


class PoliceCenter:
    """The simulated 110 command center on a :class:`PolicePeer`.

    Args:
        peer: the link (its ``on_receive`` is taken over).
        config: rates, shares, seed.
        taxonomy: the center's categories (only non-police categories are diverted).
        places: where cases happen (the gazetteer's addresses).
    """

    def __init__(self, peer: PolicePeer, config: PoliceConfig, taxonomy: Taxonomy,
                 places: Sequence[Place]) -> None:
        if not places:
            raise ValueError("The police center needs at least one place to put cases at.")
        self.peer = peer
        self.config = config
        self.places = list(places)
        self.categories = [(code, weight, texts) for code, (weight, texts) in _DIVERSIONS.items()
                           if taxonomy.has_category(code)
                           and not taxonomy.category(code).police_matter]
        if not self.categories:
            raise ValueError("The taxonomy has none of the categories the police divert.")
        #: What the cases are (the same seed, the same cases); when and how answers come.
        self.cases_rng = random.Random(f"police-cases:{config.seed}")
        self.rng = random.Random(f"police:{config.seed}")
        self.pace = Pace(self.rng)
        self._plans_changed = asyncio.Event()
        peer.on_receive = self._received

    @property
    def journal(self) -> Journal:
        return self.peer.journal

    async def run(self, duration: float | None = None) -> None:
        """Run the link, the diversions and the plans until the peer stops (or ``duration``
        real seconds pass).

        Raises:
            AuthFailed: the hub refused the account.
        """
        link = asyncio.create_task(self.peer.run())
        work = [asyncio.create_task(c) for c in (self._diverting(), self._carrying_out())]
        try:
            await asyncio.wait_for(asyncio.shield(link), duration)
        except TimeoutError:
            pass
        finally:
            for task in work:
                task.cancel()
            await asyncio.gather(*work, return_exceptions=True)
            self.peer.stop()
            await asyncio.gather(link, return_exceptions=True)
        link.result()

    # -- diversions --------------------------------------------------------------------------

    def next_case(self, now: datetime) -> w.IncidentMsg:
        """The next case to divert, drawn from the seeded stream (and the journal's counters)."""
        rng = self.cases_rng
        code, texts = self._category(rng)
        place = rng.choice(self.places)
        priority = _weighted(rng, _PRIORITIES)
        summary = rng.choice(texts)
        reporter = w.Reporter(rng.choice(_SURNAMES) + rng.choice(_TITLES),
                              rng.choice(_PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}")
        remarks = (*rng.choice(_REMARKS), _DIVERTED)
        lat = round(place.lat + rng.uniform(-0.0003, 0.0003), 6)
        lon = round(place.lon + rng.uniform(-0.0003, 0.0003), 6)
        number = self.journal.count("cases")
        day = now.astimezone(LOCAL).strftime("%Y%m%d")
        case_no = f"110-{day}-{self.journal.count('diverted:' + day, rng.randint(1, 9)) % 5000:04d}"
        shared_id = str(uuid.uuid5(_SHARED_IDS, f"{self.journal.instance}/{number}"))
        return w.IncidentMsg(self._message_id(), w.Case(
            shared_id, case_no, now.astimezone(LOCAL),
            w.Location(lat, lon, place.address[:w.MAX_ADDRESS]), code, summary, priority,
            reporter, remarks))

    def divert(self, message: w.IncidentMsg | None = None) -> w.IncidentMsg:
        """Divert a case (the next one, unless given): its case, its message and, for some, a
        later update go into the journal together."""
        now = self.peer.now()
        with self.journal.transaction() as journal:
            message = message or self.next_case(now)
            case = message.case
            journal.set_case(case.shared_id, now, direction="diverted", state="sent",
                             police_case_no=case.police_case_no)
            journal.enqueue(message, now)
            if self.rng.random() < self.config.update_share:
                journal.plan(case.shared_id, "update",
                             now + timedelta(seconds=self.rng.uniform(300, 1800)))
        self.peer.wake()
        self._plans_changed.set()
        return message

    async def _diverting(self) -> None:
        if self.config.rate_per_hour <= 0:
            return
        await self.peer.link_up.wait()  # the first welcome gives the world clock
        while True:
            gap = self.rng.expovariate(self.config.rate_per_hour / 3600.0)
            await asyncio.sleep(gap / self.peer.clock.speed)
            self.divert()

    def _category(self, rng: random.Random) -> tuple[str, tuple[str, ...]]:
        total = sum(weight for _, weight, _ in self.categories)
        pick = rng.uniform(0, total)
        for code, weight, texts in self.categories:
            pick -= weight
            if pick <= 0:
                return code, texts
        return self.categories[-1][0], self.categories[-1][2]

    def _message_id(self) -> str:
        return f"110-{self.journal.instance}-{self.journal.count('messages'):06d}"

    # -- what the center sends ---------------------------------------------------------------

    def _received(self, message: w.HandOff, journal: Journal) -> None:
        """A hand-off from the center, the first time it arrives (inside its receipt)."""
        now = self.peer.now()
        if isinstance(message, w.IncidentMsg):  # an escalation
            shared_id = message.case.shared_id
            if journal.case(shared_id) is not None:
                return  # the same case again under a new message id: answered once
            incident = next((found.group(0) for r in message.case.remarks
                             if (found := _INCIDENT_ID.search(r))), None)
            journal.set_case(shared_id, now, direction="escalated", state="received",
                             incident=incident)
            action = "reject" if self.rng.random() < self.config.reject_share else "acknowledge"
            journal.plan(shared_id, action,
                         now + timedelta(seconds=self.pace.police_acknowledge()))
            self._plans_changed.set()
            return
        case = journal.case(message.shared_id)
        if case is None:
            log.warning("the center sent %s about a case we do not know: %s", message.id,
                        message.shared_id)
            return
        if isinstance(message, w.AcknowledgementMsg):
            journal.set_case(message.shared_id, now,
                             state="signed" if message.status == "accepted" else "returned")
        elif isinstance(message, w.CompletionMsg):
            journal.set_case(message.shared_id, now, state=message.status)
        elif isinstance(message, w.CancelMsg):
            journal.set_case(message.shared_id, now, state="cancelled")
        # An update (a note from the controller) is kept in the journal only.

    async def _carrying_out(self) -> None:
        await self.peer.link_up.wait()
        while True:
            self._plans_changed.clear()
            now = self.peer.now()
            for plan in self.journal.plans(due_by=now):
                self._carry_out(plan, now)
            upcoming = self.journal.plans()
            wait = 1.0
            if upcoming:
                ahead = (upcoming[0].due_at - now).total_seconds() / self.peer.clock.speed
                wait = min(max(ahead, 0.01), 1.0)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._plans_changed.wait(), wait)

    def _carry_out(self, plan: Plan, now: datetime) -> None:
        with self.journal.transaction() as journal:
            journal.carried_out(plan)
            case = journal.case(plan.shared_id)
            if case is None or case["state"] in ("cancelled", "completed", "aborted"):
                return
            message: w.HandOff
            shared_id, at = plan.shared_id, now.astimezone(LOCAL)
            if plan.action == "acknowledge":
                day = at.strftime("%Y%m%d")
                # Numbers of their own, so the diverted cases' numbers depend on the seed alone.
                number = 5000 + journal.count("escalated:" + day, self.rng.randint(1, 9)) % 5000
                message = w.AcknowledgementMsg(self._message_id(), shared_id, "accepted",
                                               police_case_no=f"110-{day}-{number:04d}")
                journal.set_case(shared_id, now, state="acknowledged",
                                 police_case_no=message.police_case_no)
                journal.plan(shared_id, "complete",
                             now + timedelta(seconds=self.pace.police_dispose()))
            elif plan.action == "reject":
                message = w.AcknowledgementMsg(self._message_id(), shared_id, "rejected",
                                               cause=self.rng.choice(_REJECTIONS))
                journal.set_case(shared_id, now, state="rejected")
            elif plan.action == "complete":
                message = w.CompletionMsg(self._message_id(), shared_id, "completed", at,
                                          self.rng.choice(_DISPOSITIONS))
                journal.set_case(shared_id, now, state="completed")
            elif plan.action == "update":
                if case["state"] == "returned":
                    return
                message = w.UpdateMsg(self._message_id(), shared_id,
                                      (self.rng.choice(_UPDATES),))
            else:
                log.warning("an unknown plan %r for %s", plan.action, shared_id)
                return
            journal.enqueue(message, now)
        self.peer.wake()


def _weighted(rng: random.Random, choices: Sequence[tuple[str, float]]) -> str:
    pick = rng.random()
    for value, share in choices:
        pick -= share
        if pick < 0:
            return value
    return choices[-1][0]


# --- main.py simulate-police ----------------------------------------------------------------


async def simulate_police(hub: str, username: str, password: str, config: PoliceConfig, *,
                          journal: str | Path = ":memory:", duration: float | None = None,
                          exit_with_parent: bool = False,
                          connect_within: float = 60.0) -> str:
    """Play the 110 center against a hub until SIGTERM/SIGINT, ``duration`` real seconds, or
    (``exit_with_parent``) the end of the process that started this one; returns a summary.

    Raises:
        AuthFailed: the hub refused the account.
        RuntimeError: no link to the hub within ``connect_within`` seconds.
    """
    import os
    import signal

    from console.domain.gazetteer import Gazetteer

    places = [Place(a.zh, a.lat, a.lon) for a in Gazetteer.load()]
    peer = PolicePeer(hub, username, password, journal=journal)
    center = PoliceCenter(peer, config, Taxonomy.load(), places)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, peer.stop)
    running = asyncio.create_task(center.run(duration))
    watch = None
    if exit_with_parent:
        parent = os.getppid()

        async def orphaned() -> None:
            while os.getppid() == parent:
                await asyncio.sleep(1)
            log.info("the process that started the police center has ended; stopping")
            peer.stop()

        watch = asyncio.create_task(orphaned())
    try:
        up = asyncio.create_task(peer.link_up.wait())
        await asyncio.wait({running, up}, timeout=connect_within,
                           return_when=asyncio.FIRST_COMPLETED)
        up.cancel()
        if running.done():
            running.result()  # AuthFailed
        elif not peer.link_up.is_set():
            peer.stop()
            await asyncio.gather(running, return_exceptions=True)
            raise RuntimeError(f"could not log in to {peer.url} within {connect_within:g} s "
                               f"({peer.detail or peer.state})")
        await running
        if not peer.sessions:
            raise RuntimeError(f"could not log in to {peer.url} ({peer.detail or peer.state})")
        return summary(peer.journal)
    finally:
        if watch is not None:
            watch.cancel()
        peer.journal.close()


def summary(journal: Journal) -> str:
    """One line of what the police center did."""
    diverted = journal.cases(direction="diverted")
    escalated = journal.cases(direction="escalated")
    states = [c["state"] for c in escalated]
    pending = len(journal.outbox(pending=True))
    return (f"police: {len(diverted)} cases diverted "
            f"({sum(c['incident'] is not None for c in diverted)} taken as incidents), "
            f"{len(escalated)} escalations received ({states.count('completed')} completed, "
            f"{states.count('rejected')} rejected), {pending} messages not yet acknowledged")
