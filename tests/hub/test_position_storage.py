"""Positions through a hub whose storing is slow or broken: frames keep going to consoles, and
every fix reaches the store in the end."""

from __future__ import annotations

import os
import signal
import threading
import time
from datetime import UTC, datetime, timedelta

from console.hub.tracking import Tracker
from tests.hub.conftest import Client, HubThread
from tests.waiting import wait_until


def test_frames_keep_going_while_the_store_is_held_up(hub: HubThread) -> None:
    """Storing waits for a lock held two seconds; the console's frames do not wait with it."""
    console = Client(hub.port)
    console.login("ctl")
    field = Client(hub.port, "/field")
    field.login("gateway")
    field.send({"type": "positions", "units": [["G1", 30.66, 104.10, 90, 1.2]]})
    console.until("positions")
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with hub.store.db.writer.begin() as conn:  # SQLite: BEGIN IMMEDIATE, the write lock
            if hub.store.db.dialect == "postgresql":
                conn.exec_driver_sql("LOCK TABLE units IN EXCLUSIVE MODE")
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    assert held.wait(10)
    frames = 0
    try:
        started = time.monotonic()
        step = 0
        while time.monotonic() - started < 2.0:
            step += 1
            field.send({"type": "positions", "units": [["G1", 30.66 + step / 10_000, 104.10,
                                                        90, 1.2]]})
            try:
                while True:
                    if console.recv(timeout=0.05)["type"] == "positions":
                        frames += 1
            except TimeoutError:
                pass
    finally:
        release.set()
        holder.join(10)
    # Four frames a second at most; the store took nothing for two seconds.
    assert frames >= 5, f"{frames} frames while storing was held up"


def test_a_dead_position_writer_loses_no_fix(hub: HubThread) -> None:
    assert hub.hub is not None and hub.hub.positions is not None
    field = Client(hub.port, "/field")
    field.login("gateway")
    sent: list[float] = []

    def send(count: int) -> None:
        for _ in range(count):
            lat = round(30.66 + len(sent) / 100_000, 6)
            sent.append(lat)
            field.send({"type": "positions", "units": [["G1", lat, 104.10, 90, 1.2]]})

    def stored() -> set[float]:
        with hub.store.db.reader.connect() as conn:
            return {round(lat, 6) for (lat,) in conn.exec_driver_sql(
                "SELECT lat FROM positions WHERE unit_id = 'G1'")}

    send(40)
    wait_until(stored, what="the first writer to store fixes")
    first = hub.hub.positions.pid
    assert first is not None
    os.kill(first, signal.SIGKILL)
    send(40)
    wait_until(lambda: stored() >= set(sent), 15, "every fix sent, none lost with the writer")
    assert hub.hub.positions.pid not in (None, first)  # started again


def test_a_store_that_cannot_keep_up_thins_the_oldest_waiting_fixes(hub: HubThread) -> None:
    """Nothing is flushed: what waits stays bounded, and every unit keeps its newest fix."""
    tracker = Tracker(hub.store, run=None, max_unstored=1_000)
    start = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    for step in range(30):
        tracker.take([(f"U{n}", 30.66 + step / 10_000, 104.1, 0.0, 0.0) for n in range(100)],
                     start + timedelta(seconds=step))
    waiting = tracker.waiting()
    assert len(waiting) <= 1_000
    assert tracker.thinned == 3_000 - len(waiting)
    newest = {unit: at for unit, *_, at in waiting}
    assert newest == {f"U{n}": start + timedelta(seconds=29) for n in range(100)}
    times = [at for unit, *_, at in waiting if unit == "U7"]
    assert times == sorted(times) and len(times) >= 5  # thinned, in order, the latest whole
