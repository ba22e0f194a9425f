"""The dashboard, end to end: a real hub whose world runs fast works through a day of incidents
from several sources, desks, units and the police; the dashboard's figures must equal the counts
worked out here, independently, from the hub's event log for the same moment.

The replay below uses no code of ``console.domain.figures``: it reads the events, applies the
SLA stage table of docs/architecture.md and the limits of resources/sla.toml itself, and counts.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from console.comms.bridge import Bridge
from console.comms.clock import Clock, hub_clock
from console.domain.figures import Figures
from console.domain.rules import Rules
from console.domain.sla import Stage
from console.views.dashboard import PANELS, DashboardDock
from tests.hub.conftest import PASSWORD, Client, HubThread, add_users, incident_args
from tests.views.conftest import log_in
from tests.views.live import WAIT_MS

SPEED = 60.0  # a world minute per real second
#: Wednesday 2026-11-25, 08:00 in Chengdu: the world's first day, far from any holiday.
ORIGIN = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)
WEST = {"lat": 30.6675, "lon": 104.0925, "address": "建设路 1 号"}  # street.mengzhuiwan
EAST = {"lat": 30.6675, "lon": 104.1075, "address": "双桥路 8 号"}  # street.shuangqiaozi


@pytest.fixture
def fast_hub(tmp_path: Any, rules: Rules) -> Iterator[HubThread]:
    thread = HubThread(f"sqlite:///{tmp_path}/hub.db", rules,
                       clock=Clock(speed=SPEED, origin=ORIGIN))
    add_users(thread.store)
    thread.store.accounts.create_user("admin", PASSWORD, ["admin"], now=datetime.now(UTC))
    thread.start()
    yield thread
    thread.stop()


def advance(hub: HubThread, delta: timedelta) -> None:
    """Move the world on by ``delta`` at once, on the hub and in this console alike."""
    world = hub.config.clock.now() + delta
    hub.config.clock.follow(world, SPEED)
    hub_clock.follow(world, SPEED)


# -- driving the district --------------------------------------------------------------------


class Desk:
    """The people of the center, each on their own connection."""

    def __init__(self, hub: HubThread) -> None:
        # Nobody reads the events these connections are sent, so closing does not wait for the
        # hub's half of the closing handshake (queued behind them).
        self.ctl, self.env, self.liaison, self.admin = (Client(hub.port, close_timeout=0.2)
                                                        for _ in range(4))
        self.ctl.login("ctl")
        self.env.login("desk-env")
        self.liaison.login("liaison")
        self.admin.login("admin")
        self.police = Client(hub.port, "/police", close_timeout=0.2)
        self.police.hello("police110")

    def close(self) -> None:
        for client in (self.ctl, self.env, self.liaison, self.admin, self.police):
            client.close()

    def do(self, client: Client, name: str, **args: Any) -> dict[str, Any]:
        reply = client.command(name, **args)
        assert reply["ok"], (name, args, reply)
        return dict(reply.get("data") or {})

    def create(self, source: str, category: str = "env.noise_construction",
               where: dict[str, Any] = WEST, priority: str = "P3") -> str:
        return str(self.do(self.ctl, "incident.create", **incident_args(
            source=source, category=category, location=where, priority=priority))["id"])

    def register(self, unit_id: str, kind: str, status: str) -> None:
        # (not Client.command: its own first parameter is called ``name``)
        self.admin.send({"type": "command", "id": str(uuid.uuid4()), "name": "unit.register",
                         "args": {"id": unit_id, "name": f"{kind} {unit_id}", "type": kind,
                                  "status": status, "street": "street.mengzhuiwan"}})
        reply = self.admin.until("result")
        assert reply["ok"], reply

    def divert(self) -> str:
        message = f"110-{uuid.uuid4()}"
        self.police.send({"type": "incident", "id": message, "case": {
            "shared_id": str(uuid.uuid4()), "police_case_no": f"110-{message[-6:]}",
            "sent_at": hub_clock.now().isoformat(), "location": WEST,
            "classification": "env.noise_residential", "summary": "楼上住户深夜噪声扰民"}})
        return str(self.police_answer(message)["incident"])

    def police_answer(self, message_id: str) -> dict[str, Any]:
        """The hub's ack of a police message; hand-offs from the hub met meanwhile are kept."""
        while True:
            reply = self.police.recv()
            if reply["type"] in ("ack", "error") and reply.get("id", reply.get("ref")) == \
                    message_id:
                assert reply["type"] == "ack", reply
                return reply
            self.police.other.append(reply)

    def handoff(self, kind: str) -> dict[str, Any]:
        """The next message of ``kind`` the hub sends the police, acknowledged."""
        while True:
            message = self.police.other.pop(0) if self.police.other else self.police.recv()
            if message.get("type") == "ack":
                continue
            self.police.send({"type": "ack", "id": message["id"]})
            if message["type"] == kind:
                return message

    def escalate(self, category: str = "police.violence") -> tuple[str, str]:
        """A case accepted and escalated; returns its id and the hand-off's shared id."""
        iid = self.create("hotline", category, priority="P1")
        self.do(self.ctl, "incident.accept", id=iid)
        self.do(self.ctl, "incident.escalate", id=iid, reason="有人持械")
        return iid, str(self.handoff("incident")["case"]["shared_id"])

    def police_says(self, kind: str, shared_id: str, **fields: Any) -> None:
        message = f"p-{uuid.uuid4()}"
        self.police.send({"type": kind, "id": message, "shared_id": shared_id, **fields})
        self.police_answer(message)


def work_through_a_day(hub: HubThread, desk: Desk) -> None:
    """Incidents from eight sources over 30 hours: some handled in time, some late, some left
    to run out; units in every state; diversions and escalations both ways."""
    # Day 1, 08:00: two cases that will have left the period by the end, still open.
    old_noise = desk.create("hotline")
    old_light = desk.create("grid", "city.streetlight", EAST)
    desk.do(desk.ctl, "incident.accept", id=old_noise)  # in time, but long before the period
    advance(hub, timedelta(hours=26))

    # Day 2, 10:00.
    noise = desk.create("hotline")
    road = desk.create("public", "city.road_damage", EAST)
    light = desk.create("department", "city.streetlight")
    desk.create("walk_in", where=EAST, priority="P2")  # left new: its accept clock runs out
    for iid in (noise, road, light, old_light):  # the old streetlight a day late
        desk.do(desk.ctl, "incident.accept", id=iid)
    desk.do(desk.ctl, "incident.assign", id=noise, department="environment")
    desk.do(desk.env, "incident.sign", id=noise)
    desk.do(desk.env, "incident.resolve", id=noise, result="已责令停工")
    desk.do(desk.ctl, "incident.assign", id=road, department="urban_mgmt")  # never signed
    desk.do(desk.ctl, "incident.assign", id=old_noise, department="environment")  # assigned late
    for unit_id, kind, status in (("U1", "grid_worker", "available"),
                                  ("U2", "grid_worker", "busy"),
                                  ("U3", "patrol", "available"),
                                  ("U4", "urban_management", "off_duty"),
                                  ("U5", "patrol", "out_of_service"),
                                  ("U6", "mediator", "available")):
        desk.register(unit_id, kind, status)
    desk.do(desk.ctl, "incident.dispatch", id=light, unit="U1")
    desk.do(desk.ctl, "assignment.update", id=light, assignment=f"{light}/1", status="on_scene")
    desk.do(desk.ctl, "incident.dispatch", id=road, unit="U3")
    desk.do(desk.ctl, "assignment.update", id=road, assignment=f"{road}/1", status="en_route")
    signed, returned = desk.divert(), desk.divert()
    desk.divert()  # nobody signs for it: its 5 minutes run out
    desk.do(desk.liaison, "incident.accept", id=signed)
    desk.do(desk.liaison, "incident.reject", id=returned, reason="涉及人身伤害，属警务事项")
    _, with_police = desk.escalate()
    _, disposed = desk.escalate("police.theft")
    _, refused = desk.escalate()
    for shared_id in (with_police, disposed):
        desk.police_says("acknowledgement", shared_id, status="accepted",
                         police_case_no=f"110-{shared_id[:6]}")
    desk.police_says("completion", disposed, status="completed",
                     completed_at=hub_clock.now().isoformat(), disposition="已将嫌疑人带回调查")
    desk.police_says("acknowledgement", refused, status="rejected", cause="经核实不属于警务事项")
    advance(hub, timedelta(hours=3))

    # Day 2, 13:00.
    desk.create("sensor", "utility.water_main_burst", EAST, priority="P1")
    desk.create("video", "city.street_vendor")
    desk.create("hotline", "city.garbage_collection", EAST)
    desk.do(desk.ctl, "incident.verify", id=noise, method="callback", satisfied=True)
    desk.do(desk.ctl, "incident.close", id=noise)
    desk.do(desk.ctl, "unit.set_status", id="U2", status="available")
    desk.do(desk.ctl, "assignment.update", id=light, assignment=f"{light}/1", status="cleared")
    advance(hub, timedelta(hours=1, minutes=30))

    # Day 2, 14:30.
    desk.create("grid", "city.illegal_parking")


# -- the same figures, from the log ----------------------------------------------------------

# The SLA stage table of docs/architecture.md: which events start and which stop each stage.
STARTS = {"incident.created": ("accept", "reply"), "incident.accepted": ("assign",),
          "incident.assigned": ("sign", "resolve"), "incident.returned": ("assign",),
          "incident.verification_failed": ("resolve",), "incident.reopened": ("assign", "reply"),
          "incident.police_rejected": ("assign",), "incident.police_aborted": ("assign",)}
EVERY = ("accept", "assign", "sign", "resolve", "reply")
STOPS = {"incident.accepted": ("accept",), "incident.rejected": ("accept", "reply"),
         "incident.answered": ("accept", "reply"), "incident.merged": EVERY,
         "incident.assigned": ("assign",), "incident.signed": ("sign",),
         "incident.returned": ("sign", "resolve"), "incident.resolved": ("sign", "resolve"),
         "incident.verified": ("reply",), "incident.escalated": EVERY, "incident.closed": EVERY}
FINISHING = {"incident.rejected", "incident.answered", "incident.merged", "incident.closed"}
REOPENING = {"incident.reopened"}
UNIT_STATUS = {"dispatched": "dispatched", "acknowledged": "dispatched", "en_route": "en_route",
               "on_scene": "on_scene", "cleared": "available", "cancelled": "available"}


@dataclass
class Case:
    source: str
    category: str
    street: str | None
    sla_class: str
    priority: str
    created_at: datetime
    diverted: bool
    finished: bool = False
    lead: str | None = None
    escalated_at: datetime | None = None
    runs: dict[str, list[Any]] = field(default_factory=dict)  # stage -> [start, stop]
    arrivals: dict[str, list[Any]] = field(default_factory=dict)  # assignment -> [start, stop]


def replay(hub: HubThread, rules: Rules, upto: int, now: datetime) -> dict[str, Any]:
    """The dashboard's figures worked out from the log's events with seq ≤ ``upto``, at ``now``."""
    cases: dict[str, Case] = {}
    units: dict[str, list[str]] = {}  # id -> [type, status]
    seq = 0
    while seq < upto:
        batch = hub.store.events_after(seq, 1000)
        assert batch, f"the log ends before seq {upto}"
        for logged in batch:
            if logged.seq > upto:
                break
            event = logged.event
            name, at, data = event.name, event.at, event.data
            assert "extension" not in name  # no limit is moved in this day
            if name == "unit.registered":
                units[data["unit"]] = [data["type"], data["status"]]
            elif name in ("unit.status_changed", "unit.clocked_in", "unit.clocked_out"):
                units[data["unit"]][1] = data["status"]
            elif name == "assignment.dispatched":
                units[data["unit"]][1] = "dispatched"
            elif name == "assignment.updated":
                units[data["unit"]][1] = UNIT_STATUS[data["status"]]
            if name == "incident.created":
                cases[data["id"]] = Case(
                    data["source"], data["category"], data["location"].get("street"),
                    data["sla_class"], data["priority"], at, diverted=bool(data.get("police")))
            if not name.startswith(("incident.", "assignment.")) or data.get("id") not in cases:
                continue
            case = cases[data["id"]]
            stops, starts = STOPS.get(name, ()), STARTS.get(name, ())
            if name == "incident.resolved" and case.diverted:
                stops = (*stops, "reply")  # resolving a diverted case answers the police
            for stage in stops:
                if stage in case.runs and case.runs[stage][1] is None:
                    case.runs[stage][1] = at
            for stage in starts:
                case.runs[stage] = [at, None]
            case.finished = (case.finished or name in FINISHING) and name not in REOPENING
            if name == "incident.assigned":
                case.lead = data["department"]
            elif name in ("incident.returned", "incident.reopened", "incident.police_rejected",
                          "incident.police_aborted"):
                case.lead = None
            if name == "incident.escalated":
                case.diverted, case.escalated_at = False, at
            elif name in ("incident.police_rejected", "incident.police_aborted"):
                case.escalated_at = None  # sent back: no longer with the police
            if name == "assignment.dispatched":
                case.arrivals[data["assignment"]] = [at, None]
            elif name == "assignment.updated" and data["status"] in ("on_scene", "cleared",
                                                                     "cancelled"):
                arrival = case.arrivals[data["assignment"]]
                arrival[1] = arrival[1] or at
        seq = batch[-1].seq

    hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    start, end = hour - timedelta(hours=23), hour + timedelta(hours=1)

    def due(case: Case, stage: str, started: datetime) -> datetime:
        if case.diverted and stage in ("accept", "reply"):
            limit = rules.sla.police_sign if stage == "accept" else rules.sla.police_feedback
        else:
            limit = rules.sla.limit(case.sla_class, case.priority, Stage(stage))
        return rules.calendar.add(started, limit.value, limit.unit)

    per_hour: dict[str, list[int]] = {}
    on_time: Counter[str] = Counter()
    stopped: Counter[str] = Counter()
    overdue: Counter[str | None] = Counter()
    police = [0, 0, 0, 0]
    for case in cases.values():
        if start <= case.created_at < end:
            per_hour.setdefault(case.source, [0] * 24)[
                int((case.created_at - start).total_seconds() // 3600)] += 1
        clocks = [(stage, begun, stop) for stage, (begun, stop) in case.runs.items()]
        clocks += [("arrive", begun, stop) for begun, stop in case.arrivals.values()]
        late_now = False
        for stage, begun, stop in clocks:
            deadline = due(case, stage, begun)
            if stop is None:
                late_now = late_now or now >= deadline
            elif start <= stop < end:
                stopped[stage] += 1
                on_time[stage] += stop <= deadline
        if late_now and not case.finished:
            overdue[case.lead] += 1
        if case.diverted:
            police[0] += start <= case.created_at < end
            police[1] += not case.finished
        elif case.escalated_at is not None:
            police[2] += start <= case.escalated_at < end
            police[3] += not case.finished
    return {
        "per_hour": per_hour,
        "open_by_category": dict(Counter(c.category for c in cases.values() if not c.finished)),
        "open_by_street": dict(Counter(c.street for c in cases.values() if not c.finished)),
        "on_time": {stage: (on_time[stage], stopped[stage]) for stage in stopped},
        "overdue": dict(overdue),
        "units": dict(Counter((kind, status) for kind, status in units.values())),
        "police": tuple(police),
    }


def shown(fig: Figures) -> dict[str, Any]:
    """The dock's figures in the replay's plain shape (zero counts left out)."""
    return {
        "per_hour": {s.value: list(c) for s, c in fig.per_hour.items() if any(c)},
        "open_by_category": dict(fig.open_by_category),
        "open_by_street": dict(fig.open_by_street),
        "on_time": {s.value: (r.met, r.stopped) for s, r in fig.on_time.items() if r.stopped},
        "overdue": dict(fig.overdue_by_department),
        "units": {(k.value, s.value): n for k, by_status in fig.units.items()
                  for s, n in by_status.items() if n},
        "police": (fig.police.diverted_in_period, fig.police.diverted_open,
                   fig.police.escalated_in_period, fig.police.escalated_open),
    }


def head(hub: HubThread) -> int:
    seq = 0
    while batch := hub.store.events_after(seq, 1000):
        seq = batch[-1].seq
    return seq


def dashboard(qtbot: Any, hub: HubThread, rules: Rules, username: str = "leader"
              ) -> tuple[Bridge, DashboardDock]:
    bridge = Bridge(rules, backoff_base=0.05, backoff_cap=0.5)
    log_in(qtbot, bridge, hub.port, username)
    dock = DashboardDock(bridge, rules)
    qtbot.addWidget(dock)
    dock.resize(1300, 900)
    dock.show()
    return bridge, dock


def caught_up(qtbot: Any, hub: HubThread, dock: DashboardDock) -> Figures:
    last = head(hub)
    qtbot.waitUntil(lambda: dock.figures_seq >= last, timeout=WAIT_MS)
    assert dock.figures is not None
    return dock.figures


def test_the_dashboard_equals_the_counts_from_the_event_log(
        qtbot: Any, fast_hub: HubThread, rules: Rules) -> None:
    bridge, dock = dashboard(qtbot, fast_hub, rules)
    desk = Desk(fast_hub)
    try:
        work_through_a_day(fast_hub, desk)
        fig = caught_up(qtbot, fast_hub, dock)
        expected = replay(fast_hub, rules, dock.figures_seq, fig.now)
        assert shown(fig) == expected

        # The day was a real mix, so that equal figures mean something.
        assert len(expected["per_hour"]) >= 7  # every source but one
        assert sum(sum(counts) for counts in expected["per_hour"].values()) == 14
        assert len({n for counts in expected["per_hour"].values()
                    for n, count in enumerate(counts) if count}) >= 3  # in different hours
        assert set(expected["open_by_street"]) == {"street.mengzhuiwan", "street.shuangqiaozi"}
        assert any(met < total for met, total in expected["on_time"].values())
        assert any(met for met, _ in expected["on_time"].values())
        assert {"accept", "assign", "sign", "arrive", "resolve", "reply"} <= set(
            expected["on_time"])
        assert {None, "urban_mgmt", "environment"} <= set(expected["overdue"])
        assert expected["police"] == (3, 2, 2, 2)
        assert expected["units"][("grid_worker", "available")] == 2

        # A console that logs in now builds the same figures from the hub's snapshot.
        late_bridge, late_dock = dashboard(qtbot, fast_hub, rules, "ctl")
        try:
            late = caught_up(qtbot, fast_hub, late_dock)
            assert shown(late) == replay(fast_hub, rules, late_dock.figures_seq, late.now)
        finally:
            late_bridge.shutdown()

        # Time alone moves the figures: five hours on, with no event, the hours shift and more
        # is overdue; the dashboard counts again by itself.
        advance(fast_hub, timedelta(hours=5))
        moved = hub_clock.now()
        qtbot.waitUntil(lambda: dock.figures is not None and dock.figures.now >= moved,
                        timeout=WAIT_MS)
        later = dock.figures
        assert later is not None
        assert shown(later) == replay(fast_hub, rules, dock.figures_seq, later.now)
        assert shown(later)["per_hour"] != shown(fig)["per_hour"]
        assert sum(later.overdue_by_department.values()) > sum(
            fig.overdue_by_department.values())
    finally:
        desk.close()
        bridge.shutdown()


def test_the_numbers_under_each_chart_are_the_figures(
        qtbot: Any, fast_hub: HubThread, rules: Rules) -> None:
    bridge, dock = dashboard(qtbot, fast_hub, rules)
    desk = Desk(fast_hub)
    try:
        desk.create("hotline")
        desk.create("hotline", where=EAST)
        desk.create("grid", "city.streetlight", EAST)
        desk.register("U1", "patrol", "available")
        desk.register("U2", "patrol", "busy")
        fig = caught_up(qtbot, fast_hub, dock)

        def table(key: str) -> list[list[str]]:
            grid = dock.panels[key].grid
            return [[grid.item(r, c).text() for c in range(grid.columnCount())]
                    for r in range(grid.rowCount())]

        assert set(dock.panels) == set(PANELS)
        assert table("per_hour") == [["Hotline", "2", "2"], ["Grid worker", "1", "1"]]
        assert table("street") == [["Shuangqiaozi", "2"], ["Mengzhuiwan", "1"]]
        assert ["Construction noise", "2"] in table("category")
        assert table("units")[0] == ["Patrol", "1", "0", "1", "0", "0", "2"]
        assert table("police") == [["Diverted in", "0", "0"], ["Escalated out", "0", "0"]]
        assert sum(fig.open_by_category.values()) == 3
        assert "Hotline" in dock.panels["per_hour"].key.text()
        assert dock.compute_ms < 250
    finally:
        desk.close()
        bridge.shutdown()


def test_a_hidden_dashboard_counts_nothing_until_it_is_shown(
        qtbot: Any, fast_hub: HubThread, rules: Rules) -> None:
    """Counting is GUI-thread work: a dashboard behind another tab leaves the changes piled up
    (seconds of work with a district's 100,000 incidents) and catches up when shown."""
    bridge, dock = dashboard(qtbot, fast_hub, rules)
    desk = Desk(fast_hub)
    try:
        desk.create("hotline")
        caught_up(qtbot, fast_hub, dock)
        dock.hide()
        desk.create("hotline", where=EAST)
        desk.create("grid", "city.streetlight", EAST)
        qtbot.waitUntil(lambda: bridge.replica.seq >= head(fast_hub), timeout=WAIT_MS)
        qtbot.wait(1500)  # a recompute a second while shown; none now
        assert dock.figures is not None and sum(dock.figures.open_by_category.values()) == 1
        assert len(dock._dirty) == 2  # the piled-up incidents
        dock.show()
        fig = caught_up(qtbot, fast_hub, dock)
        assert sum(fig.open_by_category.values()) == 3
    finally:
        desk.close()
        bridge.shutdown()
