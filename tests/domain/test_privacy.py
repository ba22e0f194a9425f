"""Masking of reporters' personal data for roles without need."""

from __future__ import annotations

import pytest

from console.domain.model import Role
from console.domain.privacy import (
    WITHHELD,
    PersonalView,
    mask_free_text,
    mask_name,
    mask_phone,
    masked,
    may_unmask,
    personal_view,
    sees_personal_data,
    shown,
)
from tests.domain.conftest import (
    CALL_TAKER,
    CONTROLLER,
    LEADER,
    LIAISON,
    VIEWER,
    Desk,
    desk_of,
)


def test_masks_keep_enough_to_tell_callers_apart() -> None:
    assert mask_phone("13800000001") == "138****0001"
    assert mask_phone("96966") == "*6966"
    assert mask_phone("110") == "***"
    assert mask_name("张先生") == "张**"
    assert mask_name("张三") == "张*"
    assert mask_name("") == ""


def test_a_one_character_name_is_masked_too() -> None:
    assert mask_name("张") == "*"
    assert masked({"reporter": {"name": "王", "phone": ""}})["reporter"] == {"name": "*",
                                                                             "phone": ""}


def test_only_roles_with_need_see_personal_data() -> None:
    assert sees_personal_data([Role.CONTROLLER])
    assert sees_personal_data([Role.VIEWER, Role.POLICE_LIAISON])
    assert not sees_personal_data([Role.VIEWER])
    assert not sees_personal_data([Role.FIELD, Role.ADMIN])


def test_masked_touches_only_the_reporter() -> None:
    doc = {"id": "CH-1", "reporter": {"name": "李女士", "phone": "13900000002"}, "x": 1}
    assert masked(doc) == {"id": "CH-1", "x": 1,
                           "reporter": {"name": "李**", "phone": "139****0002"}}
    assert doc["reporter"]["phone"] == "13900000002"
    assert masked({"id": "CH-1"}) == {"id": "CH-1"}


@pytest.mark.parametrize(("typed", "shown_as"), [
    ("回电 13812345678 张先生", "回电 138****5678 张先生"),
    ("手机138-1234-5678", "手机138-****-5678"),
    ("tel +86 138 1234 5678.", "tel +86 138 **** 5678."),
    ("身份证110101199003071234，", "身份证110***********1234，"),
    ("ID 11010119900307123X", "ID 110***********123X"),
    ("座机 028-86123456 或 (028)86123456", "座机 028-****3456 或 (028)****3456"),
])
def test_phone_and_id_numbers_in_free_text_are_masked(typed: str, shown_as: str) -> None:
    assert mask_free_text(typed) == shown_as


@pytest.mark.parametrize("kept", [
    "CH-20261127-000123 与本件重复",  # an incident id's date is no phone
    "建设路 1 号 3 单元 502 室，损失 12000 元",
    "报警 110，热线 96966，订单 202611271234567890123",  # a longer run of digits is not an id
    "5 月 20 日 13:30",
])
def test_other_numbers_in_free_text_are_left_alone(kept: str) -> None:
    assert mask_free_text(kept) == kept


def test_each_role_gets_its_view_of_the_feed() -> None:
    assert personal_view([Role.CALL_TAKER]) is PersonalView.FULL
    assert personal_view([Role.DUTY_LEADER, Role.VIEWER]) is PersonalView.LEADER
    assert personal_view([Role.CONTROLLER]) is PersonalView.MASKED
    assert personal_view([Role.POLICE_LIAISON]) is PersonalView.MASKED
    for nobody in (Role.DEPARTMENT, Role.VIEWER, Role.ADMIN, Role.FIELD, Role.POLICE):
        assert personal_view([nobody]) is PersonalView.NONE


DOC = {"id": "CH-1", "description": "邻居电话 13912345678", "confidential": True,
       "reporter": {"name": "李女士", "phone": "13900000002"}}


def test_the_feed_shows_the_reporter_by_view_and_confidential_flag() -> None:
    assert shown(DOC, PersonalView.FULL) is DOC
    assert shown(DOC, PersonalView.LEADER)["reporter"] == {"name": "李**",
                                                           "phone": "139****0002"}
    assert shown(DOC, PersonalView.MASKED)["reporter"] == WITHHELD
    assert shown(DOC, PersonalView.MASKED, confidential=False)["reporter"]["name"] == "李**"
    open_doc = {**DOC, "confidential": False}
    assert shown(open_doc, PersonalView.MASKED)["reporter"]["phone"] == "139****0002"
    assert shown(open_doc, PersonalView.MASKED, confidential=True)["reporter"] == WITHHELD
    assert shown(open_doc, PersonalView.NONE)["reporter"] == WITHHELD
    for view in (PersonalView.LEADER, PersonalView.MASKED, PersonalView.NONE):
        assert shown(DOC, view)["description"] == "邻居电话 139****5678"
    assert DOC["description"] == "邻居电话 13912345678"


def test_events_other_than_incidents_are_left_alone() -> None:
    broadcast = {"text": "请回电 13912345678"}
    assert shown(broadcast, PersonalView.NONE, event="major.broadcast") is broadcast
    note = shown({"id": "CH-1", "text": "回电 13912345678"}, PersonalView.NONE,
                 event="incident.noted")
    assert note["text"] == "回电 139****5678"


def test_a_desk_may_unmask_only_its_own_cases(desk: Desk) -> None:
    incident = desk.create()
    desk.run(CONTROLLER, "incident.accept", id=incident)
    desk.run(CONTROLLER, "incident.assign", id=incident, department="environment",
             co_handlers=["transport"])
    inc = desk.incident(incident)
    assert may_unmask(desk_of("environment"), inc) is None
    assert may_unmask(desk_of("transport"), inc) is None
    refused = may_unmask(desk_of("housing"), inc)
    assert refused is not None and refused.code == "forbidden"
    assert "leads or co-handles" in refused.template
    refused = may_unmask(VIEWER, inc)
    assert refused is not None and refused.code == "forbidden"
    for allowed in (CONTROLLER, LIAISON, LEADER, CALL_TAKER):
        assert may_unmask(allowed, inc) is None


def test_a_confidential_case_is_unmasked_only_for_the_intake_and_the_duty_leader(
        desk: Desk) -> None:
    incident = desk.create(CALL_TAKER, confidential=True)
    desk.run(CONTROLLER, "incident.accept", id=incident)
    desk.run(CONTROLLER, "incident.assign", id=incident, department="environment")
    inc = desk.incident(incident)
    assert inc.confidential and inc.to_dict()["confidential"] is True
    assert may_unmask(CALL_TAKER, inc) is None
    assert may_unmask(LEADER, inc) is None
    for refused_to in (CONTROLLER, LIAISON, desk_of("environment")):
        refused = may_unmask(refused_to, inc)
        assert refused is not None and "confidential" in refused.template


def test_the_confidential_mark_is_set_by_the_intake_and_lifted_by_the_duty_leader(
        desk: Desk) -> None:
    incident = desk.create()
    assert "confidential" not in desk.incident(incident).to_dict()
    assert desk.refusal(CONTROLLER, "incident.set_confidential", id=incident,
                        confidential=True).code == "forbidden"
    desk.run(CALL_TAKER, "incident.set_confidential", id=incident, confidential=True)
    assert desk.incident(incident).confidential
    assert desk.refusal(CALL_TAKER, "incident.set_confidential", id=incident,
                        confidential=True).code == "conflict"
    assert desk.refusal(CALL_TAKER, "incident.set_confidential", id=incident,
                        confidential=False).code == "forbidden"
    assert desk.refusal(LEADER, "incident.set_confidential", id=incident,
                        confidential="no").code == "invalid"
    desk.run(LEADER, "incident.set_confidential", id=incident, confidential=False)
    assert not desk.incident(incident).confidential
