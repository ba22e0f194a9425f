"""Satisfaction on the callback's three-step scale, and old events' meaning."""

from __future__ import annotations

import pytest

from console.domain.model import IncidentState
from console.domain.satisfaction import Satisfaction, of_event
from tests.domain.conftest import CONTROLLER, Desk
from tests.domain.test_lifecycle import handled_to_resolved


@pytest.mark.parametrize(("satisfaction", "name", "state"), [
    ("satisfied", "incident.verified", IncidentState.VERIFIED),
    ("basically_satisfied", "incident.verified", IncidentState.VERIFIED),
    ("dissatisfied", "incident.verification_failed", IncidentState.IN_PROGRESS),
])
def test_verify_takes_satisfaction_on_the_scale(desk: Desk, satisfaction: str, name: str,
                                                state: IncidentState) -> None:
    incident = handled_to_resolved(desk)
    [event] = desk.run(CONTROLLER, "incident.verify", id=incident, method="callback",
                       satisfaction=satisfaction, note="回访")
    assert event.name == name
    assert event.data["satisfaction"] == satisfaction
    assert event.data["satisfied"] is (satisfaction != "dissatisfied")
    assert desk.incident(incident).state is state


def test_the_old_flag_alone_still_verifies_and_names_the_scale(desk: Desk) -> None:
    incident = handled_to_resolved(desk)
    [event] = desk.run(CONTROLLER, "incident.verify", id=incident, method="callback",
                       satisfied=True)
    assert event.data["satisfaction"] == "satisfied"


def test_dissatisfied_needs_a_note_and_disagreement_is_refused(desk: Desk) -> None:
    incident = handled_to_resolved(desk)
    refusal = desk.refusal(CONTROLLER, "incident.verify", id=incident, method="callback",
                           satisfaction="dissatisfied")
    assert refusal.code == "invalid" and "'note'" in refusal.message
    refusal = desk.refusal(CONTROLLER, "incident.verify", id=incident, method="callback",
                           satisfaction="basically_satisfied", satisfied=False)
    assert refusal.code == "invalid" and "disagree" in refusal.message
    refusal = desk.refusal(CONTROLLER, "incident.verify", id=incident, method="callback",
                           satisfaction="so-so")
    assert refusal.code == "invalid" and "basically_satisfied" in refusal.message
    assert desk.incident(incident).state is IncidentState.RESOLVED


def test_old_events_keep_their_meaning() -> None:
    assert of_event({"satisfied": True}) is Satisfaction.SATISFIED
    assert of_event({"satisfied": False, "note": "仍有噪声"}) is Satisfaction.DISSATISFIED
    assert of_event({"satisfied": True, "satisfaction": "basically_satisfied"}) \
        is Satisfaction.BASICALLY_SATISFIED
    assert of_event({"method": "site"}) is None
