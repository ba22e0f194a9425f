"""Positions in batches: the track history keeps every fix, the unit keeps its latest."""

from __future__ import annotations

from datetime import timedelta

from console.store.positions import PositionFix
from console.store.store import Store
from tests.store.conftest import ADMIN, Clock, command


def register(store: Store, *units: str) -> None:
    results, _ = store.execute_batch([
        (command("unit.register", id=u, name=f"巡逻 {u}", type="patrol", status="available"),
         ADMIN) for u in units])
    assert all(r.ok for r in results)


def test_a_batch_keeps_every_fix_and_moves_each_unit_to_its_latest(store: Store,
                                                                  clock: Clock) -> None:
    register(store, "P1", "P2")
    t0 = clock.now
    fixes = [
        PositionFix("P1", 30.661, 104.091, 90.0, 1.4, t0),
        PositionFix("P1", 30.662, 104.092, 95.0, 1.5, t0 + timedelta(seconds=10)),
        PositionFix("P2", 30.671, 104.101, 180.0, 4.0, t0 + timedelta(seconds=5)),
        PositionFix("GHOST", 30.0, 104.0, 0.0, 0.0, t0),  # not a registered unit
    ]
    assert store.positions.append(fixes) == 4
    assert store.count("positions") == 4
    p1 = store.db.reader.connect()
    try:
        row = p1.exec_driver_sql(
            "SELECT lat, lon, heading, speed FROM units WHERE id = 'P1'").one()
    finally:
        p1.close()
    assert tuple(row) == (30.662, 104.092, 95.0, 1.5)
    track = store.positions.track("P1", t0, t0 + timedelta(minutes=1))
    assert [f.at for f in track] == [t0, t0 + timedelta(seconds=10)]
    assert track[1] == fixes[1]


def test_a_late_fix_never_moves_a_unit_back(store: Store, clock: Clock) -> None:
    register(store, "P1")
    now = clock.now
    store.positions.append([PositionFix("P1", 30.665, 104.095, 0.0, 1.0, now)])
    store.positions.append([PositionFix("P1", 30.600, 104.000, 0.0, 1.0,
                                        now - timedelta(seconds=30))])
    with store.db.reader.connect() as conn:
        lat = conn.exec_driver_sql("SELECT lat FROM units WHERE id = 'P1'").scalar_one()
    assert lat == 30.665
    # Still kept in the history, in time order.
    assert [f.lat for f in store.positions.track("P1", now - timedelta(minutes=1), now)] == [
        30.600, 30.665]


def test_unit_state_writes_never_touch_the_position(store: Store, clock: Clock) -> None:
    register(store, "P1")
    store.positions.append([PositionFix("P1", 30.665, 104.095, 10.0, 1.0, clock.now)])
    assert store.execute(command("unit.set_status", id="P1", status="busy"), ADMIN).ok
    with store.db.reader.connect() as conn:
        status, lat = conn.exec_driver_sql("SELECT status, lat FROM units WHERE id = 'P1'").one()
    assert (status, lat) == ("busy", 30.665)


def test_prune_forgets_the_fixes_older_than_the_retention_and_keeps_the_units(
        store: Store, clock: Clock) -> None:
    register(store, "P1")
    t0 = clock.now
    store.positions.append([PositionFix("P1", 30.661, 104.091, 90.0, 1.4, t0),
                            PositionFix("P1", 30.662, 104.092, 90.0, 1.4,
                                        t0 + timedelta(days=2))])
    assert store.positions.prune(t0 + timedelta(days=1)) == 1
    track = store.positions.track("P1", t0 - timedelta(days=1), t0 + timedelta(days=3))
    assert [f.at for f in track] == [t0 + timedelta(days=2)]
    assert store.unit("P1") is not None
    assert store.positions.prune(t0 + timedelta(days=1)) == 0
