"""The demo district's life, played against a real hub over the wire.

The simulator is a client of the hub like any other — it logs in with the demo accounts and sends
the same commands and position batches a field platform, department desks and colleagues at the
controller and liaison desks would:

- **field units** clock in and out by their shifts, walk, cycle or drive about their grid,
  community or street, pass patrol checkpoints, and report positions through the field gateway;
  the gateway plays their devices on ``/field``: a unit gets its dispatch as a task, which the
  gateway acknowledges; it then acknowledges the assignment, drives to the scene, sends a photo
  now and then, works there and clears; now and then a unit presses SOS;
- **calls** arrive at a daily rhythm through every channel of the center's own
  (:mod:`console.sim.calls`);
- a **colleague at the controller desks** accepts, answers, assigns, dispatches, escalates,
  verifies and closes — but leaves a share of new cases (and, at first, every urgent one) to the
  people at the consoles, taking over what nobody touched after a while;
- **department desks** sign for what they are assigned, sometimes late, sometimes disputing it,
  and report results; a **liaison colleague** signs for the cases the police divert (classifying
  first, from the summary, those whose police code the center could not map), nearly always
  within their 5-minute limit.

The police 110 center is not played here: it is a peer of the hub's ``/police`` of its own
(``main.py simulate-police``, :mod:`console.sim.police`), which diverts cases to the center and
answers its escalations. This simulator only lives with the results — it verifies what the police
resolved and re-routes what they sent back.

Everything runs on the world clock: the hub's time advancing at the simulator's speed
(``--speed``; by default the hub's own). Delays are world time, so at ``--speed 10`` a desk that
takes ten minutes to sign takes one real minute. What the simulator files is deterministic for a
seed (:class:`~console.sim.calls.CallMaker`); how the hub's answers interleave is not.

Each step looks at the incident as the hub last said it is before acting, so people at the
consoles can act on any case at any time: the simulator simply finds the step done.

The field units live in :mod:`console.sim.field`, the connections to the hub, one per account, in
:mod:`console.sim.sessions`; the people at the desks are played here.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from console.comms.client import CommandResult
from console.comms.clock import Clock
from console.comms.replica import ChangeSet
from console.domain.incident import ESCALATED, Incident
from console.domain.model import IncidentState, Source, UnitType
from console.domain.rules import Rules
from console.sim.calls import CallMaker, calls_per_hour
from console.sim.demo import (
    DEMO_PASSWORD,
    FIELD_GATEWAY,
    POLICE_CENTER,
    SIM_DISPATCH,
    SIM_LIAISON,
    District,
    desk_account,
)
from console.sim.field import FieldUnits
from console.sim.pace import Pace, sender_of
from console.sim.sessions import Sessions

__all__ = ["SimConfig", "Simulator"]

log = logging.getLogger(__name__)

LOCAL = ZoneInfo("Asia/Shanghai")

#: Which unit types go to an incident of a category group, most suitable first.
_RESPONDERS: Mapping[str, tuple[UnitType, ...]] = {
    "city": (UnitType.URBAN_MANAGEMENT, UnitType.GRID_WORKER),
    "environment": (UnitType.URBAN_MANAGEMENT, UnitType.GRID_WORKER),
    "utility": (UnitType.DEPARTMENT_CREW, UnitType.GRID_WORKER),
    "safety": (UnitType.EMERGENCY, UnitType.GRID_WORKER),
    "community": (UnitType.MEDIATOR, UnitType.COMMUNITY_POLICE, UnitType.GRID_WORKER),
    "housing": (UnitType.GRID_WORKER,),
    "market": (UnitType.GRID_WORKER,),
    "transport": (UnitType.PATROL, UnitType.GRID_WORKER),
}

_RESULTS: Mapping[str, tuple[str, ...]] = {
    "city": ("已安排执法队员到场处置，现场已整改完毕。", "已清理完毕，并对责任人进行了教育。"),
    "environment": ("已现场检查并责令整改，后续加强巡查。", "已联系责任单位，问题已消除。"),
    "utility": ("抢修人员已到场，故障已排除，恢复正常。", "已完成维修，供应恢复。"),
    "safety": ("隐患已排除，已督促责任单位落实整改。", "已到场处置，现场安全。"),
    "community": ("社区已组织双方调解，达成一致。", "已上门协调，问题已解决。"),
    "housing": ("已约谈物业公司，限期整改，已回复来电人。", "已协调相关单位处理完毕。"),
    "market": ("已立案调查，商家已整改并退款。", "已现场检查，责令整改。"),
    "social": ("已联系来电人说明政策并协助办理。", "已安排工作人员跟进帮扶。"),
    "transport": ("已通知相关单位维修，现已恢复。", "已转交公交公司核查整改。"),
    "consult": ("已答复来电人。",),
    "police": ("已出警处置。",),
}
_RETURN_REASONS = ("经核实不属于本部门职责范围，请重新派单。", "该事项属地管理，建议由街道办理。")


@dataclass
class SimConfig:
    """How the simulator runs.

    ``hub`` is any address of the hub (``ws://host:port`` with or without a path): the consoles'
    ``/ws`` and the field ``/field`` are taken from it.
    """

    hub: str
    password: str = DEMO_PASSWORD
    seed: int = 7
    #: World seconds per real second; None follows the hub's own speed.
    speed: float | None = None
    #: New incidents a day through the center's own channels (every one but the police's),
    #: before the daily rhythm.
    calls_per_day: float = 3000.0
    #: World seconds between two position reports of a unit on duty.
    report_every_s: float = 30.0
    #: The share of ordinary new cases the colleague leaves for the people at the consoles.
    human_share: float = 0.35
    #: World seconds after which the colleague takes over a new case nobody touched.
    takeover_after_s: float = 600.0
    #: Real seconds to run; None runs until stopped.
    duration: float | None = None
    #: How many clock-ins and clock-outs go out per real second at most (a shift change).
    shift_changes_per_s: float = 100.0
    #: How many times a world day some unit on duty presses SOS.
    sos_per_day: float = 6.0
    #: The share of units on scene that send a photo of it.
    photo_share: float = 0.3
    #: The share of results the colleague has a grid worker verify on site (核查) rather than
    #: by calling the reporter back.
    site_verify_share: float = 0.3


@dataclass
class _Case:
    """What the simulator knows of and has planned for one incident."""

    id: str
    mine: bool = False  # filed by the simulator
    humans: bool = False  # someone at a console acted on it
    left_for_people: bool = False
    #: Handled on the spot by the grid worker who reported it (网格自处置): every step is quick.
    on_the_spot: bool = False


class Simulator:
    """Plays the district against a hub until :meth:`stop` (or ``config.duration``).

    Args:
        config: addresses, speed, rates.
        district: geography, forces, places, checkpoints.
        rules: the rule data (taxonomy for calls and departments).
    """

    def __init__(self, config: SimConfig, district: District, rules: Rules) -> None:
        self.config = config
        self.district = district
        self.rules = rules
        self.rng = random.Random(f"behaviour:{config.seed}")
        self.calls = CallMaker(rules.taxonomy, district.places, config.seed)
        self.pace = Pace(self.rng, config.human_share, config.takeover_after_s)
        self.hub_time = Clock()
        self.clock = Clock()
        self.counts: Counter[str] = Counter()
        self.incidents: dict[str, Incident] = {}
        self.cases: dict[str, _Case] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping = asyncio.Event()
        self._synced = asyncio.Event()
        # The police center's events (its diversions, answers and acks) are no one's at a
        # console either: they do not make a case the people's.
        self._sim_users = {SIM_DISPATCH, SIM_LIAISON, POLICE_CENTER, FIELD_GATEWAY,
                           *(desk_account(d.code) for d in rules.taxonomy.departments)}
        self.sessions = Sessions(config.hub, config.password, rules, deliver=self._deliver,
                                 hub_time=self.hub_time, counts=self.counts,
                                 stopping=self._stopping,
                                 tasks=lambda task: self.field.task(task))
        self.field = FieldUnits(district, self.rng, self.clock, self.sessions, self._after,
                                self.incidents.get, self.counts,
                                report_every_s=config.report_every_s,
                                shift_changes_per_s=config.shift_changes_per_s,
                                sos_per_day=config.sos_per_day,
                                photo_share=config.photo_share)

    # -- running -------------------------------------------------------------------------------

    async def run(self) -> Counter[str]:
        """Connect, play until stopped, disconnect; returns what was done, by kind."""
        self._loop = asyncio.get_running_loop()
        self.sessions.open(self._loop)
        try:
            await asyncio.wait_for(self._synced.wait(), timeout=60)
        except TimeoutError:
            self.sessions.close()
            raise RuntimeError(f"the simulator could not log in to {self.config.hub} within a "
                               f"minute ({self.sessions.client(SIM_DISPATCH).state})") from None
        self.clock.follow(self.hub_time.now(), self.config.speed or self.hub_time.speed)
        log.info("simulating the district at %s× from %s", self.clock.speed,
                 self.clock.now().astimezone(LOCAL).strftime("%Y-%m-%d %H:%M"))
        tasks = [asyncio.create_task(coro) for coro in (
            self.field.run(), self.field.shifts(), self.field.sos(), self._call_rhythm(),
            self._report())]
        try:
            if self.config.duration is not None:
                await asyncio.wait_for(self._stopping.wait(), self.config.duration)
            else:
                await self._stopping.wait()
        except TimeoutError:
            pass
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await asyncio.to_thread(self.sessions.close)
        return self.counts

    def stop(self) -> None:
        """Ask :meth:`run` to finish (from the simulator's loop)."""
        self._stopping.set()

    # -- what the hub says ---------------------------------------------------------------------

    def _deliver(self, change: ChangeSet) -> None:  # the dispatch client's thread
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._apply, change)

    def _apply(self, change: ChangeSet) -> None:
        if change.reset:
            self.incidents.clear()
        self.incidents.update(change.incidents)
        self.field.apply(change)
        for _, event in change.events:
            self._on_event(event.name, event.actor, event.data)
        if change.reset:
            self._synced.set()
            for incident in self.incidents.values():
                self._resume(incident)

    def _on_event(self, name: str, actor: str, data: Mapping[str, Any]) -> None:
        incident_id = data.get("id")
        if isinstance(incident_id, str):
            case = self.cases.setdefault(incident_id, _Case(incident_id))
            if actor not in self._sim_users and name != "incident.created":
                case.humans = True
        if name == "incident.created":
            self._plan_new(self.cases[data["id"]], data)
        elif name in ("incident.accepted", "incident.reopened", "incident.police_rejected",
                      "incident.police_aborted"):
            self._after(self.pace.assign(self.cases[data["id"]].on_the_spot),
                        self._assign_or_dispatch, data["id"])
        elif name == "incident.classified":
            self._after(self.rng.uniform(20, 90), self._liaison_signs, data["id"])
        elif name == "incident.assigned":
            self._after(self.pace.sign(self.cases[data["id"]].on_the_spot),
                        self._desk_signs, data["id"])
        elif name in ("incident.signed", "incident.verification_failed"):
            self._after(self._resolve_delay(data["id"]), self._desk_resolves, data["id"])
            if name == "incident.verification_failed":  # the police's result comes back accepted
                self._after(self.pace.assign(False), self._assign_or_dispatch, data["id"])
        elif name == "incident.returned":
            self._after(self.pace.reassign(), self._reassign, data["id"])
        elif name in ("incident.resolved", "incident.police_disposed"):
            self._after(self.pace.verify(), self._verify, data["id"])
        elif name == "incident.verified":
            self._after(self.pace.close(), self._close_case, data["id"])
        elif name == "assignment.updated" and data.get("status") in ("cleared", "cancelled"):
            self.field.cleared(data)

    def _resume(self, incident: Incident) -> None:
        """After a (re)connect: pick up open cases where they stand."""
        steps: dict[IncidentState, tuple[Callable[[str], None], float]] = {
            IncidentState.ASSIGNED: (self._desk_signs, self.pace.sign(False)),
            IncidentState.IN_PROGRESS: (self._desk_resolves, self._resolve_delay(incident.id)),
            IncidentState.RESOLVED: (self._verify, self.pace.verify()),
            IncidentState.VERIFIED: (self._close_case, self.pace.close()),
            IncidentState.NEW: (self._take_over, self.config.takeover_after_s),
            IncidentState.ACCEPTED: (self._assign_or_dispatch, self.rng.uniform(60, 600)),
        }
        if incident.source is Source.POLICE:  # a diversion is the liaison's to sign for
            steps[IncidentState.NEW] = (self._liaison_signs, self.pace.liaison())
        case = self.cases.setdefault(incident.id, _Case(incident.id))
        if incident.state in steps:
            step, delay = steps[incident.state]
            self._after(delay, step, incident.id)
        self.field.resume(incident)
        del case

    # -- the colleague at the controller desks --------------------------------------------------

    def _plan_new(self, case: _Case, data: Mapping[str, Any]) -> None:
        if data.get("source") == Source.POLICE.value:
            self._after(self.pace.liaison(), self._liaison_signs, case.id)
            return
        plan = self.pace.plan(str(data.get("source")), str(data.get("priority")))
        case.on_the_spot, case.left_for_people = plan.on_the_spot, plan.left_for_people
        self._after(self.pace.take(plan), self._take_over, case.id)

    def _take_over(self, incident_id: str) -> None:
        inc, case = self.incidents.get(incident_id), self.cases.get(incident_id)
        if inc is None or case is None or inc.state is not IncidentState.NEW:
            return
        if case.humans:
            return
        self.sessions.send(SIM_DISPATCH, *self.pace.taking(inc, self.rules))

    def _assign_or_dispatch(self, incident_id: str) -> None:
        inc, case = self.incidents.get(incident_id), self.cases.get(incident_id)
        if inc is None or case is None or case.humans or inc.state is not IncidentState.ACCEPTED:
            return
        category = self.rules.taxonomy.category(inc.category)
        if category.police_matter and inc.police is None:
            self.sessions.send(SIM_DISPATCH, "incident.escalate",
                       {"id": inc.id, "reason": "涉及治安，请公安机关处置。"})
            return
        if inc.police is not None and inc.police.direction == ESCALATED:
            # The police sent it back (not theirs, or aborted): the street office takes it on.
            self.sessions.send(SIM_DISPATCH, "incident.assign",
                       {"id": inc.id, "department": inc.location.street or "district_office"})
            return
        responders = _RESPONDERS.get(category.group)
        if responders and not case.on_the_spot and not any(a.active for a in inc.assignments) \
                and self.rng.random() < 0.6:
            unit = self.field.nearest_available(inc, responders)
            if unit is not None:
                unit.incident = inc.id  # claimed until the hub answers
                self.sessions.send(SIM_DISPATCH, "incident.dispatch",
                           {"id": inc.id, "unit": unit.spec.id},
                           on_refused=unit.release)
        args = {"id": inc.id}
        if case.on_the_spot and inc.location.street:
            args["department"] = inc.location.street  # the grid's own street office
        self.sessions.send(SIM_DISPATCH, "incident.assign", args)

    def _reassign(self, incident_id: str) -> None:
        inc, case = self.incidents.get(incident_id), self.cases.get(incident_id)
        if inc is None or case is None or case.humans or inc.state is not IncidentState.ACCEPTED:
            return
        street = inc.location.street
        department = street if street and street != inc.lead_department else "district_office"
        self.sessions.send(SIM_DISPATCH, "incident.assign",
                           {"id": inc.id, "department": department})

    def _verify(self, incident_id: str) -> None:
        inc, case = self.incidents.get(incident_id), self.cases.get(incident_id)
        if inc is None or case is None or case.humans or inc.state is not IncidentState.RESOLVED:
            return
        if self.rng.random() < self.config.site_verify_share \
                and not any(a.active for a in inc.assignments):
            unit = self.field.nearest_available(inc, (UnitType.GRID_WORKER,))
            if unit is not None:  # a grid worker goes to look (核查); refused: a call instead
                unit.incident = inc.id

                def refused(result: CommandResult) -> None:
                    unit.release(result)
                    self._call_back(incident_id)

                self.sessions.send(SIM_DISPATCH, "incident.dispatch",
                                   {"id": inc.id, "unit": unit.spec.id, "purpose": "verify"},
                                   on_refused=refused)
                return
        self._call_back(inc.id)

    def _call_back(self, incident_id: str) -> None:
        inc = self.incidents.get(incident_id)
        if inc is None or inc.state is not IncidentState.RESOLVED:
            return
        roll = self.rng.random()
        satisfied = roll < 0.88
        args: dict[str, Any] = {"id": inc.id, "method": "callback", "satisfied": satisfied}
        if 0.78 <= roll < 0.88:  # one reporter in ten only 基本满意 (the same single draw)
            args["satisfaction"] = "basically_satisfied"
        if not satisfied:
            args["note"] = "回访群众不满意，要求继续处理。"
        self.sessions.send(SIM_DISPATCH, "incident.verify", args)

    def _close_case(self, incident_id: str) -> None:
        inc, case = self.incidents.get(incident_id), self.cases.get(incident_id)
        if inc is None or case is None or case.humans or inc.state is not IncidentState.VERIFIED:
            return
        if any(a.active for a in inc.assignments):
            self._after(300, self._close_case, incident_id)
            return
        self.sessions.send(SIM_DISPATCH, "incident.close", {"id": inc.id})

    def _liaison_signs(self, incident_id: str) -> None:
        inc = self.incidents.get(incident_id)
        if inc is None or inc.state is not IncidentState.NEW:
            return
        if inc.awaiting_classification:
            # The police's code meant nothing to the center's table: the colleague reads the
            # summary and files it where the category search puts it (signing comes after).
            found = [c for c in self.rules.taxonomy.search(inc.description, limit=5)
                     if not c.police_matter]
            self.sessions.send(SIM_LIAISON, "incident.classify", {
                "id": inc.id, "category": found[0].code if found else "consult.other"})
            return
        self.sessions.send(SIM_LIAISON, "incident.accept", {"id": inc.id})

    # -- desks ---------------------------------------------------------------------------------

    def _resolve_delay(self, incident_id: str) -> float:
        inc, case = self.incidents.get(incident_id), self.cases.get(incident_id)
        return self.pace.resolve(inc.sla_class if inc is not None else "standard",
                                 case is not None and case.on_the_spot)

    def _desk_signs(self, incident_id: str) -> None:
        inc = self.incidents.get(incident_id)
        if inc is None or inc.state is not IncidentState.ASSIGNED or inc.lead_department is None:
            return
        desk = desk_account(inc.lead_department)
        if self.rng.random() < 0.04 and not inc.lead_department.startswith("street."):
            self.sessions.send(desk, "incident.return", {"id": inc.id,
                                                 "reason": self.rng.choice(_RETURN_REASONS)})
        else:
            self.sessions.send(desk, "incident.sign", {"id": inc.id})

    def _desk_resolves(self, incident_id: str) -> None:
        inc = self.incidents.get(incident_id)
        if inc is None or inc.state is not IncidentState.IN_PROGRESS \
                or inc.lead_department is None:
            return
        group = self.rules.taxonomy.category(inc.category).group
        self.sessions.send(desk_account(inc.lead_department), "incident.resolve",
                   {"id": inc.id, "result": self.rng.choice(_RESULTS.get(group, ("已处理。",)))})

    # -- calls ---------------------------------------------------------------------------------

    async def _call_rhythm(self) -> None:
        """File new incidents at the daily rhythm, through the channel each came by (never the
        police's: the police center diverts its cases itself)."""
        while True:
            local = self.clock.now().astimezone(LOCAL)
            rate = calls_per_hour(self.config.calls_per_day,
                                  local.hour + local.minute / 60) / 3600
            wait = self.rng.expovariate(rate) if rate > 0 else 600.0
            await self._sleep_world(wait)
            self._file(self.clock.now().astimezone(LOCAL))

    def _file(self, local: datetime) -> None:
        call = self.calls.next(local.strftime("%Y%m%d"))
        sender = sender_of(call.source.value, field=FIELD_GATEWAY, controller=SIM_DISPATCH)
        self.counts[f"filed.{call.source.value}"] += 1

        def created(result: CommandResult) -> None:
            incident_id = result.data.get("id")
            if isinstance(incident_id, str):
                self.cases.setdefault(incident_id, _Case(incident_id)).mine = True

        self.sessions.send(sender, "incident.create", call.args, on_ok=created)

    # -- plumbing ------------------------------------------------------------------------------
    def _after(self, world_seconds: float, step: Callable[..., None], *args: Any) -> None:
        loop = self._loop
        if loop is None or self._stopping.is_set():
            return
        loop.call_later(max(world_seconds, 0.0) / self.clock.speed, self._run_step, step, args)

    def _run_step(self, step: Callable[..., None], args: tuple[Any, ...]) -> None:
        if self._stopping.is_set():
            return
        try:
            step(*args)
        except Exception:  # one bad step must not end the district's life
            log.exception("a simulator step failed: %s%s", step.__name__, args)

    async def _sleep_world(self, world_seconds: float) -> None:
        await asyncio.sleep(world_seconds / self.clock.speed)

    async def _report(self) -> None:
        while True:
            await asyncio.sleep(30)
            on_duty = self.field.on_duty()
            log.info("world %s: %d units on duty, %d incidents filed, %d open",
                     self.clock.now().astimezone(LOCAL).strftime("%H:%M"), on_duty,
                     sum(v for k, v in self.counts.items() if k.startswith("filed.")),
                     sum(not i.finished for i in self.incidents.values()))


def summary_line(counts: Mapping[str, int]) -> str:
    """What a run did, for its last log line."""
    filed = {k.split(".", 1)[1]: v for k, v in counts.items() if k.startswith("filed.")}
    channels = ", ".join(f"{k} {v}" for k, v in sorted(filed.items()))
    return (f"filed {sum(filed.values())} incidents ({channels}); "
            f"{counts.get('ok.unit.clock_in', 0)} clock-ins, "
            f"{counts.get('ok.unit.checkpoint', 0)} checkpoints, "
            f"{counts.get('ok.incident.dispatch', 0)} dispatches "
            f"({counts.get('task.dispatch', 0) + counts.get('task.verify', 0)} received as "
            f"tasks), {counts.get('ok.unit.sos', 0)} SOS, "
            f"{counts.get('ok.incident.resolve', 0)} resolutions, "
            f"{counts.get('positions', 0)} positions")
