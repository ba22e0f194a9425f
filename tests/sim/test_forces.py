"""The demo district's forces: counts, ids, homes, registration and shifts."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from console.domain.commands import decide
from console.domain.geography import DEFAULT_DIRECTORY, Geography
from console.domain.model import Actor, Role, UnitStatus, UnitType
from console.domain.rules import Context, Rules
from console.domain.world import Aggregates
from console.sim.forces import (
    ID_PREFIXES,
    LOCAL_TIME,
    Shift,
    ShiftKind,
    UnitSpec,
    counts_by_type,
    district_forces,
)
from tests.geo import small_geography

ADMIN = Actor("admin", frozenset({Role.ADMIN}))
# A Wednesday and a Saturday, naive: Chengdu local time.
WEDNESDAY = datetime(2026, 11, 25)
SATURDAY = datetime(2026, 11, 28)


def _box(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def grid_geography(streets: int, communities: int, cells: int) -> Geography:
    """Square cells in rows: large enough for proportions to be more than chance."""
    size = 0.003

    def collection(features: list[dict[str, Any]]) -> dict[str, Any]:
        return {"type": "FeatureCollection", "features": features}

    def feature(properties: dict[str, Any], geometry: dict[str, Any]) -> dict[str, Any]:
        return {"type": "Feature", "properties": properties, "geometry": geometry}

    s_features, c_features, g_features = [], [], []
    for i in range(streets):
        west = 104.10 + i * cells * size
        east = west + cells * size
        s_features.append(feature({"code": f"s{i:02d}", "zh": f"第{i}街道", "en": f"Street {i}"},
                                  _box(west, 30.60, east, 30.60 + communities * size)))
        for j in range(communities):
            south = 30.60 + j * size
            community = f"s{i:02d}c{j:02d}"
            c_features.append(feature({"code": community, "zh": f"社区{community}",
                                       "en": community, "street": f"s{i:02d}"},
                                      _box(west, south, east, south + size)))
            for k in range(cells):
                g_features.append(feature({"code": f"{community}g{k:02d}",
                                           "community": community},
                                          _box(west + k * size, south,
                                               west + (k + 1) * size, south + size)))
    return Geography.from_geojson(collection(s_features), collection(c_features),
                                  collection(g_features))


@pytest.fixture(scope="module")
def small() -> tuple[Geography, tuple[UnitSpec, ...]]:
    geography = small_geography()
    return geography, district_forces(geography, seed=7)


@pytest.fixture(scope="module")
def medium() -> tuple[UnitSpec, ...]:
    """5 streets, 30 communities, 300 cells: about 4,300 grid workers."""
    return district_forces(grid_geography(5, 6, 10), seed=11)


def _real_geography() -> Geography:
    if not (DEFAULT_DIRECTORY / "streets.geojson").exists():
        pytest.skip("the district geography has not been generated yet")
    return Geography.from_files()


def _of(forces: Sequence[UnitSpec], kind: UnitType, tier: int | None = None) -> list[UnitSpec]:
    return [u for u in forces if u.type is kind and (tier is None or u.tier == tier)]


def _on_duty(units: Sequence[UnitSpec], at: datetime) -> float:
    return sum(u.shift.on_duty(at) for u in units) / len(units)


# -- counts ---------------------------------------------------------------------------------------


def test_small_district_has_a_proportionally_small_force(small):
    geography, forces = small
    counts = counts_by_type(forces)
    cells = len(geography.grid_codes)
    assert cells <= counts["grid_worker.1"] <= 1.2 * cells
    assert counts["grid_worker.2"] == round(cells * 2900 / 1500)
    assert counts["grid_worker.3"] == round(cells * 17000 / 1500)
    assert sum(counts.values()) < 250
    for kind in UnitType:
        assert _of(forces, kind), f"no {kind}"


def test_every_cell_has_a_tier1_worker_who_leads_its_tiers_2_and_3(small):
    geography, forces = small
    tier1 = {u.id: u for u in _of(forces, UnitType.GRID_WORKER, 1)}
    assert {u.grid for u in tier1.values()} == set(geography.grid_codes)
    assert all(u.leader is None for u in tier1.values())
    for unit in [*_of(forces, UnitType.GRID_WORKER, 2), *_of(forces, UnitType.GRID_WORKER, 3)]:
        assert unit.leader in tier1
        assert tier1[unit.leader].grid == unit.grid


def test_areas_of_responsibility_by_level(small):
    geography, forces = small
    communities = set(geography.community_codes)
    streets = set(geography.street_codes)
    for kind in (UnitType.COMMUNITY_POLICE, UnitType.MEDIATOR, UnitType.VOLUNTEER):
        units = _of(forces, kind)
        assert {u.community for u in units} == communities, kind
        assert all(u.grid is None for u in units)
        assert all(geography.community(u.community).parent == u.street for u in units)
    for kind in (UnitType.URBAN_MANAGEMENT, UnitType.PATROL):
        units = _of(forces, kind)
        assert {u.street for u in units} == streets, kind
        assert all(u.community is None and u.grid is None for u in units)
    for kind in (UnitType.EMERGENCY, UnitType.DEPARTMENT_CREW):
        assert all(u.street is None for u in _of(forces, kind))
    crews = _of(forces, UnitType.DEPARTMENT_CREW)
    assert {"water", "power", "gas"} <= {u.department for u in crews}


def test_team_names_carry_their_street(small):
    _, forces = small
    assert _of(forces, UnitType.URBAN_MANAGEMENT)[0].name == "猛追湾城管一中队"
    assert _of(forces, UnitType.PATROL)[0].name == "猛追湾巡防1组"
    assert _of(forces, UnitType.EMERGENCY)[0].name == "区应急救援一队"


def test_people_have_chinese_names_and_every_name_fits(small):
    _, forces = small
    for unit in forces:
        assert 2 <= len(unit.name) <= 64
        assert all("\u4e00" <= ch <= "\u9fff" or ch.isdigit() for ch in unit.name), unit.name
    people = _of(forces, UnitType.GRID_WORKER) + _of(forces, UnitType.COMMUNITY_POLICE)
    assert all(len(u.name) <= 4 for u in people)
    assert len({u.name for u in people}) > 0.8 * len(people)


# -- ids ------------------------------------------------------------------------------------------


def test_ids_are_unique_short_and_numbered_from_one_per_kind(small):
    _, forces = small
    assert len({u.id for u in forces}) == len(forces)
    by_prefix: dict[str, list[int]] = {}
    for unit in forces:
        match = re.fullmatch(r"([A-Z])([1-9][0-9]*)", unit.id)
        assert match, unit.id
        assert match[1] == ID_PREFIXES[unit.type], unit.id
        by_prefix.setdefault(match[1], []).append(int(match[2]))
    for prefix, numbers in by_prefix.items():
        assert numbers == list(range(1, len(numbers) + 1)), prefix


def test_grid_worker_ids_count_tier1_first(small):
    _, forces = small
    tiers = [u.tier for u in _of(forces, UnitType.GRID_WORKER)]
    assert tiers == sorted(tiers)
    assert forces[0].id == "U1" and forces[0].tier == 1


# -- homes ----------------------------------------------------------------------------------------


def _check_homes(geography: Geography, forces: Sequence[UnitSpec]) -> None:
    for unit in forces:
        place = geography.locate(*unit.home)
        if unit.grid is not None:
            assert place.grid == unit.grid, unit
        elif unit.community is not None:
            assert place.community == unit.community, unit
        elif unit.street is not None:
            assert place.street == unit.street, unit
        else:
            assert place.street is not None, unit


def test_every_home_lies_in_the_units_area(small):
    _check_homes(*small)


def test_homes_are_spread_over_a_cell_not_piled_on_one_point(small):
    _, forces = small
    workers = _of(forces, UnitType.GRID_WORKER)
    assert len({u.home for u in workers}) == len(workers)


# -- registration ---------------------------------------------------------------------------------


def test_register_args_are_what_unit_register_accepts(small):
    geography, forces = small
    context = Context(Rules.load(geography=geography), ADMIN, datetime(2026, 11, 25, 1, tzinfo=UTC))
    world = Aggregates()
    for spec in forces:
        args = spec.register_args()
        assert set(args) == {"id", "name", "type", "status", "tier", "street", "community",
                             "grid", "skills"}
        for event in decide("unit.register", args, context, world):
            world.apply(event)
        unit = world.unit(spec.id)
        assert unit.status is UnitStatus.OFF_DUTY
        assert (unit.name, unit.type, unit.tier, unit.street, unit.community, unit.grid,
                unit.skills) == (spec.name, spec.type, spec.tier, spec.street, spec.community,
                                 spec.grid, spec.skills)
    assert len(world.units) == len(forces)


def test_every_unit_has_skills_and_a_mode(small):
    _, forces = small
    assert all(u.skills and len(u.skills) <= 20 for u in forces)
    workers = _of(forces, UnitType.GRID_WORKER)
    assert all("patrol" in u.skills for u in workers)
    assert any("mediation" in u.skills for u in _of(forces, UnitType.GRID_WORKER, 1))
    assert all("mediation" in u.skills for u in _of(forces, UnitType.MEDIATOR))
    assert {u.mode.value for u in _of(forces, UnitType.EMERGENCY)} == {"vehicle"}


# -- determinism ----------------------------------------------------------------------------------


def test_same_seed_same_forces_another_seed_other_forces():
    geography = small_geography()
    assert district_forces(geography, seed=3) == district_forces(geography, seed=3)
    assert district_forces(geography, seed=3) != district_forces(geography, seed=4)


def test_a_geography_without_cells_is_refused():
    empty = {"type": "FeatureCollection", "features": []}
    with pytest.raises(ValueError, match="no grid cells"):
        district_forces(Geography.from_geojson(empty, empty, empty))


# -- shifts ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("day", [WEDNESDAY, SATURDAY])
def test_grid_workers_are_out_by_day_in_flexible_blocks_and_hardly_at_night(medium, day):
    workers = _of(medium, UnitType.GRID_WORKER)
    for hour in range(9, 18):
        for minute in (0, 30):
            fraction = _on_duty(workers, day.replace(hour=hour, minute=minute))
            assert 0.20 <= fraction <= 0.35, (hour, minute, fraction)
    for hour in (*range(6), 22, 23):
        assert _on_duty(workers, day.replace(hour=hour)) <= 0.05, hour
    blocks = {e - s for u in workers for s, e in u.shift.windows}
    assert blocks == {120}


def test_police_and_patrols_rotate_round_the_clock(medium):
    police = _of(medium, UnitType.COMMUNITY_POLICE)
    patrols = _of(medium, UnitType.PATROL)
    streets = {u.street for u in patrols}
    for hours in range(0, 96, 3):
        at = WEDNESDAY + timedelta(hours=hours)
        assert 0.15 <= _on_duty(police, at) <= 0.35, at
        assert _on_duty(patrols, at) == pytest.approx(0.25), at
        assert {u.street for u in patrols if u.shift.on_duty(at)} == streets, at


def test_volunteers_come_mornings_and_evenings(medium):
    volunteers = _of(medium, UnitType.VOLUNTEER)
    assert _on_duty(volunteers, WEDNESDAY.replace(hour=8)) > 0.3
    assert _on_duty(volunteers, WEDNESDAY.replace(hour=19)) > 0.3
    for hour in (2, 13, 23):
        assert _on_duty(volunteers, WEDNESDAY.replace(hour=hour)) == 0


def test_emergency_teams_are_always_on_call(medium):
    teams = _of(medium, UnitType.EMERGENCY)
    for hours in range(0, 7 * 24, 5):
        assert _on_duty(teams, WEDNESDAY + timedelta(hours=hours)) == 1
    assert all(u.shift.next_change(WEDNESDAY) is None for u in teams)


def test_on_duty_reads_aware_times_in_chengdu_time():
    shift = Shift(ShiftKind.OFFICE, 24 * 60, ((9 * 60, 17 * 60),), "09–17")
    assert shift.on_duty(datetime(2026, 11, 25, 9, 0))
    assert not shift.on_duty(datetime(2026, 11, 25, 8, 59))
    # 01:30 UTC is 09:30 in Chengdu.
    assert shift.on_duty(datetime(2026, 11, 25, 1, 30, tzinfo=UTC))
    assert not shift.on_duty(datetime(2026, 11, 25, 9, 30, tzinfo=UTC))


def test_a_night_shift_wraps_past_the_cycles_end():
    night = Shift(ShiftKind.ROTATION, 24 * 60, ((20 * 60, 32 * 60),), "20–08")
    assert night.on_duty(datetime(2026, 11, 25, 23))
    assert night.on_duty(datetime(2026, 11, 25, 7, 59))
    assert not night.on_duty(datetime(2026, 11, 25, 8, 0))


def test_next_change_is_when_duty_flips(medium):
    for unit in medium[::97]:
        if unit.shift.next_change(WEDNESDAY) is None:
            continue
        at = datetime(2026, 11, 25, 10, 17, 42, tzinfo=LOCAL_TIME)
        change = unit.shift.next_change(at)
        assert change is not None and at < change <= at + timedelta(days=7)
        assert unit.shift.on_duty(change) != unit.shift.on_duty(change - timedelta(minutes=1))
        step = at.replace(second=0) + timedelta(minutes=1)
        while step < change:
            assert unit.shift.on_duty(step) == unit.shift.on_duty(at), (unit.id, step)
            step += timedelta(minutes=7)


def test_adjacent_windows_are_not_a_change():
    shift = Shift(ShiftKind.ROTATION, 24 * 60, ((8 * 60, 20 * 60), (20 * 60, 32 * 60)), "all")
    assert shift.next_change(datetime(2026, 11, 25, 10)) is None


# -- the real district ----------------------------------------------------------------------------


@pytest.mark.slow
def test_the_real_district_has_its_seed_force():
    geography = _real_geography()
    forces = district_forces(geography, seed=96966)  # the demo's seed, the hotline's number
    counts = counts_by_type(forces)
    cells = len(geography.grid_codes)
    assert counts["grid_worker.1"] >= cells
    assert 1500 <= counts["grid_worker.1"] <= 1750
    assert 2700 <= counts["grid_worker.2"] <= 3100
    assert 16000 <= counts["grid_worker.3"] <= 18000
    assert len(_of(forces, UnitType.COMMUNITY_POLICE)) >= len(geography.community_codes)
    _check_homes(geography, forces)
    workers = _of(forces, UnitType.GRID_WORKER)
    for hour in range(9, 18):
        assert 0.20 <= _on_duty(workers, WEDNESDAY.replace(hour=hour)) <= 0.35
    assert _on_duty(workers, WEDNESDAY.replace(hour=3)) <= 0.05
    assert Counter(u.type for u in forces)[UnitType.EMERGENCY] >= 2
    context = Context(Rules.load(geography=geography), ADMIN, datetime(2026, 11, 25, tzinfo=UTC))
    world = Aggregates()
    for spec in forces:
        for event in decide("unit.register", spec.register_args(), context, world):
            world.apply(event)
    assert len(world.units) == len(forces)
