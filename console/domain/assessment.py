"""Grid-worker assessment (网格员考核): the figures of one worker's day, their score, and the
month per street and community. Pure definitions; the store gathers the inputs
(console/store/assessment.py) and the weights are data (``resources/assessment.toml``,
``[workers]``).

**The day** is the local calendar day (the working calendar's time zone), [00:00, 24:00).

Per worker per day (:class:`WorkerDay`):

- ``rostered_h`` — the hours of the shifts that start in the day (a flexible block counts
  2 hours, console/domain/roster.py); ``on_duty_h`` — clocked in to clocked out, clipped to the
  day (a clock-in more than a day before the day's start is not looked for);
- ``late`` — clock-ins flagged late; ``absent`` — shifts starting in the day with no on-duty
  time inside them; ``off_roster`` and ``outside_grid`` — clock-ins so flagged;
- ``distance_km`` — along the stored fixes while on duty, leg by leg within one on-duty stretch;
  a leg faster than :data:`MAX_SPEED_MPS` is a bad fix and is not counted;
- ``inside_share`` — the share of the on-duty fixes that lie in the worker's own grid cell
  (fixes come at a steady pace on duty, so this is the share of on-duty time); None with no fix;
- ``checkpoints`` — distinct checkpoints passed, against ``planned`` (the patrol plan);
- ``reports`` — incidents the worker reported (source ``grid``), ``cases`` — of them those that
  became a case (accepted: not new, rejected or merged);
- ``tasks`` — field assignments dispatched to the worker in the day that reached the scene,
  ``on_time`` — of them those whose arrive clock stopped by its deadline;
- ``verifications`` — on-site verifications (``incident.verify`` with method ``site``).

**The score** (0–100) is the weighted mean of the parts that apply (:func:`score`): attendance
(on-duty hours over rostered, at most 1), punctuality (1 − (late + absent) / shifts), grid
(``inside_share``), patrol (checkpoints over planned, at most 1), reports (reports over the
tier's daily target, at most 1), cases (cases over reports), tasks (on time over tasks),
verifications (over the tier's target, at most 1). A part with nothing to measure (no shift,
no fix, no plan, no report, no task) is left out and the weights of the others count; a day
with no part at all has no score.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from console.domain.model import Role
from console.domain.resources import RESOURCES
from console.domain.roster import Shift

#: Who may read the workers' figures and tracks (the hub audits every read).
READERS = frozenset({Role.DUTY_LEADER, Role.ADMIN})
#: Legs faster than this (m/s) are bad fixes, not travel.
MAX_SPEED_MPS = 40.0
#: Metres per degree of latitude (the legs are short: the flat-earth distance is exact enough).
M_PER_DEG = 111_195.0
PARTS = ("attendance", "punctuality", "grid", "patrol", "reports", "cases", "tasks",
         "verifications")


@dataclass(frozen=True)
class Weights:
    """``[workers]`` of ``resources/assessment.toml``: the parts' weights, and the daily
    targets of reports and verifications per tier."""

    parts: Mapping[str, float]
    report_target: Mapping[int, float]
    verification_target: Mapping[int, float]

    @classmethod
    def from_toml(cls, data: Mapping[str, Any]) -> Weights:
        workers = data.get("workers")
        if not isinstance(workers, Mapping):
            raise ValueError("assessment.toml has no [workers] table")
        weights = workers.get("weights", {})
        unknown = set(weights) - set(PARTS)
        if unknown:
            raise ValueError(f"[workers.weights]: unknown parts {sorted(unknown)}")
        parts = {}
        for part in PARTS:
            value = weights.get(part, 0)
            if not isinstance(value, int | float) or value < 0:
                raise ValueError(f"[workers.weights] {part} = {value!r}: want a number ≥ 0")
            parts[part] = float(value)
        if not any(parts.values()):
            raise ValueError("[workers.weights]: every weight is 0")
        return cls(parts, _per_tier(workers, "reports"), _per_tier(workers, "verifications"))

    @classmethod
    def load(cls, path: Path | None = None) -> Weights:
        with open(path or RESOURCES / "assessment.toml", "rb") as f:
            return cls.from_toml(tomllib.load(f))


def _per_tier(workers: Mapping[str, Any], name: str) -> dict[int, float]:
    raw = workers.get("targets", {}).get(name, {})
    result = {}
    for key, value in raw.items():
        if not (key.startswith("tier") and key[4:].isdigit()) or not isinstance(
                value, int | float) or value <= 0:
            raise ValueError(f"[workers.targets.{name}] {key} = {value!r}: want tierN = a "
                             "number > 0")
        result[int(key[4:])] = float(value)
    return result


@dataclass(frozen=True)
class WorkerDay:
    """One worker's day: who, and the figures (module docstring)."""

    unit: str
    name: str
    tier: int | None
    street: str | None
    community: str | None
    grid: str | None
    day: str  # YYYY-MM-DD, local
    rostered_h: float = 0.0
    on_duty_h: float = 0.0
    shifts: int = 0
    late: int = 0
    absent: int = 0
    off_roster: int = 0
    outside_grid: int = 0
    distance_km: float = 0.0
    inside_share: float | None = None
    checkpoints: int = 0
    planned: int = 0
    reports: int = 0
    cases: int = 0
    tasks: int = 0
    on_time: int = 0
    verifications: int = 0
    score: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> WorkerDay:
        return cls(**{f.name: d[f.name] for f in fields(cls) if f.name in d})


# -- the parts ----------------------------------------------------------------------------------

Interval = tuple[datetime, datetime]


def duty_intervals(clock_events: Iterable[tuple[str, datetime]], start: datetime,
                   end: datetime) -> list[Interval]:
    """On-duty stretches from a unit's clock events (``("in"|"out", at)``, in order), clipped
    to [start, end). A clock-in with no clock-out runs to ``end``."""
    result: list[Interval] = []
    since: datetime | None = None
    for kind, at in clock_events:
        if kind == "in":
            if since is None:
                since = at
        elif since is not None:
            _add(result, since, at, start, end)
            since = None
    if since is not None:
        _add(result, since, end, start, end)
    return result


def _add(result: list[Interval], a: datetime, b: datetime, start: datetime, end: datetime
         ) -> None:
    a, b = max(a, start), min(b, end)
    if b > a:
        result.append((a, b))


def hours(intervals: Iterable[Interval]) -> float:
    return sum((b - a).total_seconds() for a, b in intervals) / 3600


def overlap(intervals: Iterable[Interval], a: datetime, b: datetime) -> timedelta:
    total = timedelta()
    for x, y in intervals:
        if min(y, b) > max(x, a):
            total += min(y, b) - max(x, a)
    return total


def roster_figures(shifts: Sequence[Shift], intervals: Sequence[Interval], start: datetime,
                   end: datetime) -> tuple[float, int, int]:
    """(rostered hours, shifts, absent) of the shifts starting in [start, end)."""
    day = [s for s in shifts if start <= s.starts_at < end]
    absent = sum(1 for s in day if overlap(intervals, s.starts_at, s.ends_at) <= timedelta())
    return sum(s.hours for s in day), len(day), absent


def leg_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """A short leg's length in metres (flat earth at the latitude of its end; the SQL does
    the same)."""
    dy = (lat2 - lat1) * M_PER_DEG
    dx = (lon2 - lon1) * M_PER_DEG * math.cos(math.radians(lat2))
    return math.hypot(dx, dy)


def travel(fixes: Iterable[tuple[float, float, datetime]]) -> float:
    """Metres along ``fixes`` (one on-duty stretch, in time order), bad legs left out."""
    total = 0.0
    last: tuple[float, float, datetime] | None = None
    for fix in fixes:
        if last is not None:
            metres = leg_m(last[0], last[1], fix[0], fix[1])
            seconds = (fix[2] - last[2]).total_seconds()
            if seconds > 0 and metres / seconds <= MAX_SPEED_MPS:
                total += metres
        last = fix
    return total


# -- the score ----------------------------------------------------------------------------------

def part_values(day: WorkerDay, weights: Weights) -> dict[str, float]:
    """Each part that applies to ``day``, 0.0 … 1.0."""
    parts: dict[str, float] = {}
    if day.rostered_h > 0:
        parts["attendance"] = min(day.on_duty_h / day.rostered_h, 1.0)
    if day.shifts > 0:
        parts["punctuality"] = max(0.0, 1 - (day.late + day.absent) / day.shifts)
    if day.inside_share is not None:
        parts["grid"] = day.inside_share
    if day.planned > 0:
        parts["patrol"] = min(day.checkpoints / day.planned, 1.0)
    tier = day.tier or 3
    if tier in weights.report_target and (day.shifts or day.on_duty_h):
        parts["reports"] = min(day.reports / weights.report_target[tier], 1.0)
    if day.reports > 0:
        parts["cases"] = day.cases / day.reports
    if day.tasks > 0:
        parts["tasks"] = day.on_time / day.tasks
    if tier in weights.verification_target and (day.shifts or day.on_duty_h):
        parts["verifications"] = min(day.verifications / weights.verification_target[tier],
                                     1.0)
    return parts


def score(day: WorkerDay, weights: Weights) -> float | None:
    """The day's score, 0–100 to one decimal, or None when nothing applies."""
    parts = part_values(day, weights)
    total = sum(weights.parts[p] for p in parts)
    if total <= 0:
        return None
    return round(100 * sum(weights.parts[p] * v for p, v in parts.items()) / total, 1)


def scored(day: WorkerDay, weights: Weights) -> WorkerDay:
    return replace(day, score=score(day, weights))


# -- the month ----------------------------------------------------------------------------------

SUMMED = ("rostered_h", "on_duty_h", "shifts", "late", "absent", "off_roster", "outside_grid",
          "distance_km", "checkpoints", "planned", "reports", "cases", "tasks", "on_time",
          "verifications")


@dataclass(frozen=True)
class Summary:
    """A worker's month, or a street's or community's: the days' figures summed, the mean
    score of the days that have one, and for an area how many workers."""

    key: str
    days: int
    workers: int
    totals: Mapping[str, float]
    score: float | None

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "days": self.days, "workers": self.workers,
                **self.totals, "score": self.score}


def summarise(days: Iterable[WorkerDay], by: str) -> list[Summary]:
    """Days grouped by ``by`` (``unit``, ``community`` or ``street``), best score first."""
    groups: dict[str, list[WorkerDay]] = {}
    for day in days:
        key = getattr(day, by)
        if key is not None:
            groups.setdefault(key, []).append(day)
    result = []
    for key, group in groups.items():
        totals = {name: round(sum(getattr(d, name) for d in group), 3) for name in SUMMED}
        scores = [d.score for d in group if d.score is not None]
        result.append(Summary(key, len({d.day for d in group}), len({d.unit for d in group}),
                              totals, round(sum(scores) / len(scores), 1) if scores else None))
    return sorted(result, key=lambda s: (s.score is None, -(s.score or 0), s.key))


def ranking(days: Iterable[WorkerDay], *, community: str | None = None,
            street: str | None = None) -> list[WorkerDay]:
    """The workers of a community or street, best score first (no score last)."""
    chosen = [d for d in days if (community is None or d.community == community)
              and (street is None or d.street == street)]
    return sorted(chosen, key=lambda d: (d.score is None, -(d.score or 0), d.unit))
