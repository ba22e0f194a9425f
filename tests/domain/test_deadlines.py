"""SLA clocks of real incidents: computed from their events, the table and the calendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from console.domain import deadlines
from console.domain.commands import allowed_actions
from console.domain.model import IncidentState
from console.domain.rules import Context, Rules
from console.domain.sla import ClockLevel, Limit, Stage
from tests.domain.conftest import CONTROLLER, LEADER, Desk, desk_of

CHENGDU = ZoneInfo("Asia/Shanghai")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=CHENGDU)


def assigned_case(desk: Desk, category: str, priority: str) -> str:
    incident = desk.create(category=category, priority=priority)
    desk.run(CONTROLLER, "incident.accept", id=incident)
    desk.run(CONTROLLER, "incident.assign", id=incident, department="urban_mgmt")
    return incident


def test_friday_17h_plus_3_working_days_across_qingming(rules: Rules) -> None:
    # Routine P1 cases must be resolved within 3 working days (resources/sla.toml).
    assert rules.sla.limit("routine", "P1", Stage.RESOLVE) == Limit(3, "working_days")
    desk = Desk(rules, local(2026, 4, 3, 17, 0).astimezone(UTC))  # Friday before Qingming
    incident = assigned_case(desk, "city.streetlight", "P1")
    clock = deadlines.stage_clock(desk.incident(incident), Stage.RESOLVE, rules)
    assert clock is not None
    # Sat 4 – Mon 6 April are the Qingming holiday: Tue 7, Wed 8, Thu 9 are the working days.
    assert clock.due_at.astimezone(CHENGDU) == local(2026, 4, 9, 17, 0)


def test_an_unsigned_assignment_goes_overdue(desk: Desk) -> None:
    incident = assigned_case(desk, "env.noise_construction", "P3")
    inc = desk.incident(incident)
    sign = deadlines.stage_clock(inc, Stage.SIGN, desk.rules)
    assert sign is not None and sign.running
    limit = desk.rules.sla.limit(inc.sla_class, "P3", Stage.SIGN)
    assert sign.due_at == desk.now + timedelta(**{limit.unit: limit.value})
    # Nobody at the desk signs. The sign clock is what falls due first, and it runs out.
    assert deadlines.next_deadline(inc, desk.rules) == sign
    later = sign.due_at + timedelta(seconds=1)
    assert sign.level(later) is ClockLevel.OVERDUE
    assert deadlines.is_overdue(inc, desk.rules, later)
    # Once overdue, a duty leader may supervise it; before, not.
    before = Context(desk.rules, LEADER, desk.now)
    assert "not overdue" in (allowed_actions(inc, before)["incident.supervise"] or "")
    assert allowed_actions(inc, Context(desk.rules, LEADER, later))["incident.supervise"] is None


def test_signing_stops_the_sign_clock_but_not_the_resolve_clock(desk: Desk) -> None:
    incident = assigned_case(desk, "env.noise_construction", "P3")
    desk.advance(minutes=10)
    desk.run(desk_of("urban_mgmt"), "incident.sign", id=incident)
    inc = desk.incident(incident)
    sign = deadlines.stage_clock(inc, Stage.SIGN, desk.rules)
    resolve = deadlines.stage_clock(inc, Stage.RESOLVE, desk.rules)
    assert sign is not None and sign.met
    assert resolve is not None and resolve.running
    assert not sign.overdue(desk.now + timedelta(days=30))


def test_an_approved_extension_moves_the_deadline(desk: Desk) -> None:
    incident = assigned_case(desk, "env.noise_construction", "P3")
    desk.run(desk_of("urban_mgmt"), "incident.sign", id=incident)
    before = deadlines.stage_clock(desk.incident(incident), Stage.RESOLVE, desk.rules)
    assert before is not None
    desk.advance(hours=2)
    events = desk.run(desk_of("urban_mgmt"), "incident.request_extension", id=incident,
                      stage="resolve", extra={"value": 2, "unit": "working_days"},
                      reason="需协调施工单位")
    request = events[0].data["request"]
    # Requested is not granted: the deadline has not moved yet.
    pending = deadlines.stage_clock(desk.incident(incident), Stage.RESOLVE, desk.rules)
    assert pending == before
    desk.run(LEADER, "incident.approve_extension", id=incident, request=request)
    after = deadlines.stage_clock(desk.incident(incident), Stage.RESOLVE, desk.rules)
    assert after is not None
    assert after.due_at == desk.rules.calendar.add(before.due_at, 2, "working_days")
    assert after.due_at > before.due_at


def test_an_extension_requested_after_the_deadline_is_refused(desk: Desk) -> None:
    incident = assigned_case(desk, "env.noise_construction", "P3")
    sign = deadlines.stage_clock(desk.incident(incident), Stage.SIGN, desk.rules)
    assert sign is not None
    desk.now = sign.due_at + timedelta(minutes=1)
    refusal = desk.refusal(desk_of("urban_mgmt"), "incident.request_extension", id=incident,
                           stage="sign", extra={"value": 1, "unit": "hours"}, reason="迟到的申请")
    assert refusal.code == "conflict"
    assert "deadline has already passed" in refusal.message


def test_an_extension_approved_after_the_deadline_is_refused(desk: Desk) -> None:
    incident = assigned_case(desk, "env.noise_construction", "P3")
    events = desk.run(desk_of("urban_mgmt"), "incident.request_extension", id=incident,
                      stage="sign", extra={"value": 1, "unit": "hours"}, reason="人手不足")
    sign = deadlines.stage_clock(desk.incident(incident), Stage.SIGN, desk.rules)
    assert sign is not None
    desk.now = sign.due_at + timedelta(seconds=1)
    refusal = desk.refusal(LEADER, "incident.approve_extension", id=incident,
                           request=events[0].data["request"])
    assert "deadline has already passed" in refusal.message
    # It can still be refused, so the request does not hang forever.
    desk.run(LEADER, "incident.refuse_extension", id=incident,
             request=events[0].data["request"], reason="已超期")


def test_a_return_restarts_assignment_with_a_fresh_limit(desk: Desk) -> None:
    incident = assigned_case(desk, "env.noise_construction", "P3")
    desk.advance(hours=1)
    desk.run(desk_of("urban_mgmt"), "incident.return", id=incident, reason="非本部门职责")
    inc = desk.incident(incident)
    assign = deadlines.stage_clock(inc, Stage.ASSIGN, desk.rules)
    assert assign is not None and assign.running and assign.started_at == desk.now
    sign = deadlines.stage_clock(inc, Stage.SIGN, desk.rules)
    assert sign is not None
    assert sign.stopped_at == desk.now


def test_arrive_clock_per_assignment(desk: Desk) -> None:
    desk.register("U7")
    incident = desk.create(priority="P1")
    desk.run(CONTROLLER, "incident.dispatch", id=incident, unit="U7")
    arrive = [c for c in deadlines.clocks(desk.incident(incident), desk.rules)
              if c.stage is Stage.ARRIVE]
    assert len(arrive) == 1 and arrive[0].running
    desk.advance(minutes=5)
    desk.run(CONTROLLER, "assignment.update", id=incident, assignment=f"{incident}/1",
             status="on_scene")
    arrive = [c for c in deadlines.clocks(desk.incident(incident), desk.rules)
              if c.stage is Stage.ARRIVE]
    assert arrive[0].stopped_at == desk.now


def test_finished_incidents_have_no_running_clock(desk: Desk) -> None:
    incident = desk.create()
    desk.run(CONTROLLER, "incident.reject", id=incident, reason="无效来电")
    inc = desk.incident(incident)
    assert inc.state is IncidentState.REJECTED
    assert deadlines.running(inc, desk.rules) == []
    assert deadlines.next_deadline(inc, desk.rules) is None
