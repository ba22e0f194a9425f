"""Major incidents (重大事件): declared, linked, committed, noted, broadcast and stood down —
each by the duty leader only, each an event, nothing after the stand-down."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from console.domain import major
from console.domain.major import Level, MajorIncident
from console.domain.model import Actor, Role
from console.domain.rules import Context, Rules
from tests.domain.conftest import ADMIN, CONTROLLER, LEADER, VIEWER, Desk, desk_of

CIRCLE = {"center": {"lat": 30.6675, "lon": 104.1075}, "radius_m": 800}
SQUARE = {"type": "Polygon", "coordinates": [[[104.10, 30.66], [104.11, 30.66],
                                              [104.11, 30.67], [104.10, 30.67],
                                              [104.10, 30.66]]]}


def declare(desk: Desk, actor: Actor = LEADER, **overrides: Any) -> str:
    args: dict[str, Any] = {"level": "II", "title": "建设路燃气管道泄漏", "commander": "王局长",
                            "area": CIRCLE, "message": "建设路全线封闭，周边单位听从现场指挥"}
    args.update(overrides)
    return str(desk.run(actor, "major.declare", **args)[0].data["id"])


def test_a_major_incident_from_declaration_to_stand_down(desk: Desk) -> None:
    incident = desk.create()
    desk.register("U7")
    events = desk.run(LEADER, "major.declare", level="I", title="燃气泄漏",
                      commander="王局长", area=SQUARE, message="全体注意")
    assert [e.name for e in events] == ["major.declared"]
    mid = events[0].data["id"]
    assert mid == "MI-20261125-01"
    assert events[0].data == {"id": mid, "level": "I", "title": "燃气泄漏",
                              "commander": "王局长", "area": SQUARE, "message": "全体注意"}
    desk.advance(minutes=1)
    assert desk.run(LEADER, "major.link", id=mid, incident=incident)[0].name \
        == "major.incident_linked"
    assert desk.run(LEADER, "major.commit", id=mid, unit="U7")[0].name == "major.unit_committed"
    desk.run(LEADER, "major.note", id=mid, text="现场已疏散 200 人")
    desk.advance(minutes=1)
    desk.run(LEADER, "major.broadcast", id=mid, message="请各单位十分钟内报告到位情况")
    held = desk.world.major(mid)
    assert held.active and held.level is Level.I
    assert (held.incidents, held.units) == ((incident,), ("U7",))
    assert held.message == "请各单位十分钟内报告到位情况"
    assert held.message_at == desk.now
    assert [e.kind for e in held.timeline] == ["declared", "incident_linked", "unit_committed",
                                               "noted", "broadcast"]
    assert held.version == 5
    # Committing a unit earmarks it; its status is the dispatcher's business.
    assert desk.unit("U7").status.value == "available"

    events = desk.run(LEADER, "major.stand_down", id=mid, summary="泄漏已处置，道路恢复通行")
    assert events[0].name == "major.stood_down"
    held = desk.world.major(mid)
    assert not held.active and held.stood_down_at == desk.now
    assert held.summary == "泄漏已处置，道路恢复通行"
    for name, args in (("major.note", {"text": "x"}), ("major.broadcast", {"message": "x"}),
                       ("major.link", {"incident": incident}), ("major.commit", {"unit": "U7"}),
                       ("major.stand_down", {"summary": "x"})):
        refused = desk.refusal(LEADER, name, id=mid, **args)
        assert refused.code == "conflict" and "stood down" in refused.message


def test_numbers_run_per_local_day(desk: Desk) -> None:
    assert declare(desk) == "MI-20261125-01"
    assert declare(desk) == "MI-20261125-02"
    desk.now = desk.now.replace(hour=16) + timedelta(minutes=5)  # 00:05 in Chengdu, next day
    assert declare(desk) == "MI-20261126-01"


def test_only_the_duty_leader_and_admin_run_a_major_incident(desk: Desk) -> None:
    for actor in (CONTROLLER, VIEWER, desk_of("environment"),
                  Actor("taker", frozenset({Role.CALL_TAKER}))):
        assert desk.refusal(actor, "major.declare", level="II", title="x", commander="y",
                            area=CIRCLE).code == "forbidden"
    mid = declare(desk, ADMIN)
    refused = desk.refusal(CONTROLLER, "major.broadcast", id=mid, message="x")
    assert refused.code == "forbidden"
    desk.run(ADMIN, "major.note", id=mid, text="administrator on behalf of the duty leader")


def test_links_and_commitments_are_checked(desk: Desk) -> None:
    mid = declare(desk)
    incident = desk.create()
    desk.run(LEADER, "major.link", id=mid, incident=incident)
    assert desk.refusal(LEADER, "major.link", id=mid, incident=incident).code == "conflict"
    assert desk.refusal(LEADER, "major.link", id=mid,
                        incident="CH-20261125-999999").code == "not_found"
    assert desk.refusal(LEADER, "major.commit", id=mid, unit="U404").code == "not_found"
    assert desk.refusal(LEADER, "major.note", id="MI-20261125-09",
                        text="x").code == "not_found"
    desk.register("U1")
    desk.run(LEADER, "major.commit", id=mid, unit="U1")
    assert desk.refusal(LEADER, "major.commit", id=mid, unit="U1").code == "conflict"


@pytest.mark.parametrize(("area", "why"), [
    (None, "'area' must be an object"),
    ({"type": "Point", "coordinates": [104.1, 30.6]}, "GeoJSON Polygon or a centre"),
    ({"center": {"lat": 30.6, "lon": 104.1}, "radius_m": 0}, "'radius_m' must be between"),
    ({"center": {"lat": 130.6, "lon": 104.1}, "radius_m": 100}, "'lat' must be between"),
    ({"type": "Polygon", "coordinates": [[[104.1, 30.6], [104.2, 30.6], [104.1, 30.6]]]},
     "at least 4 positions"),
    ({"type": "Polygon", "coordinates": [[[104.1, 30.6], [104.2, 30.6], [104.2, 30.7],
                                          [104.1, 30.7]]]}, "end where it starts"),
    ({"type": "Polygon", "coordinates": [[[30.6, 104.1], [30.6, 104.2], [30.7, 104.2],
                                          [30.6, 104.1]]]}, "'lat' must be between"),
])
def test_the_area_is_a_polygon_or_a_circle(desk: Desk, area: Any, why: str) -> None:
    refused = desk.refusal(LEADER, "major.declare", level="III", title="x", commander="y",
                           area=area)
    assert refused.code == "invalid" and why in refused.message


def test_level_title_and_commander_are_required(desk: Desk) -> None:
    assert "'level' must be one of: I, II, III, IV" in desk.refusal(
        LEADER, "major.declare", level="V", title="x", commander="y", area=CIRCLE).message
    assert "'commander' is required" in desk.refusal(
        LEADER, "major.declare", level="IV", title="x", commander=" ", area=CIRCLE).message
    assert "'message' is required" in desk.refusal(
        LEADER, "major.broadcast", id=declare(desk), message="").message


def test_the_document_round_trips(desk: Desk) -> None:
    mid = declare(desk, area=SQUARE)
    desk.run(LEADER, "major.stand_down", id=mid, summary="结束")
    held = desk.world.major(mid)
    assert MajorIncident.from_dict(held.to_dict()) == held


def test_the_console_asks_what_it_may_do(desk: Desk, rules: Rules) -> None:
    mid = declare(desk)
    held = desk.world.major(mid)
    leader = Context(rules, LEADER, desk.now)
    assert set(major.allowed(held, leader).values()) == {None}
    assert major.allowed(None, leader)["major.declare"] is None
    assert major.allowed(None, leader)["major.note"] == "Choose a major incident first."
    controller = major.allowed(held, Context(rules, CONTROLLER, desk.now))
    assert all(reason and "may not" in reason for reason in controller.values())
    desk.run(LEADER, "major.stand_down", id=mid, summary="结束")
    after = major.allowed(desk.world.major(mid), leader)
    assert after["major.declare"] is None
    assert after["major.broadcast"] == f"{mid} was stood down; it takes no more changes."
