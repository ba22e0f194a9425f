"""Early warning (研判预警): a spike of one category in one grid cell or community.

The :class:`Detector` follows incident creations in log order. For each new incident it asks,
for the incident's category in its grid cell and in its community, whether the count in the
last window is well above what that area usually sees in such a window:

    expected  = the key's mean count per window over the trailing baseline period
                × how busy the whole district is now against its own baseline (clamped)
    threshold = max(min_count[level], floor(expected + k·√expected) + 1)
    spike     = count in the window ≥ threshold

and only once the record (since the first incident) is ``min_record`` long (a day): before,
neither an area's rate nor the district's daily rhythm is known, and a freshly loaded system
would alarm on ``min_count`` alone.

It is pure: no clock (time is the incident's creation time), no I/O, the same answers for the
same incidents in the same order — which is how two hubs on one database raise a spike once
(``console/hub/watch.py`` gives the write a command id made from the spike's seq and key).
A spike does not raise again while it lasts (the key stays *hot* for a window after each
evaluation at or over its threshold); a community-level spike is not raised while a grid-level
one of the same category inside it is hot. The parameters are data (``resources/warning.toml``,
:class:`WarningRules`), so changing them needs no code.

Warnings are aggregates too (:class:`EarlyWarning`, ``EW-20261127-001``): ``warning.raise``
(the hub's system actor) → ``warning.raised``; ``warning.acknowledge`` (duty leader) →
``warning.acknowledged``.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from console.domain import args as a
from console.domain import permissions
from console.domain.errors import Refused
from console.domain.model import Event
from console.domain.resources import RESOURCES, load_toml
from console.domain.rules import Context

#: Area levels, finest first: a spike is raised at the finest level that shows it.
LEVELS = ("grid", "community")
#: The most incident ids a warning lists (the latest in its window).
MAX_LISTED = 50


@dataclass(frozen=True)
class WarningRules:
    """The detector's parameters (``resources/warning.toml``)."""

    window: timedelta
    baseline: timedelta
    k: float
    min_count: Mapping[str, int]
    busy_low: float = 0.5
    busy_high: float = 3.0
    #: How much record (since the first incident) there must be before anything is raised.
    min_record: timedelta = timedelta(hours=24)

    @classmethod
    def load(cls, path: Path | None = None) -> WarningRules:
        return load_toml(path or RESOURCES / "warning.toml", cls.from_dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WarningRules:
        def positive(key: str, value: Any) -> float:
            if isinstance(value, bool) or not isinstance(value, int | float) \
                    or not 0 < value < math.inf:
                raise ValueError(f"{key} must be a positive number, not {value!r}")
            return float(value)

        window = positive("window_minutes", data.get("window_minutes"))
        days = positive("baseline_days", data.get("baseline_days"))
        k = positive("k", data.get("k"))
        counts = data.get("min_count")
        if not isinstance(counts, Mapping) or set(counts) != set(LEVELS):
            raise ValueError(f"min_count needs exactly the levels {list(LEVELS)}")
        min_count = {}
        for level in LEVELS:
            value = counts[level]
            if isinstance(value, bool) or not isinstance(value, int) or value < 2:
                raise ValueError(f"min_count.{level} must be a whole number of at least 2")
            min_count[level] = value
        busy = data.get("busy_factor", [0.5, 3.0])
        if not (isinstance(busy, list) and len(busy) == 2):
            raise ValueError("busy_factor must be [lowest, highest]")
        low, high = positive("busy_factor", busy[0]), positive("busy_factor", busy[1])
        if low > high:
            raise ValueError("busy_factor must be [lowest, highest]")
        if days * 24 * 60 < 2 * window:
            raise ValueError("the baseline must be at least two windows long")
        record = positive("min_record_hours", data.get("min_record_hours"))
        if record > days * 24:
            raise ValueError("min_record_hours must not be longer than the baseline")
        return cls(timedelta(minutes=window), timedelta(days=days), k, min_count, low, high,
                   timedelta(hours=record))


def threshold(expected: float, min_count: int, k: float) -> int:
    """The smallest count that is a spike against ``expected`` (a Poisson mean per window):
    more than ``expected + k·√expected``, and at least ``min_count``."""
    return max(min_count, math.floor(expected + k * math.sqrt(expected)) + 1)


@dataclass(frozen=True)
class Spike:
    """A category over its threshold in one area, at the time of the incident that tipped it."""

    category: str
    level: str
    area: str
    at: datetime
    count: int
    expected: float
    threshold: int
    window_minutes: int
    incidents: tuple[str, ...]

    def command_args(self) -> dict[str, Any]:
        """The ``warning.raise`` arguments for this spike."""
        return {"category": self.category, "level": self.level, "area": self.area,
                "count": self.count, "baseline": round(self.expected, 3),
                "threshold": self.threshold, "window": self.window_minutes,
                "incidents": list(self.incidents)}


Key = tuple[str, str, str]  # (level, area, category)


class _Series:
    """Creation times (sorted) with their incident ids."""

    def __init__(self) -> None:
        self.times: list[datetime] = []
        self.ids: list[str] = []

    def add(self, at: datetime, incident_id: str) -> None:
        i = bisect.bisect_right(self.times, at)
        self.times.insert(i, at)
        self.ids.insert(i, incident_id)

    def count(self, after: datetime, until: datetime) -> int:
        """How many in (after, until]."""
        return bisect.bisect_right(self.times, until) - bisect.bisect_right(self.times, after)

    def ids_in(self, after: datetime, until: datetime) -> tuple[str, ...]:
        lo, hi = bisect.bisect_right(self.times, after), bisect.bisect_right(self.times, until)
        return tuple(self.ids[max(lo, hi - MAX_LISTED):hi])

    def prune(self, before: datetime) -> None:
        cut = bisect.bisect_left(self.times, before)
        if cut:
            del self.times[:cut]
            del self.ids[:cut]


class Detector:
    """Follows incident creations and tells which one makes a spike.

    Args:
        rules: the parameters.
        start: when the record begins (the first incident the log holds); nothing is raised
            before ``rules.min_record`` of it exists (default: the first incident observed).
    """

    def __init__(self, rules: WarningRules, start: datetime | None = None) -> None:
        self.rules = rules
        self.start = start
        self._series: dict[Key, _Series] = {}
        self._district = _Series()
        self._seen: set[str] = set()
        self._hot: dict[Key, datetime] = {}
        # (community, category) → until when a grid-level spike inside it is hot.
        self._covered: dict[tuple[str, str], datetime] = {}
        self._latest: datetime | None = None

    def observe(self, incident_id: str, at: datetime, category: str, grid: str | None,
                community: str | None) -> Spike | None:
        """Take one new incident; the spike it tips over, if any (at most one: the finest).

        An incident already observed (by id) is ignored: a hub that read the store at start
        and then follows the log may meet the same incident twice.
        """
        if incident_id in self._seen:
            return None
        if self.start is None or at < self.start:
            self.start = at
        self._seen.add(incident_id)
        self._district.add(at, incident_id)
        keys = [(level, code, category) for level, code in (("grid", grid),
                                                             ("community", community)) if code]
        for key in keys:
            self._series.setdefault(key, _Series()).add(at, incident_id)
        self._prune(at)
        raised: Spike | None = None
        grid_hot = False
        for key in keys:
            spike = self.assess(key, at)
            if spike is None:
                continue
            level, code, _ = key
            was_hot = self._hot.get(key, at) > at
            self._hot[key] = at + self.rules.window
            if level == "grid":
                grid_hot = True
                if community:
                    self._covered[(community, category)] = at + self.rules.window
                if not was_hot:
                    raised = spike
            elif not was_hot and not grid_hot and raised is None \
                    and self._covered.get((code, category), at) <= at:
                raised = spike
        return raised

    def assess(self, key: Key, at: datetime) -> Spike | None:
        """The key's spike at ``at``, if its count in the window is at its threshold."""
        level, code, category = key
        series = self._series.get(key)
        if series is None:
            return None
        rules = self.rules
        if self.start is None or at - self.start < rules.min_record:
            return None  # no baseline to judge against yet
        since = at - rules.window
        count = series.count(since, at)
        expected = self.expected(key, at, count)
        limit = threshold(expected, rules.min_count[level], rules.k)
        if count < limit:
            return None
        return Spike(category, level, code, at, count, expected, limit,
                     round(rules.window.total_seconds() / 60), series.ids_in(since, at))

    def expected(self, key: Key, at: datetime, count: int) -> float:
        """How many incidents of ``key`` a window ending at ``at`` would usually hold."""
        rules = self.rules
        window_start = at - rules.window
        base_start = window_start - rules.baseline
        if self.start is not None:
            base_start = max(base_start, self.start)
        covered = window_start - base_start
        if covered < rules.window:
            return 0.0  # not a window of record yet: no baseline
        windows = covered / rules.window
        series = self._series[key]
        key_base = series.count(base_start, window_start)
        others_base = self._district.count(base_start, window_start) - key_base
        others_now = self._district.count(window_start, at) - count
        busy = 1.0
        if others_base > 0:
            busy = min(rules.busy_high, max(rules.busy_low, others_now / (others_base / windows)))
        return key_base / windows * busy

    def mark_hot(self, level: str, area: str, category: str, until: datetime) -> None:
        """Say a spike is known to last until ``until`` (a warning already in the log)."""
        key = (level, area, category)
        self._hot[key] = max(self._hot.get(key, until), until)

    def _prune(self, at: datetime) -> None:
        # Keep what a baseline still needs; prune at most once a window of time.
        if self._latest is not None and at - self._latest < self.rules.window:
            return
        self._latest = at
        before = at - self.rules.baseline - 2 * self.rules.window
        for series in self._series.values():
            series.prune(before)
        dropped = self._district.ids[:bisect.bisect_left(self._district.times, before)]
        self._seen.difference_update(dropped)
        self._district.prune(before)
        for key in [k for k, s in self._series.items() if not s.times]:
            del self._series[key]
        for key in [k for k, until in self._hot.items() if until <= at]:
            del self._hot[key]
        for pair in [p for p, until in self._covered.items() if until <= at]:
            del self._covered[pair]


# -- the warnings themselves ---------------------------------------------------------------------

@dataclass(frozen=True)
class EarlyWarning:
    """A raised warning, as consoles list it until a duty leader acknowledges it."""

    id: str
    category: str
    level: str
    area: str
    count: int
    baseline: float
    threshold: int
    window: int
    raised_at: datetime
    incidents: tuple[str, ...] = ()
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    note: str | None = None
    version: int = 1

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "category": self.category, "level": self.level,
                "area": self.area, "count": self.count, "baseline": self.baseline,
                "threshold": self.threshold, "window": self.window,
                "raised_at": self.raised_at.isoformat(), "incidents": list(self.incidents),
                "acknowledged_by": self.acknowledged_by,
                "acknowledged_at": (self.acknowledged_at.isoformat()
                                    if self.acknowledged_at else None),
                "note": self.note, "version": self.version}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> EarlyWarning:
        acknowledged = d.get("acknowledged_at")
        return cls(id=str(d["id"]), category=str(d["category"]), level=str(d["level"]),
                   area=str(d["area"]), count=int(d["count"]), baseline=float(d["baseline"]),
                   threshold=int(d["threshold"]), window=int(d["window"]),
                   raised_at=datetime.fromisoformat(d["raised_at"]),
                   incidents=tuple(d.get("incidents", ())),
                   acknowledged_by=d.get("acknowledged_by"),
                   acknowledged_at=(datetime.fromisoformat(acknowledged)
                                    if acknowledged else None),
                   note=d.get("note"), version=int(d.get("version", 1)))


@runtime_checkable
class WarningWorld(Protocol):
    """A world that holds warnings and numbers new ones."""

    def warning(self, warning_id: str) -> EarlyWarning: ...

    def next_number(self, prefix: str) -> int: ...


def decide(name: str, args: Mapping[str, Any], ctx: Context, world: Any) -> list[Event]:
    """The events of ``warning.raise`` (the hub's detector) or ``warning.acknowledge``.

    Raises:
        Refused: who may not, what is wrong, or a warning already acknowledged.
    """
    if not isinstance(world, WarningWorld):
        raise Refused("unavailable", "Warnings cannot be raised here.")
    permissions.check(ctx.rules.roles, ctx.actor, name)
    if name == "warning.raise":
        return [_raised(args, ctx, world)]
    found = world.warning(a.ident(args, "id"))
    if refused := guard(found):
        raise refused
    return [Event("warning.acknowledged", ctx.now, ctx.actor.username,
                  {"id": found.id,
                   "note": a.text(args, "note", required=False, max_len=500,
                                           multiline=True) or None})]


def guard(found: EarlyWarning) -> Refused | None:
    """Why ``found`` may not be acknowledged now (None: it may)."""
    if found.acknowledged:
        return Refused("conflict", "{id} was already acknowledged by {by}.", id=found.id,
                       by=found.acknowledged_by or "")
    return None


def may_acknowledge(found: EarlyWarning, ctx: Context) -> str | None:
    """None if this user may acknowledge ``found`` now, else why not (for the console)."""
    refused = acknowledge_refusal(found, ctx)
    return refused.message if refused else None


def acknowledge_refusal(found: EarlyWarning, ctx: Context) -> Refused | None:
    """:func:`may_acknowledge` as the refusal, to be shown in the user's language."""
    try:
        permissions.check(ctx.rules.roles, ctx.actor, "warning.acknowledge")
    except Refused as forbidden:
        return forbidden
    return guard(found)


def _raised(args: Mapping[str, Any], ctx: Context, world: WarningWorld) -> Event:
    category = a.ident(args, "category")
    try:
        ctx.rules.taxonomy.category(category)
    except ValueError:
        raise Refused("invalid", "There is no category '{code}'.", code=category) from None
    level = a.text(args, "level", max_len=16)
    if level not in LEVELS:
        raise Refused("invalid", "'{field}' must be one of: {allowed}.", field="level",
                      allowed=", ".join(LEVELS))
    data = {"category": category, "level": level, "area": a.ident(args, "area"),
            "count": a.integer(args, "count", 1, 1_000_000),
            "baseline": a.number(args, "baseline", 0, 1_000_000),
            "threshold": a.integer(args, "threshold", 1, 1_000_000),
            "window": a.integer(args, "window", 1, 7 * 24 * 60),
            "incidents": list(a.idents(args, "incidents", max_items=MAX_LISTED))}
    # Numbered last: a refused warning takes no number.
    day = ctx.now.astimezone(ctx.rules.calendar.tz).strftime("%Y%m%d")
    prefix = f"EW-{day}-"
    return Event("warning.raised", ctx.now, ctx.actor.username,
                 {"id": f"{prefix}{world.next_number(prefix):03d}", **data})


def raised(event: Event) -> EarlyWarning:
    d = event.data
    return EarlyWarning(id=d["id"], category=d["category"], level=d["level"], area=d["area"],
                        count=d["count"], baseline=d["baseline"], threshold=d["threshold"],
                        window=d["window"], raised_at=event.at,
                        incidents=tuple(d.get("incidents", ())))


def evolve(found: EarlyWarning, event: Event) -> EarlyWarning:
    """``found`` after one more event about it.

    Raises:
        ValueError: an event this module does not know.
    """
    if event.name != "warning.acknowledged":
        raise ValueError(f"{event.name} does not apply to a warning")
    return replace(found, acknowledged_by=event.actor, acknowledged_at=event.at,
                   note=event.data.get("note"), version=found.version + 1)
