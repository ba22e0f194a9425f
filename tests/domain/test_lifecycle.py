"""Every transition of the incident lifecycle and the assignment lifecycle, with its refusals."""

from __future__ import annotations

import pytest

from console.domain.commands import allowed_actions
from console.domain.errors import Refused
from console.domain.incident import incident_of_assignment
from console.domain.model import (
    Actor,
    AssignmentState,
    IncidentState,
    Role,
    UnitStatus,
    assignment_steps,
)
from console.domain.rules import Context
from tests.domain.conftest import (
    ADMIN,
    CALL_TAKER,
    CONTROLLER,
    LIAISON,
    POLICE,
    VIEWER,
    Desk,
    desk_of,
    field_unit,
)


def handled_to_resolved(desk: Desk) -> str:
    incident = desk.create()
    desk.run(CONTROLLER, "incident.accept", id=incident)
    desk.run(CONTROLLER, "incident.assign", id=incident, department="environment")
    desk.run(desk_of("environment"), "incident.sign", id=incident)
    desk.run(desk_of("environment"), "incident.resolve", id=incident, result="已责令停工")
    return incident


def test_create_places_the_incident_in_its_grid_community_and_street(desk: Desk) -> None:
    incident = desk.incident(desk.create())
    assert incident.state is IncidentState.NEW
    assert (incident.location.grid, incident.location.community, incident.location.street) == (
        "g111",
        "c11",
        "street.shuangqiaozi",
    )
    assert incident.sla_class == desk.rules.taxonomy.category("env.noise_construction").sla_class
    assert incident.version == 1


def test_the_whole_road_from_new_to_closed(desk: Desk) -> None:
    incident = handled_to_resolved(desk)
    desk.run(CONTROLLER, "incident.verify", id=incident, method="callback", satisfied=True)
    desk.run(CONTROLLER, "incident.close", id=incident)
    closed = desk.incident(incident)
    assert closed.state is IncidentState.CLOSED
    assert closed.resolution == "已责令停工"
    assert closed.verified_by == "ctl"
    assert closed.version == 7
    # Every stage clock has stopped once the case is closed.
    assert all(run.stopped_at is not None for _, run in closed.stages)


def test_no_closure_on_the_handlers_word_alone(desk: Desk) -> None:
    incident = handled_to_resolved(desk)
    refusal = desk.refusal(CONTROLLER, "incident.close", id=incident)
    assert refusal.code == "conflict"
    assert "only verified incidents can be closed" in refusal.message


def test_failed_verification_sends_the_case_back_for_rework(desk: Desk) -> None:
    incident = handled_to_resolved(desk)
    refusal = desk.refusal(
        CONTROLLER, "incident.verify", id=incident, method="callback", satisfied=False
    )
    assert refusal.code == "invalid" and "'note'" in refusal.message
    desk.run(
        CONTROLLER,
        "incident.verify",
        id=incident,
        method="callback",
        satisfied=False,
        note="噪声仍在",
    )
    assert desk.incident(incident).state is IncidentState.IN_PROGRESS


def test_inquiry_answered_at_intake_but_a_complaint_is_not(desk: Desk) -> None:
    inquiry = desk.create(category="consult.policy")
    desk.run(CALL_TAKER, "incident.answer", id=inquiry, answer="已告知办理流程")
    assert desk.incident(inquiry).state is IncidentState.CLOSED
    complaint = desk.create()
    refusal = desk.refusal(CALL_TAKER, "incident.answer", id=complaint, answer="…")
    assert "only inquiries, opinions and suggestions" in refusal.message


def test_reject_needs_a_reason(desk: Desk) -> None:
    incident = desk.create()
    assert desk.refusal(CONTROLLER, "incident.reject", id=incident).code == "invalid"
    desk.run(CONTROLLER, "incident.reject", id=incident, reason="重复来电，信息不全")
    assert desk.incident(incident).state is IncidentState.REJECTED
    refusal = desk.refusal(CONTROLLER, "incident.accept", id=incident)
    assert refusal.message == (f"{incident} is rejected; only new incidents can be accepted.")


def test_assign_to_the_default_department_with_co_handlers(desk: Desk) -> None:
    incident = desk.create(category="city.illegal_parking")
    desk.run(CONTROLLER, "incident.accept", id=incident)
    desk.run(CONTROLLER, "incident.assign", id=incident, co_handlers=["transport"])
    assigned = desk.incident(incident)
    assert assigned.lead_department == desk.rules.taxonomy.department_for(
        "city.illegal_parking", "street.shuangqiaozi"
    )
    assert assigned.co_handlers == ("transport",)


def test_assign_refuses_unknown_and_doubled_departments(desk: Desk) -> None:
    incident = desk.create()
    desk.run(CONTROLLER, "incident.accept", id=incident)
    assert (
        "no department 'nowhere'"
        in desk.refusal(CONTROLLER, "incident.assign", id=incident, department="nowhere").message
    )
    assert (
        "also be a co-handler"
        in desk.refusal(
            CONTROLLER,
            "incident.assign",
            id=incident,
            department="environment",
            co_handlers=["environment"],
        ).message
    )


def test_a_desk_returns_a_case_it_does_not_own_and_the_center_reassigns(desk: Desk) -> None:
    incident = desk.create()
    desk.run(CONTROLLER, "incident.accept", id=incident)
    desk.run(CONTROLLER, "incident.assign", id=incident, department="housing")
    desk.run(desk_of("housing"), "incident.return", id=incident, reason="属环保部门职责")
    returned = desk.incident(incident)
    assert returned.state is IncidentState.ACCEPTED and returned.lead_department is None
    desk.run(CONTROLLER, "incident.assign", id=incident, department="environment")
    # The housing desk no longer has any say on it.
    assert desk.refusal(desk_of("housing"), "incident.sign", id=incident).code == "forbidden"
    desk.run(desk_of("environment"), "incident.sign", id=incident)


def test_only_the_lead_department_signs(desk: Desk) -> None:
    incident = desk.create()
    desk.run(CONTROLLER, "incident.accept", id=incident)
    desk.run(
        CONTROLLER,
        "incident.assign",
        id=incident,
        department="environment",
        co_handlers=["urban_mgmt"],
    )
    refusal = desk.refusal(desk_of("urban_mgmt"), "incident.sign", id=incident)
    assert refusal.code == "forbidden"
    # …but a co-handler may add notes.
    desk.run(desk_of("urban_mgmt"), "incident.note", id=incident, text="已派城管协助")


def test_merge_duplicates_into_an_open_incident(desk: Desk) -> None:
    first = desk.create()
    second = desk.create()
    desk.run(CALL_TAKER, "incident.merge", id=second, into=first)
    assert desk.incident(second).state is IncidentState.MERGED
    assert desk.incident(second).merged_into == first
    assert desk.incident(first).duplicates == (second,)
    assert desk.incident(first).version == 2
    third = desk.create()
    assert (
        "merged into itself"
        in desk.refusal(CALL_TAKER, "incident.merge", id=third, into=third).message
    )
    assert (
        "merge duplicates into an open incident"
        in desk.refusal(CALL_TAKER, "incident.merge", id=third, into=second).message
    )
    assert (
        desk.refusal(CALL_TAKER, "incident.merge", id=third, into="CH-20000101-000001").code
        == "not_found"
    )


def test_escalation_acknowledged_and_disposed_by_the_police(desk: Desk) -> None:
    incident = desk.create(category="police.violence", priority="P1")
    desk.run(CONTROLLER, "incident.escalate", id=incident, reason="现场有人持刀")
    assert desk.incident(incident).state is IncidentState.WITH_POLICE
    desk.run(POLICE, "incident.police_acknowledge", id=incident)
    assert (
        "already acknowledged"
        in desk.refusal(POLICE, "incident.police_acknowledge", id=incident).message
    )
    desk.run(POLICE, "incident.police_dispose", id=incident, disposition="已处警，嫌疑人被控制")
    disposed = desk.incident(incident)
    assert disposed.state is IncidentState.RESOLVED
    assert disposed.resolution == "已处警，嫌疑人被控制"


def test_police_reject_an_escalation_back_to_the_controller(desk: Desk) -> None:
    incident = desk.create()
    desk.run(CONTROLLER, "incident.accept", id=incident)
    desk.run(CONTROLLER, "incident.escalate", id=incident, reason="疑似打架")
    desk.run(POLICE, "incident.police_reject", id=incident, cause="非警情，属噪声纠纷")
    assert desk.incident(incident).state is IncidentState.ACCEPTED


def test_a_diverted_police_case_needs_its_case_number(desk: Desk) -> None:
    assert (
        "'police_case_no'"
        in desk.refusal(
            POLICE,
            "incident.create",
            source="police",
            category="neighbour.dispute",
            priority="P3",
            description="邻里纠纷",
            location={"lat": 30.6675, "lon": 104.1075},
        ).message
    )
    incident = desk.create(
        POLICE, source="police", category="neighbour.dispute", police_case_no="510108-2026-000777"
    )
    # Liaison officers sign for diverted cases, and only for those.
    desk.run(LIAISON, "incident.accept", id=incident)
    hotline = desk.create()
    assert desk.refusal(LIAISON, "incident.accept", id=hotline).code == "forbidden"


def test_reopen_a_closed_case_when_the_reporter_is_unsatisfied(desk: Desk) -> None:
    incident = handled_to_resolved(desk)
    desk.run(CONTROLLER, "incident.verify", id=incident, method="site", satisfied=True)
    desk.run(CONTROLLER, "incident.close", id=incident)
    desk.run(CONTROLLER, "incident.reopen", id=incident, reason="群众回访不满意")
    reopened = desk.incident(incident)
    assert reopened.state is IncidentState.ACCEPTED
    assert reopened.reopen_count == 1 and reopened.lead_department is None
    assert reopened.stage("assign") is not None and reopened.stage("assign").stopped_at is None


def test_stale_expected_version_is_a_conflict(desk: Desk) -> None:
    incident = desk.create()
    with pytest.raises(Refused) as caught:
        desk.run(CONTROLLER, "incident.accept", expected_version=0, id=incident)
    assert caught.value.code == "conflict"
    assert "has changed since you opened it" in caught.value.message
    desk.run(CONTROLLER, "incident.accept", expected_version=1, id=incident)


def test_bad_arguments_are_refused_by_name(desk: Desk) -> None:
    cases = [
        ({"source": "hotline"}, "'category'"),
        ({"category": "no.such"}, "no category 'no.such'"),
        ({"priority": "P9"}, "'priority' must be one of"),
        ({"location": {"lat": 95, "lon": 104}}, "'lat' must be between"),
        ({"location": "here"}, "'location' must be an object"),
        ({"description": "x" * 5000}, "'description' is longer than"),
        ({"source": "satellite"}, "'source' must be one of"),
    ]
    base = {
        "source": "hotline",
        "category": "env.noise_construction",
        "priority": "P3",
        "description": "噪声",
        "location": {"lat": 30.6675, "lon": 104.1075},
    }
    for change, expected in cases:
        args = {**base, **change}
        if change == {"source": "hotline"}:
            del args["category"]
        refusal = desk.refusal(CONTROLLER, "incident.create", **args)
        assert refusal.code == "invalid"
        assert expected in refusal.message
    assert desk.refusal(CONTROLLER, "incident.teleport", id="x").code == "invalid"
    assert desk.refusal(CONTROLLER, "incident.accept", id="CH-X").code == "not_found"


def test_viewer_may_do_nothing(desk: Desk) -> None:
    incident = desk.create()
    refusal = desk.refusal(VIEWER, "incident.accept", id=incident)
    assert refusal.code == "forbidden"
    assert refusal.message == "Your role (viewer) may not accept incidents."


# -- field units and their assignments ------------------------------------------------------------


def test_assignment_runs_dispatched_to_cleared_and_moves_the_unit(desk: Desk) -> None:
    desk.register("U45")
    incident = desk.create()
    desk.run(CONTROLLER, "incident.dispatch", id=incident, unit="U45")
    assignment = desk.incident(incident).assignments[0]
    assert assignment.id == f"{incident}/1" and assignment.state is AssignmentState.DISPATCHED
    assert incident_of_assignment(assignment.id) == incident
    assert desk.unit("U45").status is UnitStatus.DISPATCHED
    me = field_unit("U45")
    steps = [
        ("acknowledged", UnitStatus.DISPATCHED),
        ("en_route", UnitStatus.EN_ROUTE),
        ("on_scene", UnitStatus.ON_SCENE),
        ("cleared", UnitStatus.AVAILABLE),
    ]
    for status, unit_status in steps:
        desk.advance(minutes=3)
        desk.run(me, "assignment.update", id=incident, assignment=assignment.id, status=status)
        assert desk.unit("U45").status is unit_status
    assert desk.unit("U45").assignment is None
    assert desk.incident(incident).assignments[0].state is AssignmentState.CLEARED


def test_a_dispatch_delivered_to_the_device_is_noted_without_a_new_version(desk: Desk) -> None:
    """The delivery is the field link's bookkeeping: a command made on the version the
    controller saw at the dispatch is not a conflict because the device answered meanwhile."""
    from console.domain.incident import evolve
    from console.domain.incident_parts import DELIVERED
    from console.domain.model import Event

    desk.register("U46")
    incident = desk.create()
    desk.run(CONTROLLER, "incident.dispatch", id=incident, unit="U46")
    before = desk.incident(incident)
    assignment = before.assignments[0].id
    after = evolve(before, Event("assignment.delivered", desk.now, "gateway",
                                 {"id": incident, "assignment": assignment, "unit": "U46",
                                  "task": "T1"}))
    assert after.version == before.version
    assert after.assignments[0].times[-1] == (DELIVERED, desk.now)


def test_a_unit_may_skip_ahead_but_never_go_back(desk: Desk) -> None:
    desk.register("U1")
    incident = desk.create()
    desk.run(CONTROLLER, "incident.dispatch", id=incident, unit="U1")
    a = f"{incident}/1"
    desk.run(field_unit("U1"), "assignment.update", id=incident, assignment=a, status="on_scene")
    refusal = desk.refusal(
        field_unit("U1"), "assignment.update", id=incident, assignment=a, status="en_route"
    )
    assert "cannot go back to en_route" in refusal.message
    assert (
        "clear the assignment instead"
        in desk.refusal(
            CONTROLLER, "assignment.update", id=incident, assignment=a, status="cancelled"
        ).message
    )


@pytest.mark.parametrize(("state", "steps"), [
    ("dispatched", ["acknowledged", "en_route", "on_scene", "cleared", "cancelled"]),
    ("en_route", ["on_scene", "cleared", "cancelled"]),
    ("on_scene", ["cleared"]),
    ("cleared", []),
    ("cancelled", []),
])
def test_the_steps_an_assignment_may_take_are_those_the_hub_takes(
        desk: Desk, state: str, steps: list[str]) -> None:
    """What the console offers as next steps (roster keys, U completion) is exactly what the
    hub accepts from that state."""
    assert [s.value for s in assignment_steps(AssignmentState(state))] == steps
    for target in AssignmentState:
        desk.register(unit := f"U{len(desk.world.units) + 1}")
        incident = desk.create()
        desk.run(CONTROLLER, "incident.dispatch", id=incident, unit=unit)
        a = f"{incident}/1"
        if state != "dispatched":
            desk.run(CONTROLLER, "assignment.update", id=incident, assignment=a, status=state)
        args = {"id": incident, "assignment": a, "status": target.value}
        if target.value in steps:
            desk.run(CONTROLLER, "assignment.update", **args)
        else:
            desk.refusal(CONTROLLER, "assignment.update", **args)


def test_only_available_units_are_dispatched_and_only_once(desk: Desk) -> None:
    desk.register("U1")
    desk.register("U2", status="off_duty")
    first, second = desk.create(), desk.create()
    desk.run(CONTROLLER, "incident.dispatch", id=first, unit="U1")
    assert (
        "U1 is dispatched"
        in desk.refusal(CONTROLLER, "incident.dispatch", id=second, unit="U1").message
    )
    assert (
        "U2 is off_duty"
        in desk.refusal(CONTROLLER, "incident.dispatch", id=second, unit="U2").message
    )


def test_a_field_unit_reports_only_for_itself(desk: Desk) -> None:
    desk.register("U1")
    incident = desk.create()
    desk.run(CONTROLLER, "incident.dispatch", id=incident, unit="U1")
    refusal = desk.refusal(
        field_unit("U9"),
        "assignment.update",
        id=incident,
        assignment=f"{incident}/1",
        status="en_route",
    )
    assert refusal.code == "forbidden"


def test_a_gateway_field_account_acts_for_every_unit_but_verifies_nowhere(desk: Desk) -> None:
    gateway = Actor("field-gateway", frozenset({Role.FIELD}))
    desk.register("U1")
    incident = desk.create()
    desk.run(CONTROLLER, "incident.dispatch", id=incident, unit="U1")
    desk.run(gateway, "assignment.update", id=incident, assignment=f"{incident}/1",
             status="on_scene")
    assert desk.unit("U1").status is UnitStatus.ON_SCENE
    refusal = desk.refusal(gateway, "incident.verify", id=incident, method="site",
                           satisfied=True)
    assert refusal.code in ("forbidden", "conflict")


def test_clocking_in_and_out_moves_a_unit_on_and_off_duty(desk: Desk) -> None:
    desk.register("U1", status="off_duty")
    desk.register("U2", status="off_duty")
    worker = field_unit("U1")
    assert desk.refusal(worker, "unit.clock_out", id="U1").message == "Unit U1 is already off duty."
    assert desk.refusal(worker, "unit.clock_in", id="U2").code == "forbidden"
    [event] = desk.run(worker, "unit.clock_in", id="U1")
    assert (event.name, event.data) == ("unit.clocked_in",
                                        {"unit": "U1", "status": "available",
                                         "previous": "off_duty"})
    assert desk.unit("U1").status is UnitStatus.AVAILABLE
    assert desk.unit("U1").status_since == desk.now
    assert "already on duty (available)" in desk.refusal(worker, "unit.clock_in", id="U1").message
    incident = desk.create()
    desk.run(CONTROLLER, "incident.dispatch", id=incident, unit="U1")
    assert "clear or cancel it before" in desk.refusal(worker, "unit.clock_out", id="U1").message
    desk.run(worker, "assignment.update", id=incident, assignment=f"{incident}/1",
             status="cleared")
    desk.advance(hours=2)
    [event] = desk.run(worker, "unit.clock_out", id="U1")
    assert event.name == "unit.clocked_out" and event.data["previous"] == "available"
    assert desk.unit("U1").status is UnitStatus.OFF_DUTY
    assert desk.refusal(CONTROLLER, "unit.clock_in", id="U1").code == "forbidden"
    assert desk.refusal(worker, "unit.clock_in", id="U404").code == "not_found"


def test_a_patrol_checkpoint_is_passed_on_duty_only(desk: Desk) -> None:
    desk.register("U1", status="off_duty")
    worker = field_unit("U1")
    refusal = desk.refusal(worker, "unit.checkpoint", id="U1", checkpoint="cp.0001")
    assert refusal.message == "Unit U1 is off duty; a checkpoint is passed on duty."
    desk.run(worker, "unit.clock_in", id="U1")
    version = desk.unit("U1").version
    [event] = desk.run(worker, "unit.checkpoint", id="U1", checkpoint="cp.0001")
    assert (event.name, event.data) == ("unit.checkpoint_passed",
                                        {"unit": "U1", "checkpoint": "cp.0001"})
    assert desk.unit("U1").status is UnitStatus.AVAILABLE
    assert desk.unit("U1").version == version + 1
    assert desk.refusal(worker, "unit.checkpoint", id="U1", checkpoint="").code == "invalid"
    assert desk.refusal(field_unit("U2"), "unit.checkpoint", id="U1",
                        checkpoint="cp.0001").code == "forbidden"


def test_unit_status_follows_assignments_not_hands(desk: Desk) -> None:
    desk.register("U1")
    assert (
        "follows from an assignment"
        in desk.refusal(CONTROLLER, "unit.set_status", id="U1", status="on_scene").message
    )
    incident = desk.create()
    desk.run(CONTROLLER, "incident.dispatch", id=incident, unit="U1")
    assert (
        "clear or cancel it first"
        in desk.refusal(CONTROLLER, "unit.set_status", id="U1", status="off_duty").message
    )
    desk.run(
        CONTROLLER, "assignment.update", id=incident, assignment=f"{incident}/1", status="cancelled"
    )
    desk.run(CONTROLLER, "unit.set_status", id="U1", status="out_of_service")
    assert desk.unit("U1").status is UnitStatus.OUT_OF_SERVICE
    assert (
        "already registered"
        in desk.refusal(ADMIN, "unit.register", id="U1", name="x", type="patrol").message
    )


def test_allowed_actions_follow_the_same_rules(desk: Desk) -> None:
    incident = desk.create()
    ctx = Context(desk.rules, CONTROLLER, desk.now)
    allowed = allowed_actions(desk.incident(incident), ctx)
    assert allowed["incident.accept"] is None
    assert allowed["incident.close"] == f"{incident} is new; only verified incidents can be closed."
    assert "may not sign" in (allowed["incident.sign"] or "")
    as_viewer = allowed_actions(desk.incident(incident), Context(desk.rules, VIEWER, desk.now))
    assert all(reason is not None for reason in as_viewer.values())


def test_a_police_disposition_that_fails_verification_returns_to_the_center(desk: Desk) -> None:
    incident = desk.create()
    desk.run(CONTROLLER, "incident.escalate", id=incident, reason="疑似打架")
    desk.run(POLICE, "incident.police_dispose", id=incident, disposition="已调解")
    desk.run(CONTROLLER, "incident.verify", id=incident, method="callback", satisfied=False,
             note="群众反映仍有冲突")
    back = desk.incident(incident)
    assert back.state is IncidentState.ACCEPTED
    assert back.stage("assign") is not None
    assert back.stage("assign").stopped_at is None  # type: ignore[union-attr]
