"""Domain fixtures: the shipped rules over a small test district, and an in-memory desk."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from console.domain.commands import decide
from console.domain.errors import Refused
from console.domain.incident import Incident
from console.domain.model import Actor, Event, Role
from console.domain.rules import Context, Rules
from console.domain.units import Unit
from console.domain.world import Aggregates
from tests.geo import small_geography

CONTROLLER = Actor("ctl", frozenset({Role.CONTROLLER}))
LEADER = Actor("leader", frozenset({Role.DUTY_LEADER}))
CALL_TAKER = Actor("taker", frozenset({Role.CALL_TAKER}))
ADMIN = Actor("admin", frozenset({Role.ADMIN}))
POLICE = Actor("police110", frozenset({Role.POLICE}))
LIAISON = Actor("liaison", frozenset({Role.POLICE_LIAISON}))
VIEWER = Actor("viewer", frozenset({Role.VIEWER}))


def desk_of(department: str) -> Actor:
    return Actor(f"desk-{department}", frozenset({Role.DEPARTMENT}), department=department)


def field_unit(unit: str) -> Actor:
    return Actor(f"field-{unit}", frozenset({Role.FIELD}), unit=unit)


@pytest.fixture(scope="session")
def rules() -> Rules:
    return Rules.load(geography=small_geography())


class Desk:
    """Runs commands the way the store does (decide, then apply every event), in memory."""

    def __init__(self, rules: Rules, now: datetime) -> None:
        self.rules = rules
        self.now = now
        self.world = Aggregates()
        self.numbers = 0

    def _new_id(self) -> str:
        self.numbers += 1
        return f"CH-20261125-{self.numbers:06d}"

    def run(
        self, actor: Actor, name: str, /, expected_version: int | None = None, **args: Any
    ) -> list[Event]:
        events = decide(
            name,
            args,
            Context(self.rules, actor, self.now),
            self.world,
            expected_version=expected_version,
            new_incident_id=self._new_id,
        )
        for event in events:
            self.world.apply(event)
        return events

    def refusal(self, actor: Actor, name: str, /, **args: Any) -> Refused:
        before = (dict(self.world.incidents), dict(self.world.units))
        with pytest.raises(Refused) as caught:
            self.run(actor, name, **args)
        assert (self.world.incidents, self.world.units) == before, "a refusal changed state"
        return caught.value

    def incident(self, incident_id: str) -> Incident:
        return self.world.incident(incident_id)

    def unit(self, unit_id: str) -> Unit:
        return self.world.unit(unit_id)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    def create(self, actor: Actor = CONTROLLER, **overrides: Any) -> str:
        args: dict[str, Any] = {
            "source": "hotline",
            "category": "env.noise_construction",
            "priority": "P3",
            "description": "工地夜间施工噪声扰民",
            "location": {"lat": 30.6675, "lon": 104.1075, "address": "建设路 1 号"},
            "reporter": {"name": "张先生", "phone": "13800000001"},
        }
        args.update(overrides)
        return str(self.run(actor, "incident.create", **args)[0].data["id"])

    def register(self, unit_id: str, status: str = "available", **extra: Any) -> None:
        self.run(
            ADMIN,
            "unit.register",
            id=unit_id,
            name=f"Unit {unit_id}",
            type="grid_worker",
            status=status,
            **extra,
        )


@pytest.fixture
def desk(rules: Rules) -> Desk:
    # Wednesday 2026-11-25, 09:00 in Chengdu.
    return Desk(rules, datetime(2026, 11, 25, 1, 0, tzinfo=UTC))
