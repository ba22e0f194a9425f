"""A month seeded through the write path with known outcomes, for the report tests.

November 2026 in the district's time (UTC+8). P3 construction noise goes to ``environment``
(sign within 4 hours, resolve within 5 working days), road damage to ``urban_mgmt`` (the same
limits). What each case does, and what it counts for in November:

=====  ============================================================================================
E1     assigned Nov 11, signed after 1 h, resolved next day, callback 满意, closed
E2     assigned Nov 11, signed after 5 h (late), resolved after 6 working days (late),
       callback 基本满意
E3     assigned Nov 11 to environment, returned after 1 h; assigned to urban_mgmt, signed after
       30 min, resolved; callback 不满意 (back to work), resolved again, site check satisfied
E4     assigned Nov 12, signed after 1 h, 3 working days' extension approved, resolved after
       7 working days (within the extended limit)
E5     assigned Nov 13, never signed: supervised after 5 h; still open at the month's end
E6     assigned and signed Oct 30; resolved Nov 2, callback 满意, closed, reopened Nov 3
=====  ============================================================================================
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from console.domain.model import Actor, Role
from console.store.store import Store
from console.store.writer import Command

CTL = Actor("ctl", frozenset({Role.CONTROLLER}))
LEADER = Actor("leader", frozenset({Role.DUTY_LEADER}))
ENV = Actor("desk-env", frozenset({Role.DEPARTMENT}), department="environment")
URBAN = Actor("desk-urban", frozenset({Role.DEPARTMENT}), department="urban_mgmt")

#: November 2026 in Asia/Shanghai, as UTC instants.
NOVEMBER = (datetime(2026, 10, 31, 16, 0, tzinfo=UTC), datetime(2026, 11, 30, 16, 0, tzinfo=UTC))


def local(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A time of 2026 in the district (UTC+8)."""
    return datetime(2026, month, day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


class Seeder:
    def __init__(self, store: Store, clock: Any) -> None:
        self.store = store
        self.clock = clock

    def run(self, at: datetime, actor: Actor, name: str, **args: Any) -> dict[str, Any]:
        self.clock.now = at
        result = self.store.execute(Command(str(uuid.uuid4()), name, args), actor)
        assert result.ok, (name, result.error)
        return result.data

    def case(self, at: datetime, category: str = "env.noise_construction") -> str:
        data = self.run(at, CTL, "incident.create", source="hotline", category=category,
                        priority="P3", description="工地夜间施工噪声扰民",
                        location={"lat": 30.6675, "lon": 104.1075, "address": "建设路 1 号"},
                        reporter={"name": "张先生", "phone": "13800000001"})
        iid = str(data["id"])
        self.run(at + timedelta(minutes=5), CTL, "incident.accept", id=iid)
        return iid

    def assigned(self, at: datetime, department: str = "environment",
                 category: str = "env.noise_construction") -> str:
        iid = self.case(at - timedelta(minutes=10), category)
        self.run(at, CTL, "incident.assign", id=iid, department=department)
        return iid

    def verify(self, at: datetime, iid: str, satisfaction: str, method: str = "callback",
               note: str = "回访") -> None:
        self.run(at, CTL, "incident.verify", id=iid, method=method, satisfaction=satisfaction,
                 note=note)


def seed_november(store: Store, clock: Any) -> dict[str, str]:
    """The six cases above; their ids by name."""
    s = Seeder(store, clock)
    ids: dict[str, str] = {}

    t = local(10, 30, 10)  # a Friday
    ids["E6"] = e6 = s.assigned(t)
    s.run(t + timedelta(hours=1), ENV, "incident.sign", id=e6)

    t = local(11, 11, 10)  # a Wednesday
    ids["E1"] = e1 = s.assigned(t)
    s.run(t + timedelta(hours=1), ENV, "incident.sign", id=e1)
    s.run(t + timedelta(days=1), ENV, "incident.resolve", id=e1, result="已停工")
    s.verify(t + timedelta(days=1, hours=2), e1, "satisfied")
    s.run(t + timedelta(days=1, hours=3), CTL, "incident.close", id=e1)

    ids["E2"] = e2 = s.assigned(t + timedelta(minutes=1))
    s.run(t + timedelta(hours=5), ENV, "incident.sign", id=e2)
    s.run(local(11, 19, 12), ENV, "incident.resolve", id=e2, result="已整改")  # due Nov 18 10:01
    s.verify(local(11, 19, 15), e2, "basically_satisfied")

    ids["E3"] = e3 = s.assigned(t + timedelta(minutes=2), category="city.road_damage")
    s.run(t + timedelta(hours=1), ENV, "incident.return", id=e3, reason="不属本部门职责")
    s.run(t + timedelta(hours=2), CTL, "incident.assign", id=e3, department="urban_mgmt")
    s.run(t + timedelta(hours=2, minutes=30), URBAN, "incident.sign", id=e3)
    s.run(t + timedelta(days=1), URBAN, "incident.resolve", id=e3, result="已修复")
    s.verify(t + timedelta(days=1, hours=1), e3, "dissatisfied", note="路面仍有坑洼")
    s.run(t + timedelta(days=2), URBAN, "incident.resolve", id=e3, result="已重新修复")
    s.verify(t + timedelta(days=2, hours=1), e3, "satisfied", method="site")

    t = local(11, 12, 10)  # a Thursday
    ids["E4"] = e4 = s.assigned(t)
    s.run(t + timedelta(hours=1), ENV, "incident.sign", id=e4)
    data = s.run(t + timedelta(hours=2), ENV, "incident.request_extension", id=e4,
                 stage="resolve", extra={"value": 3, "unit": "working_days"}, reason="需协调")
    s.run(t + timedelta(hours=3), LEADER, "incident.approve_extension", id=e4,
          request=data["request"])
    s.run(local(11, 23, 10), ENV, "incident.resolve", id=e4, result="已处理")  # due Nov 24 10:00

    t = local(11, 13, 10)  # a Friday
    ids["E5"] = e5 = s.assigned(t)
    s.run(t + timedelta(hours=5), LEADER, "incident.supervise", id=e5, note="请尽快签收")

    s.run(local(11, 2, 10), ENV, "incident.resolve", id=e6, result="已停工")
    s.verify(local(11, 2, 11), e6, "satisfied")
    s.run(local(11, 2, 12), CTL, "incident.close", id=e6)
    s.run(local(11, 3, 9), CTL, "incident.reopen", id=e6, reason="噪声复发")
    return ids
