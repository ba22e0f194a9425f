#!/usr/bin/env python3
"""The drills: fault cycles on every path, then a PostgreSQL failover (docs/security.md, "Drills").

    nice -n 10 python benchmarks/drill.py [--cycles 1000] [--db URL] [--no-failover]

A hub (``main.py hub``, its own process) on a scratch database of the PostgreSQL at ``--db``;
two consoles, a field gateway and the police peer simulator work through fault proxies
(tests/faultproxy.py), and the hub reaches PostgreSQL through one too. Each cycle breaks one
path in one way — cut, delay, throttle, reset, half-open, in turn on console, field, police and
database — until the fault has met traffic, heals it and times until every client is
acknowledged again (its recovery). Afterwards the store is read against what the clients were
told: lost, doubled, reordered. Then the failover: two new clusters (a primary and its
synchronous replica, tests/pgcluster.py; needs root), a fresh hub on both, the primary killed
mid-stream, the replica promoted; the hub finds it by itself, and the replica is read against
the acknowledgements. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from console.domain.rules import Rules
from console.store.db import normalise_url
from console.store.store import Store
from tests import pgcluster
from tests.drills import Cycle, Drill, failover, percentile, through, verify
from tests.faultproxy import FaultProxy
from tests.geo import small_geography
from tests.hub.conftest import HubProcess, add_users

DEFAULT_DB = "postgresql://postgres@127.0.0.1:5432/postgres"
#: Acknowledgements every client gets before the primary is killed, and again after.
FAILOVER_ROUNDS = 20


def scratch_database(admin_url: str) -> tuple[str, Any]:
    admin = create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")
    name = f"linkage_drill_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    return url, lambda: _drop(admin, name)


def _drop(admin: Any, name: str) -> None:
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def prepared(url: str, rules: Rules) -> None:
    store = Store(url, rules)  # migrates
    add_users(store)
    store.close()


def fault_cycles(admin_url: str, cycles: int, rules: Rules) -> dict[str, Any]:
    url, drop = scratch_database(admin_url)
    target = make_url(url)
    db_proxy = FaultProxy(target.host or "127.0.0.1", target.port or 5432,
                          name="database").start()
    hub: HubProcess | None = None
    drill: Drill | None = None
    loads: list[float] = []
    started = time.monotonic()
    try:
        prepared(url, rules)
        hub = HubProcess(through(url, db_proxy.port), "drill")
        drill = Drill(hub.port, rules, db_proxy=db_proxy)
        drill.start()

        def progress(i: int, cycle: Cycle) -> None:
            loads.append(os.getloadavg()[0])
            if (i + 1) % 50 == 0:
                recent = [c.recovery_s for c in drill.cycles[-50:]] if drill else []
                print(f"cycle {i + 1}: last 50 recovered in at most {max(recent):.2f} s, "
                      f"load {loads[-1]:.1f}", flush=True)

        drill.run(cycles, on_cycle=progress)
        drill.stop()
        verdict = verify(url, drill.ledgers)
    finally:
        if drill is not None:
            drill.stop()
        if hub is not None:
            hub.stop()
        db_proxy.stop()
        drop()
    by_kind: dict[str, list[float]] = defaultdict(list)
    waited_for: dict[str, Counter[str]] = defaultdict(Counter)
    for cycle in drill.cycles:
        by_kind[f"{cycle.path}/{cycle.fault}"].append(cycle.recovery_s)
        waited_for[f"{cycle.path}/{cycle.fault}"][cycle.slowest] += 1
    recoveries = [c.recovery_s for c in drill.cycles]
    worst = max(drill.cycles, key=lambda c: c.recovery_s)
    print(f"{len(drill.cycles)} cycles in {time.monotonic() - started:.0f} s; "
          f"{verdict.acknowledged} acknowledged, {verdict.unknown} timed out, "
          f"lost {len(verdict.lost)}, doubled {len(verdict.doubled)}, "
          f"reordered {len(verdict.reordered)}; worst {worst.path}/{worst.fault} "
          f"{worst.recovery_s:.2f} s", flush=True)
    for problem in (verdict.lost + verdict.doubled + verdict.reordered + verdict.refused
                    + verdict.out_of_step)[:20]:
        print("  ", problem)
    for kind, values in sorted(by_kind.items()):
        last, times = waited_for[kind].most_common(1)[0]
        print(f"  {kind:22} p50 {percentile(values, 0.5):5.2f} s  p99 "
              f"{percentile(values, 0.99):5.2f} s  max {max(values):5.2f} s  "
              f"(waited last for {last} {times}×)")
    return {"cycles": len(drill.cycles), "acknowledged": verdict.acknowledged,
            "lost": len(verdict.lost), "doubled": len(verdict.doubled),
            "reordered": len(verdict.reordered), "timed_out": verdict.unknown,
            "refused": len(verdict.refused), "out_of_step": len(verdict.out_of_step),
            "recovery_p50_s": round(percentile(recoveries, 0.5), 3),
            "recovery_p99_s": round(percentile(recoveries, 0.99), 3),
            "recovery_max_s": round(max(recoveries), 3),
            "recovery_p99_by_fault_s": {k: round(percentile(v, 0.99), 3)
                                        for k, v in sorted(by_kind.items())},
            "load_avg_max": round(max(loads, default=0.0), 1)}


def failover_drill(rules: Rules) -> dict[str, Any]:
    with pgcluster.ReplicatedPair() as pair:
        prepared(pair.url, rules)
        hub = HubProcess(pair.url, "drill-failover")
        drill = Drill(hub.port, rules)
        try:
            drill.start()
            for _ in range(FAILOVER_ROUNDS):  # work going on well before the kill, and after
                drill.wait_acked_after(time.monotonic(), 60)
            took = failover(drill, pair)
            for _ in range(FAILOVER_ROUNDS):
                drill.wait_acked_after(time.monotonic(), 60)
        finally:
            drill.stop()
            hub.stop()
        verdict = verify(pair.url_of("replica"), drill.ledgers)
    print(f"failover: promoted {took.promotion_s:.2f} s after the kill, every client "
          f"acknowledged again {took.recovery_s:.2f} s after that; {verdict.acknowledged} "
          f"acknowledged, lost {len(verdict.lost)}, doubled {len(verdict.doubled)}, "
          f"reordered {len(verdict.reordered)}", flush=True)
    return {"failover_acknowledged": verdict.acknowledged,
            "failover_lost": len(verdict.lost),
            "failover_doubled": len(verdict.doubled),
            "failover_reordered": len(verdict.reordered),
            "failover_refused": len(verdict.refused),
            "failover_out_of_step": len(verdict.out_of_step),
            "failover_promotion_s": round(took.promotion_s, 3),
            "failover_recovery_s": round(took.recovery_s, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--cycles", type=int, default=1000)
    parser.add_argument("--db", default=DEFAULT_DB,
                        help="a PostgreSQL server to make a scratch database on")
    parser.add_argument("--no-failover", action="store_true")
    args = parser.parse_args()
    rules = Rules.load(geography=small_geography())
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
          f"niceness {os.nice(0)}", flush=True)
    figures = fault_cycles(args.db, args.cycles, rules)
    if not args.no_failover:
        if not pgcluster.available():
            sys.exit("the failover drill makes clusters with pg_createcluster: run as root, "
                     "or pass --no-failover")
        figures.update(failover_drill(rules))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
