"""The simulated 110 command center on the police link: what it diverts and how it answers.

:class:`PoliceCenter` diverts non-police cases to the linkage center at a rate per hour of world
time, sometimes sends an update on one, and answers each escalation — acknowledged after a while
(a share rejected, with a cause), completed later. What it diverts is drawn from its own seeded
random stream: the same seed, the same cases. :func:`simulate_police` is ``main.py
simulate-police``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from console.comms import police_wire as w
from console.sim.calls import _PHONE_PREFIXES, _SURNAMES, _TITLES, Place
from console.sim.pace import Pace
from console.sim.police.journal import Journal, Plan
from console.sim.police.peer import PolicePeer

__all__ = ["PoliceCenter", "PoliceConfig", "simulate_police", "summary"]

log = logging.getLogger(__name__)

LOCAL = ZoneInfo("Asia/Shanghai")


@dataclass
class PoliceConfig:
    """How the simulated police center behaves."""

    #: Cases diverted to the center per hour of world time.
    rate_per_hour: float = 10.0
    #: The share of escalations rejected as not a police matter.
    reject_share: float = 0.1
    #: The share of diverted cases the police later send an update on.
    update_share: float = 0.15
    seed: int = 110


# What the 110 operator writes about the cases the police divert, by the police's own
# classification code (警情类别, resources/police_codes.toml maps them to the center's categories),
# with how often each comes up. Most codes are mapped; the 其他 kinds (0399, 0799) are known to the
# center but have no one category, and 0698 is one its table does not know at all: those cases
# wait for the liaison officer to classify them. ``noise`` is what the police's older gateway sends.
_DIVERSIONS: Mapping[str, tuple[int, tuple[str, ...]]] = {
    "0401": (5, ("楼上住户深夜噪声扰民，报警人要求处理", "邻居家中聚会喧哗至深夜",
                 "楼上住户凌晨装修敲打，影响休息")),
    "noise": (1, ("楼上住户深夜噪声扰民，报警人要求处理",)),
    "0402": (3, ("楼下酒吧音乐声过大，持续至凌晨", "商铺音箱外放广告，噪声扰民")),
    "0403": (3, ("工地夜间违规施工，噪声扰民", "凌晨仍有渣土车和机械作业")),
    "0301": (5, ("邻里因停车位发生口角，无人受伤", "邻居占用公共走廊，双方协商不成")),
    "0303": (3, ("楼上渗水至楼下，双方协商未果", "卫生间漏水引发邻里纠纷")),
    "0405": (2, ("邻居犬只整夜吠叫，报警人要求处理", "遛狗不牵绳引发口角")),
    "0404": (2, ("广场舞音响过大，晚十点后仍未停止",)),
    "0302": (1, ("家庭成员因赡养问题发生争执，无肢体冲突",)),
    "0501": (2, ("小区突然停水，报警人称未接到通知",)),
    "0502": (2, ("整栋楼停电，报警人询问抢修情况",)),
    "0503": (1, ("下水道堵塞，污水漫至路面",)),
    "0601": (3, ("车辆堵塞小区出入口，联系不上车主", "货车长时间占用消防通道")),
    "0602": (2, ("夜市摊贩占道经营，油烟扰民",)),
    "0604": (1, ("小区内有流浪犬追咬行人，暂无人受伤",)),
    "0603": (1, ("有车辆夜间向空地倾倒建筑垃圾",)),
    "0399": (1, ("业主与物业因停车费发生争执，无肢体冲突", "租户与房东因押金发生口角")),
    "0799": (1, ("老人独自在家摔倒后无法起身，家属不在本地",)),
    "0698": (1, ("楼道内有人私拉电线给电动车充电", "小区内枯树有倒伏危险")),
}
_REMARKS = (("报警人情绪平稳",), ("报警人情绪激动，请尽快联系",), ("现场无人员受伤",),
            ("报警人要求回电告知处理结果",))
_DIVERTED = "非警务类，分流至联动中心"
_UPDATES = ("报警人再次来电催促", "报警人称问题仍未解决", "报警人补充：对方已离开现场",
            "报警人称已持续两小时")
_REJECTIONS = ("经核实不属于警务事项", "经核实系民事纠纷，不属于警务事项，请联动中心协调处置",
               "经核实现场无警情，请联动中心跟进")
_DISPOSITIONS = ("民警已到场处置，当事人已带回调查", "已出警，现场秩序已恢复",
                 "已受理立案，后续侦查中", "民警到场后双方已调解，当事人离开")
_PRIORITIES = (("P3", 0.80), ("P4", 0.12), ("P2", 0.08))

#: The center's incident id, named in an escalation's remarks ("linkage incident CH-…").
_INCIDENT_ID = re.compile(r"\bCH-\d{8}-\d{6}\b")

#: Names the police center's shared ids (uuid5 of the journal instance and the case's number).
_SHARED_IDS = uuid.UUID("3a1b2f5e-0d6c-4c7a-9f11-110110110110")


class PoliceCenter:
    """The simulated 110 command center on a :class:`PolicePeer`.

    Args:
        peer: the link (its ``on_receive`` is taken over).
        config: rates, shares, seed.
        places: where cases happen (the gazetteer's addresses).
    """

    def __init__(self, peer: PolicePeer, config: PoliceConfig,
                 places: Sequence[Place]) -> None:
        if not places:
            raise ValueError("The police center needs at least one place to put cases at.")
        self.peer = peer
        self.config = config
        self.places = list(places)
        #: The police's own codes, with their weights and texts (the center maps the codes).
        self.categories = [(code, weight, texts) for code, (weight, texts) in _DIVERSIONS.items()]
        #: What the cases are (the same seed, the same cases); when and how answers come.
        self.cases_rng = random.Random(f"police-cases:{config.seed}")
        self.rng = random.Random(f"police:{config.seed}")
        self.pace = Pace(self.rng)
        self._plans_changed = asyncio.Event()
        peer.on_receive = self._received

    @property
    def journal(self) -> Journal:
        return self.peer.journal

    async def run(self, duration: float | None = None) -> None:
        """Run the link, the diversions and the plans until the peer stops (or ``duration``
        real seconds pass).

        Raises:
            AuthFailed: the hub refused the account.
        """
        link = asyncio.create_task(self.peer.run())
        work = [asyncio.create_task(c) for c in (self._diverting(), self._carrying_out())]
        try:
            await asyncio.wait_for(asyncio.shield(link), duration)
        except TimeoutError:
            pass
        finally:
            for task in work:
                task.cancel()
            await asyncio.gather(*work, return_exceptions=True)
            self.peer.stop()
            await asyncio.gather(link, return_exceptions=True)
        link.result()

    # -- diversions --------------------------------------------------------------------------

    def next_case(self, now: datetime) -> w.IncidentMsg:
        """The next case to divert, drawn from the seeded stream (and the journal's counters)."""
        rng = self.cases_rng
        code, texts = self._category(rng)
        place = rng.choice(self.places)
        priority = _weighted(rng, _PRIORITIES)
        summary = rng.choice(texts)
        reporter = w.Reporter(rng.choice(_SURNAMES) + rng.choice(_TITLES),
                              rng.choice(_PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}")
        remarks = (*rng.choice(_REMARKS), _DIVERTED)
        lat = round(place.lat + rng.uniform(-0.0003, 0.0003), 6)
        lon = round(place.lon + rng.uniform(-0.0003, 0.0003), 6)
        number = self.journal.count("cases")
        day = now.astimezone(LOCAL).strftime("%Y%m%d")
        case_no = f"110-{day}-{self.journal.count('diverted:' + day, rng.randint(1, 9)) % 5000:04d}"
        shared_id = str(uuid.uuid5(_SHARED_IDS, f"{self.journal.instance}/{number}"))
        return w.IncidentMsg(self._message_id(), w.Case(
            shared_id, case_no, now.astimezone(LOCAL),
            w.Location(lat, lon, place.address[:w.MAX_ADDRESS]), code, summary, priority,
            reporter, remarks))

    def divert(self, message: w.IncidentMsg | None = None) -> w.IncidentMsg:
        """Divert a case (the next one, unless given): its case, its message and, for some, a
        later update go into the journal together."""
        now = self.peer.now()
        with self.journal.transaction() as journal:
            message = message or self.next_case(now)
            case = message.case
            journal.set_case(case.shared_id, now, direction="diverted", state="sent",
                             police_case_no=case.police_case_no)
            journal.enqueue(message, now)
            if self.rng.random() < self.config.update_share:
                journal.plan(case.shared_id, "update",
                             now + timedelta(seconds=self.rng.uniform(300, 1800)))
        self.peer.wake()
        self._plans_changed.set()
        return message

    async def _diverting(self) -> None:
        if self.config.rate_per_hour <= 0:
            return
        await self.peer.link_up.wait()  # the first welcome gives the world clock
        while True:
            gap = self.rng.expovariate(self.config.rate_per_hour / 3600.0)
            await asyncio.sleep(gap / self.peer.clock.speed)
            self.divert()

    def _category(self, rng: random.Random) -> tuple[str, tuple[str, ...]]:
        total = sum(weight for _, weight, _ in self.categories)
        pick = rng.uniform(0, total)
        for code, weight, texts in self.categories:
            pick -= weight
            if pick <= 0:
                return code, texts
        return self.categories[-1][0], self.categories[-1][2]

    def _message_id(self) -> str:
        return f"110-{self.journal.instance}-{self.journal.count('messages'):06d}"

    # -- what the center sends ---------------------------------------------------------------

    def _received(self, message: w.HandOff, journal: Journal) -> None:
        """A hand-off from the center, the first time it arrives (inside its receipt)."""
        now = self.peer.now()
        if isinstance(message, w.IncidentMsg):  # an escalation
            shared_id = message.case.shared_id
            if journal.case(shared_id) is not None:
                return  # the same case again under a new message id: answered once
            incident = next((found.group(0) for r in message.case.remarks
                             if (found := _INCIDENT_ID.search(r))), None)
            journal.set_case(shared_id, now, direction="escalated", state="received",
                             incident=incident)
            action = "reject" if self.rng.random() < self.config.reject_share else "acknowledge"
            journal.plan(shared_id, action,
                         now + timedelta(seconds=self.pace.police_acknowledge()))
            self._plans_changed.set()
            return
        case = journal.case(message.shared_id)
        if case is None:
            log.warning("the center sent %s about a case we do not know: %s", message.id,
                        message.shared_id)
            return
        if isinstance(message, w.AcknowledgementMsg):
            journal.set_case(message.shared_id, now,
                             state="signed" if message.status == "accepted" else "returned")
        elif isinstance(message, w.CompletionMsg):
            journal.set_case(message.shared_id, now, state=message.status)
        elif isinstance(message, w.CancelMsg):
            journal.set_case(message.shared_id, now, state="cancelled")
        # An update (a note from the controller) is kept in the journal only.

    async def _carrying_out(self) -> None:
        await self.peer.link_up.wait()
        while True:
            self._plans_changed.clear()
            now = self.peer.now()
            for plan in self.journal.plans(due_by=now):
                self._carry_out(plan, now)
            upcoming = self.journal.plans()
            wait = 1.0
            if upcoming:
                ahead = (upcoming[0].due_at - now).total_seconds() / self.peer.clock.speed
                wait = min(max(ahead, 0.01), 1.0)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._plans_changed.wait(), wait)

    def _carry_out(self, plan: Plan, now: datetime) -> None:
        with self.journal.transaction() as journal:
            journal.carried_out(plan)
            case = journal.case(plan.shared_id)
            if case is None or case["state"] in ("cancelled", "completed", "aborted"):
                return
            message: w.HandOff
            shared_id, at = plan.shared_id, now.astimezone(LOCAL)
            if plan.action == "acknowledge":
                day = at.strftime("%Y%m%d")
                # Numbers of their own, so the diverted cases' numbers depend on the seed alone.
                number = 5000 + journal.count("escalated:" + day, self.rng.randint(1, 9)) % 5000
                message = w.AcknowledgementMsg(self._message_id(), shared_id, "accepted",
                                               police_case_no=f"110-{day}-{number:04d}")
                journal.set_case(shared_id, now, state="acknowledged",
                                 police_case_no=message.police_case_no)
                journal.plan(shared_id, "complete",
                             now + timedelta(seconds=self.pace.police_dispose()))
            elif plan.action == "reject":
                message = w.AcknowledgementMsg(self._message_id(), shared_id, "rejected",
                                               cause=self.rng.choice(_REJECTIONS))
                journal.set_case(shared_id, now, state="rejected")
            elif plan.action == "complete":
                message = w.CompletionMsg(self._message_id(), shared_id, "completed", at,
                                          self.rng.choice(_DISPOSITIONS))
                journal.set_case(shared_id, now, state="completed")
            elif plan.action == "update":
                if case["state"] == "returned":
                    return
                message = w.UpdateMsg(self._message_id(), shared_id,
                                      (self.rng.choice(_UPDATES),))
            else:
                log.warning("an unknown plan %r for %s", plan.action, shared_id)
                return
            journal.enqueue(message, now)
        self.peer.wake()


def _weighted(rng: random.Random, choices: Sequence[tuple[str, float]]) -> str:
    pick = rng.random()
    for value, share in choices:
        pick -= share
        if pick < 0:
            return value
    return choices[-1][0]


# --- main.py simulate-police ----------------------------------------------------------------


async def simulate_police(hub: str, username: str, password: str, config: PoliceConfig, *,
                          journal: str | Path = ":memory:", duration: float | None = None,
                          exit_with_parent: bool = False,
                          connect_within: float = 60.0) -> str:
    """Play the 110 center against a hub until SIGTERM/SIGINT, ``duration`` real seconds, or
    (``exit_with_parent``) the end of the process that started this one; returns a summary.

    Raises:
        AuthFailed: the hub refused the account.
        RuntimeError: no link to the hub within ``connect_within`` seconds.
    """
    import os
    import signal

    from console.domain.gazetteer import Gazetteer

    places = [Place(a.zh, a.lat, a.lon) for a in Gazetteer.load()]
    peer = PolicePeer(hub, username, password, journal=journal)
    center = PoliceCenter(peer, config, places)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, peer.stop)
    running = asyncio.create_task(center.run(duration))
    watch = None
    if exit_with_parent:
        parent = os.getppid()

        async def orphaned() -> None:
            while os.getppid() == parent:
                await asyncio.sleep(1)
            log.info("the process that started the police center has ended; stopping")
            peer.stop()

        watch = asyncio.create_task(orphaned())
    try:
        up = asyncio.create_task(peer.link_up.wait())
        await asyncio.wait({running, up}, timeout=connect_within,
                           return_when=asyncio.FIRST_COMPLETED)
        up.cancel()
        if running.done():
            running.result()  # AuthFailed
        elif not peer.link_up.is_set():
            peer.stop()
            await asyncio.gather(running, return_exceptions=True)
            raise RuntimeError(f"could not log in to {peer.url} within {connect_within:g} s "
                               f"({peer.detail or peer.state})")
        await running
        if not peer.sessions:
            raise RuntimeError(f"could not log in to {peer.url} ({peer.detail or peer.state})")
        return summary(peer.journal)
    finally:
        if watch is not None:
            watch.cancel()
        peer.journal.close()


def summary(journal: Journal) -> str:
    """One line of what the police center did."""
    diverted = journal.cases(direction="diverted")
    escalated = journal.cases(direction="escalated")
    states = [c["state"] for c in escalated]
    pending = len(journal.outbox(pending=True))
    return (f"police: {len(diverted)} cases diverted "
            f"({sum(c['incident'] is not None for c in diverted)} taken as incidents), "
            f"{len(escalated)} escalations received ({states.count('completed')} completed, "
            f"{states.count('rejected')} rejected), {pending} messages not yet acknowledged")
