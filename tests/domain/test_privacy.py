"""Masking of reporters' personal data for roles without need."""

from __future__ import annotations

from console.domain.model import Role
from console.domain.privacy import mask_name, mask_phone, masked, sees_personal_data


def test_masks_keep_enough_to_tell_callers_apart() -> None:
    assert mask_phone("13800000001") == "138****0001"
    assert mask_phone("96966") == "*6966"
    assert mask_phone("110") == "***"
    assert mask_name("张先生") == "张**"
    assert mask_name("") == ""


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
