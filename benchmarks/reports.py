#!/usr/bin/env python3
"""How long does a month's department assessment take, on SQLite and on PostgreSQL?

    python benchmarks/reports.py [--cases 30000] [--templates 500] [--db sqlite|postgresql|both]
                                 [--pg URL] [--repeat 3]

``--templates`` cases are written through the store's own path (``Store.execute_batch``, a
fixed clock) over the first week of November 2026 with varied outcomes: some signed late, some
returned and re-assigned, some with an approved extension, resolved in or out of time, visited
with each satisfaction, closed, a few reopened, a few left open. Their events and incident rows
are then copied (ids renamed, times moved by whole weeks, seqs after the last) until the
database holds ``--cases`` cases in November, so the month has the shape of the templates at
the volume asked for. Then ``console.store.reports.department_assessment(store, start, end)``
runs for the month ``--repeat`` times; the median wall time is what counts (``cpu_s``, this
process's CPU time, tells what a busy machine hides; ``server_query_s`` is PostgreSQL's own time
for the query, from EXPLAIN ANALYZE).

Target (issue 19): ≤ 3 s for ≈ 30,000 cases on both databases. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from console.domain.model import Actor, Role
from console.domain.reports import Period
from console.domain.rules import Rules
from console.store import schema as s
from console.store.db import normalise_url
from console.store.reports import department_assessment, events_query
from console.store.store import Store
from console.store.writer import Command

MONTH = (datetime(2026, 10, 31, 16, tzinfo=UTC), datetime(2026, 11, 30, 16, tzinfo=UTC))
CTL = Actor("ctl", frozenset({Role.CONTROLLER}))
LEADER = Actor("leader", frozenset({Role.DUTY_LEADER}))
CATEGORIES = ("env.noise_construction", "city.road_damage", "utility.water_outage",
              "city.illegal_parking", "env.cooking_fumes", "utility.power_outage",
              "safety.fire_hazard", "city.streetlight")


class Clock:
    def __init__(self) -> None:
        self.now = MONTH[0]

    def __call__(self) -> datetime:
        return self.now


def desk(department: str) -> Actor:
    return Actor(f"desk-{department}", frozenset({Role.DEPARTMENT}), department=department)


def seed_templates(store: Store, clock: Clock, count: int, rng: random.Random) -> None:
    """``count`` cases over the month's first week, through the write path."""
    for _ in range(count):
        start = MONTH[0] + timedelta(minutes=rng.randrange(7 * 24 * 60 - 24 * 60))
        case(store, clock, start, rng)


def case(store: Store, clock: Clock, t: datetime, rng: random.Random) -> None:
    def run(at: datetime, actor: Actor, name: str, **args: Any) -> dict[str, Any]:
        clock.now = at
        result = store.execute(Command(str(uuid.uuid4()), name, args), actor)
        if not result.ok:
            raise RuntimeError(f"{name}: {result.error}")
        return result.data

    category = rng.choice(CATEGORIES)
    department = store.rules.taxonomy.category(category).department
    if department == "street":
        department = "urban_mgmt"
    iid = run(t, CTL, "incident.create", source=rng.choice(("hotline", "grid", "public")),
              category=category, priority=rng.choice(("P2", "P3", "P3", "P4")),
              description="基准测试案件", reporter={"name": "李女士", "phone": "13900000000"},
              location={"lat": 30.66 + rng.random() * 0.02, "lon": 104.09 + rng.random() * 0.03,
                        "address": "基准路 1 号"})["id"]
    t += timedelta(minutes=rng.randrange(1, 20))
    run(t, CTL, "incident.accept", id=iid)
    t += timedelta(minutes=rng.randrange(1, 60))
    if rng.random() < 0.08:
        run(t, CTL, "incident.assign", id=iid, department="water")
        t += timedelta(minutes=rng.randrange(10, 120))
        run(t, desk("water"), "incident.return", id=iid, reason="不属本部门")
        t += timedelta(minutes=rng.randrange(5, 60))
    run(t, CTL, "incident.assign", id=iid, department=department)
    if rng.random() < 0.05:
        return  # left open, never signed
    t += timedelta(minutes=rng.randrange(5, 400))
    run(t, desk(department), "incident.sign", id=iid)
    if rng.random() < 0.1:
        t += timedelta(minutes=30)
        asked = run(t, desk(department), "incident.request_extension", id=iid, stage="resolve",
                    extra={"value": 2, "unit": "working_days"}, reason="需协调")
        run(t + timedelta(minutes=30), LEADER, "incident.approve_extension", id=iid,
            request=asked["request"])
    if rng.random() < 0.1:
        return  # in progress
    t += timedelta(hours=rng.randrange(2, 24 * 8))
    run(t, desk(department), "incident.resolve", id=iid, result="已处理")
    t += timedelta(hours=rng.randrange(1, 24))
    satisfaction = rng.choices(("satisfied", "basically_satisfied", "dissatisfied"),
                               (80, 12, 8))[0]
    run(t, CTL, "incident.verify", id=iid, method=rng.choice(("callback", "callback", "site")),
        satisfaction=satisfaction, note="回访")
    if satisfaction == "dissatisfied":
        return
    t += timedelta(hours=1)
    run(t, CTL, "incident.close", id=iid)
    if rng.random() < 0.03:
        run(t + timedelta(days=1), CTL, "incident.reopen", id=iid, reason="问题复发")


def replicate(store: Store, cases: int) -> int:
    """Copy the template cases (renamed, moved by whole weeks) until ``cases`` are in the month;
    returns how many there are."""
    with store.db.reader.connect() as conn:
        events = conn.execute(select(s.events).order_by(s.events.c.seq)).all()
        incidents = conn.execute(select(s.incidents)).all()
    templates = len(incidents)
    copies = max(0, -(-cases // templates) - 1)
    seq = events[-1].seq
    for copy in range(1, copies + 1):
        shift = timedelta(days=7 * (copy % 4), minutes=copy // 4)
        suffix = f"-{copy:03d}"
        event_rows, incident_rows = [], []
        for e in events:
            seq += 1
            data = dict(e.data)
            if "id" in data and str(data["id"]).startswith("CH-"):
                data["id"] = data["id"] + suffix
            event_rows.append({"seq": seq, "at": e.at + shift, "name": e.name, "actor": e.actor,
                               "subject": (e.subject + suffix) if e.subject.startswith("CH-")
                               else e.subject, "command_id": None, "data": data})
        for i in incidents:
            row = dict(i._mapping)
            row["id"] = row["id"] + suffix
            row["doc"] = {**row["doc"], "id": row["id"]}
            for key in ("created_at", "updated_at", "next_due_at"):
                if row[key] is not None:
                    row[key] = row[key] + shift
            incident_rows.append(row)
        with store.db.writer.begin() as conn:
            conn.execute(insert(s.events), event_rows)
            conn.execute(insert(s.incidents), incident_rows)
            conn.execute(s.log_head.update().values(seq=seq))
    return templates * (copies + 1)


def measure(url: str, args: argparse.Namespace) -> dict[str, Any]:
    rules = Rules.load()
    clock = Clock()
    store = Store(url, rules, clock=clock)
    try:
        built = time.perf_counter()
        seed_templates(store, clock, args.templates, random.Random(19))
        total = replicate(store, args.cases)
        built = time.perf_counter() - built
        times, cpu = [], []
        for _ in range(args.repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            assessment = department_assessment(store, *MONTH)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        received = sum(r.figures.received for r in assessment.departments)
        server = server_time(store) if store.db.dialect == "postgresql" else None
        return {"server_query_s": server,
                "cases": total, "received": received, "build_s": round(built, 1),
                "assessment_s": [round(t, 3) for t in times],
                "median_s": round(statistics.median(times), 3),
                # This process's CPU alone: on a shared machine, what the wall clock would be
                # on a free core (PostgreSQL's own work is in its server process, not here).
                "cpu_s": [round(t, 3) for t in cpu]}
    finally:
        store.close()


def server_time(store: Store) -> float:
    """PostgreSQL's own time for the report's query (EXPLAIN ANALYZE), in seconds."""
    query = events_query(Period(*MONTH), sqlite=False)
    compiled = query.compile(store.db.reader, compile_kwargs={"literal_binds": True})
    with store.db.reader.connect() as conn:
        plan = conn.execute(text(f"EXPLAIN (ANALYZE, FORMAT JSON) {compiled}")).scalar_one()
    return round(float(plan[0]["Execution Time"]) / 1000, 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=30_000)
    parser.add_argument("--templates", type=int, default=500)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    results: dict[str, Any] = {}
    if args.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as folder:
            results["sqlite"] = measure(f"sqlite:///{folder}/reports.db", args)
            print("sqlite", results["sqlite"], flush=True)
    if args.db in ("postgresql", "both"):
        admin = create_engine(normalise_url(args.pg), isolation_level="AUTOCOMMIT")
        name = f"linkage_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = make_url(normalise_url(args.pg)).set(database=name)
            results["postgresql"] = measure(url.render_as_string(hide_password=False), args)
            print("postgresql", results["postgresql"], flush=True)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    print(json.dumps(results))


if __name__ == "__main__":
    main()
