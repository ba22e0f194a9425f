"""Commands and queries waiting for the hub's answer, and the answers read from the wire.

This is the hub client's bookkeeping without the network: which commands were sent (and on
which connection), which must go again after a hub's ``unavailable``, which ran out of time, and
the futures their callers hold. :class:`PendingTable` is shared between the caller's threads
(which register) and the client's loop (which sends, answers and expires), so it keeps its own
lock; it starts no timer and writes no frame — the loop does both, with what the table returns.
Once :meth:`PendingTable.close` has run, nothing more is registered and everything still waiting
is answered: a registered command always gets its result.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import uuid
from collections.abc import Mapping
from concurrent.futures import Future, InvalidStateError
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, NamedTuple, Protocol

from console.comms import protocol as p

log = logging.getLogger(__name__)

OFFLINE_MESSAGE: Final = "Not connected to the hub; the command was not sent."


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


def named_events(message: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A ``timeline`` answer's events, each with ``actor_name``: the display name the hub gave
    for its actor (absent when the hub gave none, as an older hub does)."""
    names = message.get("names")
    names = names if isinstance(names, Mapping) else {}
    events: list[dict[str, Any]] = []
    for event in message.get("events") or []:
        if not isinstance(event, Mapping):
            continue
        event = dict(event)
        name = names.get(event.get("actor"))
        if isinstance(name, str) and name:
            event["actor_name"] = name
        events.append(event)
    return events


def track_points(message: Mapping[str, Any]) -> list[TrackPoint]:
    """The points of a ``track`` answer, oldest first."""
    return [TrackPoint(float(lat), float(lon), float(heading), float(speed),
                       datetime.fromisoformat(at))
            for lat, lon, heading, speed, at in message.get("points") or []]


class Cancellable(Protocol):
    def cancel(self) -> None: ...


@dataclass(eq=False)
class Pending:
    """A command sent (or about to be) and not answered yet."""

    id: str
    frame: str
    future: Future[CommandResult]
    timeout: float
    sent_on: int | None = None  # the number of the connection it was last written to
    timer: Cancellable | None = None  # its expiry, started by the loop

    @classmethod
    def command(cls, name: str, args: Mapping[str, Any], expected_version: int | None,
                timeout: float) -> Pending:
        """A new command with a fresh id, its frame encoded.

        Raises:
            TypeError, ValueError: if ``args`` cannot be encoded as JSON.
        """
        command_id = str(uuid.uuid4())
        message: dict[str, Any] = {"type": "command", "id": command_id, "name": name,
                                   "args": dict(args)}
        if expected_version is not None:
            message["expected_version"] = expected_version
        return cls(command_id, p.encode(message), Future(), timeout)


class PendingTable:
    """The commands and read-only queries waiting for an answer."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._commands: dict[str, Pending] = {}
        self._queries: dict[str, Future[Any]] = {}
        #: Queries a refusal (an ``error`` naming them in ``ref``) answers, with that error.
        self._refusable: set[str] = set()
        self.closed = False

    def __len__(self) -> int:
        """How many commands wait for their result."""
        with self._lock:
            return len(self._commands)

    # -- commands ------------------------------------------------------------------------------

    def add(self, pending: Pending) -> bool:
        """Register a command; False (and nothing registered) once the table is closed."""
        with self._lock:
            if self.closed:
                return False
            self._commands[pending.id] = pending
            return True

    def mark_sent(self, pending: Pending, connection: int) -> bool:
        """Note that ``pending`` goes out on ``connection``; False if it was answered or expired
        meanwhile (then it must not be sent)."""
        with self._lock:
            if self._commands.get(pending.id) is not pending:
                return False
            pending.sent_on = connection
            return True

    def unsent_on(self, connection: int) -> list[Pending]:
        """The commands not yet written to ``connection`` (sent on an earlier one, or held
        after ``unavailable``): after a sync they go again, with their ids."""
        with self._lock:
            return [c for c in self._commands.values() if c.sent_on != connection]

    def on_result(self, message: Mapping[str, Any]) -> Pending | None:
        """Answer the command a ``result`` message is for.

        Returns the command when the hub answered ``unavailable`` (it could not reach its
        database, or is shutting down): the protocol says to send it again with the same id,
        which the caller does after a pause or after the next sync. Otherwise None.
        """
        result = CommandResult.from_wire(message)
        with self._lock:
            pending = self._commands.get(result.id)
            if pending is None:
                log.debug("result for %s, which no longer waits", result.id)
                return None
            if result.code == "unavailable":
                log.info("the hub could not take command %s now (%s); sending it again",
                         result.id, result.message)
                pending.sent_on = None
                return pending
            del self._commands[result.id]
        self._finish(pending, result)
        return None

    def on_error(self, ref: object, code: str, text: str) -> bool:
        """Fail the command an ``error`` names in ``ref`` (the codec refused the command
        itself); False if it names none that waits."""
        with self._lock:
            pending = self._commands.pop(ref, None) if isinstance(ref, str) else None
        if pending is None:
            return False
        self._finish(pending, CommandResult.failure(pending.id, code, text))
        return True

    def expire(self, pending: Pending) -> None:
        """``pending`` ran out of time (if it still waits): ``timeout``."""
        with self._lock:
            if self._commands.get(pending.id) is not pending:
                return
            del self._commands[pending.id]
        self._finish(pending, CommandResult.failure(
            pending.id, "timeout", f"The hub did not answer within {pending.timeout:g} s; the "
            "command may or may not have been applied."))

    # -- queries -------------------------------------------------------------------------------

    def add_query(self, request_id: str, refusable: bool = False) -> Future[Any] | None:
        """Register a read-only request; None once the table is closed. A ``refusable`` one
        is answered by an ``error`` naming it (:meth:`refuse_query`) with that error."""
        future: Future[Any] = Future()
        with self._lock:
            if self.closed:
                return None
            self._queries[request_id] = future
            if refusable:
                self._refusable.add(request_id)
        return future

    def refuse_query(self, ref: object, message: Mapping[str, Any]) -> bool:
        """Answer the refusable query an ``error`` names with the error itself; False if it
        names none."""
        with self._lock:
            if not isinstance(ref, str) or ref not in self._refusable:
                return False
            self._refusable.discard(ref)
            future = self._queries.pop(ref, None)
        if future is not None and not future.done():
            future.set_result(dict(message))
        return True

    def answer(self, request_id: str, answer: Any) -> None:
        """Resolve a query (None: not answered in time, or not sent); later answers are
        ignored."""
        with self._lock:
            future = self._queries.pop(request_id, None)
            self._refusable.discard(request_id)
        if future is not None and not future.done():
            future.set_result(answer)

    # -- the end -------------------------------------------------------------------------------

    def close(self, reason: str) -> None:
        """Register nothing more; fail every command (``stopped``, with ``reason``) and leave
        every query unanswered (None)."""
        with self._lock:
            self.closed = True
            commands = list(self._commands.values())
            self._commands.clear()
            queries = list(self._queries.values())
            self._queries.clear()
            self._refusable.clear()
        for query in queries:
            if not query.done():
                query.set_result(None)
        for pending in commands:
            self._finish(pending, CommandResult.failure(pending.id, "stopped", reason))

    @staticmethod
    def _finish(pending: Pending, result: CommandResult) -> None:
        if pending.timer is not None:
            pending.timer.cancel()
        with contextlib.suppress(InvalidStateError):  # the caller cancelled it
            pending.future.set_result(result)
