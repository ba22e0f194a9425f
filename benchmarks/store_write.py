#!/usr/bin/env python3
"""How fast the one write path takes commands, and the position path takes fixes.

    python benchmarks/store_write.py [--db URL] [--rounds 3]

Commands: incidents walk create → accept → assign → sign → note → resolve, every command through
the domain and the log (one event each). Measured two ways: one command per transaction (what a
lone client sees) and in batches of ``--batch`` commands per transaction (what the hub's writer
does with whatever is queued). Positions: 20,000 registered units report in batches of 2,000.
Figures are medians over ``--rounds``; the last line is one JSON object.

With ``--db`` pointing at a PostgreSQL server, a scratch database is created and dropped there.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from console.domain.geography import Geography
from console.domain.model import Actor, Role
from console.domain.rules import Rules
from console.store.db import normalise_url
from console.store.positions import PositionFix
from console.store.store import Store
from console.store.writer import Command

CONTROLLER = Actor("bench-controller", frozenset({Role.CONTROLLER}))
DESK = Actor("bench-desk", frozenset({Role.DEPARTMENT}), department="environment")
ADMIN = Actor("bench-admin", frozenset({Role.ADMIN}))
UNITS = 20_000


def grid_geography(columns: int = 50, rows: int = 30) -> Geography:
    """1,500 rectangular cells in 14 streets over the district's extent, for realistic lookups."""
    west, south, east, north = 104.06, 30.62, 104.20, 30.74
    dx, dy = (east - west) / columns, (north - south) / rows

    def box(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
        return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1],
                                                    [x0, y0]]]}

    def fc(features: list[dict[str, Any]]) -> dict[str, Any]:
        return {"type": "FeatureCollection", "features": features}

    streets, communities, cells = [], [], []
    band = columns // 14 + 1
    for s_index in range(14):
        x0 = west + s_index * band * dx
        x1 = min(east, x0 + band * dx)
        if x0 >= east:
            break
        streets.append({"type": "Feature", "geometry": box(x0, south, x1, north),
                        "properties": {"code": f"s{s_index}", "zh": f"街道{s_index}",
                                       "en": f"Street {s_index}"}})
        communities.append({"type": "Feature", "geometry": box(x0, south, x1, north),
                             "properties": {"code": f"c{s_index}", "zh": f"社区{s_index}",
                                            "en": f"Community {s_index}", "street": f"s{s_index}"}})
    for col in range(columns):
        for row in range(rows):
            x0, y0 = west + col * dx, south + row * dy
            cells.append({"type": "Feature", "geometry": box(x0, y0, x0 + dx, y0 + dy),
                          "properties": {"code": f"g{col:02d}{row:02d}",
                                         "community": f"c{min(col // band, len(streets) - 1)}"}})
    return Geography.from_geojson(fc(streets), fc(communities), fc(cells))


@contextmanager
def database(url: str | None) -> Iterator[str]:
    if url is None:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.db"
        return
    url = normalise_url(url)
    if make_url(url).get_backend_name() != "postgresql":
        yield url
        return
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"linkage_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=5)
        return self.now


def workload(count: int, salt: int) -> Iterator[Callable[[list[str]], tuple[Command, Actor]]]:
    """Commands of incidents walking their lifecycle; each makes exactly one event."""
    steps: list[Callable[[str], tuple[str, dict[str, Any], Actor]]] = [
        lambda i: ("incident.accept", {"id": i}, CONTROLLER),
        lambda i: ("incident.assign", {"id": i, "department": "environment"}, CONTROLLER),
        lambda i: ("incident.sign", {"id": i}, DESK),
        lambda i: ("incident.note", {"id": i, "text": "已联系施工单位"}, DESK),
        lambda i: ("incident.resolve", {"id": i, "result": "已停工"}, DESK),
    ]
    for n in range(count):
        step = n % (len(steps) + 1)

        def make(ids: list[str], n: int = n, step: int = step) -> tuple[Command, Actor]:
            if step == 0:
                lat, lon = 30.62 + (n * 7919 % 1200) / 10_000, 104.06 + (n * 104729 % 1400) / 10_000
                return Command(str(uuid.uuid4()), "incident.create", {
                    "source": "hotline", "category": "env.noise_construction", "priority": "P3",
                    "description": f"工地夜间施工噪声 {salt}-{n}",
                    "location": {"lat": lat, "lon": lon, "address": "建设路"},
                    "reporter": {"name": "张先生", "phone": f"138{n % 10_000_000:08d}"}},
                ), CONTROLLER
            name, args, actor = steps[step - 1](ids[-1])
            return Command(str(uuid.uuid4()), name, args), actor

        yield make


def run_single(store: Store, count: int, salt: int) -> float:
    """One command per transaction, each waiting for its commit, as a lone client sees it."""
    ids: list[str] = []
    started = time.perf_counter()
    for make in workload(count, salt):
        command, actor = make(ids)
        result = store.execute(command, actor)
        if not result.ok:
            raise SystemExit(f"benchmark command refused: {command.name} {result.error}")
        if command.name == "incident.create":
            ids.append(result.data["id"])
    return count / (time.perf_counter() - started)


def run_batched(store: Store, count: int, batch: int, salt: int) -> float:
    """Batches as a busy hub's writer sees them: the queued commands of many incidents at once.

    ``batch`` lanes each walk their own incidents; every transaction takes the next command of
    every lane.
    """
    lanes = [list(workload(count // batch, salt * 1000 + lane)) for lane in range(batch)]
    lane_ids: list[list[str]] = [[] for _ in lanes]
    done = 0
    started = time.perf_counter()
    for step in range(count // batch):
        pending = [lanes[lane][step](lane_ids[lane]) for lane in range(batch)]
        results, _ = store.execute_batch(pending)
        for lane, ((command, _), result) in enumerate(zip(pending, results, strict=True)):
            if not result.ok:
                raise SystemExit(f"benchmark command refused: {command.name} {result.error}")
            if command.name == "incident.create":
                lane_ids[lane].append(result.data["id"])
        done += len(pending)
    return done / (time.perf_counter() - started)


def run_positions(store: Store, batches: int, size: int, clock: Clock) -> float:
    """Fixes per second through the position path; building the fixes is not timed."""
    prepared = []
    for b in range(batches):
        at = clock()
        prepared.append([PositionFix(f"BU{(b * size + k) % UNITS:05d}",
                                     30.62 + k % 1200 / 10_000, 104.06 + k % 1400 / 10_000,
                                     float(k % 360), 1.2, at) for k in range(size)])
    started = time.perf_counter()
    for fixes in prepared:
        store.positions.append(fixes)
    return batches * size / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--commands", type=int, default=3000)
    parser.add_argument("--batch", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rules = Rules.load(geography=grid_geography())
    clock = Clock()
    with database(args.db) as url:
        store = Store(url, rules, clock=clock)
        print(f"database: {store.db.dialect} ({url.split('@')[-1]})")
        single, batched, positions = [], [], []
        for r in range(args.rounds):
            single.append(run_single(store, args.commands // 3, salt=r))
            batched.append(run_batched(store, args.commands, args.batch, salt=100 + r))
            print(f"round {r + 1}: {single[-1]:,.0f} commands/s one per transaction, "
                  f"{batched[-1]:,.0f} commands/s in batches of {args.batch}")
        register = [(Command(str(uuid.uuid4()), "unit.register", {
            "id": f"BU{u:05d}", "name": f"网格员 {u}", "type": "grid_worker",
            "status": "available"}), ADMIN) for u in range(UNITS)]
        for start in range(0, UNITS, 1000):
            store.execute_batch(register[start:start + 1000])
        for r in range(args.rounds):
            positions.append(run_positions(store, batches=20, size=2000, clock=clock))
            print(f"round {r + 1}: {positions[-1]:,.0f} positions/s in batches of 2,000")
        events = store.last_seq()
        store.close()
    figures = {
        "db": store.db.dialect,
        "commands_per_s": round(statistics.median(batched)),
        "commands_batch": args.batch,
        "commands_per_s_one_per_transaction": round(statistics.median(single)),
        "positions_per_s": round(statistics.median(positions)),
        "positions_batch": 2000,
        "events_written": events,
        "rounds": args.rounds,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
