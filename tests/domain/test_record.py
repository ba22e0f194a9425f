"""The verdict a verification gives the record (console/domain/record.py)."""

from __future__ import annotations

from typing import Any

from console.domain.record import satisfaction_of


def test_a_verdict_is_the_event_s_satisfaction_else_its_flag() -> None:
    def verdict(name: str, **data: Any) -> str | None:
        return satisfaction_of(name, data)

    assert verdict("incident.verified", satisfied=True) == "satisfied"
    assert verdict("incident.verification_failed", satisfied=False) == "dissatisfied"
    assert verdict("incident.verified", satisfied=True,
                   satisfaction="basically_satisfied") == "basically_satisfied"
    assert verdict("incident.verification_failed", satisfied=False,
                   satisfaction="dissatisfied") == "dissatisfied"
    assert verdict("incident.verified", satisfaction="very") == "satisfied"  # not on the scale
    assert verdict("incident.closed") is None
