#!/usr/bin/env python3
"""Searching a year's record (issue 19 "The record"): a million cases, while the hub works.

    python benchmarks/archive.py [--db URL] [--cases 1000000] [--fresh] [--searches 200]
                                 [--seconds 30]

**The record.** ``--cases`` cases over the twelve months before 2026-11-25, with their events:
each is registered, and (by its age and chance) accepted, assigned to its department, signed,
resolved, verified (one in eight found not resolved and done again) and closed; a few are left
late and supervised first. The events come from the domain itself (``decide`` and ``apply`` on
an in-memory world, the clock set to each step's time) and are written in bulk as the write
path writes them: the log with its gap-free seq, the timelines, each incident's row with its
record columns (``console.store.writer_rows.incident_row``), the day counters and the log head.
Categories, places, reporters (a third of the callers call more than once) and descriptions
(the category's Chinese name in a sentence, a road and a number) vary. It is cached: a SQLite
file under ``/tmp/archive_cache/`` or, with ``--db postgresql://…``, a database
``linkage_archive_v1_<cases>`` kept on that server (``--fresh`` builds it again); each build also
makes the accounts and the 20,000 units of ``benchmarks/hub_load.py``.

**Searches.** The real hub (``main.py hub``) serves the record; a controller's console sends
``search`` requests (first page, 50 rows, with the total) one at a time, ``--searches`` of each
kind, and the time from sending to the answer is measured: by phone (a caller of the record),
by a Chinese substring (two-character words such as 燃气, which no trigram indexes, and longer
ones), and by department and month (``department`` plus ``created_from``/``created_to`` a
calendar month). Then, for ``--seconds``, the load of ``benchmarks/hub_load.py`` (50 consoles,
10,000 positions a second, 20 commands a second) runs while four consoles search without pause,
and the command latency is measured as there (command sent → its event at every console).

Targets: phone p95 ≤ 50 ms, substring p95 ≤ 300 ms, department + month p95 ≤ 100 ms on SQLite
and PostgreSQL; command p99 ≤ 50 ms while searches run. ``month_assessment_s`` (a month's
department assessment, ≈ 30,000 cases at a million a year) is null: the assessment is not part
of this code yet. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import random
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import hub_load  # noqa: E402
from sqlalchemy import create_engine, insert, select, text, update  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from console.cli.common import load_rules  # noqa: E402
from console.domain.commands import decide  # noqa: E402
from console.domain.errors import Refused  # noqa: E402
from console.domain.model import Actor, Event, Role  # noqa: E402
from console.domain.record import RecordMarks  # noqa: E402
from console.domain.rules import Context, Rules  # noqa: E402
from console.domain.world import Aggregates  # noqa: E402
from console.store import schema as s  # noqa: E402
from console.store.db import migrate, normalise_url, open_database  # noqa: E402
from console.store.writer import subject_of  # noqa: E402
from console.store.writer_rows import incident_row  # noqa: E402

CACHE = Path("/tmp/archive_cache")
VERSION = 1
#: The world's "now": the record runs for a year before it.
NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
DAYS = 365
CHUNK = 2000
CENTER = Actor("archive-ctl", frozenset({Role.CONTROLLER}))
LEADER = Actor("archive-leader", frozenset({Role.DUTY_LEADER}))
ROADS = ("建设路", "和平路", "双桥路", "府青路", "猛追湾街", "二仙桥东路", "建设北路", "万年场路",
         "杉板桥路", "双林路", "蜀都大道", "东风路", "八里庄路", "龙潭路", "水碾河路", "崔家店路")
SAYINGS = ("居民来电反映", "群众反映", "市民投诉", "热心市民报告", "网格员巡查发现")
#: Words searched for: two characters (no trigram: the slow path) and longer ones.
WORDS = ("燃气", "噪声", "路灯", "漏水", "停车", "油烟",
         "燃气泄漏", "施工噪声", "占道经营", "二仙桥")
SEARCHERS = 4  # consoles searching without pause during the load window
PAGE = 50


# -- building the record -------------------------------------------------------------------------


class _Ids:
    """Incident ids by the district's day, as the writer makes them (``CH-20261125-000123``)."""

    def __init__(self, rules: Rules) -> None:
        self.zone = rules.calendar.tz
        self.last: dict[str, int] = {}

    def new(self, at: datetime) -> str:
        day = at.astimezone(self.zone).strftime("%Y%m%d")
        self.last[day] = self.last.get(day, 0) + 1
        return f"CH-{day}-{self.last[day]:06d}"


def _steps(rng: random.Random, created: datetime, category: str, street: str | None,
           rules: Rules) -> list[tuple[datetime, Actor, str, dict[str, Any]]]:
    """A case's commands after its creation, each with its time, up to the world's now."""
    department = rules.taxonomy.department_for(category, street)
    desk = Actor("archive-desk", frozenset({Role.DEPARTMENT}), department=department)
    at = created
    plan: list[tuple[datetime, Actor, str, dict[str, Any]]] = []

    def then(minutes: float, actor: Actor, name: str, **args: Any) -> None:
        nonlocal at
        at += timedelta(minutes=minutes)
        plan.append((at, actor, name, args))

    if rng.random() < 0.03:  # left unaccepted for hours: late, and supervised for it
        then(rng.uniform(240, 600), LEADER, "incident.supervise", note="超时未受理")
    then(rng.uniform(1, 20), CENTER, "incident.accept")
    then(rng.uniform(5, 60), CENTER, "incident.assign", department=department)
    then(rng.uniform(10, 120), desk, "incident.sign")
    for satisfied in ([False, True] if rng.random() < 0.125 else [True]):
        then(rng.uniform(60, 72 * 60), desk, "incident.resolve", result="已处理，现场已恢复")
        then(rng.uniform(60, 24 * 60), CENTER, "incident.verify", method="callback",
             satisfied=satisfied, **({} if satisfied else {"note": "群众反映仍未解决"}))
    then(rng.uniform(60, 48 * 60), CENTER, "incident.close")
    return [step for step in plan if step[0] <= NOW]


def _cases(cases: int, rules: Rules, rng: random.Random) -> Iterator[dict[str, Any]]:
    """The ``incident.create`` arguments and creation time of each case, oldest first."""
    categories = [c for c in rules.taxonomy.categories
                  if c.code != "unclassified" and not c.police_matter]
    phones = [f"13{rng.randrange(10**9):09d}" for _ in range(max(1, cases * 2 // 3))]
    start = NOW - timedelta(days=DAYS)
    times = sorted(rng.uniform(0, DAYS * 86400) for _ in range(cases))
    for seconds in times:
        category = rng.choice(categories)
        road = rng.choice(ROADS)
        yield {"at": start + timedelta(seconds=seconds), "args": {
            "source": rng.choice(("hotline", "hotline", "hotline", "public", "grid")),
            "category": category.code, "priority": rng.choice(("P2", "P3", "P3", "P4")),
            "description": f"{rng.choice(SAYINGS)}{road}附近{category.zh}，请尽快处理",
            "location": {"lat": round(30.62 + rng.random() * 0.12, 6),
                         "lon": round(104.06 + rng.random() * 0.14, 6),
                         "address": f"{road} {rng.randrange(1, 300)} 号"},
            "reporter": {"name": rng.choice("王李张刘陈杨赵黄周吴") + rng.choice(("先生", "女士")),
                         "phone": rng.choice(phones)}}}


def build(url: str, cases: int) -> dict[str, Any]:
    """Write the record (see the module's docstring); returns what the searches need."""
    started = time.perf_counter()
    rules = load_rules()
    db = open_database(url)
    migrate(db)
    hub_load.prepare(url)  # the load's accounts and units, through the store's own path
    rng = random.Random(19)
    ids = _Ids(rules)
    with db.writer.connect() as conn:
        seq = int(conn.execute(select(s.log_head.c.seq)).scalar_one())
    sample_phones: list[str] = []
    made = 0
    source = _cases(cases, rules, rng)
    while made < cases:
        world = Aggregates()
        marks: dict[str, RecordMarks] = {}
        events: list[dict[str, Any]] = []
        timeline: list[dict[str, Any]] = []

        def apply(made_events: list[Event], world: Aggregates = world,
                  marks: dict[str, RecordMarks] = marks, events: list[dict[str, Any]] = events,
                  timeline: list[dict[str, Any]] = timeline) -> None:
            nonlocal seq
            for event in made_events:
                seq += 1
                for incident_id in world.apply(event):
                    timeline.append({"incident_id": incident_id, "seq": seq})
                    marks[incident_id] = marks.get(incident_id, RecordMarks()).after(
                        world.incidents[incident_id], event, rules)
                events.append({"seq": seq, "at": event.at, "name": event.name,
                               "actor": event.actor, "subject": subject_of(event),
                               "command_id": str(uuid.uuid4()), "data": dict(event.data)})

        for case in (next(source) for _ in range(min(CHUNK, cases - made))):
            at, args = case["at"], case["args"]
            created = decide("incident.create", args, Context(rules, CENTER, at), world,
                             new_incident_id=functools.partial(ids.new, at))
            apply(created)
            incident_id = str(created[0].data["id"])
            inc = world.incidents[incident_id]
            if len(sample_phones) < 5000 and rng.random() < 0.05:
                sample_phones.append(args["reporter"]["phone"])
            for step_at, actor, name, step_args in _steps(rng, at, inc.category,
                                                          inc.location.street, rules):
                try:
                    apply(decide(name, {"id": incident_id, **step_args},
                                 Context(rules, actor, step_at), world))
                except Refused:
                    break  # the domain says no (a category handled otherwise): the case stops
        with db.writer.begin() as conn:
            conn.execute(insert(s.events), events)
            conn.execute(insert(s.incident_timeline), timeline)
            conn.execute(insert(s.incidents), [
                incident_row(inc, marks.get(inc.id, RecordMarks()), rules)
                for inc in world.incidents.values()])
        made += len(world.incidents)
        print(f"  {made:,} cases, {seq:,} events, {time.perf_counter() - started:.0f} s",
              flush=True)
    with db.writer.begin() as conn:
        conn.execute(update(s.log_head).where(s.log_head.c.id == 1).values(seq=seq))
        conn.execute(insert(s.id_counters), [{"day": day, "last": last}
                                             for day, last in ids.last.items()])
    if db.dialect == "postgresql":
        with db.writer.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()
    db.dispose()
    departments = sorted({d.code for d in rules.taxonomy.departments})
    return {"cases": cases, "events": seq, "phones": sample_phones,
            "departments": departments, "built_s": round(time.perf_counter() - started, 1)}


@contextmanager
def cached(url: str | None, cases: int, fresh: bool) -> Iterator[tuple[str, dict[str, Any]]]:
    """The record's database URL and its meta, built first when not cached."""
    CACHE.mkdir(parents=True, exist_ok=True)
    if url is None or make_url(normalise_url(url)).get_backend_name() != "postgresql":
        path = CACHE / f"v{VERSION}-c{cases}.db" if url is None else Path(
            make_url(normalise_url(url)).database or "")
        meta_file = path.with_suffix(".json")
        target = f"sqlite:///{path}"
        if fresh or not meta_file.exists():
            for old in path.parent.glob(path.name + "*"):
                old.unlink()
            print(f"building {cases:,} cases in {path}", flush=True)
            meta_file.write_text(json.dumps(build(target, cases)))
        yield target, json.loads(meta_file.read_text())
        return
    server = make_url(normalise_url(url))
    name = f"linkage_archive_v{VERSION}_{cases}"
    target = server.set(database=name).render_as_string(hide_password=False)
    meta_file = CACHE / f"pg-{server.host}-{server.port}-{name}.json"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                  {"n": name}).scalar() is not None
            if fresh or not exists or not meta_file.exists():
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(text(f'CREATE DATABASE "{name}"'))
                build_now = True
            else:
                build_now = False
    finally:
        admin.dispose()
    if build_now:
        print(f"building {cases:,} cases in {name}", flush=True)
        meta_file.write_text(json.dumps(build(target, cases)))
    yield target, json.loads(meta_file.read_text())


# -- searching -----------------------------------------------------------------------------------


def _month(rng: random.Random) -> tuple[str, str]:
    """A calendar month of the record (the district's), as a created_from/created_to pair."""
    back = rng.randrange(1, 12)
    year, month = NOW.year, NOW.month - back
    while month < 1:
        year, month = year - 1, month + 12
    zone = timedelta(hours=8)
    first = datetime(year, month, 1, tzinfo=UTC) - zone
    following = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC) - zone
    return first.isoformat(), following.isoformat()


def queries(meta: dict[str, Any], count: int, rng: random.Random) -> dict[str, list[Any]]:
    """``count`` searches of each kind."""
    phones = meta["phones"] or ["13800000001"]
    departments = meta["departments"]
    by_department = []
    for _ in range(count):
        start, end = _month(rng)
        by_department.append({"department": rng.choice(departments), "created_from": start,
                              "created_to": end})
    return {"phone": [{"phone": rng.choice(phones)} for _ in range(count)],
            "text": [{"text": WORDS[n % len(WORDS)]} for n in range(count)],
            "department_month": by_department}


async def ask(ws: Any, filters: dict[str, Any]) -> float:
    """One search's round trip, in milliseconds."""
    request_id = str(uuid.uuid4())
    sent = time.perf_counter()
    await ws.send(json.dumps({"type": "search", "id": request_id, "filters": filters,
                              "limit": PAGE}))
    while True:
        message = json.loads(await ws.recv())
        if message.get("id") == request_id:
            assert message["type"] == "search", message
            return 1000 * (time.perf_counter() - sent)


async def search_alone(port: int, kinds: dict[str, list[Any]]) -> dict[str, list[float]]:
    ws = await hub_load.login(port, "/ws", "bench-ctl")
    try:
        return {kind: [await ask(ws, f) for f in filters] for kind, filters in kinds.items()}
    finally:
        await ws.close()


async def keep_searching(port: int, kinds: dict[str, list[Any]], seconds: float,
                         done: list[float]) -> None:
    ws = await hub_load.login(port, "/ws", "bench-ctl")
    every = [f for filters in kinds.values() for f in filters]
    rng = random.Random(port)
    ends = time.perf_counter() + seconds
    try:
        while time.perf_counter() < ends:
            done.append(await ask(ws, rng.choice(every)))
    finally:
        await ws.close()


async def run(url: str, meta: dict[str, Any], searches: int, seconds: float) -> dict[str, Any]:
    hub = hub_load.Process([sys.executable, str(ROOT / "main.py"), "hub", "--db", url,
                            "--port", "0", "--name", "archive"],
                           r"listening on ws://[\d.]+:(\d+)")
    try:
        kinds = queries(meta, searches, random.Random(5))
        await search_alone(hub.port, {k: v[:5] for k, v in kinds.items()})  # warm the caches
        alone = await search_alone(hub.port, kinds)
        short = [ms for f, ms in zip(kinds["text"], alone["text"], strict=True)
                 if len(f["text"]) < 3]
        setup = await hub_load.run_hub(hub.port, seconds)
        during: list[float] = []

        async def work() -> int:
            results = await asyncio.gather(
                setup["work"](), *(keep_searching(hub.port, kinds, seconds, during)
                                   for _ in range(SEARCHERS)))
            return int(results[0])

        await hub_load.measure(hub, work, seconds)
        await asyncio.sleep(1)
        consoles = setup["consoles"]
        for ws in [*setup["sockets"], *setup["extra"]]:
            await ws.close()
    finally:
        hub.stop()
    command_ms = [1000 * (max(c.events[seq] for c in consoles) - sent)
                  for seq, sent in setup["command_sent"].items()
                  if all(seq in c.events for c in consoles)]
    p95 = functools.partial(hub_load.percentile, q=0.95)
    return {
        "phone_p95_ms": round(p95(alone["phone"]), 1),
        "text_p95_ms": round(p95(alone["text"]), 1),
        "text_two_characters_p95_ms": round(p95(short), 1) if short else None,
        "department_month_p95_ms": round(p95(alone["department_month"]), 1),
        "month_assessment_s": None,
        "month_assessment_note": "the department assessment is not in this code yet",
        "command_p99_ms_under_search": round(hub_load.percentile(command_ms, 0.99), 1)
        if command_ms else None,
        "commands_under_search": len(command_ms),
        "searches_under_load": len(during),
        "search_p95_ms_under_load": round(p95(during), 1) if during else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--db", help="a PostgreSQL server URL (the record is kept there as "
                        "its own database) or a SQLite URL (default: a cached SQLite file)")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--fresh", action="store_true", help="build the record again")
    parser.add_argument("--searches", type=int, default=200, help="searches of each kind")
    parser.add_argument("--seconds", type=float, default=30.0, help="the load window")
    args = parser.parse_args()
    with cached(args.db, args.cases, args.fresh) as (url, meta):
        figures = asyncio.run(run(url, meta, args.searches, args.seconds))
    db = "postgresql" if url.startswith("postgresql") else "sqlite"
    for key, value in figures.items():
        print(f"{key}: {value}")
    print(json.dumps({"db": db, "cases": meta["cases"], "events": meta["events"],
                      "built_s": meta["built_s"], **figures}, ensure_ascii=False))


if __name__ == "__main__":
    main()
