"""Rosters, the clock-in check, patrol plans and the assessment's parts (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from console.domain.assessment import Weights, WorkerDay, duty_intervals, score, travel
from console.domain.model import UnitStatus, UnitType
from console.domain.roster import (
    Fix,
    PatrolPlan,
    RosterError,
    Shift,
    clock_in_flags,
    parse_roster_csv,
)
from console.domain.units import Unit

LOCAL = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 12, 7, 8, 0, tzinfo=LOCAL)
UNIT = Unit("G1", "网格员", UnitType.GRID_WORKER, UnitStatus.OFF_DUTY, T0, tier=1, grid="g000")


def test_a_roster_file_becomes_shifts_in_local_time_night_shifts_ending_the_next_day() -> None:
    shifts = parse_roster_csv(
        "\ufeffunit,date,start,end,kind,note\n"
        "G1,2026-12-07,08:30,12:00,shift,\n"
        "G1,2026-12-07,22:00,06:00,shift,夜班\n"
        "G1,2026-12-07,18:00,22:00,flex,\n", LOCAL, {"G1"})
    assert [(s.id, s.kind, s.hours) for s in shifts] == [
        ("G1/2026-12-07/0830", "shift", 3.5), ("G1/2026-12-07/2200", "shift", 8.0),
        ("G1/2026-12-07/1800", "flex", 2.0)]
    assert shifts[1].ends_at == datetime(2026, 12, 8, 6, 0, tzinfo=LOCAL)
    assert shifts[1].note == "夜班"


@pytest.mark.parametrize(("line", "why"), [
    ("G9,2026-12-07,08:00,12:00,shift", "there is no unit G9"),
    ("G1,2026-12-07,8 am,12:00,shift", "line 3: "),
    ("G1,2026-12-07,08:00,12:00,nap", "kind 'nap'"),
    ("G1,2026-12-07,18:00,19:00,flex", "at least 2 hours"),
])
def test_a_bad_line_refuses_the_whole_file_naming_it(line: str, why: str) -> None:
    with pytest.raises(RosterError, match=why):  # line 2 is good; line 3 is named
        parse_roster_csv(f"unit,date,start,end,kind\nG1,2026-12-07,06:00,07:00,shift\n{line}\n",
                         LOCAL, {"G1"})


def test_a_file_without_the_columns_is_refused() -> None:
    with pytest.raises(RosterError, match="the header lacks"):
        parse_roster_csv("who,when\nG1,today\n", LOCAL)


def shift(start_h: float, end_h: float, kind: str = "shift") -> Shift:
    return Shift("s", "G1", kind, T0 + timedelta(hours=start_h), T0 + timedelta(hours=end_h))


def grid_of(lat: float, lon: float) -> str:
    return "g000" if lat < 1 else "g001"


@pytest.mark.parametrize(("at_min", "shifts", "fix", "flags"), [
    (0, [shift(0, 4)], (0.5, 0), []),
    (5, [shift(0, 4)], (0.5, 0), []),                      # 5 minutes: still on time
    (6, [shift(0, 4)], (0.5, 0), ["late"]),
    (-30, [shift(0, 4)], (0.5, 0), []),                    # half an hour early: on roster
    (-31, [shift(0, 4)], (0.5, 0), ["off_roster"]),
    (90, [shift(1, 5, "flex")], (0.5, 0), []),             # a flexible block is never late
    (0, [], (2.0, 0), ["off_roster", "outside_grid"]),
    (0, [shift(0, 4)], None, ["no_fix"]),
])
def test_a_clock_in_is_flagged_for_roster_time_and_place(
        at_min: int, shifts: list[Shift], fix: tuple[float, float] | None,
        flags: list[str]) -> None:
    now = T0 + timedelta(minutes=at_min)
    last = Fix(fix[0], fix[1], now - timedelta(seconds=10)) if fix else None
    assert clock_in_flags(UNIT, shifts, last, now, grid_of)[0] == flags


def test_a_stale_fix_checks_nothing() -> None:
    stale = Fix(2.0, 0.0, T0 - timedelta(minutes=6))
    assert clock_in_flags(UNIT, [shift(0, 4)], stale, T0, grid_of)[0] == ["no_fix"]


def test_a_patrol_plan_never_asks_for_more_checkpoints_than_there_are() -> None:
    plan = PatrolPlan({1: 4, 2: 2, 3: 1})
    assert plan.planned(1, own=5, community=9) == 4
    assert plan.planned(1, own=2, community=3) == 3   # the cell has too few: the community's
    assert plan.planned(2, own=0, community=0) == 0
    assert plan.planned(None, own=1, community=1) == 1  # no tier: as tier 3
    with pytest.raises(ValueError, match="tierN"):
        PatrolPlan.from_toml({"workers": {"patrol": {"one": 4}}})


def test_duty_stretches_are_clipped_to_the_day_and_an_open_one_runs_to_its_end() -> None:
    start, end = T0.replace(hour=0), T0.replace(hour=0) + timedelta(days=1)
    events = [("in", start - timedelta(hours=2)), ("out", start + timedelta(hours=1)),
              ("in", T0), ("in", T0 + timedelta(hours=1)), ("out", T0 + timedelta(hours=3)),
              ("in", end - timedelta(hours=1))]
    assert duty_intervals(events, start, end) == [
        (start, start + timedelta(hours=1)), (T0, T0 + timedelta(hours=3)),
        (end - timedelta(hours=1), end)]


def test_travel_leaves_out_a_jump() -> None:
    at = T0.astimezone(UTC)
    fixes = [(30.0, 104.0, at), (30.001, 104.0, at + timedelta(seconds=15)),
             (30.5, 104.0, at + timedelta(seconds=30)),  # 55 km in 15 s
             (30.001, 104.0, at + timedelta(seconds=45))]
    assert travel(fixes) == pytest.approx(111.195)


def test_the_score_weighs_only_the_parts_that_apply() -> None:
    weights = Weights.from_toml({"workers": {"weights": {"attendance": 3, "grid": 1},
                                             "targets": {}}})
    day = WorkerDay("G1", "x", 1, None, None, None, "2026-12-07", rostered_h=4, on_duty_h=2)
    assert score(day, weights) == 50.0           # attendance alone: grid has no fix
    assert score(WorkerDay("G1", "x", 1, None, None, None, "d"), weights) is None
    with pytest.raises(ValueError, match="unknown parts"):
        Weights.from_toml({"workers": {"weights": {"charm": 1}}})
