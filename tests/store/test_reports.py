"""The reports over a month seeded through the write path (tests/store/reports_seed.py), on
SQLite and PostgreSQL: figures hand-computed per department, a closed period unchanged by later
events, the statistics and the shift handover."""

from __future__ import annotations

from datetime import timedelta

import pytest

from console.domain.reports import Figures
from console.domain.scoring import Weights
from console.store.reports import department_assessment, period_statistics, shift_handover
from console.store.store import Store
from tests.store.conftest import Clock
from tests.store.reports_seed import CTL, ENV, LEADER, NOVEMBER, Seeder, local, seed_november

WEIGHTS = Weights({"response": 30, "resolution": 35, "satisfaction": 35})


def test_a_month_of_known_outcomes_gives_the_expected_figures(store: Store,
                                                               clock: Clock) -> None:
    seed_november(store, clock)
    assessment = department_assessment(store, *NOVEMBER, weights=WEIGHTS)
    rows = {r.code: r for r in assessment.departments}
    assert set(rows) == {"environment", "urban_mgmt"}
    assert rows["environment"].figures == Figures(
        received=5,  # E1–E5 (E6 was assigned in October)
        signed_on_time=2,  # E1, E4 (E2 late, E3 returned, E5 never)
        returned=1,  # E3
        resolved=4, resolved_on_time=3,  # E1, E2 (late), E4 (within its extension), E6
        extensions=1, supervised=1, reopened=1,  # E4, E5, E6
        visited=3, satisfied=2, basically_satisfied=1, dissatisfied=0)  # E1, E6; E2
    assert rows["urban_mgmt"].figures == Figures(
        received=1, signed_on_time=1, resolved=2, resolved_on_time=2,  # E3 twice
        visited=1, dissatisfied=1)  # the site check after is no visit
    # 30 × 2/5 + 35 × 3/4 + 35 × 3/3 and 30 × 1 + 35 × 1 + 35 × 0.
    assert rows["environment"].score == pytest.approx(73.25)
    assert rows["urban_mgmt"].score == pytest.approx(65.0)
    assert [(r.code, r.rank) for r in assessment.departments] == [
        ("environment", 1), ("urban_mgmt", 2)]
    [street] = assessment.streets
    assert street.code == "street.shuangqiaozi"
    assert (street.figures.received, street.figures.resolved, street.figures.visited) == (6, 6, 4)


def test_a_closed_period_is_the_same_after_more_events(store: Store, clock: Clock) -> None:
    ids = seed_november(store, clock)
    before = (department_assessment(store, *NOVEMBER, weights=WEIGHTS),
              period_statistics(store, *NOVEMBER), shift_handover(store, *NOVEMBER))
    s = Seeder(store, clock)
    december = local(12, 2, 10)
    s.run(december, ENV, "incident.sign", id=ids["E5"])
    s.verify(december + timedelta(hours=1), ids["E4"], "dissatisfied", note="仍有噪声")
    s.run(december + timedelta(hours=2), CTL, "incident.assign", id=ids["E6"],
          department="environment")
    s.assigned(december + timedelta(hours=3))
    after = (department_assessment(store, *NOVEMBER, weights=WEIGHTS),
             period_statistics(store, *NOVEMBER), shift_handover(store, *NOVEMBER))
    assert after == before
    # December does see them.
    december_rows = {r.code: r.figures for r in
                     department_assessment(store, NOVEMBER[1], NOVEMBER[1] + timedelta(days=31),
                                           weights=WEIGHTS).departments}
    assert december_rows["environment"].received == 2


def test_the_period_statistics(store: Store, clock: Clock) -> None:
    seed_november(store, clock)
    stats = period_statistics(store, *NOVEMBER)
    assert stats.received == 5
    assert stats.by_source == {"hotline": 5}
    assert stats.by_category == {"env.noise_construction": 4, "city.road_damage": 1}
    assert stats.by_street == {"street.shuangqiaozi": 5}
    assert (stats.resolved, stats.closed, stats.returned, stats.reopened) == (6, 2, 1, 1)
    # Sign: E1, E3 (returned in time, then signed by urban_mgmt), E4 in time; E2 and E5 late.
    assert (stats.stages["sign"].on_time, stats.stages["sign"].late) == (4, 2)
    # Resolve: E1, E3 ×3 (stopped by the return, then two resolutions), E4, E6; E2 and E5 late.
    assert (stats.stages["resolve"].on_time, stats.stages["resolve"].late) == (6, 2)
    # E2 (sign, resolve, reply), E4 (reply), E5 (sign, resolve, reply), E6 (after its reopen).
    assert stats.overdue == 4


def test_the_shift_handover(store: Store, clock: Clock) -> None:
    ids = seed_november(store, clock)
    s = Seeder(store, clock)
    s.run(local(11, 13, 16), CTL, "incident.note", id=ids["E5"], text="已电话催办")
    s.run(local(11, 13, 17), LEADER, "major.declare", level="III", title="暴雨内涝",
          commander="王局", area={"center": {"lat": 30.66, "lon": 104.1}, "radius_m": 2000})
    shift = (local(11, 13, 8), local(11, 13, 20))
    handover = shift_handover(store, *shift)
    assert handover.received == 1  # E5
    # Open at 20:00 on the 13th: E2 and E4 in progress, E5 assigned, E6 accepted (reopened), E3
    # verified (not yet closed).
    assert handover.open_by_state == {"in_progress": 2, "assigned": 1, "accepted": 1,
                                      "verified": 1}
    assert [c.id for c in handover.supervised] == [ids["E5"]]
    assert {c.id: c.overdue for c in handover.overdue} == {
        ids["E5"]: ("sign",), ids["E6"]: ("assign", "reply")}
    assert [(n[1], n[3]) for n in handover.notes] == [(ids["E5"], "已电话催办")]
    assert [(m[1], m[2]) for m in handover.majors] == [("III", "暴雨内涝")]
