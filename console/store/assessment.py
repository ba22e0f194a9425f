"""The day's grid-worker assessment from the store (console/domain/assessment.py defines it).

    days = assess_day(store, date(2026, 12, 7))          # every grid worker's day
    days = assess_day(store, date(2026, 12, 7), units=["G1"])

Built for a whole district (~21,500 workers, a fix per worker every 15 s on duty: ~40 million
fixes a day) in a handful of queries, none per worker:

1. the workers, their clock events (the day and the day before), their shifts, checkpoint
   passes, reports, site verifications and dispatches: one query each, sorted out in Python
   (tens of thousands of rows);
2. the fixes: on PostgreSQL set-based queries, never a row per fix into Python. The
   workers' on-duty stretches go to the server as arrays (``unnest``), in chunks of about
   :data:`CHUNK_FIXES` fixes; per chunk one query walks ``positions`` by its (unit, time)
   index inside each stretch in time order and sums the legs (``lag()``), another counts the
   fixes inside the worker's cell (the built-in ``polygon @> point``; no PostGIS); the chunks'
   queries run on :data:`PARALLEL` connections at once. On SQLite (the embedded, one-machine
   case) one pass over the fixes ordered by unit and time, the cells from the geography.

The time is the caller's (``day`` is a local date): nothing here reads the clock.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select, text

from console.domain import assessment as rules_of
from console.domain.assessment import Interval, Weights, WorkerDay
from console.domain.incident import Incident
from console.domain.model import AssignmentState, UnitType
from console.domain.roster import PatrolPlan
from console.domain.sla import Stage, start_clock
from console.store import rosters
from console.store import schema as s

#: Events the assessment reads, by what they count.
CLOCK = ("unit.clocked_in", "unit.clocked_out")
VERIFIED = ("incident.verified", "incident.verification_failed")
NOT_A_CASE = ("new", "rejected", "merged")


def day_span(day: date, tz: Any) -> tuple[datetime, datetime]:
    start = datetime.combine(day, datetime.min.time(), tz)
    return start, datetime.combine(day + timedelta(days=1), datetime.min.time(), tz)


def assess_day(store: Any, day: date, *, units: Collection[str] | None = None,
               weights: Weights | None = None, plan: PatrolPlan | None = None
               ) -> list[WorkerDay]:
    """Every grid worker's (or ``units``') figures and score for the local ``day``, by unit id.

    ``store`` is a :class:`console.store.store.Store` (its database, rules and geography)."""
    weights = weights or Weights.load()
    plan = plan or PatrolPlan.load()
    rules = store.rules
    start, end = day_span(day, rules.calendar.tz)
    with store.db.reader.connect() as conn:
        workers = _workers(conn, units)
        ids = set(workers)
        events = _events(conn, start - timedelta(days=1), end)
        shifts = rosters.shifts(conn, None if units is None else ids, start, end)
        grid_cps, community_cps = _checkpoint_counts(conn)
        tasks = _tasks(conn, ids, start, end, rules)
        clock: dict[str, list[tuple[str, datetime]]] = defaultdict(list)
        flags: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        passed: dict[str, set[str]] = defaultdict(set)
        reports: dict[str, list[str]] = defaultdict(list)
        verifications: dict[str, int] = defaultdict(int)
        for name, at, d in events:
            unit = d.get("unit") or d.get("by_unit")
            if unit not in ids:
                continue
            if name in CLOCK:
                clock[unit].append(("in" if name == "unit.clocked_in" else "out", at))
                if name == "unit.clocked_in" and start <= at < end:
                    for flag in d.get("flags") or ():
                        flags[unit][flag] += 1
            elif at < start:
                continue
            elif name == "unit.checkpoint_passed":
                passed[unit].add(d["checkpoint"])
            elif name == "incident.created" and d.get("source") == "grid":
                reports[unit].append(d["id"])
            elif name in VERIFIED and d.get("method") == "site":
                verifications[unit] += 1
        states = _states(conn, [i for r in reports.values() for i in r])
        intervals = {u: rules_of.duty_intervals(c, start, end) for u, c in clock.items()}
        track = _track(store, conn, workers, intervals)
    by_unit: dict[str, list[Any]] = defaultdict(list)
    for shift in shifts:
        by_unit[shift.unit].append(shift)
    result = []
    for unit, w in sorted(workers.items()):
        duty = intervals.get(unit, [])
        rostered, count, absent = rules_of.roster_figures(by_unit.get(unit, []), duty, start, end)
        metres, fixes, inside = track.get(unit, (0.0, 0, 0))
        own = grid_cps.get(w["grid"], 0)
        done, on_time = tasks.get(unit, (0, 0))
        filed = reports.get(unit, [])
        f = flags.get(unit, {})
        result.append(rules_of.scored(WorkerDay(
            unit=unit, name=w["name"], tier=w["tier"], street=w["street"],
            community=w["community"], grid=w["grid"], day=day.isoformat(),
            rostered_h=round(rostered, 3), on_duty_h=round(rules_of.hours(duty), 3),
            shifts=count, late=f.get("late", 0), absent=absent,
            off_roster=f.get("off_roster", 0), outside_grid=f.get("outside_grid", 0),
            distance_km=round(metres / 1000, 3),
            inside_share=round(inside / fixes, 4) if fixes else None,
            checkpoints=len(passed.get(unit, ())),
            planned=plan.planned(w["tier"], own, community_cps.get(w["community"], 0)),
            reports=len(filed), cases=sum(1 for i in filed if states.get(i) not in NOT_A_CASE),
            tasks=done, on_time=on_time, verifications=verifications.get(unit, 0)), weights))
    return result


def _workers(conn: Any, units: Collection[str] | None) -> dict[str, dict[str, Any]]:
    u = s.units.c
    query = select(u.id, u.name, u.tier, u.street, u.community, u.grid).where(
        u.type == UnitType.GRID_WORKER.value)
    if units is not None:
        query = query.where(u.id.in_(list(units)))
    return {r.id: dict(r._mapping) for r in conn.execute(query)}


def _events(conn: Any, since: datetime, until: datetime) -> list[tuple[str, datetime, Any]]:
    e = s.events.c
    names = (*CLOCK, "unit.checkpoint_passed", "incident.created", *VERIFIED)
    query = (select(e.name, e.at, e.data).where(e.at >= since, e.at < until, e.name.in_(names))
             .order_by(e.seq))
    return [(r.name, r.at, r.data) for r in conn.execute(query)]


def _checkpoint_counts(conn: Any) -> tuple[dict[str, int], dict[str, int]]:
    grids: dict[str, int] = defaultdict(int)
    communities: dict[str, int] = defaultdict(int)
    for cp in rosters.all_checkpoints(conn):
        if cp.grid:
            grids[cp.grid] += 1
        if cp.community:
            communities[cp.community] += 1
    return grids, communities


def _states(conn: Any, incident_ids: list[str]) -> dict[str, str]:
    result: dict[str, str] = {}
    i = s.incidents.c
    for at in range(0, len(incident_ids), 1000):
        chunk = incident_ids[at:at + 1000]
        query = select(i.id, i.state).where(i.id.in_(chunk))
        result.update((r.id, r.state) for r in conn.execute(query))
    return result


def _tasks(conn: Any, ids: set[str], start: datetime, end: datetime, rules: Any
           ) -> dict[str, tuple[int, int]]:
    """(reached the scene, of them on time) of the dispatches to ``ids`` in the day."""
    a = s.assignments.c
    rows = conn.execute(select(a.id, a.incident_id, a.unit_id).where(
        a.dispatched_at >= start, a.dispatched_at < end)).all()
    wanted = {r.id for r in rows if r.unit_id in ids}
    incidents = sorted({r.incident_id for r in rows if r.id in wanted})
    result: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for at in range(0, len(incidents), 500):
        docs = conn.execute(select(s.incidents.c.doc).where(
            s.incidents.c.id.in_(incidents[at:at + 500]))).scalars()
        for doc in docs:
            inc = Incident.from_dict(doc)
            limit = rules.sla.limit(inc.sla_class, inc.priority.value, Stage.ARRIVE)
            for job in inc.assignments:
                if job.id not in wanted:
                    continue
                arrived = job.time_of(AssignmentState.ON_SCENE)
                if arrived is None:
                    continue
                due = start_clock(Stage.ARRIVE, job.dispatched_at, limit, rules.calendar).due_at
                result[job.unit][0] += 1
                result[job.unit][1] += arrived <= due
    return {unit: (done, on_time) for unit, (done, on_time) in result.items()}


# -- the fixes ----------------------------------------------------------------------------------

Track = dict[str, tuple[float, int, int]]  # unit → (metres, fixes on duty, of them in the grid)


def _track(store: Any, conn: Any, workers: dict[str, dict[str, Any]],
           intervals: dict[str, list[Interval]]) -> Track:
    if not intervals:
        return {}
    if conn.dialect.name == "postgresql":
        return _track_postgresql(store, conn, workers, intervals)
    return _track_python(store, conn, workers, intervals)


def _cell(store: Any, grid: str | None) -> Any:
    geography = store.rules.geography
    if geography is None or grid is None:
        return None
    try:
        return geography.polygon("grid", grid)
    except (KeyError, ValueError):
        return None


def _track_python(store: Any, conn: Any, workers: dict[str, dict[str, Any]],
                  intervals: dict[str, list[Interval]]) -> Track:
    """One pass over the fixes of the on-duty span, ordered by unit and time."""
    import shapely

    p = s.positions.c
    since = min(a for spans in intervals.values() for a, _ in spans) if any(
        intervals.values()) else None
    if since is None:
        return {}
    until = max(b for spans in intervals.values() for _, b in spans)
    query = (select(p.unit_id, p.lat, p.lon, p.at).where(p.at >= since, p.at < until)
             .order_by(p.unit_id, p.at))
    if len(intervals) <= 2_000:  # an area's workers: by the (unit, at) index, not the day's all
        query = query.where(p.unit_id.in_(sorted(intervals)))
    result: Track = {}
    current: str | None = None
    spans: list[Interval] = []
    starts: list[datetime] = []
    legs: dict[int, list[tuple[float, float, datetime]]] = {}

    def close() -> None:
        if current is None or not legs:
            return
        cell = _cell(store, workers[current]["grid"])
        metres = sum(rules_of.travel(fixes) for fixes in legs.values())
        points = [(lon, lat) for fixes in legs.values() for lat, lon, _ in fixes]
        inside = int(shapely.covers(cell, shapely.points(points)).sum()) if cell is not None \
            else 0
        result[current] = (metres, len(points), inside)

    for unit, lat, lon, at in conn.execute(query):
        if unit != current:
            close()
            current, legs = unit, {}
            spans = intervals.get(unit, []) if unit in workers else []
            starts = [a for a, _ in spans]
        if not spans:
            continue
        k = bisect.bisect_right(starts, at) - 1
        if k >= 0 and at < spans[k][1]:
            legs.setdefault(k, []).append((lat, lon, at))
    close()
    return result


#: Rows of the day's fixes one PostgreSQL query takes: the workers are split in chunks of
#: about this many fixes, read on :data:`PARALLEL` connections at once.
CHUNK_FIXES = 2_000_000
PARALLEL = 4
_DUTY = ("unnest(CAST(:units AS text[]), CAST(:starts AS timestamptz[]), "
         "CAST(:ends AS timestamptz[]))")
#: Fixes on duty, and of them in the worker's cell: no order needed, one pass of the index.
_INSIDE_SQL = text("""
SELECT d.unit_id, count(*) AS fixes,
       count(*) FILTER (WHERE d.poly @> point(p.lon, p.lat)) AS inside
FROM unnest(CAST(:units AS text[]), CAST(:starts AS timestamptz[]),
            CAST(:ends AS timestamptz[]), CAST(CAST(:polys AS text[]) AS polygon[]))
     AS d(unit_id, starts, ends, poly)
JOIN positions p ON p.unit_id = d.unit_id AND p.at >= d.starts AND p.at < d.ends
GROUP BY d.unit_id
""")
#: Metres along the fixes, leg by leg inside each on-duty stretch (by its number ``k`` in the
#: chunk): the stretches in order, each read in time order by the (unit, at) index, so the
#: window's sort is an incremental one, on an integer rather than a unit's id.
_DISTANCE_SQL = text(f"""
SELECT k, coalesce(sum(sqrt(dy * dy + dx * dx)) FILTER (
           WHERE s > 0 AND dy * dy + dx * dx <= {rules_of.MAX_SPEED_MPS ** 2} * s * s), 0)
FROM (SELECT d.k,
             (p.lat - lag(p.lat) OVER w) * {rules_of.M_PER_DEG} AS dy,
             (p.lon - lag(p.lon) OVER w) * ({rules_of.M_PER_DEG} * cos(radians(p.lat))) AS dx,
             date_part('epoch', p.at - lag(p.at) OVER w) AS s
      FROM (SELECT * FROM {_DUTY} WITH ORDINALITY AS d(unit_id, starts, ends, k)
            ORDER BY k) d
      JOIN positions p ON p.unit_id = d.unit_id AND p.at >= d.starts AND p.at < d.ends
      WINDOW w AS (PARTITION BY d.k ORDER BY p.at)) legs
GROUP BY k
""")


def _track_postgresql(store: Any, conn: Any, workers: dict[str, dict[str, Any]],
                      intervals: dict[str, list[Interval]]) -> Track:  # conn: not used
    """Two set-based queries per chunk of workers, the chunks on several connections."""
    from concurrent.futures import ThreadPoolExecutor

    polygons: dict[str | None, str | None] = {}
    chunks: list[dict[str, list[Any]]] = []
    weight = CHUNK_FIXES + 1
    for unit, spans in sorted(intervals.items()):
        grid = workers[unit]["grid"]
        if grid not in polygons:
            polygons[grid] = _pg_polygon(_cell(store, grid))
        if weight > CHUNK_FIXES:
            chunks.append({"units": [], "starts": [], "ends": [], "polys": []})
            weight = 0
        for a, b in spans:
            chunk = chunks[-1]
            chunk["units"].append(unit)
            chunk["starts"].append(a)
            chunk["ends"].append(b)
            chunk["polys"].append(polygons[grid])
            weight += int((b - a).total_seconds() / 15)  # at most a fix every 15 s

    def run(query: Any, chunk: dict[str, list[Any]]) -> list[Any]:
        params = chunk if query is _INSIDE_SQL else {
            k: v for k, v in chunk.items() if k != "polys"}
        with store.db.reader.connect() as own:
            return list(own.execute(query, params))

    jobs = [(q, c) for c in chunks for q in (_DISTANCE_SQL, _INSIDE_SQL)]
    with ThreadPoolExecutor(max_workers=min(PARALLEL, len(jobs))) as pool:
        answers = list(pool.map(lambda job: run(*job), jobs))
    metres: dict[str, float] = defaultdict(float)
    counts: dict[str, tuple[int, int]] = {}
    for (query, chunk), rows in zip(jobs, answers, strict=True):
        for row in rows:
            if query is _DISTANCE_SQL:  # by stretch, numbered from 1 in its chunk
                metres[chunk["units"][int(row[0]) - 1]] += float(row[1])
            else:
                counts[row[0]] = (int(row[1]), int(row[2]))
    return {unit: (metres.get(unit, 0.0), *counts[unit]) for unit in counts}


def _pg_polygon(cell: Any) -> str | None:
    """A cell's outer ring as a PostgreSQL ``polygon`` literal; None without a cell."""
    if cell is None:
        return None
    ring = (max(cell.geoms, key=lambda g: g.area) if hasattr(cell, "geoms") else cell).exterior
    return "(" + ",".join(f"({x!r},{y!r})" for x, y in ring.coords) + ")"


def worker_days(store: Any, days: Iterable[date], **kwargs: Any) -> list[WorkerDay]:
    """:func:`assess_day` of several days, one after the other (a month's report)."""
    return [row for day in days for row in assess_day(store, day, **kwargs)]


def area_units(store: Any, *, community: str | None = None, street: str | None = None,
               unit: str | None = None) -> set[str] | None:
    """The grid workers of a community or street (or the one named), None for every one."""
    if unit is not None:
        return {unit}
    if community is None and street is None:
        return None
    u = s.units.c
    column = u.community if community is not None else u.street
    with store.db.reader.connect() as conn:
        return set(conn.execute(select(u.id).where(column == (community or street))).scalars())


def worker_detail(store: Any, unit: str, day: date, *, limit: int = 20_000
                  ) -> tuple[list[tuple[float, float, str]], list[dict[str, Any]]]:
    """A worker's day to replay: its fixes of the day (oldest first, the newest ``limit``),
    and the checkpoints of its community (or its cell), each with whether it passed it."""
    start, end = day_span(day, store.rules.calendar.tz)
    fixes = store.positions.track(unit, start, end - timedelta(microseconds=1), limit)
    e = s.events.c
    with store.db.reader.connect() as conn:
        passed = {d["checkpoint"] for d in conn.execute(select(e.data).where(
            e.subject == unit, e.name == "unit.checkpoint_passed", e.at >= start,
            e.at < end)).scalars()}
        row = conn.execute(select(s.units.c.grid, s.units.c.community).where(
            s.units.c.id == unit)).first()
        checkpoints = rosters.all_checkpoints(conn)
    grid, community = (row.grid, row.community) if row is not None else (None, None)
    mine = [cp for cp in checkpoints if cp.id in passed or (community and cp.community == community)
            or (grid and cp.grid == grid)]
    return ([(f.lat, f.lon, f.at.isoformat()) for f in fixes],
            [{"id": cp.id, "name_zh": cp.name_zh, "name_en": cp.name_en, "lat": cp.lat,
              "lon": cp.lon, "passed": cp.id in passed} for cp in mine])
