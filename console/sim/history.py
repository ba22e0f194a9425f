"""The hours before the demo opened: calls and their handling, so the first minute is a working day.

A newcomer's console should open on a queue that has been living for a while — cases of every
age, some handled, some waiting for the people at the consoles, one or two overdue — not on an
empty one that fills at a few calls a minute. :func:`seed_history` writes the last few hours of
the district as the simulator would have played them: the same calls (:class:`CallMaker`, its
own seed), the same paces (:class:`Pace`), the same accounts, through the store's one write path
with its clock set back to each step's time. Units are not moved back in time: the field part of
the day begins when the simulator starts. What is still to happen at ``now`` is left to the live
simulator, which picks every open case up where it stands.
"""

from __future__ import annotations

import heapq
import itertools
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from console.domain.model import Actor, IncidentState, Role, Source
from console.domain.rules import Rules
from console.sim.calls import CallMaker, calls_per_hour
from console.sim.demo import (
    FIELD_GATEWAY,
    POLICE_CENTER,
    SIM_DISPATCH,
    SIM_LIAISON,
    District,
    desk_account,
)
from console.sim.pace import Pace, sender_of

__all__ = ["seed_history"]

LOCAL = ZoneInfo("Asia/Shanghai")

_ACTORS = {
    SIM_DISPATCH: Actor(SIM_DISPATCH, frozenset({Role.CONTROLLER})),
    SIM_LIAISON: Actor(SIM_LIAISON, frozenset({Role.POLICE_LIAISON})),
    POLICE_CENTER: Actor(POLICE_CENTER, frozenset({Role.POLICE})),
    FIELD_GATEWAY: Actor(FIELD_GATEWAY, frozenset({Role.FIELD})),
}
_DISPOSITION = "民警已到场处置，现场已恢复秩序。"


@dataclass(order=True)
class _Step:
    at: datetime
    order: int
    case: int = field(compare=False)
    run: Callable[[_Case, datetime], None] = field(compare=False)


@dataclass
class _Case:
    args: dict[str, Any]
    id: str | None = None
    quick: bool = False


class _Day:
    """Runs the steps in time order through a store whose clock stands at each step's time."""

    def __init__(self, store: Any, clock_at: list[datetime], rules: Rules, district: District,
                 now: datetime, seed: int) -> None:
        self.store = store
        self.clock_at = clock_at
        self.rules = rules
        self.district = district
        self.now = now
        self.rng = random.Random(f"history:{seed}")
        self.pace = Pace(self.rng)
        self.cases: list[_Case] = []
        self.steps: list[_Step] = []
        self.order = itertools.count()
        self.written = 0

    def at(self, when: datetime, case: int, run: Callable[[_Case, datetime], None]) -> None:
        if when < self.now:
            heapq.heappush(self.steps, _Step(when, next(self.order), case, run))

    def run(self) -> int:
        while self.steps:
            step = heapq.heappop(self.steps)
            step.run(self.cases[step.case], step.at)
        return self.written

    def command(self, who: str, name: str, args: dict[str, Any], when: datetime) -> Any:
        from console.store.writer import Command

        actor = _ACTORS.get(who) or Actor(who, frozenset({Role.DEPARTMENT}),
                                          department=who.removeprefix("desk."))
        self.clock_at[0] = when
        result = self.store.execute(Command(str(uuid.uuid4()), name, args), actor)
        self.written += bool(result.ok)
        return result

    # -- one case's day -----------------------------------------------------------------------

    def file(self, call: Any, when: datetime) -> None:
        index = len(self.cases)
        self.cases.append(_Case(call.args))
        self.at(when, index, self._create)

    def _create(self, case: _Case, when: datetime) -> None:
        source = case.args["source"]
        sender = sender_of(source, field=FIELD_GATEWAY, police=POLICE_CENTER,
                           controller=SIM_DISPATCH)
        result = self.command(sender, "incident.create", case.args, when)
        if not result.ok:
            return
        case.id = str(result.data["id"])
        index = self.cases.index(case)
        if source == Source.POLICE.value:
            self.at(when + _s(self.pace.liaison()), index, self._liaison_signs)
            return
        plan = self.pace.plan(source, case.args["priority"])
        case.quick = plan.on_the_spot
        self.at(when + _s(self.pace.take(plan)), index, self._take)

    def _liaison_signs(self, case: _Case, when: datetime) -> None:
        if self.command(SIM_LIAISON, "incident.accept", {"id": case.id}, when).ok:
            self._accepted(case, when)

    def _take(self, case: _Case, when: datetime) -> None:
        inc = self.store.incident(case.id)
        if inc is None or inc.state is not IncidentState.NEW:
            return
        name, args = self.pace.taking(inc, self.rules)
        if not self.command(SIM_DISPATCH, name, args, when).ok:
            return
        if name == "incident.accept":
            self._accepted(case, when)
        elif name == "incident.escalate":
            index = self.cases.index(case)
            acknowledged = when + _s(self.pace.police_acknowledge())
            self.at(acknowledged, index, lambda c, t: self.command(
                POLICE_CENTER, "incident.police_acknowledge", {"id": c.id}, t))
            self.at(acknowledged + _s(self.pace.police_dispose()), index,
                    lambda c, t: self.command(POLICE_CENTER, "incident.police_dispose",
                                              {"id": c.id, "disposition": _DISPOSITION}, t))

    def _accepted(self, case: _Case, when: datetime) -> None:
        self.at(when + _s(self.pace.assign(case.quick)), self.cases.index(case), self._assign)

    def _assign(self, case: _Case, when: datetime) -> None:
        args: dict[str, Any] = {"id": case.id}
        inc = self.store.incident(case.id)
        if case.quick and inc is not None and inc.location.street:
            args["department"] = inc.location.street
        if self.command(SIM_DISPATCH, "incident.assign", args, when).ok:
            self.at(when + _s(self.pace.sign(case.quick)), self.cases.index(case),
                    lambda c, t: self._desk(c, t, "incident.sign", {}, self._signed))

    def _signed(self, case: _Case, when: datetime) -> None:
        inc = self.store.incident(case.id)
        sla = inc.sla_class if inc is not None else "standard"
        self.at(when + _s(self.pace.resolve(sla, case.quick)), self.cases.index(case),
                lambda c, t: self._desk(c, t, "incident.resolve", {"result": "已处理完毕。"},
                                        self._resolved))

    def _resolved(self, case: _Case, when: datetime) -> None:
        verified = when + _s(self.pace.verify())
        index = self.cases.index(case)
        self.at(verified, index, lambda c, t: self.command(
            SIM_DISPATCH, "incident.verify",
            {"id": c.id, "method": "callback", "satisfied": True}, t))
        self.at(verified + _s(self.pace.close()), index, lambda c, t: self.command(
            SIM_DISPATCH, "incident.close", {"id": c.id}, t))

    def _desk(self, case: _Case, when: datetime, name: str, extra: dict[str, Any],
              then: Callable[[_Case, datetime], None]) -> None:
        inc = self.store.incident(case.id)
        if inc is None or inc.lead_department is None:
            return
        if self.command(desk_account(inc.lead_department), name, {"id": case.id, **extra},
                        when).ok:
            then(case, when)


def seed_history(url: str, district: District, rules: Rules, *, now: datetime,
                 hours: float = 3.0, calls_per_day: float = 3000.0, seed: int = 7) -> int:
    """Write the ``hours`` before ``now`` into the store at ``url``; returns how many commands
    were applied."""
    from console.store.store import Store

    clock_at: list[datetime] = [now]
    store = Store(url, rules, clock=lambda: clock_at[0])
    try:
        day = _Day(store, clock_at, rules, district, now, seed)
        calls = CallMaker(rules.taxonomy, district.places, f"history:{seed}")
        when = now - timedelta(hours=hours)
        while True:
            local = when.astimezone(LOCAL)
            rate = calls_per_hour(calls_per_day, local.hour + local.minute / 60) / 3600
            when += timedelta(seconds=day.rng.expovariate(rate))
            if when >= now:
                break
            day.file(calls.next(when.astimezone(LOCAL).strftime("%Y%m%d")), when)
        return day.run()
    finally:
        store.close()


def _s(seconds: float) -> timedelta:
    return timedelta(seconds=seconds)
