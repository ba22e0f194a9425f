"""Major incidents and early warnings in the store, on SQLite and PostgreSQL: numbered per day
without a duplicate even when writers race, written in the command's transaction, and kept in
the snapshot for as long as consoles must see them."""

from __future__ import annotations

import threading
from datetime import timedelta

from console.domain.model import SYSTEM, Actor, Role
from console.store.store import Store
from tests.store.conftest import Clock, command, new_incident_args

LEADER = Actor("leader", frozenset({Role.DUTY_LEADER}))
AREA = {"center": {"lat": 30.6675, "lon": 104.1075}, "radius_m": 500}
SPIKE = {"category": "safety.gas_leak", "level": "grid", "area": "g111", "count": 3,
         "baseline": 0.0, "threshold": 3, "window": 60, "incidents": []}


def declare(store: Store, title: str = "积水") -> str:
    result = store.execute(command("major.declare", level="III", title=title, commander="李",
                                   area=AREA), LEADER)
    assert result.ok, result.error
    return str(result.data["id"])


def test_numbers_run_per_day_also_inside_one_batch(store: Store) -> None:
    assert declare(store) == "MI-20261125-01"
    results, logged = store.execute_batch([
        (command("major.declare", level="I", title=f"第 {n} 起", commander="王", area=AREA),
         LEADER) for n in range(2)] + [(command("warning.raise", **SPIKE), SYSTEM)
                                       for _ in range(2)])
    assert [r.data["id"] for r in results] == ["MI-20261125-02", "MI-20261125-03",
                                               "EW-20261125-001", "EW-20261125-002"]
    assert [e.event.name for e in logged] == ["major.declared"] * 2 + ["warning.raised"] * 2
    assert store.count("major_incidents") == 3 and store.count("early_warnings") == 2


def test_racing_writers_never_share_a_number(store: Store) -> None:
    ids: list[str] = []
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for k in range(5):
                ids.append(declare(store, f"线程 {n} 第 {k} 起"))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(ids) == [f"MI-20261125-{n:02d}" for n in range(1, 21)]


def test_the_snapshot_keeps_what_consoles_must_see(store: Store, clock: Clock) -> None:
    incident = store.execute(command("incident.create", **new_incident_args()), LEADER)
    old = declare(store, "昨天的")
    assert store.execute(command("major.link", id=old, incident=incident.data["id"]),
                         LEADER).ok
    assert store.execute(command("major.stand_down", id=old, summary="结束"), LEADER).ok
    unheard = store.execute(command("warning.raise", **SPIKE), SYSTEM).data["id"]
    heard = store.execute(command("warning.raise", **SPIKE), SYSTEM).data["id"]
    assert store.execute(command("warning.acknowledge", id=heard), LEADER).ok
    clock.advance(hours=25)
    active = declare(store, "今天的")

    snapshot = store.snapshot()
    assert [m["id"] for m in snapshot.major_incidents] == [active]  # stood down a day ago: gone
    assert [w["id"] for w in snapshot.warnings] == [unheard]  # never acknowledged: kept
    # The incident's timeline holds its link to the major incident.
    names = [e.event.name for e in store.timeline(str(incident.data["id"]))]
    assert names == ["incident.created", "major.incident_linked"]
    # A refused command writes nothing (not even a number).
    refused = store.execute(command("major.note", id=old, text="x"), LEADER)
    assert not refused.ok and refused.error is not None and refused.error["code"] == "conflict"
    stored = store.major_incidents(within=timedelta(days=2))
    assert [m["version"] for m in stored] == [3, 1]
