"""Grid workers' duty rosters (排班), clock-in checks and patrol checkpoints (电子巡更).

- A **shift** is one rostered stretch of a unit's day, of one of three kinds:
  ``shift`` (fixed hours, e.g. 08:30–12:00), ``flex`` (a 2-hour flexible block the worker
  places anywhere inside the window given, e.g. a window 18:00–22:00: 2 rostered hours) and
  ``appointment`` (off-hours service booked with a resident: its own start and end).
  The admin imports them from a CSV (:func:`parse_roster_csv`); the store keeps them.
- **Clock-in** (``unit.clock_in``) is never refused for where or when it happens — a worker who
  is on the street works, whatever the roster says — but it is checked and the event says what
  the check found (:func:`clock_in_flags`): ``off_roster`` (no shift covers the time),
  ``late`` (a fixed shift clocked in more than :data:`LATE_AFTER` after its start),
  ``outside_grid`` (the unit's last fix is not in its own grid cell) and ``no_fix`` (no
  position from the last :data:`FIX_MAX_AGE` to check against). Consoles and the assessment
  read the flags.
- A **checkpoint pass** (``unit.checkpoint``) is accepted only for a known checkpoint within
  :data:`CHECKPOINT_RADIUS_M` of the unit's last fix, that fix no older than
  :data:`FIX_MAX_AGE`; otherwise it is refused with the reason.
- A **patrol plan** is how many distinct checkpoints a worker of a tier passes a day
  (:class:`PatrolPlan`, from ``resources/assessment.toml``), among those of their grid cell, or
  of their community when the cell has fewer than that.

Pure: the world (the store) finds shifts, checkpoints and the last fix; nothing here reads a
clock or a file except :meth:`PatrolPlan.load` at start.
"""

from __future__ import annotations

import csv
import io
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Protocol, runtime_checkable
from zoneinfo import ZoneInfo

from console.domain import args as a
from console.domain import permissions
from console.domain.distance import distance_m
from console.domain.errors import Refused
from console.domain.lifecycle import World
from console.domain.model import Event, UnitStatus
from console.domain.resources import RESOURCES
from console.domain.rules import Context
from console.domain.units import Unit

SHIFT_KINDS = ("shift", "flex", "appointment")
#: How long a flexible block is, wherever the worker places it in its window.
FLEX_BLOCK = timedelta(hours=2)
#: A fixed shift clocked in later than this after its start is late.
LATE_AFTER = timedelta(minutes=5)
#: A clock-in this long before a shift starts is on roster (for that shift).
EARLY_BY = timedelta(minutes=30)
#: A checkpoint pass counts within this distance of the unit's last fix.
CHECKPOINT_RADIUS_M = 50.0
#: A fix older than this does not say where the unit is now.
FIX_MAX_AGE = timedelta(minutes=5)
#: The flags a clock-in may carry.
FLAGS = ("off_roster", "late", "outside_grid", "no_fix")


@dataclass(frozen=True)
class Shift:
    """One rostered stretch of a unit's day (times aware, stored in UTC)."""

    id: str
    unit: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    note: str = ""

    @property
    def hours(self) -> float:
        """Rostered hours: a flexible block's length, else the span."""
        span = self.ends_at - self.starts_at
        return (min(FLEX_BLOCK, span) if self.kind == "flex" else span).total_seconds() / 3600

    def covers(self, at: datetime) -> bool:
        """Whether a clock-in at ``at`` is on roster for this shift."""
        return self.starts_at - EARLY_BY <= at < self.ends_at


@dataclass(frozen=True)
class Checkpoint:
    id: str
    name_zh: str
    name_en: str
    lat: float
    lon: float
    grid: str | None = None
    community: str | None = None

    def name(self, lang: str = "zh") -> str:
        return self.name_zh if lang.startswith("zh") else self.name_en


@dataclass(frozen=True)
class Fix:
    """Where a unit last was, by its device."""

    lat: float
    lon: float
    at: datetime


@runtime_checkable
class RosterWorld(World, Protocol):
    """A world that also finds a unit's shifts, the checkpoints and a unit's last fix."""

    def shifts(self, unit: str, since: datetime, until: datetime) -> list[Shift]: ...

    def checkpoint(self, checkpoint_id: str) -> Checkpoint | None: ...

    def last_fix(self, unit: str) -> Fix | None: ...


# -- patrol plans -------------------------------------------------------------------------------

@dataclass(frozen=True)
class PatrolPlan:
    """Distinct checkpoints a worker passes a day, by tier (``[workers.patrol]``)."""

    per_tier: Mapping[int, int]

    def planned(self, tier: int | None, own: int, community: int) -> int:
        """How many a worker of ``tier`` is to pass, given ``own`` checkpoints in their grid
        cell and ``community`` in their community: never more than there are to pass."""
        want = self.per_tier.get(tier or 3, 0)
        return min(want, own if own >= want else max(own, community))

    @classmethod
    def from_toml(cls, data: Mapping[str, Any]) -> PatrolPlan:
        raw = data.get("workers", {}).get("patrol", {})
        plan: dict[int, int] = {}
        for key, value in raw.items():
            if not (key.startswith("tier") and key[4:].isdigit()) or not isinstance(value, int) \
                    or value < 0:
                raise ValueError(f"[workers.patrol] {key} = {value!r}: want tierN = a count ≥ 0")
            plan[int(key[4:])] = value
        return cls(plan)

    @classmethod
    def load(cls, path: Path | None = None) -> PatrolPlan:
        with open(path or RESOURCES / "assessment.toml", "rb") as f:
            return cls.from_toml(tomllib.load(f))


# -- checks ------------------------------------------------------------------------------------

def fresh(fix: Fix | None, now: datetime) -> Fix | None:
    """``fix`` if it says where the unit is now, else None."""
    return fix if fix is not None and now - fix.at <= FIX_MAX_AGE else None


def shift_at(shifts: Iterable[Shift], at: datetime) -> Shift | None:
    """The shift a clock-in at ``at`` belongs to: the earliest that covers it."""
    covering = [s for s in shifts if s.covers(at)]
    return min(covering, key=lambda s: s.starts_at) if covering else None


def clock_in_flags(unit: Unit, shifts: Sequence[Shift], fix: Fix | None, now: datetime,
                   grid_of: Any) -> tuple[list[str], Shift | None]:
    """What a clock-in at ``now`` is flagged for, and the shift it belongs to.

    ``grid_of(lat, lon)`` is the grid cell a point is in (None: none)."""
    flags: list[str] = []
    shift = shift_at(shifts, now)
    if shift is None:
        flags.append("off_roster")
    elif shift.kind == "shift" and now > shift.starts_at + LATE_AFTER:
        flags.append("late")
    fix = fresh(fix, now)
    if fix is None:
        flags.append("no_fix")
    elif unit.grid is not None and grid_of(fix.lat, fix.lon) != unit.grid:
        flags.append("outside_grid")
    return flags, shift


def decide_clock(name: str, args: Mapping[str, Any], ctx: Context, world: World) -> list[Event]:
    """A unit starts (clock in: off duty → available) or ends (clock out → off duty) a shift;
    a clock-in is checked against the roster and the unit's grid (the event's ``flags``)."""
    unit = world.unit(a.ident(args, "id"))
    permissions.check(ctx.rules.roles, ctx.actor, name, unit=unit.id)
    data: dict[str, Any] = {"unit": unit.id, "previous": unit.status.value}
    if name == "unit.clock_in":
        if unit.status is not UnitStatus.OFF_DUTY:
            raise Refused("conflict", "Unit {unit} is already on duty ({status}).",
                          unit=unit.id, status=unit.status.value)
        data["status"] = UnitStatus.AVAILABLE.value
        if isinstance(world, RosterWorld):
            day = ctx.now - timedelta(hours=24)
            fix = world.last_fix(unit.id)
            geography = ctx.rules.geography
            flags, shift = clock_in_flags(
                unit, world.shifts(unit.id, day, ctx.now + timedelta(hours=24)), fix, ctx.now,
                (lambda lat, lon: geography.locate(lat, lon).grid) if geography else
                (lambda lat, lon: unit.grid))
            data["flags"] = flags
            data["shift"] = shift.id if shift else None
            if (fix := fresh(fix, ctx.now)) is not None:
                data["lat"], data["lon"] = fix.lat, fix.lon
        return [Event("unit.clocked_in", ctx.now, ctx.actor.username, data)]
    if unit.status is UnitStatus.OFF_DUTY:
        raise Refused("conflict", "Unit {unit} is already off duty.", unit=unit.id)
    if unit.assignment is not None:
        raise Refused("conflict", "Unit {unit} is on assignment {assignment}; clear or cancel "
                      "it before the unit clocks out.", unit=unit.id, assignment=unit.assignment)
    data["status"] = UnitStatus.OFF_DUTY.value
    return [Event("unit.clocked_out", ctx.now, ctx.actor.username, data)]


def decide_checkpoint(args: Mapping[str, Any], ctx: Context, world: World) -> list[Event]:
    """A unit on patrol passes an electronic patrol checkpoint (电子巡更): a known one, within
    :data:`CHECKPOINT_RADIUS_M` of the unit's last fix."""
    unit = world.unit(a.ident(args, "id"))
    permissions.check(ctx.rules.roles, ctx.actor, "unit.checkpoint", unit=unit.id)
    checkpoint_id = a.ident(args, "checkpoint")
    if unit.status is UnitStatus.OFF_DUTY:
        raise Refused("conflict", "Unit {unit} is off duty; a checkpoint is passed on duty.",
                      unit=unit.id)
    data: dict[str, Any] = {"unit": unit.id, "checkpoint": checkpoint_id}
    if isinstance(world, RosterWorld):
        checkpoint = world.checkpoint(checkpoint_id)
        if checkpoint is None:
            raise Refused("not_found", "There is no patrol checkpoint {checkpoint}.",
                          checkpoint=checkpoint_id)
        fix = fresh(world.last_fix(unit.id), ctx.now)
        if fix is None:
            raise Refused("conflict", "Unit {unit} has sent no position in the last {minutes} "
                          "minutes; a checkpoint is passed where the unit is seen.",
                          unit=unit.id, minutes=int(FIX_MAX_AGE.total_seconds() // 60))
        away = distance_m(fix.lat, fix.lon, checkpoint.lat, checkpoint.lon)
        if away > CHECKPOINT_RADIUS_M:
            raise Refused("conflict", "Unit {unit} is {distance} m from checkpoint {checkpoint}; "
                          "a pass counts within {radius} m.", unit=unit.id,
                          distance=round(away), checkpoint=checkpoint.id,
                          radius=round(CHECKPOINT_RADIUS_M))
        data["distance_m"] = round(away, 1)
    return [Event("unit.checkpoint_passed", ctx.now, ctx.actor.username, data)]


# -- the roster file ----------------------------------------------------------------------------

class RosterError(ValueError):
    """A roster file that cannot be imported; nothing of it is."""


#: The columns of a roster CSV (a header line names them; ``note`` and ``id`` may be left out).
COLUMNS = ("unit", "date", "start", "end", "kind", "note", "id")


def parse_roster_csv(text: str, tz: ZoneInfo, known_units: Iterable[str] | None = None
                     ) -> list[Shift]:
    """The shifts of a roster file: ``unit,date,start,end,kind[,note][,id]`` with a header,
    date ``YYYY-MM-DD`` and times ``HH:MM`` local to ``tz``; an end at or before the start is
    the next day (a night shift). A row without ``id`` gets ``unit/date/start``.

    Raises:
        RosterError: every bad line, by number (the whole file is refused).
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in COLUMNS[:5] if c not in (reader.fieldnames or ())]
    if missing:
        raise RosterError(f"the header lacks {', '.join(missing)} "
                          f"(want {','.join(COLUMNS)})")
    units = set(known_units) if known_units is not None else None
    shifts: list[Shift] = []
    errors: list[str] = []
    seen: set[str] = set()
    for number, row in enumerate(reader, start=2):
        try:
            shift = _row(row, tz, units)
        except (ValueError, KeyError, TypeError) as error:
            errors.append(f"line {number}: {error}")
            continue
        if shift.id in seen:
            errors.append(f"line {number}: shift {shift.id} appears twice")
        seen.add(shift.id)
        shifts.append(shift)
    if errors:
        raise RosterError("; ".join(errors[:20]) + (" …" if len(errors) > 20 else ""))
    return shifts


def _row(row: Mapping[str, str | None], tz: ZoneInfo, units: set[str] | None) -> Shift:
    unit = (row.get("unit") or "").strip()
    if not unit or len(unit) > 64:
        raise ValueError("no unit")
    if units is not None and unit not in units:
        raise ValueError(f"there is no unit {unit}")
    kind = (row.get("kind") or "").strip() or "shift"
    if kind not in SHIFT_KINDS:
        raise ValueError(f"kind {kind!r} is not one of {', '.join(SHIFT_KINDS)}")
    day = date.fromisoformat((row.get("date") or "").strip())
    start = time.fromisoformat((row.get("start") or "").strip())
    end = time.fromisoformat((row.get("end") or "").strip())
    starts_at = datetime.combine(day, start, tz)
    ends_at = datetime.combine(day, end, tz)
    if ends_at <= starts_at:
        ends_at = datetime.combine(day + timedelta(days=1), end, tz)
    if kind == "flex" and ends_at - starts_at < FLEX_BLOCK:
        raise ValueError("a flexible block's window is at least 2 hours")
    note = (row.get("note") or "").strip()[:200]
    ident = (row.get("id") or "").strip() or f"{unit}/{day.isoformat()}/{start.strftime('%H%M')}"
    return Shift(ident[:80], unit, kind, starts_at, ends_at, note)


def in_utc(shift: Shift) -> Shift:
    return replace(shift, starts_at=shift.starts_at.astimezone(UTC),
                   ends_at=shift.ends_at.astimezone(UTC))
