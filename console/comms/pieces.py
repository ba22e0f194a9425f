"""Change sets in pieces, for the pipe between the client's process and the console's.

The console's GUI thread reads what the client process sends and must never be held long by
one message: a snapshot's change set (100,000 incidents) takes seconds to unpickle. So a change
set goes as several messages — :func:`pieces` cuts its large parts (incidents with their
deadlines, units, positions, events) into chunks of a bounded number of items, then a last
message with the rest — and :class:`Assembly` puts them together again, one message at a time.
Positions travel as plain rows (pickled in C; a ``Position`` is rebuilt with ``tuple.__new__``).

:func:`merged` folds two change sets into one, as if the state had been taken once, later: the
client process merges those the console has not read yet, so a console that falls behind gets
fewer, larger change sets instead of a growing queue.

:class:`FrameReader` reads the messages of a ``multiprocessing.connection`` pipe without
blocking: what is there now, complete messages out, the rest kept for the next read.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator, Mapping
from dataclasses import replace
from itertools import islice, repeat
from typing import Any, Final

from console.comms.replica import ChangeSet
from console.domain.units import Position

#: Items per piece, so that each unpickles in a few milliseconds of the GUI thread (an incident
#: with its deadline is the costliest item).
INCIDENTS_PER_PIECE: Final = 250
UNITS_PER_PIECE: Final = 1000
POSITIONS_PER_PIECE: Final = 5000
EVENTS_PER_PIECE: Final = 250

PIECE: Final = "piece"
CHANGE: Final = "change"


def _chunks(mapping: Mapping[str, Any], size: int) -> Iterator[dict[str, Any]]:
    items = iter(mapping.items())
    while chunk := dict(islice(items, size)):
        yield chunk


def pieces(change: ChangeSet) -> Iterator[tuple[Any, ...]]:
    """The messages that carry ``change``: ``(PIECE, part, …)`` tuples, then ``(CHANGE,
    fields)`` with every other field of it."""
    for chunk in _chunks(change.incidents, INCIDENTS_PER_PIECE):
        yield PIECE, "incidents", chunk, {i: change.deadlines.get(i) for i in chunk}
    for chunk in _chunks(change.units, UNITS_PER_PIECE):
        yield PIECE, "units", chunk
    for chunk in _chunks(change.positions, POSITIONS_PER_PIECE):
        yield PIECE, "positions", tuple(chunk), [tuple(p) for p in chunk.values()]
    events = change.events
    for start in range(0, len(events), EVENTS_PER_PIECE):
        yield PIECE, "events", events[start:start + EVENTS_PER_PIECE]
    yield CHANGE, {"seq": change.seq, "reset": change.reset, "cameras": change.cameras,
                   "taxonomy": change.taxonomy, "police_links": change.police_links,
                   "major_incidents": change.major_incidents, "warnings": change.warnings}


class Assembly:
    """The pieces of one change set read so far."""

    def __init__(self) -> None:
        self._clear()

    def _clear(self) -> None:
        self.incidents: dict[str, Any] = {}
        self.deadlines: dict[str, Any] = {}
        self.units: dict[str, Any] = {}
        self.positions: dict[str, Position] = {}
        self.events: list[Any] = []

    def add(self, message: tuple[Any, ...]) -> ChangeSet | None:
        """Take one message of :func:`pieces`; the whole change set after its last one."""
        if message[0] == CHANGE:
            change = ChangeSet(incidents=self.incidents, deadlines=self.deadlines,
                               units=self.units, positions=self.positions,
                               events=tuple(self.events), **message[1])
            self._clear()
            return change
        part = message[1]
        if part == "incidents":
            self.incidents.update(message[2])
            self.deadlines.update(message[3])
        elif part == "units":
            self.units.update(message[2])
        elif part == "positions":  # rebuilt in C: map over tuple.__new__, no Python loop
            self.positions.update(zip(message[2], map(tuple.__new__, repeat(Position),
                                                      message[3]), strict=True))
        elif part == "events":
            self.events.extend(message[2])
        return None


def merged(earlier: ChangeSet, later: ChangeSet) -> ChangeSet:
    """One change set for two in a row: the later state of each thing, the events of both."""
    events = earlier.events + later.events
    if later.reset:
        return replace(later, events=events)
    return ChangeSet(
        seq=max(earlier.seq, later.seq), reset=earlier.reset,
        incidents={**earlier.incidents, **later.incidents},
        deadlines={**earlier.deadlines, **later.deadlines},
        units={**earlier.units, **later.units},
        positions={**earlier.positions, **later.positions},
        cameras=later.cameras if later.cameras is not None else earlier.cameras,
        taxonomy=later.taxonomy if later.taxonomy is not None else earlier.taxonomy,
        events=events,
        police_links=later.police_links if later.police_links is not None
        else earlier.police_links,
        major_incidents=later.major_incidents if later.major_incidents is not None
        else earlier.major_incidents,
        warnings=later.warnings if later.warnings is not None else earlier.warnings)


#: multiprocessing.connection's framing: a signed 4-byte length (-1: an 8-byte one follows).
HEADER: Final = struct.Struct("!i")
_LONG_HEADER = struct.Struct("!Q")


class FrameReader:
    """Reads ``multiprocessing.connection`` messages from a non-blocking descriptor.

    Args:
        fd: the read end of a pipe; it is made non-blocking.
        chunk: the most read in one system call.
    """

    def __init__(self, fd: int, chunk: int = 1 << 20) -> None:
        os.set_blocking(fd, False)
        self.fd = fd
        self._chunk = chunk
        self._buffer = bytearray()
        self.eof = False

    def read(self, limit: int = 8 << 20) -> list[bytes]:
        """The messages complete after reading what the pipe holds now (at most about
        ``limit`` bytes); sets :attr:`eof` when the writer has closed its end."""
        got = 0
        while got < limit:
            try:
                data = os.read(self.fd, self._chunk)
            except BlockingIOError:
                break
            if not data:
                self.eof = True
                break
            self._buffer += data
            got += len(data)
        return self._messages()

    def _messages(self) -> list[bytes]:
        buffer, start, out = self._buffer, 0, []
        view = memoryview(buffer)
        try:
            while len(buffer) - start >= HEADER.size:
                (size,) = HEADER.unpack_from(buffer, start)
                header = HEADER.size
                if size == -1:  # over 2 GiB: an 8-byte length follows
                    if len(buffer) - start < header + _LONG_HEADER.size:
                        break
                    (size,) = _LONG_HEADER.unpack_from(buffer, start + header)
                    header += _LONG_HEADER.size
                if len(buffer) - start < header + size:
                    break
                out.append(bytes(view[start + header:start + header + size]))
                start += header + size
        finally:
            view.release()
        if start:
            del buffer[:start]
        return out
