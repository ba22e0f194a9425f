"""Change sets cut into pieces and put together again, merged, and the pipe's messages read
without blocking."""

from __future__ import annotations

import os
import pickle
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection

from console.comms import pieces as pc
from console.comms.pieces import Assembly, FrameReader, merged
from console.comms.replica import ChangeSet
from console.domain.model import Event
from console.domain.units import Position

AT = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


def position(n: int) -> Position:
    return Position(30.0 + n / 1e4, 104.0, float(n % 360), 1.5, AT + timedelta(seconds=n))


def big_change() -> ChangeSet:
    return ChangeSet(
        seq=42, reset=True,
        incidents={f"CH-{n}": ("incident", n) for n in range(1000)},  # type: ignore[misc]
        deadlines={f"CH-{n}": None for n in range(1000)},
        units={f"U{n}": ("unit", n) for n in range(2500)},  # type: ignore[misc]
        positions={f"U{n}": position(n) for n in range(12_000)},
        cameras=({"id": "C1"},), taxonomy=({"code": "env"},),
        events=tuple((n, Event("incident.noted", AT, "ctl", {"n": n})) for n in range(600)),
        police_links={}, major_incidents={}, warnings={})


def through_the_pipe(change: ChangeSet) -> tuple[ChangeSet | None, int]:
    assembly, made, count = Assembly(), None, 0
    for piece in pc.pieces(change):
        count += 1
        assert made is None, "the change set is whole only after its last piece"
        made = assembly.add(pickle.loads(pickle.dumps(piece, pickle.HIGHEST_PROTOCOL)))
    return made, count


def test_a_change_set_goes_in_bounded_pieces_and_comes_back_whole() -> None:
    change = big_change()
    made, count = through_the_pipe(change)
    assert made == change
    assert count == 1000 // pc.INCIDENTS_PER_PIECE + 3 + 3 + 600 // pc.EVENTS_PER_PIECE + 1 + 1
    assert all(type(p) is Position for p in made.positions.values())
    # A small one is one message, and the next starts afresh.
    small = ChangeSet(seq=43, positions={"U1": position(1)})
    assert through_the_pipe(small) == (small, 2)
    assert through_the_pipe(ChangeSet(seq=44)) == (ChangeSet(seq=44), 1)


def test_merging_keeps_the_later_state_of_each_thing_and_every_event() -> None:
    e1, e2 = (1, Event("a", AT, "x", {})), (2, Event("b", AT, "x", {}))
    first = ChangeSet(seq=1, incidents={"A": 1, "B": 1}, positions={"U": position(1)},  # type: ignore[dict-item]
                      events=(e1,), warnings={})
    second = ChangeSet(seq=2, incidents={"B": 2}, positions={"U": position(2)},  # type: ignore[dict-item]
                       events=(e2,), cameras=({"id": "C"},))
    both = merged(first, second)
    assert (both.seq, dict(both.incidents), both.positions["U"], both.events) == (
        2, {"A": 1, "B": 2}, position(2), (e1, e2))
    assert both.warnings == {} and both.cameras == ({"id": "C"},) and not both.reset
    # A reset after: the whole state is the later one; before: still a reset.
    reset = ChangeSet(seq=3, reset=True, incidents={"C": 3})  # type: ignore[dict-item]
    assert merged(first, reset) == ChangeSet(seq=3, reset=True, incidents={"C": 3},  # type: ignore[dict-item]
                                             events=(e1,))
    after = merged(reset, second)
    assert after.reset and dict(after.incidents) == {"C": 3, "B": 2} and after.seq == 3


def test_the_reader_returns_complete_messages_and_keeps_the_rest() -> None:
    read_fd, write_fd = os.pipe()
    writer = Connection(write_fd, readable=False)
    reader = FrameReader(read_fd, chunk=1000)
    try:
        assert reader.read() == [] and not reader.eof  # nothing there: no waiting
        writer.send_bytes(b"one")
        writer.send_bytes(b"x" * 30_000)  # header and body in separate writes
        os.write(write_fd, (5).to_bytes(4, "big") + b"ab")  # half a message
        assert reader.read() == [b"one", b"x" * 30_000]
        os.write(write_fd, b"cde")
        assert reader.read() == [b"abcde"]
    finally:
        writer.close()
    assert reader.read() == [] and reader.eof
    os.close(read_fd)
