"""The hours before the demo opened: calls and their handling, so the first minute is a working day.

A newcomer's console should open on a queue that has been living for a while — cases of every
age, some handled, some waiting for the people at the consoles, one or two overdue — not on an
empty one that fills at a few calls a minute. :func:`seed_history` writes the last few hours of
the district as the simulator would have played them: the same calls (:class:`CallMaker`, its
own seed), the same paces (:class:`Pace`), the same accounts, through the store's one write path
(its :class:`~console.sim.ledger.Ledger`) at each step's time. Units are not moved back in time:
the field part of the day begins when the simulator starts. What is still to happen at ``now`` is
left to the live simulator, which picks every open case up where it stands.

The police 110 center's part is written as if it had been connected to ``/police`` all along
(docs/police-interface.md): its diversions are ``police.receive`` hand-offs with a shared id, at
the live police center's rate; its answers to escalations are acknowledgements and completions
under the escalation's shared id; and every message the center owes the police is marked
delivered (``police.delivered``) the moment it is owed. The exceptions are the escalations of the
last ten minutes: they are left with the police, their messages undelivered, so the live police
center (``main.py simulate-police``, whose journal a fresh demo starts without) receives them when
it connects and answers them. Every older escalation is finished in the history, since the live
police center cannot complete a case it never received: one the police would still hold at
``now`` is completed a minute or two before.
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

from console.domain.incident import Incident
from console.domain.model import Actor, IncidentState, Role, Source
from console.domain.rules import Rules
from console.sim.calls import DIVERSIONS_PER_HOUR, CallMaker, calls_per_hour
from console.sim.demo import (
    FIELD_GATEWAY,
    POLICE_CENTER,
    SIM_DISPATCH,
    SIM_LIAISON,
    District,
    desk_account,
)
from console.sim.ledger import Entry, Ledger, Outcome
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
_POLICE_REJECTION = "经核实系民事纠纷，不属于警务事项，请联动中心协调处置"
_DIVERTED = "非警务类，分流至联动中心"
#: The share of escalations the police send back, as the live police center's default does.
_POLICE_REJECT_SHARE = 0.1
#: Escalations this recent are left for the live police center to receive and answer.
LEFT_WITH_POLICE = timedelta(minutes=10)


@dataclass(order=True)
class _Step:
    at: datetime
    order: int
    case: int = field(compare=False)
    run: Callable[[_Case, datetime], object] = field(compare=False)


@dataclass
class _Case:
    args: dict[str, Any]
    id: str | None = None
    quick: bool = False
    #: Handed over between the center and the police (diverted or escalated).
    police: bool = False
    #: Escalated, and left with the police for the live police center to answer.
    open: bool = False
    #: The police sent the escalation back: the street office takes it on.
    returned: bool = False


class _Day:
    """Runs the steps in time order through the ledger, each at its own time."""

    def __init__(self, ledger: Ledger, rules: Rules, district: District, now: datetime,
                 seed: int) -> None:
        self.ledger = ledger
        self.rules = rules
        self.district = district
        self.now = now
        self.rng = random.Random(f"history:{seed}")
        self.pace = Pace(self.rng)
        self.cases: list[_Case] = []
        self.by_id: dict[str, _Case] = {}
        self.steps: list[_Step] = []
        self.order = itertools.count()
        self.written = 0
        self.police_messages = itertools.count(1)
        #: The police's own numbers for the escalations they take (apart from their diversions').
        self.police_case_numbers = itertools.count(9001)

    def at(self, when: datetime, case: int, run: Callable[[_Case, datetime], object]) -> None:
        if when < self.now:
            heapq.heappush(self.steps, _Step(when, next(self.order), case, run))

    def run(self) -> int:
        while self.steps:
            step = heapq.heappop(self.steps)
            step.run(self.cases[step.case], step.at)
        return self.written

    def command(self, who: str, name: str, args: dict[str, Any], when: datetime, *,
                command_id: str | None = None) -> Outcome:
        """Run a command at ``when``; then the police acknowledge at once whatever it made the
        center owe them (unless the case is left open for the live police center)."""
        actor = _ACTORS.get(who) or Actor(who, frozenset({Role.DEPARTMENT}),
                                          department=who.removeprefix("desk."))
        result = self.ledger.execute(
            [Entry(command_id or str(uuid.uuid4()), name, args, actor)], at=when)[0]
        self.written += bool(result.ok)
        case = self.by_id.get(args.get("id", "")) if result.ok else None
        if case is not None and case.police and not case.open and not name.startswith("police."):
            self._delivered(case, when)
        return result

    def _delivered(self, case: _Case, when: datetime) -> None:
        """The police acknowledge every message the case owes them (``police.delivered``, with
        the command id the hub's ``/police`` would give it)."""
        inc = self._incident(case)
        for message in inc.police.pending if inc is not None and inc.police else ():
            self.command(POLICE_CENTER, "police.delivered", {"id": case.id, "message": message},
                         when, command_id=f"delivered:{message}")

    def _incident(self, case: _Case) -> Incident | None:
        return self.ledger.incident(case.id) if case.id is not None else None

    def police_message_id(self) -> str:
        """An id for a message of the police center's in the history (never one of the live
        police center's, whose ids carry its journal's hex instance)."""
        return f"110-history-{next(self.police_messages):06d}"

    # -- one case's day -----------------------------------------------------------------------

    def file(self, call: Any, when: datetime) -> None:
        index = len(self.cases)
        self.cases.append(_Case(call.args))
        self.at(when, index, self._divert if call.source is Source.POLICE else self._create)

    def _divert(self, case: _Case, when: datetime) -> None:
        """The police center hands a case over (``police.receive``, kind ``incident``)."""
        args = case.args
        # The police's own code for the category where their table has one (else ours, which
        # the center takes as it is), so the history's cases route without waiting.
        code = self.rules.police_codes.code_for(args["category"]) or args["category"]
        shared_id = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        result = self.command(POLICE_CENTER, "police.receive", {
            "kind": "incident", "message": self.police_message_id(),
            "case": {"shared_id": shared_id, "police_case_no": args["police_case_no"],
                     "sent_at": when.astimezone(LOCAL).isoformat(),
                     "location": args["location"], "classification": code,
                     "priority": args["priority"], "summary": args["description"],
                     "reporter": args["reporter"], "remarks": [_DIVERTED]}}, when)
        if not result.ok:
            return
        self._known(case, str(result.data["id"]))
        case.police = True
        self.at(when + _s(self.pace.liaison()), self.cases.index(case), self._liaison_signs)

    def _known(self, case: _Case, incident_id: str) -> None:
        case.id = incident_id
        self.by_id[incident_id] = case

    def _create(self, case: _Case, when: datetime) -> None:
        source = case.args["source"]
        sender = sender_of(source, field=FIELD_GATEWAY, controller=SIM_DISPATCH)
        result = self.command(sender, "incident.create", case.args, when)
        if not result.ok:
            return
        self._known(case, str(result.data["id"]))
        index = self.cases.index(case)
        plan = self.pace.plan(source, case.args["priority"])
        case.quick = plan.on_the_spot
        self.at(when + _s(self.pace.take(plan)), index, self._take)

    def _liaison_signs(self, case: _Case, when: datetime) -> None:
        if self.command(SIM_LIAISON, "incident.accept", {"id": case.id}, when).ok:
            self._accepted(case, when)

    def _take(self, case: _Case, when: datetime) -> None:
        inc = self._incident(case)
        if inc is None or inc.state is not IncidentState.NEW:
            return
        name, args = self.pace.taking(inc, self.rules)
        if name == "incident.escalate":
            self._escalate(case, args, when)
        elif self.command(SIM_DISPATCH, name, args, when).ok and name == "incident.accept":
            self._accepted(case, when)

    def _escalate(self, case: _Case, args: dict[str, Any], when: datetime) -> None:
        """Escalate to the police; they acknowledge (or send it back) and later complete it, by
        ``now`` at the latest — unless it is one of the last ten minutes': that one stays with
        them, its message undelivered, for the live police center."""
        case.police, case.open = True, when >= self.now - LEFT_WITH_POLICE
        if not self.command(SIM_DISPATCH, "incident.escalate", args, when).ok or case.open:
            return
        index = self.cases.index(case)
        acknowledged = when + _s(self.pace.police_acknowledge())  # at most 3 minutes
        rejected = self.rng.random() < _POLICE_REJECT_SHARE
        self.at(acknowledged, index,
                lambda c, t: self._police_answers(c, t, "acknowledgement", rejected))
        if not rejected:
            completed = min(acknowledged + _s(self.pace.police_dispose()),
                            self.now - _s(self.rng.uniform(30, 120)))
            self.at(completed, index, lambda c, t: self._police_answers(c, t, "completion"))

    def _police_answers(self, case: _Case, when: datetime, kind: str,
                        rejected: bool = False) -> None:
        """The police's acknowledgement or completion of an escalation (``police.receive``)."""
        inc = self._incident(case)
        if inc is None or inc.police is None or inc.state is not IncidentState.WITH_POLICE:
            return
        args: dict[str, Any] = {"kind": kind, "message": self.police_message_id(),
                                "shared_id": inc.police.shared_id}
        local = when.astimezone(LOCAL)
        if kind == "completion":
            args |= {"status": "completed", "completed_at": local.isoformat(),
                     "disposition": _DISPOSITION}
        elif rejected:
            args |= {"status": "rejected", "cause": _POLICE_REJECTION}
        else:
            number = next(self.police_case_numbers)
            args |= {"status": "accepted",
                     "police_case_no": f"110-{local.strftime('%Y%m%d')}-{number:04d}"}
        if not self.command(POLICE_CENTER, "police.receive", args, when).ok:
            return
        if kind == "completion":
            self._resolved(case, when)
        elif rejected:
            case.returned = True
            self._accepted(case, when)

    def _accepted(self, case: _Case, when: datetime) -> None:
        self.at(when + _s(self.pace.assign(case.quick)), self.cases.index(case), self._assign)

    def _assign(self, case: _Case, when: datetime) -> None:
        args: dict[str, Any] = {"id": case.id}
        inc = self._incident(case)
        if case.quick and inc is not None and inc.location.street:
            args["department"] = inc.location.street
        elif case.returned and inc is not None:  # the police sent it back: the street's now
            args["department"] = inc.location.street or "district_office"
        if self.command(SIM_DISPATCH, "incident.assign", args, when).ok:
            self.at(when + _s(self.pace.sign(case.quick)), self.cases.index(case),
                    lambda c, t: self._desk(c, t, "incident.sign", {}, self._signed))

    def _signed(self, case: _Case, when: datetime) -> None:
        inc = self._incident(case)
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
              then: Callable[[_Case, datetime], object]) -> None:
        inc = self._incident(case)
        if inc is None or inc.lead_department is None:
            return
        if self.command(desk_account(inc.lead_department), name, {"id": case.id, **extra},
                        when).ok:
            then(case, when)


def seed_history(ledger: Ledger, district: District, rules: Rules, *, now: datetime,
                 hours: float = 3.0, calls_per_day: float = 3000.0,
                 diversions_per_hour: float = DIVERSIONS_PER_HOUR, seed: int = 7) -> int:
    """Write the ``hours`` before ``now`` through ``ledger`` (each command at its own time);
    returns how many commands were applied.

    Args:
        calls_per_day: calls through the center's own channels, before the daily rhythm.
        diversions_per_hour: cases the police divert, steadily, as the live police center does.
    """
    day = _Day(ledger, rules, district, now, seed)
    calls = CallMaker(rules.taxonomy, district.places, f"history:{seed}")
    start = now - timedelta(hours=hours)
    when = start
    while True:
        local = when.astimezone(LOCAL)
        rate = calls_per_hour(calls_per_day, local.hour + local.minute / 60) / 3600
        when += timedelta(seconds=day.rng.expovariate(rate))
        if when >= now:
            break
        day.file(calls.next(when.astimezone(LOCAL).strftime("%Y%m%d")), when)
    diverted = CallMaker(rules.taxonomy, district.places, f"history-police:{seed}")
    gaps = random.Random(f"history-police:{seed}")
    when = start
    while diversions_per_hour > 0:
        when += timedelta(seconds=gaps.expovariate(diversions_per_hour / 3600))
        if when >= now:
            break
        day.file(diverted.next(when.astimezone(LOCAL).strftime("%Y%m%d"), Source.POLICE),
                 when)
    return day.run()


def _s(seconds: float) -> timedelta:
    return timedelta(seconds=seconds)
