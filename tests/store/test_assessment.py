"""The day's grid-worker assessment (console/store/assessment.py) equals a hand computation.

A simulated day in Chengdu (2026-11-25) of three workers, written through the store as the hub
writes it (commands through the domain at the clock's time, fixes in batches):

- W1 (tier 1, cell g000): rostered 09:00–12:00 and 14:00–17:00, works the morning only; passes
  two of the three checkpoints of its community; files two reports, one becomes a case;
  is sent to that case (on scene in 20 minutes) and verifies it on site.
- W2 (tier 2, cell g001): rostered 09:00–13:00 (clocks in 10 minutes late) and a flexible
  block in 18:00–22:00 (works 19:00–21:00); one GPS jump; one report through the gateway.
- W3 (tier 3, cell g010): no roster, clocks in 10:00–11:00 (off roster); one dispatch, on
  scene after 15 minutes.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from console.domain.assessment import Weights, summarise
from console.domain.model import Actor, Role
from console.domain.roster import Shift
from console.store.assessment import assess_day
from console.store.store import Store
from console.store.writer import Command
from tests.store.conftest import ADMIN, CONTROLLER, Clock, new_incident_args

LOCAL = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 25)
M = 111_195.0  # metres per degree of latitude
GATEWAY = Actor("gateway", frozenset({Role.FIELD}))
DESK = Actor("desk-env", frozenset({Role.DEPARTMENT}), department="environment")


def local(hh: int, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(2026, 11, 25, hh, mm, ss, tzinfo=LOCAL).astimezone(UTC)


def device(unit: str) -> Actor:
    return Actor(f"dev-{unit}", frozenset({Role.FIELD}), unit=unit)


class Day:
    def __init__(self, store: Store, clock: Clock) -> None:
        self.store, self.clock = store, clock

    def do(self, at: datetime, actor: Actor, command: str, /, **args: object) -> dict[str, object]:
        self.clock.now = at
        result = self.store.execute(Command(str(uuid.uuid4()), command, args), actor)
        assert result.ok, (command, result.error)
        return result.data

    def fixes(self, unit: str, lon: float, *points: tuple[float, datetime]) -> None:
        self.store.positions.append([(unit, lat, lon, 0.0, 0.0, at) for lat, at in points])


@pytest.fixture
def day(store: Store, clock: Clock) -> Day:
    d = Day(store, clock)
    clock.now = local(0, 5)
    for unit, tier, community, grid in (("W1", 1, "c00", "g000"), ("W2", 2, "c00", "g001"),
                                        ("W3", 3, "c01", "g010")):
        d.do(local(0, 5), ADMIN, "unit.register", id=unit, name=f"网格员{unit}",
             type="grid_worker", tier=tier, street="street.mengzhuiwan", community=community,
             grid=grid)
    store.put_checkpoints([
        {"id": "cpA", "zh": "A", "en": "A", "lat": 30.6630, "lon": 104.0925, "grid": "g000",
         "community": "c00"},
        {"id": "cpB", "zh": "B", "en": "B", "lat": 30.6640, "lon": 104.0925, "grid": "g000",
         "community": "c00"},
        {"id": "cpC", "zh": "C", "en": "C", "lat": 30.6620, "lon": 104.0975, "grid": "g001",
         "community": "c00"}])
    store.import_roster([
        Shift("W1-am", "W1", "shift", local(9), local(12)),
        Shift("W1-pm", "W1", "shift", local(14), local(17)),
        Shift("W2-am", "W2", "shift", local(9), local(13)),
        Shift("W2-flex", "W2", "flex", local(18), local(22))])
    return d


def simulate(d: Day) -> None:
    w1, w2, w3 = device("W1"), device("W2"), device("W3")
    # W1: fixes along 104.0925 E; the third and fourth are north of g000 (in g010).
    d.fixes("W1", 104.0925, (30.6600, local(8, 59)))  # before duty: not counted
    d.fixes("W1", 104.0925, (30.6630, local(9)))
    d.do(local(9), w1, "unit.clock_in", id="W1")
    d.do(local(9), w1, "unit.checkpoint", id="W1", checkpoint="cpA")
    d.fixes("W1", 104.0925, (30.6640, local(9, 1)))
    d.do(local(9, 1), w1, "unit.checkpoint", id="W1", checkpoint="cpB")
    d.do(local(9, 1, 30), w1, "unit.checkpoint", id="W1", checkpoint="cpB")  # again: once
    d.fixes("W1", 104.0925, (30.6655, local(9, 2)), (30.6655, local(9, 3)))
    first = d.do(local(9, 5), w1, "incident.create", **new_incident_args(source="grid"))["id"]
    second = d.do(local(9, 6), w1, "incident.create", **new_incident_args(source="grid"))["id"]
    d.do(local(9, 10), CONTROLLER, "incident.accept", id=first)
    d.do(local(9, 11), CONTROLLER, "incident.reject", id=second, reason="重复上报")
    d.do(local(9, 12), CONTROLLER, "incident.assign", id=first, department="environment")
    d.do(local(9, 20), DESK, "incident.sign", id=first)
    d.do(local(10), DESK, "incident.resolve", id=first, result="已处理")
    job = d.do(local(10, 30), CONTROLLER, "incident.dispatch", id=first, unit="W1")["assignment"]
    d.do(local(10, 31), w1, "assignment.update", id=first, assignment=job, status="en_route")
    d.do(local(10, 50), w1, "assignment.update", id=first, assignment=job, status="on_scene")
    d.do(local(11), w1, "incident.verify", id=first, method="site", satisfied=True)
    d.do(local(11, 5), w1, "assignment.update", id=first, assignment=job, status="cleared")
    d.do(local(12), w1, "unit.clock_out", id="W1")
    d.fixes("W1", 104.0925, (30.6630, local(12, 30)))  # after duty: not counted

    # W2: along 104.0975 E (g001 up to 30.665 N); 30.7000 is a jump.
    d.fixes("W2", 104.0975, (30.6610, local(9, 10)))
    d.do(local(9, 10), w2, "unit.clock_in", id="W2")
    d.fixes("W2", 104.0975, (30.6620, local(9, 31)), (30.7000, local(9, 31, 10)),
            (30.6620, local(9, 32)))
    d.do(local(9, 32), w2, "unit.checkpoint", id="W2", checkpoint="cpC")
    d.do(local(9, 40), GATEWAY, "incident.create", by_unit="W2",
         **new_incident_args(source="grid"))
    d.do(local(13), w2, "unit.clock_out", id="W2")
    d.do(local(19), w2, "unit.clock_in", id="W2")
    d.fixes("W2", 104.0975, (30.6620, local(19, 30)), (30.6630, local(19, 31)))
    d.do(local(21), w2, "unit.clock_out", id="W2")

    # W3: an hour off roster, one dispatch on scene after 15 minutes (P3 arrives in 30).
    d.do(local(10), w3, "unit.clock_in", id="W3")
    incident = d.do(local(10, 1), CONTROLLER, "incident.create", **new_incident_args())["id"]
    d.do(local(10, 2), CONTROLLER, "incident.accept", id=incident)
    assignment = d.do(local(10, 5), CONTROLLER, "incident.dispatch", id=incident,
                      unit="W3")["assignment"]
    d.do(local(10, 6), w3, "assignment.update", id=incident, assignment=assignment,
         status="en_route")
    d.do(local(10, 20), w3, "assignment.update", id=incident, assignment=assignment,
         status="on_scene")
    d.do(local(10, 40), w3, "assignment.update", id=incident, assignment=assignment,
         status="cleared")
    d.do(local(11), w3, "unit.clock_out", id="W3")


def test_the_day_of_three_workers_equals_the_hand_computation(day: Day) -> None:
    simulate(day)
    weights = Weights.load()
    w = weights.parts
    rows = {r.unit: r for r in assess_day(day.store, DAY, weights=weights)}
    assert set(rows) == {"W1", "W2", "W3"}
    w1, w2, w3 = rows["W1"], rows["W2"], rows["W3"]

    # W1: 6 h rostered, the morning's 3 on duty, the afternoon absent; 111.195 m + 166.7925 m
    # + 0; two of four fixes in g000; 2 of 3 (the community's) checkpoints; 2 reports, 1 case;
    # one site verification.
    assert (w1.rostered_h, w1.on_duty_h, w1.shifts, w1.late, w1.absent) == (6, 3, 2, 0, 1)
    assert w1.distance_km == pytest.approx(round((0.0010 + 0.0015) * M / 1000, 3))
    assert (w1.inside_share, w1.checkpoints, w1.planned) == (0.5, 2, 3)
    assert (w1.reports, w1.cases, w1.tasks, w1.on_time, w1.verifications) == (2, 1, 1, 1, 1)
    assert (w1.off_roster, w1.outside_grid) == (0, 0)
    expected = (w["attendance"] * 0.5 + w["punctuality"] * 0.5 + w["grid"] * 0.5
                + w["patrol"] * 2 / 3 + w["reports"] * min(2 / 2, 1) + w["cases"] * 0.5
                + w["tasks"] * 1 + w["verifications"] * 1) / sum(w.values())
    assert w1.score == round(100 * expected, 1)

    # W2: 4 h + a 2 h block rostered; 3 h 50 min + 2 h on duty; late once; the jump's two
    # legs left out: 111.195 m in each stretch; 5 of 6 fixes in g001; 1 of 2 checkpoints.
    assert (w2.rostered_h, w2.shifts, w2.late, w2.absent) == (6, 2, 1, 0)
    assert w2.on_duty_h == pytest.approx(round(3 + 50 / 60 + 2, 3))
    assert w2.distance_km == pytest.approx(round(2 * 0.0010 * M / 1000, 3))
    assert w2.inside_share == round(5 / 6, 4)
    assert (w2.checkpoints, w2.planned, w2.reports, w2.cases) == (1, 2, 1, 0)
    attendance = (3 + 50 / 60 + 2) / 6
    expected = (w["attendance"] * attendance + w["punctuality"] * 0.5 + w["grid"] * 5 / 6
                + w["patrol"] * 0.5 + w["reports"] * 1 + w["cases"] * 0) / (
        w["attendance"] + w["punctuality"] + w["grid"] + w["patrol"] + w["reports"]
        + w["cases"])
    assert w2.score == pytest.approx(round(100 * expected, 1))

    # W3: no roster (flagged off roster, no fix), 1 h on duty; no checkpoint in its cell or
    # community; no report (target 1); the dispatch on time.
    assert (w3.rostered_h, w3.on_duty_h, w3.shifts, w3.off_roster) == (0, 1, 0, 1)
    assert (w3.inside_share, w3.distance_km, w3.planned) == (None, 0, 0)
    assert (w3.tasks, w3.on_time, w3.reports) == (1, 1, 0)
    assert w3.score == round(100 * (w["reports"] * 0 + w["tasks"] * 1)
                             / (w["reports"] + w["tasks"]), 1)

    # The month of the community: W1 and W2 of c00.
    [c00] = [s for s in summarise(rows.values(), "community") if s.key == "c00"]
    assert (c00.workers, c00.totals["reports"]) == (2, 3)
    assert c00.score == round((w1.score + w2.score) / 2, 1)


def test_a_day_with_nothing_stored_scores_no_one(day: Day) -> None:
    rows = assess_day(day.store, DAY)
    assert [(r.unit, r.score, r.rostered_h) for r in rows] == [
        ("W1", pytest.approx(0.0), 6), ("W2", pytest.approx(0.0), 6), ("W3", None, 0)]
