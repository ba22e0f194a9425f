"""Track history that lasts a year (console/store/tracks.py): day partitions on PostgreSQL,
dropped whole when they are older than the retention; a pruned table on SQLite; the migration
that partitions an existing history keeps its rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from alembic import command as alembic
from sqlalchemy import text

from console.domain.rules import Rules
from console.store import tracks
from console.store.db import alembic_config
from console.store.positions import PositionFix
from console.store.store import Store
from tests.store.conftest import Clock

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def fixes_on(days: int, per_day: int = 3, unit: str = "P1") -> list[PositionFix]:
    """``per_day`` fixes on each of ``days`` days from START, at noon and after."""
    return [PositionFix(unit, 30.66 + d * 0.001, 104.09, 0.0, 1.0,
                        START + timedelta(days=d, minutes=n))
            for d in range(days) for n in range(per_day)]


def partition_counts(store: Store) -> dict[str, int]:
    with store.db.reader.connect() as conn:
        rows = conn.execute(text("SELECT tableoid::regclass::text, count(*) FROM positions "
                                 "GROUP BY 1"))
        return {name: count for name, count in rows}


@pytest.fixture
def pg_store(pg_db_url: str, rules: Rules, clock: Clock) -> Iterator[Store]:
    s = Store(pg_db_url, rules, clock=clock)
    yield s
    s.close()


def test_fixes_land_in_the_partition_of_their_utc_day(pg_store: Store) -> None:
    # The last second of 3 March in UTC (8 in the morning of the 4th in Chengdu).
    late = PositionFix("P1", 30.0, 104.0, 0.0, 0.0, datetime(2026, 3, 3, 23, 59, 59, tzinfo=UTC))
    assert pg_store.positions.append([*fixes_on(3), late]) == 10
    assert partition_counts(pg_store) == {"positions_20260301": 3, "positions_20260302": 3,
                                          "positions_20260303": 4}
    with pg_store.db.reader.connect() as conn:
        kind = conn.execute(text("SELECT relkind FROM pg_class WHERE relname = 'positions'"))
        assert kind.scalar_one() == "p"  # the parent holds no rows of its own
    # Reads see across the days as before.
    track = pg_store.positions.track("P1", START, START + timedelta(days=3))
    assert len(track) == 10 and track[-1] == late


def test_retention_drops_whole_old_days_and_makes_the_days_ahead(pg_store: Store) -> None:
    pg_store.positions.append(fixes_on(5))  # 1 … 5 March
    # On 8 March with three days kept, the days wholly before 5 March 12:00 go.
    now = datetime(2026, 3, 8, 12, 0, tzinfo=UTC)
    done = tracks.maintain(pg_store.db, now, keep_days=3, days_ahead=2)
    assert done.dropped == [date(2026, 3, d) for d in (1, 2, 3, 4)]
    assert done.created == [date(2026, 3, d) for d in (8, 9, 10)]
    assert done.busy == [] and done.deleted == 0
    assert partition_counts(pg_store) == {"positions_20260305": 3}
    with pg_store.db.reader.connect() as conn:
        days = tracks.partition_days(conn)
    assert date(2026, 3, 4) not in days
    assert {date(2026, 3, d) for d in (5, 8, 9, 10)} <= set(days)
    # Again: nothing left to do.
    again = tracks.maintain(pg_store.db, now, keep_days=3, days_ahead=2)
    assert (again.dropped, again.created) == ([], [])
    # A fix for a day dropped meanwhile (its writer still thinks the day is there): the batch
    # fails, and its next try (the caller sends it again) makes the day again.
    with pytest.raises(Exception, match="no partition"):
        pg_store.positions.append(fixes_on(1))
    assert pg_store.positions.append(fixes_on(1)) == 3
    assert partition_counts(pg_store)["positions_20260301"] == 3


def test_a_drop_that_would_wait_on_a_long_read_gives_up_until_the_next_time(
        pg_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tracks, "DROP_LOCK_TIMEOUT", "100ms")
    pg_store.positions.append(fixes_on(2))
    now = datetime(2026, 3, 10, tzinfo=UTC)
    with pg_store.db.reader.connect() as reading:
        reading.execute(text("BEGIN"))
        reading.execute(text("SELECT count(*) FROM positions_20260301")).scalar_one()
        done = tracks.maintain(pg_store.db, now, keep_days=3)
        reading.rollback()
    assert date(2026, 3, 1) in done.busy and date(2026, 3, 1) not in done.dropped
    assert tracks.maintain(pg_store.db, now, keep_days=3).dropped == [date(2026, 3, 1)]


def test_sqlite_prunes_the_fixes_older_than_the_retention(
        tmp_path_factory: pytest.TempPathFactory, rules: Rules, clock: Clock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tracks, "PRUNE_SLICE", 4)  # several slices
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('db') / 'store.db'}", rules,
                  clock=clock)
    try:
        store.positions.append(fixes_on(5, per_day=5))
        now = datetime(2026, 3, 8, 12, 0, tzinfo=UTC)
        done = tracks.maintain(store.db, now, keep_days=4)  # before 4 March 12:00 goes
        assert done.deleted == 15 and done.dropped == []
        kept = store.positions.track("P1", START - timedelta(days=1), now)
        assert [f.at.date() for f in kept] == [date(2026, 3, 4)] * 5 + [date(2026, 3, 5)] * 5
        assert tracks.maintain(store.db, now, keep_days=4).deleted == 0
    finally:
        store.close()


def test_retention_must_keep_at_least_a_day(store: Store) -> None:
    with pytest.raises(ValueError, match="at least one day"):
        tracks.maintain(store.db, START, keep_days=0)


def test_storage_counts_fixes_and_their_bytes(store: Store) -> None:
    assert tracks.storage(store.db).bytes_per_fix is None
    store.positions.append(fixes_on(2, per_day=500))
    size = tracks.storage(store.db)
    assert size.fixes == 1000
    assert size.bytes_per_fix is not None and 20 < size.bytes_per_fix < 1000


def test_the_migration_partitions_an_existing_history_keeping_its_rows(pg_db_url: str,
                                                                       rules: Rules) -> None:
    store = Store(pg_db_url, rules)
    try:
        config = alembic_config(pg_db_url)
        with store.db.writer.begin() as conn:
            config.attributes["connection"] = conn
            alembic.downgrade(config, "0008")
        with store.db.writer.begin() as conn:
            assert conn.execute(text("SELECT relkind FROM pg_class "
                                     "WHERE relname = 'positions'")).scalar_one() == "r"
            conn.execute(text(
                "INSERT INTO positions (unit_id, at, lat, lon, heading, speed) "
                "SELECT 'U' || (n % 7), timestamptz '2026-01-10 22:00+00' + n * interval "
                "'1 minute', 30.6, 104.1, 0, 1 FROM generate_series(0, 299) AS n"))
        with store.db.writer.begin() as conn:
            config.attributes["connection"] = conn
            alembic.upgrade(config, "head")
        counts = partition_counts(store)
        # 22:00 on 10 January plus 300 minutes: 120 fixes that day, 180 the next.
        assert counts == {"positions_20260110": 120, "positions_20260111": 180}
        with store.db.reader.connect() as conn:
            assert conn.execute(text("SELECT to_regclass('positions_unpartitioned')")
                                ).scalar() is None
            assert conn.execute(text(
                "SELECT count(*) FROM positions WHERE unit_id = 'U3'")).scalar_one() == 43
    finally:
        store.close()
