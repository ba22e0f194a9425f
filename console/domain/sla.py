"""SLA clocks: the limit for each stage of a case, and how far along a running clock is.

`SlaTable` holds the limits from `resources/sla.toml` by SLA class, priority and stage, plus the
police-diversion limits. `start_clock()` turns a limit and a start time into an `SlaClock` using the
working calendar; the clock answers how much is used, how much remains, whether it is overdue and
which reminder thresholds (50/80/100 %) were reached since the last look. Clocks are derived from
event timestamps and never stored; `now` is always an argument.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from console.domain.calendar import UNITS, WorkCalendar, require_aware
from console.domain.errors import template
from console.domain.resources import RESOURCES, load_toml

PRIORITIES: tuple[str, ...] = ("P1", "P2", "P3", "P4")
REMINDER_THRESHOLDS: tuple[int, ...] = (50, 80, 100)


class Stage(StrEnum):
    """The stages of a case that each run their own clock."""

    ACCEPT = "accept"
    ASSIGN = "assign"
    SIGN = "sign"
    ARRIVE = "arrive"
    RESOLVE = "resolve"
    REPLY = "reply"


class ClockLevel(StrEnum):
    """How far a clock has run: the queue colours follow this."""

    OK = "ok"
    HALF = "half"  # at least 50 % used
    AMBER = "amber"  # at least 80 % used
    OVERDUE = "overdue"  # the deadline has arrived


@dataclass(frozen=True)
class Limit:
    """A time limit such as 15 minutes, 4 hours or 5 working days."""

    value: int
    unit: str

    def __post_init__(self) -> None:
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise ValueError(f"limit value must be a whole number, got {self.value!r}")
        if self.value <= 0:
            raise ValueError(f"limit value must be positive, got {self.value}")
        if self.unit not in UNITS:
            raise ValueError(f"unknown unit {self.unit!r}; expected one of {', '.join(UNITS)}")

    def __str__(self) -> str:
        return f"{self.value} {self.unit.replace('_', ' ')}"

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "unit": self.unit}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Limit:
        """Raises ValueError if `data` is not {"value": int, "unit": str}."""
        if not isinstance(data, Mapping) or set(data) != {"value", "unit"}:
            raise ValueError(f'a limit must be {{"value": ..., "unit": ...}}, got {data!r}')
        return cls(data["value"], data["unit"])


class SlaTable:
    """The limits for every SLA class × priority × stage, and the police-diversion limits."""

    def __init__(
        self,
        limits: Mapping[str, Mapping[str, Mapping[Stage, Limit]]],
        police_sign: Limit,
        police_feedback: Limit,
    ) -> None:
        """Raises ValueError if a class lacks a priority or a priority lacks a stage."""
        for sla_class, by_priority in limits.items():
            for priority in PRIORITIES:
                if priority not in by_priority:
                    raise ValueError(f"SLA class {sla_class!r} has no priority {priority}")
                for stage in Stage:
                    if stage not in by_priority[priority]:
                        raise ValueError(f"{sla_class}.{priority} has no limit for stage {stage}")
        self._limits = {
            (sla_class, priority, stage): limits[sla_class][priority][stage]
            for sla_class in limits
            for priority in PRIORITIES
            for stage in Stage
        }
        self.classes: tuple[str, ...] = tuple(limits)
        self.police_sign = police_sign
        self.police_feedback = police_feedback

    @classmethod
    def load(cls, path: Path | None = None) -> SlaTable:
        """Read the table from `resources/sla.toml` (or `path`).

        Raises:
            ValueError: the file is not valid TOML, or an entry is missing or wrong; the message
                names the entry (e.g. "sla.toml: routine.P2.sign: unknown unit 'days'").
        """
        return load_toml(RESOURCES / "sla.toml" if path is None else path, cls.from_mapping)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> SlaTable:
        """Build the table from parsed TOML (see `resources/sla.toml` for the layout)."""
        classes = _table(data, "classes", "")
        if not classes:
            raise ValueError("no SLA classes defined under [classes]")
        limits: dict[str, dict[str, dict[Stage, Limit]]] = {}
        for sla_class in classes:
            where = sla_class
            body = _table(classes, sla_class, "classes.")
            unknown = set(body) - set(PRIORITIES) - {"description"}
            if unknown:
                raise ValueError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
            limits[sla_class] = {}
            for priority in PRIORITIES:
                if priority not in body:
                    raise ValueError(f"{where}: missing priority {priority}")
                stages = _table(body, priority, f"{where}.")
                unknown = set(stages) - set(Stage)
                if unknown:
                    raise ValueError(
                        f"{where}.{priority}: unknown stage(s) {', '.join(sorted(unknown))}"
                    )
                limits[sla_class][priority] = {}
                for stage in Stage:
                    if stage not in stages:
                        raise ValueError(f"{where}.{priority}: missing stage {stage}")
                    limits[sla_class][priority][stage] = _limit(
                        stages[stage], f"{where}.{priority}.{stage}"
                    )
        police = _table(data, "police", "")
        unknown = set(police) - {"sign", "feedback"}
        if unknown:
            raise ValueError(f"police: unknown key(s) {', '.join(sorted(unknown))}")
        for key in ("sign", "feedback"):
            if key not in police:
                raise ValueError(f"police: missing {key}")
        return cls(
            limits,
            police_sign=_limit(police["sign"], "police.sign"),
            police_feedback=_limit(police["feedback"], "police.feedback"),
        )

    def limit(self, sla_class: str, priority: str, stage: Stage) -> Limit:
        """The limit for one stage. Raises ValueError for an unknown class, priority or stage."""
        if sla_class not in self.classes:
            raise ValueError(
                f"unknown SLA class {sla_class!r}; expected one of {', '.join(self.classes)}"
            )
        if priority not in PRIORITIES:
            raise ValueError(
                f"unknown priority {priority!r}; expected one of {', '.join(PRIORITIES)}"
            )
        try:
            return self._limits[(sla_class, priority, Stage(stage))]
        except ValueError:
            raise ValueError(f"unknown stage {stage!r}") from None


def _table(parent: Mapping[str, Any], key: str, prefix: str) -> Mapping[str, Any]:
    value = parent.get(key)
    if value is None:
        raise ValueError(f"missing [{prefix}{key}]")
    if not isinstance(value, Mapping):
        raise ValueError(f"{prefix}{key} must be a table")
    return value


def _limit(raw: object, where: str) -> Limit:
    if not isinstance(raw, Mapping):
        raise ValueError(f'{where}: must be {{ value = ..., unit = "..." }}, got {raw!r}')
    try:
        return Limit.from_dict(raw)
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None


@dataclass(frozen=True)
class SlaClock:
    """One stage's clock: when it started, when it falls due, and when (if) it stopped.

    `due_at` already includes every approved extension listed in `extended_by`.
    """

    stage: Stage
    started_at: datetime
    due_at: datetime
    stopped_at: datetime | None
    limit: Limit
    extended_by: tuple[Limit, ...] = ()

    def __post_init__(self) -> None:
        require_aware(self.started_at, "started_at")
        require_aware(self.due_at, "due_at")
        if self.due_at <= self.started_at:
            raise ValueError("due_at must be after started_at")
        if self.stopped_at is not None:
            require_aware(self.stopped_at, "stopped_at")
            if self.stopped_at < self.started_at:
                raise ValueError("stopped_at must not be before started_at")

    @property
    def running(self) -> bool:
        return self.stopped_at is None

    @property
    def met(self) -> bool:
        """Stopped on or before the deadline."""
        return self.stopped_at is not None and self.stopped_at <= self.due_at

    def stop(self, at: datetime) -> SlaClock:
        """This clock stopped at `at` (the stage finished)."""
        return replace(self, stopped_at=at)

    def fraction(self, now: datetime) -> float:
        """Share of the allowed time used (0.0 before the start, > 1.0 when late)."""
        return self._elapsed(now) / (self.due_at - self.started_at)

    def level(self, now: datetime) -> ClockLevel:
        if self._reached(100, now):
            return ClockLevel.OVERDUE
        if self._reached(80, now):
            return ClockLevel.AMBER
        if self._reached(50, now):
            return ClockLevel.HALF
        return ClockLevel.OK

    def remaining(self, now: datetime) -> timedelta:
        """Time left to the deadline; negative when late; measured to stopped_at if stopped."""
        return self.due_at - self._effective(now)

    def overdue(self, now: datetime) -> bool:
        """A running clock is overdue from due_at on; a stopped one iff it stopped after due_at."""
        return self._reached(100, now)

    def crossed(self, since: datetime, now: datetime) -> tuple[int, ...]:
        """The reminder thresholds first reached in the interval (since, now].

        Sweeping `now` forward and passing the previous `now` as `since` yields each threshold
        exactly once, which is how the hub sends each reminder once. A stopped clock reaches
        nothing after it stopped.
        """
        require_aware(since, "since")
        return tuple(
            t for t in REMINDER_THRESHOLDS if self._reached(t, now) and not self._reached(t, since)
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view with ISO 8601 timestamps."""
        return {
            "stage": str(self.stage),
            "started_at": self.started_at.isoformat(),
            "due_at": self.due_at.isoformat(),
            "stopped_at": None if self.stopped_at is None else self.stopped_at.isoformat(),
            "limit": self.limit.to_dict(),
            "extended_by": [ext.to_dict() for ext in self.extended_by],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SlaClock:
        """The inverse of `to_dict()`. Raises ValueError on a malformed view."""
        try:
            stopped = data["stopped_at"]
            return cls(
                stage=Stage(data["stage"]),
                started_at=datetime.fromisoformat(data["started_at"]),
                due_at=datetime.fromisoformat(data["due_at"]),
                stopped_at=None if stopped is None else datetime.fromisoformat(stopped),
                limit=Limit.from_dict(data["limit"]),
                extended_by=tuple(Limit.from_dict(ext) for ext in data.get("extended_by", [])),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"malformed SLA clock: {exc!r}") from exc

    def _effective(self, now: datetime) -> datetime:
        require_aware(now, "now")
        if self.stopped_at is not None and self.stopped_at < now:
            return self.stopped_at
        return now

    def _elapsed(self, now: datetime) -> timedelta:
        return max(self._effective(now) - self.started_at, timedelta(0))

    def _reached(self, threshold: int, now: datetime) -> bool:
        # Exact integer arithmetic on timedeltas, so 80 % is 80 % to the microsecond.
        if threshold >= 100:
            effective = self._effective(now)
            if self.stopped_at is not None and effective == self.stopped_at:
                # Finishing exactly on the deadline meets it.
                return self.stopped_at > self.due_at
            return effective >= self.due_at
        return self._elapsed(now) * 100 >= (self.due_at - self.started_at) * threshold


def start_clock(
    stage: Stage,
    started_at: datetime,
    limit: Limit,
    calendar: WorkCalendar,
    extensions: Iterable[Limit] = (),
) -> SlaClock:
    """A running clock for `stage` from `started_at`, with approved `extensions` applied in order.

    Raises:
        ValueError: `started_at` is naive.
    """
    extended_by = tuple(extensions)
    due = calendar.add(started_at, limit.value, limit.unit)
    for ext in extended_by:
        due = calendar.add(due, ext.value, ext.unit)
    return SlaClock(stage, started_at, due, None, limit, extended_by)


def extension_allowed(clock: SlaClock, now: datetime) -> str | None:
    """None if an extension may be requested or approved now, else the reason in plain words."""
    require_aware(now, "now")
    if not clock.running:
        return template("This stage is already finished.")
    if now >= clock.due_at:
        return template(
            "The deadline has already passed; an extension must be requested before it.")
    return None
