"""The audit trail: appended in order from many threads, read back by filter, and a row edited,
removed or added by hand is found by ``verify``."""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert, update

from console.store import schema as s
from console.store.audit import GENESIS, AuditEntry
from console.store.store import Store

T0 = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


def fill(store: Store, count: int = 5) -> None:
    for i in range(count):
        store.audit.append(AuditEntry("login.failed", f"user{i % 2}", address=f"10.0.0.{i}",
                                      client="console/test", detail={"n": i, "名": "张三"}),
                           at=T0 + timedelta(minutes=i))


def test_rows_chain_and_read_back_by_filter(store: Store) -> None:
    fill(store)
    rows = store.audit.rows()
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))
    assert rows[2].entry == AuditEntry("login.failed", "user0", None, {"n": 2, "名": "张三"},
                                       "10.0.0.2", "console/test")
    assert rows[2].at == T0 + timedelta(minutes=2)
    assert [r.seq for r in store.audit.rows(actor="user1")] == [2, 4]
    assert [r.seq for r in store.audit.rows(since=T0 + timedelta(minutes=3))] == [4, 5]
    assert [r.seq for r in store.audit.rows(action="login.")] == [1, 2, 3, 4, 5]
    assert store.audit.rows(action="login%") == []  # a prefix, not a pattern
    assert [r.seq for r in store.audit.rows(newest_first=True, limit=2)] == [5, 4]
    verified = store.audit.verify(chunk=2)
    assert verified.ok and verified.rows == 5 and verified.head == rows[-1].hash


def test_appends_from_many_threads_make_one_unbroken_chain(store: Store) -> None:
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: store.audit.append(AuditEntry("token.used", f"u{i}"), at=T0),
                      range(80)))
    assert [r.seq for r in store.audit.rows()] == list(range(1, 81))
    assert store.audit.verify().ok


def test_verify_finds_a_row_edited_removed_or_added_by_hand(store: Store) -> None:
    fill(store)
    assert store.audit.verify().ok
    with store.db.writer.begin() as conn:
        conn.execute(update(s.audit).where(s.audit.c.seq == 3).values(address="10.9.9.9"))
    found = store.audit.verify()
    assert (found.broken_at, found.why) == (3, "its contents do not match its hash")
    assert found.rows == 3

    with store.db.writer.begin() as conn:  # put it back, then remove the row after it
        conn.execute(update(s.audit).where(s.audit.c.seq == 3).values(address="10.0.0.2"))
    assert store.audit.verify().ok
    with store.db.writer.begin() as conn:
        conn.execute(delete(s.audit).where(s.audit.c.seq == 4))
    found = store.audit.verify()
    assert (found.broken_at, found.why) == (5, "row 4 is missing")

    with store.db.writer.begin() as conn:  # a forged row 4 that does not follow row 3
        conn.execute(insert(s.audit).values(
            seq=4, at=T0, actor="x", action="login.ok", subject=None, detail={}, address=None,
            client=None, prev_hash=GENESIS, hash=GENESIS))
    found = store.audit.verify()
    assert (found.broken_at, found.why) == (4, "does not follow the row before it")
