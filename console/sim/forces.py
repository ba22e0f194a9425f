"""The demo district's forces: who the center can send, where they live, and when they are on duty.

``district_forces(geography, seed)`` builds, deterministically, the units a district of that
geography has — the grid workers of the four-level network in their three tiers, and the teams
beside them — as the seed district (Chenghua) has them. Counts scale with the geography: per grid
cell for grid workers, per community for community police, mediators and volunteers, per street
for urban-management teams and patrols, and with the number of streets for the district-wide
emergency teams and department crews. The full district (about 1,500 cells) gets about 1,600
tier-1, 2,900 tier-2 and 17,000 tier-3 grid workers.

Unit ids are short, because controllers type them (``D 123 U45``). One letter says the kind and a
number counts within it, from 1, in geography order (streets, communities, cells by code):

=======  ==========================================================================
``U``    grid workers: tier 1 first (``U1`` … ), then tier 2, then tier 3
``P``    community police (社区民警)
``C``    urban-management (城管) teams
``X``    street patrols (巡防)
``M``    people's mediators (人民调解员)
``E``    emergency rescue teams
``V``    red-armband volunteers (红袖套)
``W``    department crews (water, power, gas, roads, greening)
=======  ==========================================================================

A unit's ``street``, ``community`` and ``grid`` are its area of responsibility, at the level it
serves: a grid worker has all three, a community police officer, mediator or volunteer a
community and its street, a patrol or urban-management team a street, and the district-wide
emergency teams and department crews none. Its ``home`` (where it starts its day) lies inside the
deepest area it has; for the district-wide ones, inside the district.

Shifts follow practice: grid workers work flexible two-hour blocks, mostly by day; police and
department crews rotate through 12-hour day and night shifts in four teams, patrols through
8-hour shifts in four teams (四班三运转), so some of each are always out; volunteers patrol in the
morning or evening; urban-management teams cover an early or a late shift; mediators keep office
hours; emergency teams are always on call. Shift times are Chengdu local time.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from console.domain.geography import Geography
from console.domain.model import UnitStatus, UnitType

__all__ = [
    "ID_PREFIXES",
    "Mode",
    "Shift",
    "ShiftKind",
    "UnitSpec",
    "counts_by_type",
    "district_forces",
]

LOCAL_TIME = ZoneInfo("Asia/Shanghai")

#: The id prefix of each unit type (see the module docstring).
ID_PREFIXES: dict[UnitType, str] = {
    UnitType.GRID_WORKER: "U",
    UnitType.COMMUNITY_POLICE: "P",
    UnitType.URBAN_MANAGEMENT: "C",
    UnitType.PATROL: "X",
    UnitType.MEDIATOR: "M",
    UnitType.EMERGENCY: "E",
    UnitType.VOLUNTEER: "V",
    UnitType.DEPARTMENT_CREW: "W",
}

# Grid workers per grid cell in the seed district: ~1,600 / 2,900 / 17,000 over ~1,500 cells.
_TIER_PER_CELL = {1: 1600 / 1500, 2: 2900 / 1500, 3: 17000 / 1500}

DAY = 24 * 60
WEEK = 7 * DAY
# Cycles count from a Monday at local midnight, so a week cycle's day 0 is a Monday.
_EPOCH = datetime(2024, 1, 1)
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class Mode(StrEnum):
    """How a unit moves about: the simulator's speeds and the map's symbols depend on it."""

    WALK = "walk"
    BICYCLE = "bicycle"
    VEHICLE = "vehicle"


class ShiftKind(StrEnum):
    FLEXIBLE = "flexible"  # grid workers' two-hour blocks
    ROTATION = "rotation"  # round-the-clock team rotations
    PART_TIME = "part_time"  # volunteers' morning and evening patrols
    OFFICE = "office"  # fixed daily working hours
    ON_CALL = "on_call"  # always available


@dataclass(frozen=True)
class Shift:
    """When a unit is on duty: windows in a cycle that repeats for ever.

    ``windows`` are ``(start, end)`` minutes from the cycle's start, half-open; an ``end`` past
    ``cycle`` wraps into the next cycle (a night shift). Cycles count from Monday 2024-01-01 00:00
    Chengdu time, so a one-week cycle (``WEEK`` minutes) starts on Mondays and a four-day rotation
    keeps its teams in step across the whole demo.
    """

    kind: ShiftKind
    cycle: int
    windows: tuple[tuple[int, int], ...]
    label: str = ""

    def describe(self) -> str:
        """How a person would say it: ``Mon 08:00–10:00; Tue …`` or the rotation it follows."""
        return self.label or _week_label(self.windows)

    def on_duty(self, at: datetime) -> bool:
        """Whether the unit is on duty at ``at`` (naive means Chengdu local time)."""
        minute = _minute_in_cycle(at, self.cycle)
        return any(s <= minute < e or minute < e - self.cycle for s, e in self.windows)

    def next_change(self, at: datetime) -> datetime | None:
        """The first whole minute after ``at`` when the unit goes on or off duty.

        The simulator clocks units in and out with it. None for a unit whose duty never changes
        (always on call). The result has ``at``'s time zone (or none, like ``at``).
        """
        boundaries = sorted({edge % self.cycle for w in self.windows for edge in w})
        changes = [b for b in boundaries if self._on(b) != self._on(b - 1)]
        if not changes:
            return None
        minute = _minute_in_cycle(at, self.cycle)
        wait = min((b - minute) % self.cycle or self.cycle for b in changes)
        start = at.replace(second=0, microsecond=0)
        return start + timedelta(minutes=wait)

    def _on(self, minute: int) -> bool:
        minute %= self.cycle
        return any(s <= minute < e or minute < e - self.cycle for s, e in self.windows)


def _minute_in_cycle(at: datetime, cycle: int) -> int:
    local = at.astimezone(LOCAL_TIME).replace(tzinfo=None) if at.tzinfo else at
    delta = local - _EPOCH
    return (delta.days * DAY + delta.seconds // 60) % cycle


@dataclass(frozen=True)
class UnitSpec:
    """One unit of the demo district, as the simulator and the registration need it.

    ``leader`` is the tier-1 grid worker who leads a tier-2 or tier-3 worker ("1+N"); ``department``
    the taxonomy department code a crew belongs to. Neither is part of the registration.
    """

    id: str
    name: str
    type: UnitType
    tier: int | None
    street: str | None
    community: str | None
    grid: str | None
    skills: tuple[str, ...]
    home: tuple[float, float]
    mode: Mode
    shift: Shift
    leader: str | None = None
    department: str | None = None

    def register_args(self) -> dict[str, Any]:
        """The ``args`` of the ``unit.register`` command for this unit, off duty."""
        return {
            "id": self.id,
            "name": self.name,
            "type": self.type.value,
            "status": UnitStatus.OFF_DUTY.value,
            "tier": self.tier,
            "street": self.street,
            "community": self.community,
            "grid": self.grid,
            "skills": list(self.skills),
        }


def counts_by_type(forces: Iterable[UnitSpec]) -> dict[str, int]:
    """How many units of each type (grid workers per tier as ``grid_worker.1`` …)."""
    counts: dict[str, int] = {}
    for unit in forces:
        key = f"{unit.type.value}.{unit.tier}" if unit.tier else unit.type.value
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items()))


# -- the district ---------------------------------------------------------------------------------


def district_forces(geography: Geography, seed: int | str = 0) -> tuple[UnitSpec, ...]:
    """Every unit of the district, in id order within each type; same seed, same forces.

    Each kind of unit draws from its own random stream, so a change to how volunteers are made
    leaves the grid workers as they were.

    Raises:
        ValueError: the geography has no grid cells.
    """
    if not geography.grid_codes:
        raise ValueError("the geography has no grid cells to post grid workers to")
    homes = _Homes(geography, random.Random(f"{seed}/homes"))
    return (
        *_grid_workers(geography, homes, random.Random(f"{seed}/grid")),
        *_community_police(geography, homes, random.Random(f"{seed}/police")),
        *_urban_management(geography, homes, random.Random(f"{seed}/urban")),
        *_patrols(geography, homes, random.Random(f"{seed}/patrol")),
        *_mediators(geography, homes, random.Random(f"{seed}/mediators")),
        *_emergency_teams(geography, homes, random.Random(f"{seed}/emergency")),
        *_volunteers(geography, homes, random.Random(f"{seed}/volunteers")),
        *_department_crews(geography, homes, random.Random(f"{seed}/crews")),
    )


def _grid_workers(geography: Geography, homes: _Homes, rng: random.Random) -> list[UnitSpec]:
    cells = geography.grid_codes
    totals = {tier: round(len(cells) * share) for tier, share in _TIER_PER_CELL.items()}
    # Every cell has its tier-1 worker; the few left over go to some cells as a second one.
    extra = _spread(max(0, totals[1] - len(cells)), cells, rng)
    per_cell = {1: {cell: 1 + extra[cell] for cell in cells},
                2: _spread(totals[2], cells, rng), 3: _spread(totals[3], cells, rng)}
    units: list[UnitSpec] = []
    leaders: dict[str, list[str]] = {}
    number = 0
    for tier in (1, 2, 3):
        for cell in cells:
            place = geography.place_of_grid(cell)
            for index in range(per_cell[tier][cell]):
                number += 1
                unit_id = f"U{number}"
                if tier == 1:
                    leaders.setdefault(cell, []).append(unit_id)
                    leader = None
                else:
                    # Several tier-1 workers in a cell share its tier 2 and 3 between them.
                    cell_leaders = leaders[cell]
                    leader = cell_leaders[index % len(cell_leaders)]
                units.append(UnitSpec(
                    id=unit_id, name=_person_name(rng, older=tier == 3), type=UnitType.GRID_WORKER,
                    tier=tier, street=place.street, community=place.community, grid=cell,
                    skills=_grid_skills(tier, rng), home=homes.in_cell(cell),
                    mode=_pick(rng, {Mode.WALK: 0.6, Mode.BICYCLE: 0.4} if tier == 1
                               else {Mode.WALK: 0.8, Mode.BICYCLE: 0.2}),
                    shift=_flexible_shift(tier, rng), leader=leader,
                ))
    return units


def _community_police(geography: Geography, homes: _Homes, rng: random.Random) -> list[UnitSpec]:
    units: list[UnitSpec] = []
    for community in geography.community_codes:
        street = geography.community(community).parent
        first_team = rng.randrange(4)
        for index in range(2 + rng.randint(0, 2)):
            units.append(UnitSpec(
                id=f"P{len(units) + 1}", name=_person_name(rng), type=UnitType.COMMUNITY_POLICE,
                tier=None, street=street, community=community, grid=None,
                skills=_skills(rng, ["law_enforcement", "mediation"],
                               {"first_aid": 0.5, "traffic": 0.3, "fire_safety": 0.2}),
                home=homes.in_community(community),
                mode=_pick(rng, {Mode.WALK: 0.3, Mode.BICYCLE: 0.4, Mode.VEHICLE: 0.3}),
                shift=_rotation_12h((first_team + index) % 4),
            ))
    return units


def _urban_management(geography: Geography, homes: _Homes, rng: random.Random) -> list[UnitSpec]:
    units: list[UnitSpec] = []
    for street in geography.street_codes:
        short = _street_short(geography, street)
        for index in range(max(2, round(len(geography.communities_of(street)) / 3))):
            units.append(UnitSpec(
                id=f"C{len(units) + 1}", name=f"{short}城管{_chinese_number(index + 1)}中队",
                type=UnitType.URBAN_MANAGEMENT, tier=None, street=street, community=None,
                grid=None,
                skills=_skills(rng, ["law_enforcement", "city_management"],
                               {"street_vending": 0.6, "sanitation": 0.5, "demolition": 0.2}),
                home=homes.in_street(street), mode=Mode.VEHICLE,
                shift=_office_shift(*((7, 0, 15, 0) if index % 2 == 0 else (14, 0, 22, 0))),
            ))
    return units


def _patrols(geography: Geography, homes: _Homes, rng: random.Random) -> list[UnitSpec]:
    units: list[UnitSpec] = []
    for street in geography.street_codes:
        short = _street_short(geography, street)
        # Whole rotations only, so every one of the four teams has a patrol in every street.
        count = 4 * max(1, round(len(geography.communities_of(street)) / 4))
        for index in range(count):
            units.append(UnitSpec(
                id=f"X{len(units) + 1}", name=f"{short}巡防{index + 1}组", type=UnitType.PATROL,
                tier=None, street=street, community=None, grid=None,
                skills=_skills(rng, ["patrol"], {"first_aid": 0.4, "traffic": 0.3,
                                                 "fire_safety": 0.3}),
                home=homes.in_street(street),
                mode=_pick(rng, {Mode.VEHICLE: 0.5, Mode.BICYCLE: 0.5}),
                shift=_rotation_8h(index % 4),
            ))
    return units


def _mediators(geography: Geography, homes: _Homes, rng: random.Random) -> list[UnitSpec]:
    units: list[UnitSpec] = []
    for community in geography.community_codes:
        street = geography.community(community).parent
        for _ in range(2 + (rng.random() < 0.5)):
            units.append(UnitSpec(
                id=f"M{len(units) + 1}", name=_person_name(rng, older=True),
                type=UnitType.MEDIATOR, tier=None, street=street, community=community, grid=None,
                skills=_skills(rng, ["mediation"], {"legal_advice": 0.4, "counselling": 0.3}),
                home=homes.in_community(community), mode=Mode.WALK,
                shift=_office_shift(9, 0, 17, 30, weekdays_only=True),
            ))
    return units


def _emergency_teams(geography: Geography, homes: _Homes, rng: random.Random) -> list[UnitSpec]:
    streets = list(geography.street_codes)
    rng.shuffle(streets)
    count = max(2, round(len(streets) / 2))
    return [
        UnitSpec(
            id=f"E{index + 1}", name=f"区应急救援{_chinese_number(index + 1)}队",
            type=UnitType.EMERGENCY, tier=None, street=None, community=None, grid=None,
            skills=_skills(rng, ["rescue", "first_aid"],
                           {"firefighting": 0.6, "flood_control": 0.5, "hazmat": 0.3}),
            # Stations spread over the streets, one street each while there are enough.
            home=homes.in_street(streets[index % len(streets)]), mode=Mode.VEHICLE,
            shift=Shift(ShiftKind.ON_CALL, DAY, ((0, DAY),), "always on call"),
        )
        for index in range(count)
    ]


def _volunteers(geography: Geography, homes: _Homes, rng: random.Random) -> list[UnitSpec]:
    units: list[UnitSpec] = []
    for community in geography.community_codes:
        street = geography.community(community).parent
        for _ in range(8 + rng.randint(0, 6)):
            units.append(UnitSpec(
                id=f"V{len(units) + 1}", name=_person_name(rng, older=True),
                type=UnitType.VOLUNTEER, tier=None, street=street, community=community, grid=None,
                skills=_skills(rng, ["patrol"], {"elderly_care": 0.3, "first_aid": 0.1,
                                                 "mediation": 0.1}),
                home=homes.in_community(community), mode=Mode.WALK,
                shift=_volunteer_shift(rng),
            ))
    return units


# Department crews: (department code, crew name, skills, round the clock, crews per 7 streets).
# Round-the-clock crews come in whole four-team rotations, so one is always out.
_CREWS = (
    ("water", "供水抢修", ("plumbing", "water_supply"), True, 4),
    ("power", "供电抢修", ("electrical", "power_supply"), True, 4),
    ("gas", "燃气抢修", ("gas", "gas_leak"), True, 4),
    ("transport", "道路养护", ("road_repair", "traffic"), False, 1),
    ("parks", "园林绿化", ("tree_care", "greening"), False, 1),
)


def _department_crews(geography: Geography, homes: _Homes, rng: random.Random) -> list[UnitSpec]:
    streets = geography.street_codes
    units: list[UnitSpec] = []
    for department, crew_name, skills, round_the_clock, per_seven_streets in _CREWS:
        count = per_seven_streets * max(1, round(len(streets) / 7))
        for index in range(count):
            units.append(UnitSpec(
                id=f"W{len(units) + 1}", name=f"{crew_name}{_chinese_number(index + 1)}班",
                type=UnitType.DEPARTMENT_CREW, tier=None, street=None, community=None, grid=None,
                skills=skills, home=homes.in_street(rng.choice(streets)), mode=Mode.VEHICLE,
                shift=(_rotation_12h(index % 4) if round_the_clock
                       else _office_shift(8, 0, 17, 0, weekdays_only=True)),
                department=department,
            ))
    return units


# -- shifts ---------------------------------------------------------------------------------------

# Where grid workers' two-hour blocks start, in half hours from 07:00 to 18:00: thinner over lunch
# and late in the day, because blocks that may not overlap crowd towards the day's edges.
_BLOCK_STARTS = tuple(7 * 60 + 30 * i for i in range(23))
_BLOCK_WEIGHTS = tuple(
    0.8 if start < 8 * 60 else 0.8 if 11 * 60 + 30 <= start < 13 * 60
    else 0.6 if start >= 17 * 60 else 1.0
    for start in _BLOCK_STARTS
)
_BLOCK_CUMULATIVE = tuple(itertools.accumulate(_BLOCK_WEIGHTS))
# Blocks in a working day, by tier: the first is certain, the others have these chances. Tier 1
# are the full-time, paid grid workers; tiers 2 and 3 fit their blocks around their own lives.
_MORE_BLOCKS = {1: (0.95, 0.5), 2: (0.75,), 3: (0.7,)}
# Chance, per day, of an evening block for appointments and evening checks.
_EVENING_BLOCK = {1: 0.06, 2: 0.04, 3: 0.02}
_DAY_OFF = 0.08


def _flexible_shift(tier: int, rng: random.Random) -> Shift:
    windows: list[tuple[int, int]] = []
    for day in range(7):
        if rng.random() < _DAY_OFF:
            continue
        blocks = 1 + sum(rng.random() < p for p in _MORE_BLOCKS[tier])
        starts: list[int] = []
        while len(starts) < blocks:
            # What rng.choices does, without rebuilding the cumulative weights 300,000 times.
            start = _BLOCK_STARTS[bisect.bisect(_BLOCK_CUMULATIVE,
                                                rng.random() * _BLOCK_CUMULATIVE[-1])]
            if all(abs(start - other) >= 150 for other in starts):  # half an hour apart at least
                starts.append(start)
        if rng.random() < _EVENING_BLOCK[tier]:
            starts.append(rng.choice((19 * 60 + 30, 20 * 60)))
        windows += [(day * DAY + s, day * DAY + s + 120) for s in sorted(starts)]
    return Shift(ShiftKind.FLEXIBLE, WEEK, tuple(windows))


def _rotation_12h(team: int) -> Shift:
    """Day, night, two days off, in four teams: one team is always out."""
    start = team * DAY
    windows = ((start + 8 * 60, start + 20 * 60), (start + 20 * 60, start + DAY + 8 * 60))
    return Shift(ShiftKind.ROTATION, 4 * DAY, windows,
                 f"12 h rotation, team {team + 1} of 4: day 08–20, night 20–08, two days off")


def _rotation_8h(team: int) -> Shift:
    """Four teams over three 8-hour shifts (四班三运转): night, day, evening, a day off."""
    windows = []
    for day in range(4):
        slot = (day - team) % 4
        if slot < 3:
            start = day * DAY + slot * 8 * 60
            windows.append((start, start + 8 * 60))
    return Shift(ShiftKind.ROTATION, 4 * DAY, tuple(windows),
                 f"8 h rotation, team {team + 1} of 4: 00–08, 08–16, 16–24, a day off")


def _office_shift(from_h: int, from_m: int, to_h: int, to_m: int, *,
                  weekdays_only: bool = False) -> Shift:
    days = range(5) if weekdays_only else range(7)
    windows = [(d * DAY + from_h * 60 + from_m, d * DAY + to_h * 60 + to_m) for d in days]
    return Shift(ShiftKind.OFFICE, WEEK, tuple(windows))


def _volunteer_shift(rng: random.Random) -> Shift:
    morning, evening = (7 * 60, 10 * 60), (18 * 60 + 30, 21 * 60)
    pattern = _pick(rng, {"morning": 0.4, "evening": 0.35, "both": 0.25})
    chosen = [w for name, w in (("morning", morning), ("evening", evening))
              if pattern in (name, "both")]
    windows: list[tuple[int, int]] = []
    for day in range(7):
        if rng.random() < 0.7:
            windows += [(day * DAY + s, day * DAY + e) for s, e in chosen]
    if not windows:  # a volunteer who never comes is no volunteer
        windows = [(5 * DAY + s, 5 * DAY + e) for s, e in chosen]
    return Shift(ShiftKind.PART_TIME, WEEK, tuple(windows))


def _week_label(windows: Sequence[tuple[int, int]]) -> str:
    """``Mon 08:00–10:00, 14:30–16:30; Tue …`` — for a tooltip or a log line."""
    by_day: dict[int, list[str]] = {}
    for start, end in windows:
        by_day.setdefault(start // DAY, []).append(f"{_hhmm(start)}–{_hhmm(end)}")
    return "; ".join(f"{_WEEKDAYS[d]} {', '.join(spans)}" for d, spans in sorted(by_day.items()))


def _hhmm(minute: int) -> str:
    minute %= DAY
    return f"{minute // 60:02d}:{minute % 60:02d}" if minute else "24:00"


# -- homes ----------------------------------------------------------------------------------------


class _Homes:
    """Random points inside a given grid cell, community or street.

    The geography offers point location, not polygons, so a point is drawn around the area's
    representative point and kept if ``locate`` puts it in the area; the box shrinks after misses
    and, in the end, the representative point itself (always inside) is used.
    """

    _TRIES = 48

    def __init__(self, geography: Geography, rng: random.Random) -> None:
        self._geography = geography
        self._rng = rng
        bounds = geography.bounds
        area = (bounds.north - bounds.south) * (bounds.east - bounds.west)
        # The side of a typical cell, if the cells tiled the bounding box.
        self._reach = 0.45 * math.sqrt(area / len(geography.grid_codes))
        self._centres: dict[str, tuple[float, float]] = {}

    def in_cell(self, cell: str) -> tuple[float, float]:
        if cell not in self._centres:
            self._centres[cell] = self._geography.representative_point("grid", cell)
        lat0, lon0 = self._centres[cell]
        reach = self._reach
        for attempt in range(self._TRIES):
            if attempt and attempt % 8 == 0:
                reach *= 0.6
            lat = round(lat0 + self._rng.uniform(-reach, reach), 6)
            lon = round(lon0 + self._rng.uniform(-reach, reach), 6)
            if self._geography.locate(lat, lon).grid == cell:
                return lat, lon
        return lat0, lon0

    def in_community(self, community: str) -> tuple[float, float]:
        return self.in_cell(self._rng.choice(self._geography.cells_of(community)))

    def in_street(self, street: str) -> tuple[float, float]:
        return self.in_community(self._rng.choice(self._geography.communities_of(street)))


def _spread(total: int, cells: Sequence[str], rng: random.Random) -> dict[str, int]:
    """``total`` people over ``cells``, evenly give or take a third, by largest remainder."""
    weights = [rng.uniform(0.67, 1.33) for _ in cells]
    scale = total / sum(weights)
    shares = [w * scale for w in weights]
    counts = [int(s) for s in shares]
    by_remainder = sorted(range(len(cells)), key=lambda i: shares[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return dict(zip(cells, counts, strict=True))


# -- names and skills -----------------------------------------------------------------------------

# Common surnames, weighted roughly as in Sichuan.
_SURNAMES = {
    "李": 9, "王": 8, "张": 7, "刘": 6, "陈": 6, "杨": 5, "黄": 4, "周": 4, "吴": 4, "罗": 4,
    "何": 3, "邓": 3, "赵": 3, "徐": 3, "胡": 3, "谢": 3, "曾": 3, "唐": 3, "彭": 3, "蒋": 2,
    "郑": 2, "冯": 2, "杜": 2, "廖": 2, "袁": 2, "蒲": 1, "肖": 2, "苏": 1, "任": 1, "余": 2,
    "向": 1, "雷": 1, "钟": 1, "汪": 1, "邱": 1, "陶": 1, "付": 1, "龚": 1, "文": 1, "魏": 1,
    "朱": 2, "郭": 1, "马": 1, "林": 1, "高": 1, "梁": 1, "宋": 1, "韩": 1, "田": 1, "贺": 1,
    "江": 1, "侯": 1, "严": 1, "熊": 1, "欧阳": 0.3, "司马": 0.1,
}
_GIVEN_MALE = ("伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊"
               "帆旭宁龙林洋亮成建国兵东文志海峰晨毅江川锐")
_GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀英玲燕萍红梅琳雪婷慧莉倩颖洁欣蓉琴兰凤佳丹悦月雯雨思晓怡"
# Names the older generation was given more often: 建国, 淑芬, 德明 …
_OLDER_FIRST = "建国德志永春秋玉金淑桂素学庆天"


def _person_name(rng: random.Random, *, older: bool = False) -> str:
    surname = rng.choices(list(_SURNAMES), list(_SURNAMES.values()))[0]
    pool = _GIVEN_FEMALE if rng.random() < 0.5 else _GIVEN_MALE
    if rng.random() < 0.45:
        return surname + rng.choice(pool)
    first = rng.choice(_OLDER_FIRST) if older and rng.random() < 0.6 else rng.choice(pool)
    return surname + first + rng.choice(pool)


def _grid_skills(tier: int, rng: random.Random) -> tuple[str, ...]:
    chances = {
        1: {"mediation": 0.7, "first_aid": 0.3, "fire_safety": 0.3, "elderly_care": 0.2,
            "sign_language": 0.02, "english": 0.05},
        2: {"mediation": 0.4, "elderly_care": 0.2, "first_aid": 0.15},
        3: {"elderly_care": 0.1, "first_aid": 0.08},
    }[tier]
    return _skills(rng, ["patrol", "reporting"], chances)


def _skills(rng: random.Random, always: list[str], chances: dict[str, float]) -> tuple[str, ...]:
    return (*always, *(skill for skill, p in chances.items() if rng.random() < p))


def _pick(rng: random.Random, weights: dict[Any, float]) -> Any:
    return rng.choices(list(weights), list(weights.values()))[0]


def _street_short(geography: Geography, street: str) -> str:
    """``猛追湾`` from ``猛追湾街道`` (or from ``猛追湾``): team names add their own suffix."""
    name = geography.street_name(street, "zh")
    return name.removesuffix("街道办事处").removesuffix("街道")


_DIGITS = "零一二三四五六七八九"


def _chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (up to 99): squad names count in Chinese."""
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return (_DIGITS[tens] if tens > 1 else "") + "十" + (_DIGITS[ones] if ones else "")
