"""Positions stored by a child process: every batch in order, a failure reported with how far
it got, a dead child started again, and other writers' moves told apart from its own."""

from __future__ import annotations

import os
import signal
import sqlite3
import statistics
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from console.domain.rules import Rules
from console.store.position_writer import PositionsNotStored, PositionWriter
from console.store.store import Store
from tests.store.conftest import ADMIN, Clock, command
from tests.waiting import wait_until


@pytest.fixture
def writer(store: Store) -> Iterator[PositionWriter]:
    w = PositionWriter(store.db.url, slice_rows=3)
    yield w
    w.close()


def register(store: Store, *units: str) -> None:
    results, _ = store.execute_batch([
        (command("unit.register", id=u, name=f"巡逻 {u}", type="patrol", status="available"),
         ADMIN) for u in units])
    assert all(r.ok for r in results)


def fixes(unit: str, start: datetime, count: int) -> list[tuple[str, float, float, float, float,
                                                           datetime]]:
    return [(unit, 30.66 + i / 10_000, 104.10, 90.0, 1.5, start + timedelta(seconds=i))
            for i in range(count)]


def wait_until_dead(pid: int) -> None:
    """Until the process is a zombie: killed, not yet reaped by its parent (the writer)."""
    wait_until(lambda: Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z",
               what=f"process {pid} to die")


def latest_lat(store: Store, unit: str) -> float:
    with store.db.reader.connect() as conn:
        return float(conn.exec_driver_sql(f"SELECT lat FROM units WHERE id = '{unit}'")
                     .scalar_one())


def test_a_batch_is_stored_whole_in_slices(store: Store, writer: PositionWriter,
                                          clock: Clock) -> None:
    register(store, "P1", "P2")
    batch = fixes("P1", clock.now, 7) + fixes("P2", clock.now, 2)
    assert writer.append(batch) == 9  # slices of 3, 3, 3
    assert store.count("positions") == 9
    assert latest_lat(store, "P1") == pytest.approx(30.6606)
    track = store.positions.track("P1", clock.now, clock.now + timedelta(minutes=1))
    assert [(f.unit, f.lat, f.at) for f in track] == [(u, lat, at)
                                                      for u, lat, _, _, _, at in batch[:7]]


def test_a_failure_says_how_many_were_stored_and_the_rest_is_not(
        store: Store, writer: PositionWriter, clock: Clock) -> None:
    register(store, "P1")
    batch: list[tuple[object, ...]] = list(fixes("P1", clock.now, 7))
    batch[4] = ("P1", 30.7, 104.1, 0.0, 0.0, None)  # no time: the second slice fails
    with pytest.raises(PositionsNotStored) as failed:
        writer.append(batch)  # type: ignore[arg-type]
    assert failed.value.stored == 3
    assert store.count("positions") == 3
    # The writer goes on: the rest, sent again, is stored after the first three.
    assert writer.append(fixes("P1", clock.now + timedelta(seconds=3), 4)) == 4
    assert store.count("positions") == 7


def test_a_child_that_died_is_started_again(store: Store, writer: PositionWriter,
                                           clock: Clock) -> None:
    register(store, "P1")
    assert writer.append(fixes("P1", clock.now, 2)) == 2
    first = writer.pid
    assert first is not None
    os.kill(first, signal.SIGKILL)
    wait_until_dead(first)
    assert writer.append(fixes("P1", clock.now + timedelta(seconds=2), 2)) == 2
    assert writer.pid not in (None, first)
    assert store.count("positions") == 4


def test_a_batch_in_flight_when_the_child_dies_is_reported_unstored(
        store: Store, writer: PositionWriter, clock: Clock) -> None:
    register(store, "P1")
    writer.start()
    pid = writer.pid
    assert pid is not None
    big = fixes("P1", clock.now, 30_000)  # 10,000 slices of 3: seconds of work
    errors: list[BaseException] = []

    def append() -> None:
        try:
            writer.append(big)
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=append)
    thread.start()
    wait_until(lambda: store.count("positions") > 0, 30, "the writer to be storing")
    os.kill(pid, signal.SIGKILL)
    thread.join(30)
    assert len(errors) == 1 and isinstance(errors[0], PositionsNotStored)
    # What the child had not confirmed counts as not stored: sending it again keeps every fix.
    assert errors[0].stored == 0
    assert 0 < store.count("positions") < len(big)


def test_moved_since_leaves_out_what_this_writer_stored(store: Store, clock: Clock) -> None:
    register(store, "P1", "P2", "P3")
    ours, theirs = PositionWriter(store.db.url), PositionWriter(store.db.url)
    try:
        ours.append(fixes("P1", clock.now, 2))
        theirs.append(fixes("P2", clock.now, 3))
        since = clock.now - timedelta(minutes=1)
        rows, newest = ours.moved_since(since)
        assert [(r[0], r[6]) for r in rows] == [("P2", clock.now + timedelta(seconds=2))]
        assert rows[0][5] == "available"
        assert newest == clock.now + timedelta(seconds=2)
        assert [r[0] for r in theirs.moved_since(since)[0]] == ["P1"]
        # A later move of ours by the other writer is theirs again.
        theirs.append(fixes("P1", clock.now + timedelta(seconds=5), 1))
        assert sorted(r[0] for r in ours.moved_since(since)[0]) == ["P1", "P2"]
        # The store itself sees everyone's.
        everyone, _ = store.positions.moved_since(since)
        assert sorted(r[0] for r in everyone) == ["P1", "P2"]
        assert store.positions.moved_since(clock.now + timedelta(hours=1)) == ([], None)
    finally:
        ours.close()
        theirs.close()


@pytest.mark.timing
def test_a_sqlite_writer_gets_the_lock_as_soon_as_it_is_free(tmp_path: Path,
                                                             rules: Rules) -> None:
    """SQLite's own busy handler looks again after 1, 2, 5, 10, 15, 20, 25 ms…; the store's
    writers look every half millisecond, so a command waits for the lock, not for its next
    look. The holds end just after the busy handler's looks (at 8, 18, 33 and 53 ms)."""
    path = tmp_path / "lock.db"
    store = Store(f"sqlite:///{path}", rules)
    late: list[float] = []
    try:
        for hold in (0.009, 0.019, 0.034, 0.054, 0.010, 0.020, 0.035):
            holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            holder.execute("BEGIN IMMEDIATE")
            released: list[float] = []

            def release(conn: sqlite3.Connection = holder, seconds: float = hold,
                        at: list[float] = released) -> None:
                time.sleep(seconds)  # the point: another connection holds the lock this long
                at.append(time.monotonic())
                conn.execute("COMMIT")

            thread = threading.Thread(target=release)
            thread.start()
            with store.db.writer.begin():
                got = time.monotonic()
            thread.join()
            holder.close()
            late.append(got - released[0])
    finally:
        store.close()
    assert statistics.median(late) < 0.004, f"lock taken late by {late}"
