"""Concurrent writers: the log stays gap-free, and commit order is seq order.

8 threads × 500 commands, each through the one write path in its own transaction, all fighting
for the log head and the day's id counter; meanwhile a reader polls ``seq > last`` the way a hub
fans out. If any transaction could commit a lower seq after a higher one became visible, the
reader would see a gap that later fills in below its cursor.
"""

from __future__ import annotations

import threading

import pytest

from console.store.store import Store
from tests.store.conftest import CONTROLLER, command, new_incident_args

THREADS = 8
PER_THREAD = 500


@pytest.mark.slow
def test_eight_threads_leave_a_gap_free_log_read_in_order(store: Store) -> None:
    errors: list[BaseException] = []
    done = threading.Event()
    seen: list[int] = []
    gaps: list[tuple[int, int]] = []

    def writer(index: int) -> None:
        try:
            mine: list[str] = []
            for n in range(PER_THREAD):
                if n % 2 == 0 or not mine:
                    result = store.execute(command("incident.create", **new_incident_args(
                        description=f"线程 {index} 第 {n} 件")), CONTROLLER)
                    mine.append(str(result.data.get("id")))
                else:
                    result = store.execute(command("incident.note", id=mine[-1],
                                                   text=f"线程 {index} 备注 {n}"), CONTROLLER)
                assert result.ok, result.error
        except BaseException as error:
            errors.append(error)

    def reader() -> None:
        last = 0
        while True:
            finished = done.is_set()
            for logged in store.events_after(last, limit=500):
                if logged.seq != last + 1:
                    gaps.append((last, logged.seq))
                last = logged.seq
                seen.append(last)
            if finished and last >= store.last_seq():
                return

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(THREADS)]
    poller = threading.Thread(target=reader)
    poller.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.set()
    poller.join(timeout=60)
    assert not errors, errors[0]
    total = THREADS * PER_THREAD
    assert gaps == []
    assert seen == list(range(1, total + 1))
    assert [e.seq for e in store.events_after(0, limit=total + 10)] == list(range(1, total + 1))
    assert store.last_seq() == total
    assert store.count("commands") == total
    # Every incident id of the day was handed out once.
    assert store.count("incidents") == THREADS * PER_THREAD // 2
