"""The police hand-off rules: messages from the police, and the messages the center owes them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from console.domain import deadlines, police
from console.domain.incident import DIVERTED, ESCALATED, Incident
from console.domain.model import Actor, Event, IncidentState, Role, Source
from console.domain.sla import Stage
from tests.domain.conftest import CONTROLLER, LIAISON, POLICE, Desk, desk_of

CASE = {
    "shared_id": "5d0c6f0e-0c0b-4a55-9d5e-3a3c2f0c8b11",
    "police_case_no": "110-20261125-0457",
    "sent_at": "2026-11-25T09:00:00+08:00",
    "location": {"lat": 30.6675, "lon": 104.1075, "address": "建设路 1 号"},
    "classification": "env.noise_residential",
    "summary": "楼上住户深夜噪声扰民",
    "reporter": {"name": "李女士", "phone": "13800000017"},
    "remarks": ["非警务类，分流至联动中心"],
}


def divert(desk: Desk, message: str = "110-msg-1", **case: Any) -> str:
    events = desk.run(POLICE, "police.receive", kind="incident", message=message,
                      case={**CASE, **case})
    return str(events[0].data["id"])


def owed(desk: Desk, incident_id: str, events: list[Event]) -> dict[str, Any]:
    """The one message ``events`` owe the police, as the outbox would hold it."""
    (event,) = [e for e in events if "police_message" in e.data]
    center, body = police.message(desk.incident(incident_id), event)
    assert body["id"] == event.data["police_message"]
    return {"center": center, **body}


def test_a_diversion_becomes_a_police_incident_with_its_case(desk: Desk) -> None:
    inc = desk.incident(divert(desk))
    assert inc.source is Source.POLICE and inc.state is IncidentState.NEW
    assert inc.police_case_no == "110-20261125-0457"
    assert inc.police is not None and inc.police.direction == DIVERTED
    assert inc.police.shared_id == CASE["shared_id"] and inc.police.center == "police110"
    assert inc.police.remarks == ("非警务类，分流至联动中心",)
    assert inc.category == "env.noise_residential" and inc.description == CASE["summary"]
    assert inc.priority.value == "P3"  # a routine category without a priority given


def test_the_same_case_twice_is_refused_naming_the_first_incident(desk: Desk) -> None:
    first = divert(desk)
    refusal = desk.refusal(POLICE, "police.receive", kind="incident", message="110-msg-2",
                           case=CASE)
    assert refusal.code == "conflict" and refusal.params["incident"] == first
    assert len(desk.world.incidents) == 1


def test_a_diverted_case_runs_the_police_sign_and_feedback_limits(desk: Desk) -> None:
    inc = desk.incident(divert(desk))
    sign = deadlines.stage_clock(inc, Stage.ACCEPT, desk.rules)
    feedback = deadlines.stage_clock(inc, Stage.REPLY, desk.rules)
    assert sign is not None and sign.due_at - inc.created_at == timedelta(minutes=5)
    assert feedback is not None and feedback.due_at - inc.created_at == timedelta(hours=24)
    desk.advance(minutes=6)
    assert deadlines.is_overdue(inc, desk.rules, desk.now)
    # A hotline case of the same category keeps its ordinary, longer accept limit.
    hotline = desk.incident(desk.create(category="env.noise_residential"))
    accept = deadlines.stage_clock(hotline, Stage.ACCEPT, desk.rules)
    assert accept is not None and accept.due_at - hotline.created_at > timedelta(minutes=5)


def test_signing_sends_accepted_and_delivery_clears_it_without_a_new_version(desk: Desk) -> None:
    incident_id = divert(desk)
    events = desk.run(LIAISON, "incident.accept", id=incident_id)
    message = owed(desk, incident_id, events)
    assert message == {"center": "police110", "type": "acknowledgement",
                       "id": f"{incident_id}/M1", "shared_id": CASE["shared_id"],
                       "status": "accepted"}
    inc = desk.incident(incident_id)
    assert inc.police is not None and inc.police.pending == (f"{incident_id}/M1",)
    desk.run(POLICE, "police.delivered", id=incident_id, message=f"{incident_id}/M1")
    after = desk.incident(incident_id)
    assert after.police is not None and after.police.pending == ()
    assert after.version == inc.version
    again = desk.refusal(POLICE, "police.delivered", id=incident_id, message=f"{incident_id}/M1")
    assert again.code == "conflict"


def test_returning_sends_rejected_with_the_cause(desk: Desk) -> None:
    incident_id = divert(desk)
    events = desk.run(LIAISON, "incident.reject", id=incident_id, reason="涉及人身伤害，属警务事项")
    message = owed(desk, incident_id, events)
    assert (message["type"], message["status"], message["cause"]) == (
        "acknowledgement", "rejected", "涉及人身伤害，属警务事项")


def test_resolving_sends_the_completion_and_stops_the_feedback_clock(desk: Desk) -> None:
    incident_id = divert(desk)
    desk.run(LIAISON, "incident.accept", id=incident_id)
    desk.run(CONTROLLER, "incident.assign", id=incident_id, department="urban_mgmt")
    desk.run(desk_of("urban_mgmt"), "incident.sign", id=incident_id)
    events = desk.run(desk_of("urban_mgmt"), "incident.resolve", id=incident_id,
                      result="已上门劝导，噪声停止")
    message = owed(desk, incident_id, events)
    assert message["type"] == "completion" and message["status"] == "completed"
    assert message["disposition"] == "已上门劝导，噪声停止" and message["id"].endswith("/M2")
    feedback = deadlines.stage_clock(desk.incident(incident_id), Stage.REPLY, desk.rules)
    assert feedback is not None and not feedback.running


def escalate(desk: Desk) -> tuple[str, dict[str, Any]]:
    incident_id = desk.create(category="police.violence", priority="P1")
    desk.run(CONTROLLER, "incident.accept", id=incident_id)
    events = desk.run(CONTROLLER, "incident.escalate", id=incident_id, reason="有人持械")
    return incident_id, owed(desk, incident_id, events)


def test_an_escalation_sends_the_case_with_a_new_shared_id(desk: Desk) -> None:
    incident_id, message = escalate(desk)
    inc = desk.incident(incident_id)
    assert inc.police is not None and inc.police.direction == ESCALATED
    assert message["type"] == "incident" and message["center"] is None
    case = message["case"]
    assert case["shared_id"] == inc.police.shared_id and len(case["shared_id"]) == 36
    assert case["classification"] == "police.violence" and case["priority"] == "P1"
    assert case["remarks"][0] == "有人持械" and incident_id in case["remarks"][1]
    assert case["reporter"] == {"name": "张先生", "phone": "13800000001"}


def police_says(desk: Desk, incident_id: str, kind: str, message: str, **fields: Any) -> None:
    inc: Incident = desk.incident(incident_id)
    assert inc.police is not None
    desk.run(POLICE, "police.receive", kind=kind, message=message,
             shared_id=inc.police.shared_id, **fields)


def test_the_police_accept_and_complete_an_escalation(desk: Desk) -> None:
    incident_id, _ = escalate(desk)
    police_says(desk, incident_id, "acknowledgement", "p1", status="accepted",
                police_case_no="110-20261125-0999")
    inc = desk.incident(incident_id)
    assert inc.police_acknowledged and inc.police_case_no == "110-20261125-0999"
    assert inc.police is not None and inc.police.center == "police110"
    police_says(desk, incident_id, "completion", "p2", status="completed",
                completed_at="2026-11-25T10:00:00+08:00", disposition="已将两人带回派出所调查")
    inc = desk.incident(incident_id)
    assert inc.state is IncidentState.RESOLVED and inc.resolution == "已将两人带回派出所调查"


def test_a_rejected_escalation_comes_back_to_the_controller_with_the_cause(desk: Desk) -> None:
    incident_id, _ = escalate(desk)
    police_says(desk, incident_id, "acknowledgement", "p1", status="rejected",
                cause="经核实不属于警务事项")
    inc = desk.incident(incident_id)
    assert inc.state is IncidentState.ACCEPTED and not inc.police_acknowledged
    refusal = desk.refusal(POLICE, "police.receive", kind="acknowledgement", message="p2",
                           shared_id=inc.police.shared_id if inc.police else "",
                           status="rejected", cause="again")
    assert refusal.code == "conflict"


def test_an_aborted_escalation_goes_back_to_the_center(desk: Desk) -> None:
    incident_id, _ = escalate(desk)
    police_says(desk, incident_id, "acknowledgement", "p1", status="accepted")
    police_says(desk, incident_id, "completion", "p2", status="aborted",
                completed_at="2026-11-25T10:00:00+08:00", disposition="现场无人，无法处置")
    assert desk.incident(incident_id).state is IncidentState.ACCEPTED


def test_a_note_on_a_case_with_the_police_is_sent_as_an_update(desk: Desk) -> None:
    incident_id, _ = escalate(desk)
    events = desk.run(CONTROLLER, "incident.note", id=incident_id, text="报警人再次来电")
    message = owed(desk, incident_id, events)
    assert message["type"] == "update" and message["remarks"] == ["报警人再次来电"]
    assert message["id"] == f"{incident_id}/M2"


def test_the_police_withdraw_an_unsigned_diversion_and_it_closes(desk: Desk) -> None:
    incident_id = divert(desk)
    police_says(desk, incident_id, "update", "u1", remarks=["报警人再次来电催促"])
    inc = desk.incident(incident_id)
    assert inc.police is not None and inc.police.remarks[-1] == "报警人再次来电催促"
    other = Actor("police-north", frozenset({Role.POLICE}))
    refusal = desk.refusal(other, "police.receive", kind="cancel", message="c0",
                           shared_id=CASE["shared_id"], cause="撤回")
    assert refusal.code == "forbidden"
    police_says(desk, incident_id, "cancel", "c1", cause="报警人撤回")
    assert desk.incident(incident_id).state is IncidentState.CLOSED
    assert not deadlines.running(desk.incident(incident_id), desk.rules)


def test_a_signed_diversion_withdrawn_stays_open_for_the_controller(desk: Desk) -> None:
    incident_id = divert(desk)
    desk.run(LIAISON, "incident.accept", id=incident_id)
    police_says(desk, incident_id, "cancel", "c1", cause="报警人撤回")
    assert desk.incident(incident_id).state is IncidentState.ACCEPTED


def test_messages_about_unknown_cases_are_not_found(desk: Desk) -> None:
    refusal = desk.refusal(POLICE, "police.receive", kind="completion", message="x",
                           shared_id="nope", status="completed", disposition="d")
    assert refusal.code == "not_found"


def test_only_a_police_center_may_hand_over_cases(desk: Desk) -> None:
    refusal = desk.refusal(CONTROLLER, "police.receive", kind="incident", message="m", case=CASE)
    assert refusal.code == "forbidden"


def test_long_texts_are_cut_to_what_the_interface_carries(desk: Desk) -> None:
    from console.comms import police_wire

    incident_id = desk.create(category="police.violence", description="长" * 3000)
    desk.run(CONTROLLER, "incident.accept", id=incident_id)
    message = owed(desk, incident_id, desk.run(CONTROLLER, "incident.escalate", id=incident_id,
                                               reason="因" * 900))
    message.pop("center")
    decoded = police_wire.from_wire(message)  # the peer's own codec takes it
    assert isinstance(decoded, police_wire.IncidentMsg)
    assert len(decoded.case.summary) == 2000 and decoded.case.summary.endswith("…")
    assert len(decoded.case.remarks[0]) == 500
