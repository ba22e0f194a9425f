"""The working calendar: which days are working days, and how to add a limit to a start time.

SLA limits are measured either in elapsed time (minutes, hours) or in working days, which skip
weekends and public holidays and count the make-up working days (调休) the State Council moves onto
weekends. The holidays live in `resources/calendar.toml`, edited once a year when the State
Council publishes the next year's arrangement; `WorkCalendar.load()` reads and checks that file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from console.domain.resources import RESOURCES, load_toml

DEFAULT_TZ = "Asia/Shanghai"

MINUTES = "minutes"
HOURS = "hours"
WORKING_DAYS = "working_days"
UNITS: tuple[str, ...] = (MINUTES, HOURS, WORKING_DAYS)

# The longest run of non-working days the search will step over before deciding the calendar is
# broken; the real calendar never has more than ~10 in a row.
_MAX_DAYS_OFF = 366


def require_aware(value: datetime, name: str = "datetime") -> None:
    """Raise ValueError unless `value` is a timezone-aware datetime."""
    if not isinstance(value, datetime):
        raise ValueError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")


@dataclass(frozen=True)
class WorkCalendar:
    """Public holidays and make-up working days in one time zone.

    Attributes:
        holidays: days off that would otherwise be working days (and the weekend days of a
            holiday block, which change nothing but keep the file readable).
        workdays: Saturdays and Sundays that are working days because of 调休.
        tz: the zone in which a "day" is counted.
    """

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TZ))
    #: Working-day deadlines' days by (start day, limit): no part of equality or hashing.
    _due_days: dict[tuple[date, int], tuple[date, bool]] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        both = sorted(self.holidays & self.workdays)
        if both:
            listed = ", ".join(d.isoformat() for d in both)
            raise ValueError(f"a date cannot be both a holiday and a make-up workday: {listed}")
        for d in sorted(self.workdays):
            if d.weekday() < 5:
                raise ValueError(
                    f"make-up workday {d.isoformat()} is a {d.strftime('%A')}; "
                    "only a Saturday or Sunday can be a make-up working day"
                )

    @classmethod
    def load(cls, path: Path | None = None) -> WorkCalendar:
        """Read the calendar from `resources/calendar.toml` (or `path`).

        Raises:
            ValueError: the file is not valid TOML, or an entry is wrong; the message names it.
        """
        return load_toml(RESOURCES / "calendar.toml" if path is None else path, cls.from_mapping)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> WorkCalendar:
        """Build a calendar from the parsed TOML (see `resources/calendar.toml` for the layout)."""
        tz_name = data.get("tz", DEFAULT_TZ)
        if not isinstance(tz_name, str) or not tz_name:
            raise ValueError(f"tz must be a time zone name such as {DEFAULT_TZ!r}")
        try:
            tz = ZoneInfo(tz_name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone tz = {tz_name!r}") from exc

        blocks = data.get("holiday", [])
        if not isinstance(blocks, list):
            raise ValueError("[[holiday]] must be an array of tables")
        holidays: dict[date, str] = {}
        workdays: dict[date, str] = {}
        for index, block in enumerate(blocks, start=1):
            if not isinstance(block, dict):
                raise ValueError(f"holiday #{index} must be a table")
            name = block.get("name")
            label = f"holiday #{index} ({name})" if name else f"holiday #{index}"
            if not isinstance(name, str) or not name:
                raise ValueError(f"{label}: missing name")
            unknown = set(block) - {"name", "first", "last", "workdays"}
            if unknown:
                raise ValueError(f"{label}: unknown key(s) {', '.join(sorted(unknown))}")
            first = _parse_date(block.get("first"), f"{label}: first")
            last = _parse_date(block.get("last", first), f"{label}: last")
            if last < first:
                raise ValueError(f"{label}: last {last} is before first {first}")
            if (last - first).days > 31:
                raise ValueError(f"{label}: {first}..{last} is longer than a month")
            for offset in range((last - first).days + 1):
                holidays.setdefault(first + timedelta(days=offset), label)
            raw_workdays = block.get("workdays", [])
            if not isinstance(raw_workdays, list):
                raise ValueError(f"{label}: workdays must be a list of dates")
            for raw in raw_workdays:
                workdays.setdefault(_parse_date(raw, f"{label}: workdays"), label)

        for d in sorted(holidays.keys() & workdays.keys()):
            raise ValueError(
                f"{d.isoformat()} is both a holiday ({holidays[d]}) "
                f"and a make-up workday ({workdays[d]})"
            )
        for d, label in sorted(workdays.items()):
            if d.weekday() < 5:
                raise ValueError(
                    f"{label}: make-up workday {d.isoformat()} is a {d.strftime('%A')}; "
                    "only a Saturday or Sunday can be a make-up working day"
                )
        return cls(frozenset(holidays), frozenset(workdays), tz)

    def is_working_day(self, d: date) -> bool:
        """Mon–Fri unless a holiday; Sat/Sun only if a make-up working day."""
        if isinstance(d, datetime):
            raise ValueError("is_working_day takes a date; convert the datetime to a local date")
        if d in self.workdays:
            return True
        return d.weekday() < 5 and d not in self.holidays

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after `d`."""
        for offset in range(1, _MAX_DAYS_OFF + 1):
            candidate = d + timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise ValueError(f"no working day within a year after {d.isoformat()}")

    def add(self, start: datetime, value: int, unit: str) -> datetime:
        """The deadline `value` `unit`s after `start`, as a UTC-aware datetime.

        Minutes and hours are elapsed time. Working days: when `start` falls on a working day
        (in the calendar's zone), the deadline is the same local clock time on the N-th working
        day after it; when it falls on a day off, counting starts at 00:00 of the next working
        day, and the deadline is the end (24:00) of the N-th working day, that day being day 1.

        Raises:
            ValueError: naive `start`, `value` not a positive int, or unknown `unit`.
        """
        require_aware(start, "start")
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValueError(f"value must be a positive whole number, got {value!r}")
        if unit == MINUTES:
            return (start + timedelta(minutes=value)).astimezone(UTC)
        if unit == HOURS:
            return (start + timedelta(hours=value)).astimezone(UTC)
        if unit != WORKING_DAYS:
            raise ValueError(f"unknown unit {unit!r}; expected one of {', '.join(UNITS)}")

        local = start.astimezone(self.tz)
        key = (local.date(), value)
        found = self._due_days.get(key)
        if found is None:
            found = self._due_days[key] = _nth_working_day(self, *key)
        day, working = found
        if working:
            # Wall-clock arithmetic in the zone: "17:00 three working days later" stays 17:00.
            return datetime.combine(day, local.time(), tzinfo=self.tz).astimezone(UTC)
        end_of_day = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=self.tz)
        return end_of_day.astimezone(UTC)


def _nth_working_day(calendar: WorkCalendar, day: date, value: int) -> tuple[date, bool]:
    """The day a working-day limit of ``value`` started on ``day`` falls due, and whether
    ``day`` is a working day (then at the start's clock time, else at the end of that day).
    Cached by the calendar (``_due_days``): every deadline of a day comes to the same answer,
    and reports ask for hundreds of thousands."""
    if calendar.is_working_day(day):
        for _ in range(value):
            day = calendar.next_working_day(day)
        return day, True
    day = calendar.next_working_day(day)
    for _ in range(value - 1):
        day = calendar.next_working_day(day)
    return day, False


def _parse_date(raw: object, where: str) -> date:
    """A TOML date literal (2026-10-01) or an ISO string ("2026-10-01")."""
    if isinstance(raw, datetime):
        raise ValueError(f"{where}: {raw!r} must be a date without a time")
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise ValueError(f"{where}: {raw!r} is not a date (YYYY-MM-DD)") from None
    raise ValueError(f"{where}: {raw!r} is not a date (YYYY-MM-DD)")
