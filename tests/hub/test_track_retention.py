"""A hub applies the track retention by itself (console/hub/retention.py): at its start, fixes
older than ``track_keep_days`` go — whole days dropped on PostgreSQL, pruned on SQLite — and
newer ones stay."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from console.comms.clock import Clock
from console.domain.rules import Rules
from console.store.positions import PositionFix
from tests.hub.conftest import HubThread


def test_a_hub_drops_the_track_older_than_its_retention(db_url: str, rules: Rules) -> None:
    # The world clock from a fixed time: what is old does not depend on the day the test runs.
    clock = Clock(origin=datetime(2026, 11, 25, 0, 30, tzinfo=UTC))
    hub = HubThread(db_url, rules, track_keep_days=2, clock=clock)
    now = clock.now()
    old = [PositionFix("P1", 30.66, 104.09, 0.0, 1.0, now - timedelta(days=5, minutes=n))
           for n in range(10)]
    recent = [PositionFix("P1", 30.66, 104.09, 0.0, 1.0, now - timedelta(hours=1, minutes=n))
              for n in range(3)]
    hub.store.positions.append([*old, *recent])
    assert hub.store.count("positions") == 13
    hub.start()
    try:
        deadline = time.monotonic() + 30
        while hub.store.count("positions") != 3:
            assert time.monotonic() < deadline, hub.store.count("positions")
            time.sleep(0.05)
        kept = hub.store.positions.track("P1", now - timedelta(days=10), now)
        assert [f.at for f in kept] == sorted(f.at for f in recent)
    finally:
        hub.stop()
