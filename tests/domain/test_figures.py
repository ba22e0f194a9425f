"""Dashboard figures: the period, what each figure counts, and the running tally agreeing with a
fresh count after every change."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from console.domain import incident as incident_rules
from console.domain import units as unit_rules
from console.domain.figures import IncidentFacts, StageRate, Tally, figures, period_of
from console.domain.incident import Incident
from console.domain.model import Event, Source, UnitStatus, UnitType
from console.domain.rules import Rules
from console.domain.sla import Stage

#: Wednesday 2026-11-25, 09:00 in Chengdu.
T0 = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
HOUR = timedelta(hours=1)
WEST, EAST = "street.mengzhuiwan", "street.shuangqiaozi"


def created(number: int, at: datetime, **data: Any) -> Incident:
    fields: dict[str, Any] = {
        "id": f"CH-20261125-{number:06d}", "source": "hotline", "request_type": "complaint",
        "category": "env.noise_construction", "priority": "P3", "sla_class": "standard",
        "description": "工地夜间施工噪声扰民",
        "reporter": {"name": "张先生", "phone": "13800000001"},
        "location": {"lat": 30.6675, "lon": 104.0925, "address": "建设路 1 号",
                     "street": data.pop("street", WEST)}}
    fields.update(data)
    return incident_rules.created(Event("incident.created", at, "ctl", fields))


def then(inc: Incident, name: str, at: datetime, **data: Any) -> Incident:
    return incident_rules.evolve(inc, Event(name, at, "ctl", {"id": inc.id, **data}))


def limit(rules: Rules, stage: Stage, sla_class: str = "standard", priority: str = "P3"
          ) -> timedelta:
    value = rules.sla.limit(sla_class, priority, stage)
    assert value.unit in ("minutes", "hours")
    return timedelta(**{value.unit: value.value})


def test_the_period_is_the_last_24_clock_hours_with_now_in_the_last() -> None:
    period = period_of(datetime(2026, 11, 25, 10, 37, 5, tzinfo=UTC))
    assert period.start == datetime(2026, 11, 24, 11, 0, tzinfo=UTC)
    assert period.end == datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
    assert period.start in period and period.end not in period
    assert period.start - timedelta(microseconds=1) not in period
    assert len(period.hours) == 24 and period.hours[-1] == datetime(2026, 11, 25, 10, 0,
                                                                     tzinfo=UTC)
    assert period.hour_of(datetime(2026, 11, 25, 10, 59, tzinfo=UTC)) == 23
    assert period.hour_of(period.start) == 0
    # On the hour, the hour just begun is the last one.
    assert period_of(datetime(2026, 11, 25, 11, 0, tzinfo=UTC)).end == datetime(
        2026, 11, 25, 12, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="UTC offset"):
        period_of(datetime(2026, 11, 25, 10, 0))


def test_created_per_hour_by_source_and_open_by_category_and_street(rules: Rules) -> None:
    now = T0 + 30 * MIN
    start = period_of(now).start
    incidents = [
        created(1, T0, source="hotline"),                      # the last hour
        created(2, T0 + 10 * MIN, source="hotline", street=EAST),
        created(3, T0 - HOUR, source="public", category="city.streetlight",
                sla_class="routine"),                          # the hour before
        created(4, start, source="grid"),                      # the first instant of the period
        created(5, start - timedelta(seconds=1), source="grid"),  # just before it: open, not new
        then(created(6, T0, source="video"), "incident.rejected", T0 + MIN, reason="无效"),
        created(7, T0, source="sensor", street=None),
    ]
    fig = figures(incidents, [], rules, now)
    assert fig.per_hour[Source.HOTLINE][23] == 2
    assert fig.per_hour[Source.PUBLIC][22] == 1
    assert fig.per_hour[Source.GRID] == (1,) + (0,) * 23
    assert fig.per_hour[Source.VIDEO][23] == 1  # created in the period, even though rejected
    assert sum(sum(counts) for counts in fig.per_hour.values()) == 6
    # Open: everything but the rejected one, wherever it was created.
    assert fig.open_by_category == {"env.noise_construction": 5, "city.streetlight": 1}
    assert fig.open_by_street == {WEST: 4, EAST: 1, None: 1}


def test_on_time_counts_the_clocks_that_stopped_in_the_period(rules: Rules) -> None:
    accept = limit(rules, Stage.ACCEPT)
    now = T0 + 3 * HOUR
    on_time = then(created(1, T0), "incident.accepted", T0 + accept)  # exactly at the deadline
    late = then(created(2, T0), "incident.accepted", T0 + accept + timedelta(seconds=1))
    long_ago = then(created(3, T0 - 30 * HOUR), "incident.accepted", T0 - 29 * HOUR)
    running = created(4, T0)
    # Assigned, signed in time, with a unit dispatched that arrived late.
    assigned = then(then(created(5, T0), "incident.accepted", T0 + MIN), "incident.assigned",
                    T0 + 2 * MIN, department="environment", co_handlers=[])
    signed = then(assigned, "incident.signed", T0 + 3 * MIN)
    dispatched = then(signed, "assignment.dispatched", T0 + 4 * MIN, assignment=f"{signed.id}/1",
                      unit="U1")
    arrived = then(dispatched, "assignment.updated", T0 + 4 * MIN + limit(rules, Stage.ARRIVE)
                   + MIN, assignment=f"{signed.id}/1", unit="U1", status="on_scene")
    fig = figures([on_time, late, long_ago, running, arrived], [], rules, now)
    assert fig.on_time[Stage.ACCEPT] == StageRate(met=2, stopped=3)  # 1, 2 and 5; not 3
    assert fig.on_time[Stage.ASSIGN] == StageRate(met=1, stopped=1)
    assert fig.on_time[Stage.SIGN] == StageRate(met=1, stopped=1)
    assert fig.on_time[Stage.ARRIVE] == StageRate(met=0, stopped=1)
    assert fig.on_time[Stage.RESOLVE] == StageRate() and fig.on_time[Stage.REPLY].rate is None
    assert fig.on_time[Stage.ACCEPT].rate == pytest.approx(2 / 3)
    assert fig.on_time[Stage.ACCEPT].late == 1


def test_overdue_open_incidents_by_lead_department(rules: Rules) -> None:
    sign = limit(rules, Stage.SIGN)
    assigned_at = T0 + 5 * MIN
    unsigned = then(then(created(1, T0), "incident.accepted", T0 + MIN), "incident.assigned",
                    assigned_at, department="environment", co_handlers=[])
    never_accepted = created(2, T0)
    closed = then(created(3, T0), "incident.rejected", T0 + MIN, reason="重复")
    due = assigned_at + sign
    before = figures([unsigned, never_accepted, closed], [], rules, due - timedelta(seconds=1))
    assert before.overdue_by_department == {None: 1}  # the accept clock ran out long ago
    at_due = figures([unsigned, never_accepted, closed], [], rules, due)
    assert at_due.overdue_by_department == {None: 1, "environment": 1}
    facts = IncidentFacts.of(unsigned, rules)
    assert not facts.overdue(due - timedelta(seconds=1)) and facts.overdue(due)


def test_units_by_type_and_status(rules: Rules) -> None:
    def unit(uid: str, kind: str, status: str) -> unit_rules.Unit:
        return unit_rules.registered(Event("unit.registered", T0, "admin", {
            "unit": uid, "name": uid, "type": kind, "status": status}))

    on_the_way = unit_rules.evolve(unit("U3", "patrol", "available"), Event(
        "assignment.dispatched", T0 + MIN, "ctl", {"unit": "U3", "assignment": "CH-1/1"}))
    units = [unit("U1", "grid_worker", "available"), unit("U2", "grid_worker", "busy"),
             on_the_way, unit("U4", "volunteer", "off_duty")]
    fig = figures([], units, rules, T0)
    assert fig.units[UnitType.GRID_WORKER][UnitStatus.AVAILABLE] == 1
    assert fig.units[UnitType.GRID_WORKER][UnitStatus.BUSY] == 1
    assert fig.units[UnitType.PATROL][UnitStatus.DISPATCHED] == 1
    assert fig.units_available(UnitType.PATROL) == 0
    assert fig.units_total(UnitType.VOLUNTEER) == 1 and fig.units_total(UnitType.MEDIATOR) == 0
    assert set(fig.units) == set(UnitType)
    assert all(set(by_status) == set(UnitStatus) for by_status in fig.units.values())


def test_police_handoffs_both_ways(rules: Rules) -> None:
    now = T0 + 2 * HOUR

    def diverted(number: int, at: datetime) -> Incident:
        return created(number, at, source="police", police={"shared_id": f"s-{number}"},
                       police_case_no=f"110-{number}")

    def escalated(number: int, at: datetime) -> Incident:
        inc = then(created(number, at - HOUR), "incident.accepted", at - 50 * MIN)
        return then(inc, "incident.escalated", at, reason="有人持械", shared_id=f"e-{number}")

    signed = then(diverted(1, T0), "incident.accepted", T0 + MIN)
    returned = then(diverted(2, T0), "incident.rejected", T0 + MIN, reason="警务事项")
    old_diversion = diverted(3, T0 - 30 * HOUR)
    with_police = escalated(4, T0)
    disposed = then(then(escalated(5, T0 + 10 * MIN), "incident.police_acknowledged",
                         T0 + 20 * MIN), "incident.police_disposed", T0 + HOUR,
                    disposition="已处置")
    sent_back = then(escalated(6, T0), "incident.police_rejected", T0 + 5 * MIN, cause="非警务")
    old_escalation = escalated(7, T0 - 25 * HOUR)
    fig = figures([signed, returned, old_diversion, with_police, disposed, sent_back,
                   old_escalation], [], rules, now)
    police = fig.police
    assert (police.diverted_in_period, police.diverted_open) == (2, 2)  # 1, 2 / 1, 3
    assert (police.escalated_in_period, police.escalated_open) == (2, 3)  # 4, 5 / 4, 5, 7
    # The escalation's time is read from the clocks it stopped.
    assert IncidentFacts.of(disposed, rules).escalated_at == T0 + 10 * MIN
    assert IncidentFacts.of(sent_back, rules).escalated_at is None


def _history(rules: Rules, seed: int) -> list[tuple[str, Incident | None]]:
    """A random sequence of incident versions (None: dropped from the replica)."""
    rng = random.Random(seed)
    steps: list[tuple[str, Incident | None]] = []
    live: dict[str, Incident] = {}
    at = T0 - 26 * HOUR
    sources = [s.value for s in Source if s is not Source.POLICE]
    for n in range(400):
        at += timedelta(minutes=rng.randrange(1, 12))
        if not live or rng.random() < 0.3:
            inc = created(n, at, source=rng.choice(sources), street=rng.choice([WEST, EAST, None]),
                          priority=rng.choice(["P1", "P2", "P3"]),
                          category=rng.choice(["env.noise_construction", "city.road_damage"]))
        else:
            inc = rng.choice(list(live.values()))
            moves = {"new": [("incident.accepted", {}), ("incident.rejected", {"reason": "x"})],
                     "accepted": [("incident.assigned", {"department": rng.choice(
                         ["environment", "urban_mgmt"]), "co_handlers": []}),
                         ("incident.escalated", {"reason": "x", "shared_id": f"e{n}"})],
                     "assigned": [("incident.signed", {}), ("incident.returned", {"reason": "x"})],
                     "in_progress": [("incident.resolved", {"result": "ok"})],
                     "resolved": [("incident.verified", {"method": "callback",
                                                         "satisfied": True})],
                     "verified": [("incident.closed", {})],
                     "with_police": [("incident.police_disposed", {"disposition": "ok"}),
                                     ("incident.police_rejected", {"cause": "x"})]}
            options = moves.get(inc.state.value)
            if not options:
                continue
            name, data = rng.choice(options)
            inc = then(inc, name, at, **data)
        live[inc.id] = inc
        steps.append((inc.id, inc))
        if rng.random() < 0.02:
            steps.append((inc.id, None))
            del live[inc.id]
    return steps


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_running_tally_equals_a_fresh_count_after_every_change(rules: Rules,
                                                                   seed: int) -> None:
    tally = Tally()
    current: dict[str, Incident] = {}
    steps = _history(rules, seed)
    for n, (incident_id, inc) in enumerate(steps):
        if inc is None:
            tally.discard(incident_id)
            current.pop(incident_id)
        else:
            tally.put(IncidentFacts.of(inc, rules))
            current[incident_id] = inc
        if n % 25 == 0 or n == len(steps) - 1:
            for now in (T0 - 2 * HOUR, T0 + 7 * HOUR + 13 * MIN):
                assert tally.figures(now) == figures(current.values(), [], rules, now)
    assert len(tally) == len(current)
    final = tally.figures(T0)
    assert sum(final.open_by_category.values()) > 0 and final.overdue_by_department
    assert any(rate.stopped for rate in final.on_time.values())


def test_units_tally_follows_status_changes(rules: Rules) -> None:
    unit = unit_rules.registered(Event("unit.registered", T0, "admin", {
        "unit": "U1", "name": "U1", "type": "mediator", "status": "available"}))
    tally = Tally()
    tally.set_units([unit])
    busy = unit_rules.evolve(unit, Event("unit.status_changed", T0, "ctl",
                                         {"unit": "U1", "status": "busy"}))
    tally.put_unit(busy)
    tally.put_unit(busy)  # the same state twice counts once
    fig = tally.figures(T0)
    assert fig.units[UnitType.MEDIATOR][UnitStatus.BUSY] == 1
    assert fig.units_total(UnitType.MEDIATOR) == 1
