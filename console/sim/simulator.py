"""The demo district's life, played against a real hub over the wire.

The simulator is a client of the hub like any other — it logs in with the demo accounts and sends
the same commands and position batches a field platform, department desks and colleagues at the
controller and liaison desks would:

- **field units** clock in and out by their shifts, walk, cycle or drive about their grid,
  community or street, pass patrol checkpoints, and report positions through the field gateway;
  a dispatched unit acknowledges, drives to the scene, works there and clears;
- **calls** arrive at a daily rhythm through every channel of the center's own
  (:mod:`console.sim.calls`);
- a **colleague at the controller desks** accepts, answers, assigns, dispatches, escalates,
  verifies and closes — but leaves a share of new cases (and, at first, every urgent one) to the
  people at the consoles, taking over what nobody touched after a while;
- **department desks** sign for what they are assigned, sometimes late, sometimes disputing it,
  and report results; a **liaison colleague** signs for the cases the police divert, nearly always
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
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import logging
import math
import random
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import numpy as np
import shapely

from console.comms.client import AUTH_FAILED, LIVE, CommandResult, HubClient
from console.comms.clock import Clock
from console.comms.replica import ChangeSet
from console.domain.incident import ESCALATED, Incident
from console.domain.model import IncidentState, Source, UnitStatus, UnitType
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
from console.sim.forces import Mode, UnitSpec
from console.sim.pace import Pace, sender_of

__all__ = ["SimConfig", "Simulator"]

log = logging.getLogger(__name__)

LOCAL = ZoneInfo("Asia/Shanghai")

#: Metres per degree of latitude.
_M_PER_DEG = 111_320.0

#: Speeds on patrol and on the way to an incident, metres per second, by how a unit moves.
_PATROL_SPEED = {Mode.WALK: 1.2, Mode.BICYCLE: 3.5, Mode.VEHICLE: 7.0}
_RESPONSE_SPEED = {Mode.WALK: 4.0, Mode.BICYCLE: 5.0, Mode.VEHICLE: 10.0}

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


@dataclass
class _Unit:
    spec: UnitSpec
    index: int
    status: UnitStatus = UnitStatus.OFF_DUTY
    assignment: str | None = None
    incident: str | None = None
    #: A clock-in or clock-out sent and not answered yet.
    pending: bool = False
    #: Minutes this person is early (negative) or late for a shift change.
    offset_min: float = 0.0


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
        self.units: dict[str, _Unit] = {}
        self._clients: dict[str, HubClient] = {}
        # Commands waiting for their account's connection: name, args, callbacks.
        self._waiting: dict[str, list[tuple[str, dict[str, Any], dict[str, Any]]]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping = asyncio.Event()
        self._synced = asyncio.Event()
        # The police center's events (its diversions, answers and acks) are no one's at a
        # console either: they do not make a case the people's.
        self._sim_users = {SIM_DISPATCH, SIM_LIAISON, POLICE_CENTER, FIELD_GATEWAY,
                           *(desk_account(d.code) for d in rules.taxonomy.departments)}
        self._movement = _Movement(district, self.rng)
        for i, spec in enumerate(district.forces):
            self.units[spec.id] = _Unit(spec, i, offset_min=self.rng.uniform(-8, 12))

    # -- running -------------------------------------------------------------------------------

    async def run(self) -> Counter[str]:
        """Connect, play until stopped, disconnect; returns what was done, by kind."""
        self._loop = asyncio.get_running_loop()
        self._connect()
        try:
            await asyncio.wait_for(self._synced.wait(), timeout=60)
        except TimeoutError:
            self._close()
            raise RuntimeError(f"the simulator could not log in to {self.config.hub} "
                               f"within a minute ({self._clients[SIM_DISPATCH].state})") from None
        self.clock.follow(self.hub_time.now(), self.config.speed or self.hub_time.speed)
        log.info("simulating the district at %s× from %s", self.clock.speed,
                 self.clock.now().astimezone(LOCAL).strftime("%Y-%m-%d %H:%M"))
        tasks = [asyncio.create_task(coro) for coro in (
            self._field(), self._shifts(), self._call_rhythm(), self._report())]
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
            await asyncio.to_thread(self._close)
        return self.counts

    def stop(self) -> None:
        """Ask :meth:`run` to finish (from the simulator's loop)."""
        self._stopping.set()

    def _connect(self) -> None:
        """The colleague's connection (it follows the log) and the field gateway's now; the
        others when first needed, so a start costs the hub few password checks."""
        self._client(SIM_DISPATCH)
        self._client(FIELD_GATEWAY)

    def _client(self, username: str) -> HubClient:
        made = self._clients.get(username)
        if made is not None:
            return made
        ws, field_url = endpoints(self.config.hub)
        options: dict[str, Any] = {"subscribe": ()}
        if username == SIM_DISPATCH:
            options = {"deliver": self._deliver, "subscribe": ("events",),
                       "clock": self.hub_time}

        def state(state: str, detail: object) -> None:
            self._state(username, state, detail)

        made = HubClient(field_url if username == FIELD_GATEWAY else ws, username,
                         self.config.password, self.rules, client_name="linkage-sim",
                         deliver=options.pop("deliver", _ignore), state=state,
                         clock=options.pop("clock", Clock()),
                         **({} if username == FIELD_GATEWAY else options))
        self._clients[username] = made
        self._waiting[username] = []
        made.start()
        return made

    def _close(self) -> None:
        for made in self._clients.values():
            made.stop()

    def _state(self, who: str, state: str, detail: object) -> None:  # a client's thread
        if state == AUTH_FAILED:
            log.error("the simulator's account %s cannot log in: %s", who, detail)
        elif state == LIVE and self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._flush, who)

    def _flush(self, who: str) -> None:
        """Send what waited for the account's connection."""
        waiting, self._waiting[who] = self._waiting[who], []
        for name, args, callbacks in waiting:
            self._send(who, name, args, **callbacks)

    # -- what the hub says ---------------------------------------------------------------------

    def _deliver(self, change: ChangeSet) -> None:  # the dispatch client's thread
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._apply, change)

    def _apply(self, change: ChangeSet) -> None:
        if change.reset:
            self.incidents = dict(change.incidents)
            for unit in self.units.values():
                unit.status, unit.assignment = UnitStatus.OFF_DUTY, None
        else:
            self.incidents.update(change.incidents)
        for unit_id, replica_unit in change.units.items():
            known = self.units.get(unit_id)
            if known is not None:
                known.status = replica_unit.status
                known.assignment = replica_unit.assignment
        for unit_id, position in change.positions.items():
            known = self.units.get(unit_id)
            if known is not None:
                self._movement.place(known.index, position.lat, position.lon)
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
        elif name == "assignment.dispatched":
            self._dispatched(data)
        elif name == "assignment.updated" and data.get("status") in ("cleared", "cancelled"):
            unit = self.units.get(str(data.get("unit")))
            if unit is not None:
                unit.incident = None
                self._movement.patrol(unit.index)

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
        for assignment in incident.assignments:
            unit = self.units.get(assignment.unit)
            if assignment.active and unit is not None:
                unit.incident = incident.id
                self._after(self.rng.uniform(20, 120), self._advance_assignment, incident.id,
                            assignment.id)
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
        self._send(SIM_DISPATCH, *self.pace.taking(inc, self.rules))

    def _assign_or_dispatch(self, incident_id: str) -> None:
        inc, case = self.incidents.get(incident_id), self.cases.get(incident_id)
        if inc is None or case is None or case.humans or inc.state is not IncidentState.ACCEPTED:
            return
        category = self.rules.taxonomy.category(inc.category)
        if category.police_matter and inc.police is None:
            self._send(SIM_DISPATCH, "incident.escalate",
                       {"id": inc.id, "reason": "涉及治安，请公安机关处置。"})
            return
        if inc.police is not None and inc.police.direction == ESCALATED:
            # The police sent it back (not theirs, or aborted): the street office takes it on.
            self._send(SIM_DISPATCH, "incident.assign",
                       {"id": inc.id, "department": inc.location.street or "district_office"})
            return
        responders = _RESPONDERS.get(category.group)
        if responders and not case.on_the_spot and not any(a.active for a in inc.assignments) \
                and self.rng.random() < 0.6:
            unit = self._nearest_available(inc, responders)
            if unit is not None:
                unit.incident = inc.id  # claimed until the hub answers
                self._send(SIM_DISPATCH, "incident.dispatch",
                           {"id": inc.id, "unit": unit.spec.id},
                           on_refused=functools.partial(_release, unit))
        args = {"id": inc.id}
        if case.on_the_spot and inc.location.street:
            args["department"] = inc.location.street  # the grid's own street office
        self._send(SIM_DISPATCH, "incident.assign", args)

    def _reassign(self, incident_id: str) -> None:
        inc, case = self.incidents.get(incident_id), self.cases.get(incident_id)
        if inc is None or case is None or case.humans or inc.state is not IncidentState.ACCEPTED:
            return
        street = inc.location.street
        department = street if street and street != inc.lead_department else "district_office"
        self._send(SIM_DISPATCH, "incident.assign", {"id": inc.id, "department": department})

    def _verify(self, incident_id: str) -> None:
        inc, case = self.incidents.get(incident_id), self.cases.get(incident_id)
        if inc is None or case is None or case.humans or inc.state is not IncidentState.RESOLVED:
            return
        satisfied = self.rng.random() < 0.88
        args: dict[str, Any] = {"id": inc.id, "method": "callback", "satisfied": satisfied}
        if not satisfied:
            args["note"] = "回访群众不满意，要求继续处理。"
        self._send(SIM_DISPATCH, "incident.verify", args)

    def _close_case(self, incident_id: str) -> None:
        inc, case = self.incidents.get(incident_id), self.cases.get(incident_id)
        if inc is None or case is None or case.humans or inc.state is not IncidentState.VERIFIED:
            return
        if any(a.active for a in inc.assignments):
            self._after(300, self._close_case, incident_id)
            return
        self._send(SIM_DISPATCH, "incident.close", {"id": inc.id})

    def _liaison_signs(self, incident_id: str) -> None:
        inc = self.incidents.get(incident_id)
        if inc is None or inc.state is not IncidentState.NEW:
            return
        self._send(SIM_LIAISON, "incident.accept", {"id": inc.id})

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
            self._send(desk, "incident.return", {"id": inc.id,
                                                 "reason": self.rng.choice(_RETURN_REASONS)})
        else:
            self._send(desk, "incident.sign", {"id": inc.id})

    def _desk_resolves(self, incident_id: str) -> None:
        inc = self.incidents.get(incident_id)
        if inc is None or inc.state is not IncidentState.IN_PROGRESS \
                or inc.lead_department is None:
            return
        group = self.rules.taxonomy.category(inc.category).group
        self._send(desk_account(inc.lead_department), "incident.resolve",
                   {"id": inc.id, "result": self.rng.choice(_RESULTS.get(group, ("已处理。",)))})

    # -- field units ---------------------------------------------------------------------------

    def _nearest_available(self, inc: Incident, types: tuple[UnitType, ...]) -> _Unit | None:
        lat, lon = inc.location.lat, inc.location.lon
        for unit_type in types:
            candidates = [u for u in self.units.values()
                          if u.spec.type is unit_type and u.status is UnitStatus.AVAILABLE
                          and u.incident is None and not u.pending]
            if candidates:
                index = np.fromiter((u.index for u in candidates), dtype=np.int64)
                distance = self._movement.distance(index, lat, lon)
                best = int(np.argmin(distance))
                if distance[best] < 6000:
                    return candidates[best]
        return None

    def _dispatched(self, data: Mapping[str, Any]) -> None:
        unit = self.units.get(str(data.get("unit")))
        if unit is None:
            return
        unit.incident = str(data["id"])
        unit.assignment = str(data["assignment"])
        self._after(self.rng.uniform(20, 90), self._advance_assignment, unit.incident,
                    unit.assignment)

    def _advance_assignment(self, incident_id: str, assignment_id: str) -> None:
        inc = self.incidents.get(incident_id)
        assignment = inc.assignment(assignment_id) if inc is not None else None
        if inc is None or assignment is None or not assignment.active:
            return
        unit = self.units.get(assignment.unit)
        if unit is None:
            return
        state = assignment.state.value
        if state == "dispatched":
            self._update(inc.id, assignment_id, "acknowledged")
            self._after(self.rng.uniform(10, 40), self._advance_assignment, inc.id, assignment_id)
        elif state == "acknowledged":
            self._update(inc.id, assignment_id, "en_route")
            self._movement.respond(unit.index, inc.location.lat, inc.location.lon,
                                   lambda: self._arrived(inc.id, assignment_id))
        elif state == "en_route":
            self._movement.respond(unit.index, inc.location.lat, inc.location.lon,
                                   lambda: self._arrived(inc.id, assignment_id))
        elif state == "on_scene":
            self._after(self.rng.uniform(300, 1500), self._clear, inc.id, assignment_id)

    def _arrived(self, incident_id: str, assignment_id: str) -> None:
        self._update(incident_id, assignment_id, "on_scene")
        self._after(self.rng.uniform(300, 1500), self._clear, incident_id, assignment_id)

    def _clear(self, incident_id: str, assignment_id: str) -> None:
        self._update(incident_id, assignment_id, "cleared")

    def _update(self, incident_id: str, assignment_id: str, status: str) -> None:
        self._send(FIELD_GATEWAY, "assignment.update",
                   {"id": incident_id, "assignment": assignment_id, "status": status})

    async def _field(self) -> None:
        """Move every unit on duty, report positions, pass checkpoints."""
        gateway = self._client(FIELD_GATEWAY)
        every = self.config.report_every_s
        next_report = np.array([self.rng.uniform(0, every) for _ in self.units])
        ids = [u.spec.id for u in self.units.values()]
        units = list(self.units.values())
        last = self._loop.time() if self._loop else 0.0
        world = 0.0
        while True:
            await asyncio.sleep(0.25)
            now = asyncio.get_running_loop().time()
            step = (now - last) * self.clock.speed
            last = now
            world += step
            on_duty = np.fromiter((u.status is not UnitStatus.OFF_DUTY for u in units), bool,
                                  len(units))
            for index in self._movement.advance(step, on_duty):
                self._at_checkpoint(units[index])
            due = np.flatnonzero(on_duty & (next_report <= world))
            if len(due):
                next_report[due] = world + every * np.array(
                    [self.rng.uniform(0.8, 1.2) for _ in range(len(due))])
                rows = self._movement.rows(due, ids)
                for start in range(0, len(rows), 4000):
                    if gateway.send_positions(rows[start:start + 4000]):
                        self.counts["positions"] += len(rows[start:start + 4000])

    def _at_checkpoint(self, unit: _Unit) -> None:
        checkpoint = self._movement.checkpoint_of(unit.index)
        if checkpoint is not None and unit.status is UnitStatus.AVAILABLE and not unit.pending:
            self._send(FIELD_GATEWAY, "unit.checkpoint", {"id": unit.spec.id,
                                                          "checkpoint": checkpoint})

    async def _shifts(self) -> None:
        """Clock units in and out as their shifts say, a shift change spread over minutes.

        Each second looks at a fifth of the units, in turn, and changes at most
        ``shift_changes_per_s`` of them: the hub's writer keeps room for everything else.
        """
        units = list(self.units.values())
        share = max(1, len(units) // 5)
        start = 0
        while True:
            now = self.clock.now().astimezone(LOCAL)
            budget = self.config.shift_changes_per_s
            for unit in itertools.islice(itertools.cycle(units), start, start + share):
                if budget < 1:
                    break
                if unit.pending or unit.incident is not None or unit.assignment is not None:
                    continue
                wanted = unit.spec.shift.on_duty(now - timedelta(minutes=unit.offset_min))
                off = unit.status is UnitStatus.OFF_DUTY
                if wanted == off:
                    if not wanted and unit.status not in (UnitStatus.AVAILABLE, UnitStatus.BUSY,
                                                          UnitStatus.OUT_OF_SERVICE):
                        continue
                    budget -= 1
                    unit.pending = True
                    self._send(FIELD_GATEWAY, "unit.clock_in" if wanted else "unit.clock_out",
                               {"id": unit.spec.id},
                               on_done=functools.partial(_answered_shift, unit))
            start = (start + share) % len(units)
            await asyncio.sleep(1.0)

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

        self._send(sender, "incident.create", call.args, on_ok=created)

    # -- plumbing ------------------------------------------------------------------------------

    def _send(self, who: str, name: str, args: dict[str, Any], *,
              on_ok: Callable[[CommandResult], None] | None = None,
              on_refused: Callable[[CommandResult], None] | None = None,
              on_done: Callable[[CommandResult], None] | None = None) -> None:
        """Send a command as ``who``; one that finds the connection down waits for it."""
        client = self._client(who)
        callbacks = {"on_ok": on_ok, "on_refused": on_refused, "on_done": on_done}
        if client.state != LIVE:
            self._waiting[who].append((name, args, callbacks))
            return
        future = client.submit(name, args)
        loop = self._loop
        assert loop is not None

        def answered(done: Future[CommandResult]) -> None:
            result = done.result()
            if not loop.is_closed():
                loop.call_soon_threadsafe(self._answered, who, name, args, result, callbacks)

        future.add_done_callback(answered)

    def _answered(self, who: str, name: str, args: dict[str, Any], result: CommandResult,
                  callbacks: dict[str, Callable[[CommandResult], None] | None]) -> None:
        if result.code == "offline" and not self._stopping.is_set():
            self._waiting[who].append((name, args, callbacks))  # sent again once back
            return
        self.counts[("ok." if result.ok else "refused.") + name] += 1
        on_ok, on_refused, on_done = (callbacks["on_ok"], callbacks["on_refused"],
                                      callbacks["on_done"])
        if not result.ok and result.code not in ("conflict", "offline", "stopped", "timeout"):
            log.debug("%s refused: %s", name, result.message)
        callback = on_ok if result.ok else on_refused
        if callback is not None:
            callback(result)
        if on_done is not None:
            on_done(result)

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
            on_duty = sum(u.status is not UnitStatus.OFF_DUTY for u in self.units.values())
            log.info("world %s: %d units on duty, %d incidents filed, %d open",
                     self.clock.now().astimezone(LOCAL).strftime("%H:%M"), on_duty,
                     sum(v for k, v in self.counts.items() if k.startswith("filed.")),
                     sum(not i.finished for i in self.incidents.values()))


def _ignore(_change: ChangeSet) -> None:
    pass


def _release(unit: _Unit, _result: CommandResult) -> None:
    unit.incident = None  # the dispatch was refused: the unit is free again


def _answered_shift(unit: _Unit, _result: CommandResult) -> None:
    unit.pending = False


def endpoints(hub: str) -> tuple[str, str]:
    """The ``/ws`` and ``/field`` addresses of a hub given by any of its addresses."""
    parts = urlsplit(hub)
    return (urlunsplit((parts.scheme, parts.netloc, "/ws", "", "")),
            urlunsplit((parts.scheme, parts.netloc, "/field", "", "")))


class _Movement:
    """Where every unit is and where it is going, as arrays (one pass moves them all)."""

    def __init__(self, district: District, rng: random.Random) -> None:
        self.rng = rng
        forces = district.forces
        n = len(forces)
        self.lat = np.array([u.home[0] for u in forces])
        self.lon = np.array([u.home[1] for u in forces])
        self.heading = np.zeros(n)
        self.target_lat = self.lat.copy()
        self.target_lon = self.lon.copy()
        self.patrol_speed = np.array([_PATROL_SPEED[u.mode] for u in forces])
        self.response_speed = np.array([_RESPONSE_SPEED[u.mode] for u in forces])
        self.speed = np.zeros(n)
        self.pause = np.array([rng.uniform(0, 600) for _ in range(n)])
        self.responding = np.zeros(n, dtype=bool)
        self._arrival: dict[int, Callable[[], None]] = {}
        self._checkpoint_target: dict[int, str] = {}
        self._reached_checkpoint: dict[int, str] = {}
        self._areas = _Areas(district, rng)
        self._area_of = [self._areas.key(u) for u in forces]

    def place(self, index: int, lat: float, lon: float) -> None:
        """Where the hub last saw the unit (on a (re)connect)."""
        if not self.responding[index]:
            self.lat[index], self.lon[index] = lat, lon
            self.target_lat[index], self.target_lon[index] = lat, lon

    def distance(self, index: np.ndarray, lat: float, lon: float) -> np.ndarray:
        """Straight-line metres from units ``index`` to a point."""
        dy = (self.lat[index] - lat) * _M_PER_DEG
        dx = (self.lon[index] - lon) * _M_PER_DEG * math.cos(math.radians(lat))
        distance: np.ndarray = np.hypot(dx, dy)
        return distance

    def respond(self, index: int, lat: float, lon: float, arrived: Callable[[], None]) -> None:
        self.responding[index] = True
        self.target_lat[index], self.target_lon[index] = lat, lon
        self.pause[index] = 0
        self._arrival[index] = arrived
        self._checkpoint_target.pop(index, None)

    def patrol(self, index: int) -> None:
        self.responding[index] = False
        self._arrival.pop(index, None)
        self.pause[index] = self.rng.uniform(60, 300)

    def checkpoint_of(self, index: int) -> str | None:
        return self._reached_checkpoint.pop(index, None)

    def advance(self, seconds: float, on_duty: np.ndarray) -> list[int]:
        """Move every unit on duty by ``seconds`` of world time; returns the units that just
        reached a patrol checkpoint."""
        moving = on_duty | self.responding
        self.pause[moving] -= seconds
        go = moving & (self.pause <= 0)
        speed = np.where(self.responding, self.response_speed, self.patrol_speed)
        dy = (self.target_lat - self.lat) * _M_PER_DEG
        dx = (self.target_lon - self.lon) * _M_PER_DEG * np.cos(np.radians(self.lat))
        left = np.hypot(dx, dy)
        reach = speed * seconds
        arrive = go & (left <= reach)
        move = go & ~arrive
        ratio = np.divide(reach, left, out=np.zeros_like(left), where=left > 0)
        self.lat[move] += (self.target_lat[move] - self.lat[move]) * ratio[move]
        self.lon[move] += (self.target_lon[move] - self.lon[move]) * ratio[move]
        self.heading[move] = (np.degrees(np.arctan2(dx[move], dy[move])) + 360) % 360
        self.speed[:] = np.where(move, speed, 0.0)
        reached: list[int] = []
        for index in np.flatnonzero(arrive):
            i = int(index)
            self.lat[i], self.lon[i] = self.target_lat[i], self.target_lon[i]
            if self.responding[i]:
                callback = self._arrival.pop(i, None)
                self.pause[i] = 10**9  # stays on scene until cleared
                if callback is not None:
                    callback()
                continue
            checkpoint = self._checkpoint_target.pop(i, None)
            if checkpoint is not None:
                self._reached_checkpoint[i] = checkpoint
                reached.append(i)
            self._next_target(i)
        return reached

    def _next_target(self, i: int) -> None:
        self.pause[i] = self.rng.uniform(30, 400)
        key = self._area_of[i]
        checkpoint = self._areas.checkpoint(key) if self.rng.random() < 0.35 else None
        if checkpoint is not None:
            code, lat, lon = checkpoint
            self._checkpoint_target[i] = code
        else:
            lat, lon = self._areas.point(key)
        self.target_lat[i], self.target_lon[i] = lat, lon

    def rows(self, index: np.ndarray, ids: list[str]) -> list[list[Any]]:
        """Position rows for units ``index``: ``[id, lat, lon, heading, speed]``."""
        return [[ids[i], round(float(self.lat[i]), 6), round(float(self.lon[i]), 6),
                 round(float(self.heading[i]), 1), round(float(self.speed[i]), 2)]
                for i in index.tolist()]


class _Areas:
    """Points to walk to in each grid cell, community and street, and their checkpoints."""

    def __init__(self, district: District, rng: random.Random) -> None:
        self.rng = rng
        geography = district.geography
        self.points: dict[str, list[tuple[float, float]]] = {}
        for cell in geography.grid_codes:
            place = geography.place_of_grid(cell)
            points = _points_in(geography, cell, 8, rng)
            for key in (f"grid:{cell}", f"community:{place.community}",
                        f"street:{place.street}", "district"):
                self.points.setdefault(key, []).extend(points)
        self.checkpoints: dict[str, list[tuple[str, float, float]]] = {}
        for checkpoint in district.checkpoints:
            grid = checkpoint.get("grid")
            if not isinstance(grid, str) or grid not in geography.grid_codes:
                continue
            place = geography.place_of_grid(grid)
            row = (str(checkpoint["id"]), float(checkpoint["lat"]), float(checkpoint["lon"]))
            for key in (f"grid:{grid}", f"community:{place.community}",
                        f"street:{place.street}"):
                self.checkpoints.setdefault(key, []).append(row)

    @staticmethod
    def key(unit: UnitSpec) -> str:
        if unit.grid:
            return f"grid:{unit.grid}"
        if unit.community:
            return f"community:{unit.community}"
        if unit.street:
            return f"street:{unit.street}"
        return "district"

    def point(self, key: str) -> tuple[float, float]:
        return self.rng.choice(self.points.get(key) or self.points["district"])

    def checkpoint(self, key: str) -> tuple[str, float, float] | None:
        found = self.checkpoints.get(key)
        return self.rng.choice(found) if found else None


def _points_in(geography: Any, cell: str, count: int,
               rng: random.Random) -> list[tuple[float, float]]:
    """``count`` random points inside a grid cell (rejection sampling in its box)."""
    polygon = geography.polygon("grid", cell)
    west, south, east, north = polygon.bounds
    found: list[tuple[float, float]] = []
    for _ in range(20):
        xs = np.array([rng.uniform(west, east) for _ in range(count * 3)])
        ys = np.array([rng.uniform(south, north) for _ in range(count * 3)])
        inside = shapely.contains_xy(polygon, xs, ys)
        found.extend((float(y), float(x)) for x, y in zip(xs[inside], ys[inside], strict=True))
        if len(found) >= count:
            return found[:count]
    lat, lon = geography.representative_point("grid", cell)
    return found or [(lat, lon)]


def summary_line(counts: Mapping[str, int]) -> str:
    """What a run did, for its last log line."""
    filed = {k.split(".", 1)[1]: v for k, v in counts.items() if k.startswith("filed.")}
    channels = ", ".join(f"{k} {v}" for k, v in sorted(filed.items()))
    return (f"filed {sum(filed.values())} incidents ({channels}); "
            f"{counts.get('ok.unit.clock_in', 0)} clock-ins, "
            f"{counts.get('ok.unit.checkpoint', 0)} checkpoints, "
            f"{counts.get('ok.incident.dispatch', 0)} dispatches, "
            f"{counts.get('ok.incident.resolve', 0)} resolutions, "
            f"{counts.get('positions', 0)} positions")

