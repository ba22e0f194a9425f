"""The reporter's satisfaction with a result, on the three-step scale of the hotline's callback
(满意 / 基本满意 / 不满意), and how an event of either age says it.

``incident.verify`` takes ``satisfaction`` beside the older ``satisfied`` flag; its events carry
both. An event written before the scale existed has only ``satisfied``: true counts as
``satisfied``, false as ``dissatisfied`` (:func:`of_event`). Reports and the record's search
read satisfaction through this one rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any


class Satisfaction(StrEnum):
    SATISFIED = "satisfied"  # 满意
    BASICALLY_SATISFIED = "basically_satisfied"  # 基本满意
    DISSATISFIED = "dissatisfied"  # 不满意

    @property
    def content(self) -> bool:
        """Whether the result stands (满意 and 基本满意 both do; 不满意 sends it back)."""
        return self is not Satisfaction.DISSATISFIED


def of_event(data: Mapping[str, Any]) -> Satisfaction | None:
    """The satisfaction an ``incident.verified`` / ``incident.verification_failed`` event's
    data records; None when it records none."""
    given = data.get("satisfaction")
    if isinstance(given, str) and given in Satisfaction._value2member_map_:
        return Satisfaction(given)
    satisfied = data.get("satisfied")
    if isinstance(satisfied, bool):
        return Satisfaction.SATISFIED if satisfied else Satisfaction.DISSATISFIED
    return None
