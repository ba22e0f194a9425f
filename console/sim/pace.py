"""How long the district's people take: the delays the simulator and the demo's history share.

All in world seconds, drawn from the caller's random stream. A colleague at the controller desks
accepts in a minute or two; a desk signs within minutes — except the one in twelve that forgets
for an hour or more, which is how sign clocks go overdue in real hotline systems; results take
longer the more routine the case; what the grid handles on the spot (网格自处置) is done in
minutes. A liaison officer signs for a diverted case within its 5-minute limit, except the one in
ten that is caught on another call. The police center (:mod:`console.sim.police`) takes its own
paces from here too, so the demo's history answers escalations as the live police center does.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

from console.domain.incident import Incident
from console.domain.model import ANSWERABLE_AT_INTAKE, Source
from console.domain.rules import Rules

__all__ = ["Pace", "Plan", "sender_of"]

_ANSWERS = ("已当场解答政策和办理流程，来电人表示清楚。", "已告知办理地点、材料和时限。")
_ESCALATION = "涉及治安，请公安机关处置。"


@dataclass(frozen=True)
class Plan:
    """What the colleague at the controller desks means to do with a new case."""

    #: Handled on the spot by the grid worker who reported it: every step is quick.
    on_the_spot: bool
    #: Left for the people at the consoles (every P1 and P2 at first); taken over later.
    left_for_people: bool


class Pace:
    def __init__(self, rng: random.Random, human_share: float = 0.35,
                 takeover_after_s: float = 600.0) -> None:
        self.rng = rng
        self.human_share = human_share
        self.takeover_after_s = takeover_after_s

    def plan(self, source: str, priority: str) -> Plan:
        urgent = priority in ("P1", "P2")
        if source == Source.GRID.value and not urgent and self.rng.random() < 0.5:
            return Plan(on_the_spot=True, left_for_people=False)
        return Plan(False, urgent or self.rng.random() < self.human_share)

    def take(self, plan: Plan) -> float:
        """From registration to the colleague taking the case (accept, answer, escalate)."""
        if plan.on_the_spot:
            return self.rng.uniform(20, 60)
        if plan.left_for_people:
            return self.takeover_after_s * self.rng.uniform(0.8, 1.3)
        return self.rng.lognormvariate(math.log(90), 0.7)

    def taking(self, inc: Incident, rules: Rules) -> tuple[str, dict[str, Any]]:
        """The command a colleague takes a new case with: inquiries, opinions and suggestions are
        answered at intake, police matters escalated, everything else accepted."""
        if inc.request_type in ANSWERABLE_AT_INTAKE and inc.source is not Source.POLICE:
            return "incident.answer", {"id": inc.id, "answer": self.rng.choice(_ANSWERS)}
        if rules.taxonomy.category(inc.category).police_matter:
            return "incident.escalate", {"id": inc.id, "reason": _ESCALATION}
        return "incident.accept", {"id": inc.id}

    def liaison(self) -> float:
        """From a diversion to the liaison colleague signing for it: within the police *sign*
        limit (5 minutes) nine times in ten, late the tenth."""
        if self.rng.random() < 0.1:
            return self.rng.uniform(320, 900)
        return self.rng.uniform(45, 240)

    def assign(self, quick: bool) -> float:
        return self.rng.uniform(20, 60) if quick else self.rng.uniform(30, 300)

    def sign(self, quick: bool) -> float:
        if quick:
            return self.rng.uniform(20, 60)
        if self.rng.random() < 0.08:
            return self.rng.uniform(3600, 3 * 3600)  # the desk that forgets: overdue
        return self.rng.lognormvariate(math.log(300), 0.8)

    def resolve(self, sla_class: str, quick: bool) -> float:
        if quick:  # the grid worker reports it done on the spot; the street office records it
            return self.rng.uniform(30, 150)
        median = {"urgent": 1800.0, "standard": 5400.0, "routine": 4 * 3600.0}.get(sla_class,
                                                                                  5400.0)
        return self.rng.lognormvariate(math.log(median), 0.7)

    def reassign(self) -> float:
        return self.rng.uniform(120, 600)

    def verify(self) -> float:
        return self.rng.uniform(180, 1200)

    def close(self) -> float:
        return self.rng.uniform(30, 300)

    def police_acknowledge(self) -> float:
        return self.rng.uniform(60, 180)

    def police_dispose(self) -> float:
        return self.rng.uniform(600, 2700)


def sender_of(source: str, *, field: str, controller: str) -> str:
    """Which account files a new incident of a channel: the grid's through the field platform,
    every other channel a controller at the center.

    Raises:
        ValueError: for the police's channel: the police center hands its cases over itself,
            as ``police.receive`` over ``/police``, never ``incident.create``.
    """
    if source == Source.POLICE.value:
        raise ValueError("police cases come from the police center over /police")
    return field if source == Source.GRID.value else controller
