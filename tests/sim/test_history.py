"""The demo's history: the hours before it opened, as the simulator would have played them."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from console.cli.common import load_rules
from console.cli.demo import HISTORY_HOURS
from console.cli.ledger import StoreLedger
from console.domain import deadlines
from console.domain.incident import DIVERTED, ESCALATED
from console.domain.model import IncidentState, Source
from console.sim.demo import POLICE_CENTER, SIM_LIAISON, District, seed_store
from console.sim.history import LEFT_WITH_POLICE, seed_history
from console.store.store import Store

pytestmark = pytest.mark.slow

BEIJING = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 27, 11, 0, tzinfo=BEIJING)


def test_an_hour_of_history_leaves_a_living_queue_in_the_past(tmp_path: Path) -> None:
    rules = load_rules()
    district = District.load()
    url = f"sqlite:///{tmp_path / 'h.db'}"
    store = Store(url, rules)
    try:
        seed_store(StoreLedger(store), district, now=NOW - timedelta(hours=2),
                   camera_base="http://x")
        head = store.last_seq()
        # Six diversions an hour, four times the demo's, so that one hour has several.
        with StoreLedger.backdated(url, rules, now=NOW) as ledger:
            written = seed_history(ledger, district, rules, now=NOW, hours=1, seed=3,
                                   diversions_per_hour=6)
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


def test_the_police_part_of_history_is_real_hand_offs_with_nothing_left_owed(
        tmp_path: Path) -> None:
    """Diversions are police.receive hand-offs the liaison colleague signs for; every message
    the center owes the police is delivered, except the escalations of the last ten minutes,
    which wait in the outbox for the live police center."""
    rules = load_rules()
    district = District.load()
    url = f"sqlite:///{tmp_path / 'h.db'}"
    store = Store(url, rules)
    try:
        seed_store(StoreLedger(store), district, now=NOW - timedelta(hours=2),
                   camera_base="http://x")
        head = store.last_seq()
        with StoreLedger.backdated(url, rules, now=NOW) as ledger:
            seed_history(ledger, district, rules, now=NOW, hours=1, seed=3,
                         diversions_per_hour=6)
        events = [e.event for e in store.events_after(head, 100_000)]
        created = [e for e in events if e.name == "incident.created"]
        diverted = [store.incident(e.data["id"]) for e in created
                    if e.data["source"] == Source.POLICE.value]
        assert len(diverted) >= 3
        for event in created:
            if event.data["source"] == Source.POLICE.value:  # a hand-off, not a plain create
                assert event.actor == POLICE_CENTER and event.data["police"]["shared_id"]
        for inc in diverted:
            assert inc is not None and inc.police is not None
            assert inc.police.direction == DIVERTED and inc.police.shared_id
            assert inc.police.center == POLICE_CENTER and not inc.police.pending
        signed = [e for e in events if e.name == "incident.accepted" and e.actor == SIM_LIAISON]
        assert {e.data["id"] for e in signed} <= {i.id for i in diverted if i is not None}
        assert len(signed) >= 3
        arrived = {e.data["id"]: e.at for e in created}
        in_time = [e.at - arrived[e.data["id"]] <= timedelta(minutes=5) for e in signed]
        assert sum(in_time) > len(in_time) / 2, "the liaison signs within 5 minutes mostly"

        escalated = {e.data["id"]: e for e in events if e.name == "incident.escalated"}
        assert escalated, "an hour of history without an escalation"
        recent = {i for i, e in escalated.items() if e.at >= NOW - LEFT_WITH_POLICE}
        for incident_id, event in escalated.items():
            inc = store.incident(incident_id)
            assert inc is not None and inc.police is not None
            assert inc.police.direction == ESCALATED
            if incident_id in recent:  # left for the live police center, undelivered
                assert inc.state is IncidentState.WITH_POLICE and not inc.police_acknowledged
                assert inc.police.pending == (event.data["police_message"],)
            else:  # answered by the police over the same hand-off
                assert not inc.police.pending and inc.state is not IncidentState.WITH_POLICE
        answers = [e for e in events if e.name in ("incident.police_acknowledged",
                                                    "incident.police_rejected",
                                                    "incident.police_disposed")]
        assert answers and all(e.actor == POLICE_CENTER and e.data["message"] for e in answers)
        # What waits in the outbox is exactly those recent escalations (this seed has one).
        waiting = store.police_waiting(POLICE_CENTER, limit=1000)
        assert {(m.incident_id, m.body["type"]) for m in waiting} == \
            {(i, "incident") for i in recent}
        assert recent, "this seed's last ten minutes have an escalation for the live police"
    finally:
        store.close()


def demo_history_at(tmp_path: Path, now: datetime) -> tuple[int, int]:
    """The demo's first-run seeding (``main.py`` with an empty store) with the world clock at
    ``now``: how many steps of history it wrote and how many incidents they created."""
    rules = load_rules()
    district = District.load()
    url = f"sqlite:///{tmp_path / f'demo-{now.hour:02d}.db'}"
    store = Store(url, rules, clock=lambda: now)
    try:
        seed_store(StoreLedger(store), district, now=now, camera_base="http://x")
        head = store.last_seq()
        with StoreLedger.backdated(url, rules, now=now) as ledger:
            written = seed_history(ledger, district, rules, now=now, hours=HISTORY_HOURS)
        created = sum(e.event.name == "incident.created"
                      for e in store.events_after(head, 100_000))
        return written, created
    finally:
        store.close()


def test_the_demo_opens_on_a_busy_afternoon_and_a_quiet_night(tmp_path: Path) -> None:
    """What the demo's history holds depends on the hour it is seeded at, by the daily rhythm of
    calls: an afternoon has the living queue the smoke test sees, the small hours a few cases."""
    afternoon = datetime(2026, 11, 25, 15, 0, tzinfo=BEIJING)
    night = datetime(2026, 11, 25, 3, 0, tzinfo=BEIJING)
    day_steps, day_created = demo_history_at(tmp_path, afternoon)
    night_steps, night_created = demo_history_at(tmp_path, night)
    # 13:30–15:00 runs at ~1.5–1.7× the mean of 125 calls an hour: some 300 cases.
    assert day_steps >= 100 and day_created > 200, (day_steps, day_created)
    # 01:30–03:00 runs at ~0.1–0.2×: a tenth of that, yet not an empty district.
    assert 5 <= night_created < day_created / 5, (night_created, day_created)
    assert night_steps < day_steps / 5, (night_steps, day_steps)
