"""The police center's journal: what it received, what it sends, its cases and plans (SQLite).

A hand-off from the hub is written here and committed before the peer acknowledges it; a repeated
``id`` only counts another delivery (the primary key decides). The police center's own messages
wait in the outbox, in order, until the hub acknowledges or refuses them.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from console.comms import police_wire as w

__all__ = ["Journal", "Outgoing", "Plan", "Received"]


def _stamp(moment: datetime) -> str:
    """A time as the journal stores it: UTC, fixed width, so text order is time order."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


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
