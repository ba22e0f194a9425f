"""The demo's history: the hours before it opened, as the simulator would have played them."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from console.cli import load_rules
from console.domain import deadlines
from console.domain.model import IncidentState
from console.sim.demo import District, seed_store
from console.sim.history import seed_history
from console.store.store import Store

pytestmark = pytest.mark.slow

NOW = datetime(2026, 11, 27, 11, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_an_hour_of_history_leaves_a_living_queue_in_the_past(tmp_path: Path) -> None:
    rules = load_rules()
    district = District.load()
    url = f"sqlite:///{tmp_path / 'h.db'}"
    store = Store(url, rules)
    try:
        seed_store(store, district, now=NOW - timedelta(hours=2), camera_base="http://x")
        head = store.last_seq()
        written = seed_history(url, district, rules, now=NOW, hours=1, seed=3)
        events = store.events_after(head, 100_000)
        assert written == len({e.command_id for e in events}) > 100
        times = [e.event.at for e in events]
        assert times == sorted(times), "the log's times run backwards"
        assert NOW - timedelta(hours=1) <= times[0] and times[-1] < NOW
        created = [e.event.data["id"] for e in events if e.event.name == "incident.created"]
        states = Counter(store.incident(i).state for i in created)  # type: ignore[union-attr]
        for state in (IncidentState.NEW, IncidentState.IN_PROGRESS, IncidentState.CLOSED):
            assert states[state] > 0, states
        overdue = [i for i in created
                   if deadlines.is_overdue(store.incident(i), rules, NOW)]  # type: ignore[arg-type]
        assert overdue, "an hour of history with nothing overdue"
        sources = {e.event.data["source"] for e in events if e.event.name == "incident.created"}
        assert len(sources) >= 6, sources
    finally:
        store.close()
