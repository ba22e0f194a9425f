#!/usr/bin/env python3
"""How long the day's grid-worker assessment takes (console/store/assessment.py assess_day).

    python benchmarks/assessment_day.py --db postgresql://postgres@127.0.0.1:5432/postgres \
        [--workers 500] [--hours 8] [--every 15]

A scratch database gets ``--workers`` grid workers in the district's real cells, each rostered
and on duty ``--hours`` (clocked in and out through the write path), a fix every ``--every``
seconds on duty walking around its cell (stored by the position path's COPY in time order, all
workers' fixes of a moment together, as a hub stores them). Then ``assess_day`` runs twice
(the second with the database's cache warm) and the script prints the time, the fixes per
second, and the time extrapolated linearly to 21,500 workers (the fixes dominate: the query
walks each worker's on-duty fixes once). The last line is one JSON object.

With a PostgreSQL URL a scratch database is created and dropped there; with none, a SQLite
file in a temporary directory.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from console.domain.geography import Geography
from console.domain.model import Actor, Role
from console.domain.roster import Shift
from console.domain.rules import Rules
from console.store.assessment import assess_day
from console.store.db import normalise_url
from console.store.store import Store
from console.store.writer import Command

ADMIN = Actor("bench-admin", frozenset({Role.ADMIN}))
GATEWAY = Actor("bench-gateway", frozenset({Role.FIELD}))
DISTRICT = 21_500
DAY = date(2026, 11, 25)
LOCAL = ZoneInfo("Asia/Shanghai")


class Clock:
    def __init__(self, at: datetime) -> None:
        self.now = at

    def __call__(self) -> datetime:
        return self.now


def check(results: list[Any]) -> None:
    refused = [r.error for r in results if not r.ok]
    if refused:
        raise SystemExit(f"{len(refused)} commands refused, e.g. {refused[0]}")


def scratch(url: str | None) -> tuple[str, Any]:
    if url is None:
        folder = tempfile.mkdtemp(prefix="assess-")
        return f"sqlite:///{folder}/bench.db", None
    admin = create_engine(normalise_url(url), isolation_level="AUTOCOMMIT")
    name = f"bench_assess_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(normalise_url(url)).set(database=name).render_as_string(
        hide_password=False), drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="a PostgreSQL server URL (default: SQLite)")
    parser.add_argument("--workers", type=int, default=500)
    parser.add_argument("--hours", type=float, default=8.0)
    parser.add_argument("--every", type=float, default=15.0, help="seconds between fixes")
    parser.add_argument("--scaled-chunks", action="store_true",
                        help="split the workers into as many chunks as the whole district "
                        "would be (assessment.CHUNK_FIXES scaled down), so the parallel reads "
                        "are measured as they run at scale")
    parser.add_argument("--cluster", action="store_true",
                        help="PostgreSQL: CLUSTER positions by (unit, at) first (what a closed "
                        "day's track partition could be given), timed apart")
    parser.add_argument("--keep", action="store_true",
                        help="keep the scratch database (its URL is printed) to look into")
    args = parser.parse_args()
    geography = Geography.from_files()
    rules = Rules.load(geography=geography)
    url, drop = scratch(args.db)
    start = datetime.combine(DAY, datetime.min.time(), LOCAL).replace(hour=8).astimezone(UTC)
    end = start + timedelta(hours=args.hours)
    clock = Clock(start - timedelta(hours=1))
    store = Store(url, rules, clock=clock)
    rng = random.Random(7)
    try:
        cells = geography.grid_codes
        workers = []
        for n in range(args.workers):
            grid = cells[n % len(cells)]
            place = geography.place_of_grid(grid)
            workers.append((f"GW{n:05d}", grid, place.community, place.street))
        batch = [(Command(str(uuid.uuid4()), "unit.register", {
            "id": unit, "name": f"网格员{unit}", "type": "grid_worker", "tier": 1 + n % 3,
            "street": street, "community": community, "grid": grid}), ADMIN)
            for n, (unit, grid, community, street) in enumerate(workers)]
        for at in range(0, len(batch), 1000):
            check(store.execute_batch(batch[at:at + 1000])[0])
        store.import_roster([Shift(f"{unit}-d", unit, "shift", start, end)
                             for unit, *_ in workers])
        clock.now = start
        check(store.execute_batch([(Command(str(uuid.uuid4()), "unit.clock_in", {"id": unit}),
                                    GATEWAY) for unit, *_ in workers])[0])
        steps = int(args.hours * 3600 / args.every)
        loaded = time.perf_counter()
        fixes: list[Any] = []
        total = 0
        homes = [geography.representative_point("grid", grid) for _, grid, *_ in workers]
        # In time order, every worker's fix of a moment together, as a hub stores them: a
        # worker's fixes of the day lie scattered over the table, not side by side.
        for k in range(steps):
            angle = k / 40
            at = start + timedelta(seconds=k * args.every)
            for (unit, *_), (lat, lon) in zip(workers, homes, strict=True):
                fixes.append((unit, lat + 0.0008 * math.sin(angle) + rng.uniform(-2e-5, 2e-5),
                              lon + 0.0008 * math.cos(angle), 0.0, 1.2, at))
            if len(fixes) >= 100_000:
                total += store.positions.append(fixes)
                fixes = []
        total += store.positions.append(fixes)
        print(f"{total:,} fixes of {args.workers} workers stored in "
              f"{time.perf_counter() - loaded:.1f} s", flush=True)
        clock.now = end
        check(store.execute_batch([(Command(str(uuid.uuid4()), "unit.clock_out", {"id": unit}),
                                    GATEWAY) for unit, *_ in workers])[0])
        clustered = None
        if args.db and args.cluster:
            began = time.perf_counter()
            with store.db.writer.begin() as conn:
                conn.exec_driver_sql("CLUSTER positions USING ix_positions_unit_at")
            clustered = time.perf_counter() - began
            print(f"CLUSTER positions by (unit, at): {clustered:.1f} s", flush=True)
        if args.db:
            with store.db.writer.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
        if args.scaled_chunks:
            import console.store.assessment as assessment

            assessment.CHUNK_FIXES = max(1, assessment.CHUNK_FIXES * args.workers // DISTRICT)
        timings = []
        for _ in range(2):
            began = time.perf_counter()
            rows = assess_day(store, DAY)
            timings.append(time.perf_counter() - began)
        seconds = min(timings)
        scored = sum(1 for r in rows if r.score is not None)
        print("one worker:", rows[0])
        per_worker = seconds / args.workers
        print(f"assess_day: {len(rows)} workers ({scored} scored), {total:,} fixes: "
              f"{timings[0]:.2f} s cold, {timings[1]:.2f} s warm "
              f"({total / seconds:,.0f} fixes/s)")
        print(f"extrapolated to {DISTRICT:,} workers ({DISTRICT * steps:,} fixes): "
              f"{per_worker * DISTRICT:.0f} s")
        print(json.dumps({"db": "postgresql" if args.db else "sqlite", "workers": args.workers,
                          "scaled_chunks": args.scaled_chunks, "cluster_s": clustered,
                          "fixes": total, "cold_s": round(timings[0], 3),
                          "warm_s": round(timings[1], 3),
                          "extrapolated_district_s": round(per_worker * DISTRICT, 1)}))
    finally:
        store.close()
        if drop is not None and not args.keep:
            drop()
        elif args.keep:
            print(f"kept: {url}")


if __name__ == "__main__":
    main()
