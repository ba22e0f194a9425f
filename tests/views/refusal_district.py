"""The hub the refusal tests (test_refusals_through_hub.py) drive: a small district with its
staff, units and cases in every state a refusal needs, a world clock the test moves, and the
steps several cases share."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tests.hub.conftest import PASSWORD, Client, HubThread, incident_args

USERS = {
    "taker": (["call_taker"], None, None),
    "admin": (["admin"], None, None),
}


class WorldTime:
    """The hub's world clock, moved by the test instead of by the wall clock."""

    def __init__(self) -> None:
        self.real = 1_000_000.0

    def __call__(self) -> float:
        return self.real

    def advance(self, minutes: float) -> None:
        self.real += minutes * 60


@dataclass
class District:
    """Sessions on one hub and the steps that bring a case or a unit where a refusal waits."""

    hub: HubThread
    time: WorldTime
    clients: dict[str, Client] = field(default_factory=dict)
    numbers: Iterator[int] = field(default_factory=itertools.count)
    warnings: list[str] = field(default_factory=list)

    def as_(self, user: str, path: str = "/ws") -> Client:
        key = f"{user}{path}"
        if key not in self.clients:
            client = Client(self.hub.port, path)
            hello: dict[str, Any] = {"type": "hello", "protocol": 1, "client": "tests",
                                     "auth": {"username": user, "password": PASSWORD},
                                     "resume_from": None}
            if path == "/ws":
                hello["subscribe"] = []  # answers only: nothing piles up unread
            client.send(hello)
            assert client.recv()["type"] == "welcome"
            if path == "/ws":
                assert client.until("synced")
            self.clients[key] = client
        return self.clients[key]

    def do(self, user: str, command: str, /, **args: Any) -> dict[str, Any]:
        return send(self.as_(user), command, args)

    def ok(self, user: str, command: str, /, **args: Any) -> dict[str, Any]:
        reply = self.do(user, command, **args)
        assert reply["ok"], reply
        return dict(reply.get("data") or {})

    # -- cases ---------------------------------------------------------------------------------

    def new(self, **overrides: Any) -> str:
        return str(self.ok("ctl", "incident.create", **incident_args(**overrides))["id"])

    def accepted(self, **overrides: Any) -> str:
        inc = self.new(**overrides)
        self.ok("ctl", "incident.accept", id=inc)
        return inc

    def assigned(self, department: str = "environment") -> str:
        inc = self.accepted()
        self.ok("ctl", "incident.assign", id=inc, department=department)
        return inc

    def in_progress(self) -> str:
        inc = self.assigned()
        self.ok("desk-env", "incident.sign", id=inc)
        return inc

    def resolved(self) -> str:
        inc = self.in_progress()
        self.ok("desk-env", "incident.resolve", id=inc, result="已处理")
        return inc

    def closed(self) -> str:
        inc = self.resolved()
        self.ok("ctl", "incident.verify", id=inc, method="callback", satisfied=True)
        self.ok("ctl", "incident.close", id=inc)
        return inc

    def rejected(self) -> str:
        inc = self.new()
        self.ok("ctl", "incident.reject", id=inc, reason="重复")
        return inc

    def overdue(self) -> str:
        inc = self.new(category="safety.gas_leak", priority="P1")
        self.time.advance(10)  # past its 3-minute accept limit
        return inc

    def with_police(self) -> str:
        inc = self.accepted()
        self.ok("ctl", "incident.escalate", id=inc, reason="涉嫌违法")
        return inc

    def diverted_unmapped(self) -> str:
        center = Client(self.hub.port, "/police")
        try:
            center.hello("police110")
            message = f"110-{uuid.uuid4()}"
            center.send({"type": "incident", "id": message, "case": {
                "shared_id": str(uuid.uuid4()), "police_case_no": "110-20261123-0001",
                "location": {"lat": 30.6675, "lon": 104.1075, "address": "建设路 1 号"},
                "classification": "99-UNMAPPED", "summary": "情况不明",
                "sent_at": "2026-11-23T09:00:00+08:00"}})
            while (reply := center.recv())["type"] != "ack" or reply["id"] != message:
                assert reply["type"] != "error", reply
            return str(reply["incident"])
        finally:
            center.close()

    def confidential(self) -> str:
        inc = self.new()
        self.ok("taker", "incident.set_confidential", id=inc, confidential=True)
        return inc

    def extension_requested(self, inc: str | None = None) -> tuple[str, str]:
        inc = inc or self.new()
        self.ok("ctl", "incident.request_extension", id=inc, stage="accept",
                extra={"value": 10, "unit": "minutes"}, reason="现场核实中")
        return inc, f"{inc}/X{self._extensions(inc)}"

    def _extensions(self, inc: str) -> int:
        self.as_("ctl").send({"type": "timeline", "id": "t", "incident": inc})
        events = self.as_("ctl").until("timeline")["events"]
        return sum(e["name"] == "incident.extension_requested" for e in events)

    # -- units and more ------------------------------------------------------------------------

    def unit(self, status: str = "available") -> str:
        unit = f"U{next(self.numbers)}"
        self.ok("admin", "unit.register", id=unit, name=f"网格员{unit}", type="grid_worker",
                status=status)
        return unit

    def dispatched(self) -> tuple[str, str, str]:
        """(incident, unit, assignment) for a unit sent to a fresh case."""
        inc, unit = self.accepted(), self.unit()
        data = self.ok("ctl", "incident.dispatch", id=inc, unit=unit)
        assignment = data.get("assignment") or f"{inc}/1"
        return inc, unit, str(assignment)

    def major(self) -> str:
        return str(self.ok("leader", "major.declare", level="III", title="燃气管道破裂",
                           commander="王指挥", area={"center": {"lat": 30.665, "lon": 104.1},
                                                    "radius_m": 300})["id"])

    def warning(self) -> str:
        """One of the warnings the fixture raised before the hub started, not used before."""
        return self.warnings.pop()

    def reporter(self, user: str, inc: str, reason: str = "回访核实") -> dict[str, Any]:
        client = self.as_(user)
        request = {"type": "reporter", "id": str(uuid.uuid4()), "incident": inc,
                   "reason": reason}
        client.send(request)
        while True:
            answer = client.until("reporter")
            if answer["id"] == request["id"]:
                return answer


def send(client: Client, command: str, args: dict[str, Any],
         expected_version: int | None = None) -> dict[str, Any]:
    """A command and the hub's answer to it (``Client.command`` without a clash between the
    command's name and an argument called ``name``)."""
    message: dict[str, Any] = {"type": "command", "id": str(uuid.uuid4()), "name": command,
                               "args": args}
    if expected_version is not None:
        message["expected_version"] = expected_version
    client.send(message)
    while (reply := client.until("result"))["id"] != message["id"]:
        client.other.append(reply)
    return reply


Case = Callable[[District], dict[str, Any]]
LONG = "长" * 20_000


def gw(d: District, command: str, /, **args: Any) -> dict[str, Any]:
    """A command of the field platform's gateway, which speaks for every unit."""
    return send(d.as_("gateway", "/field"), command, args)


def field_unit(d: District) -> str:
    """A unit with a field account of its own (``u-<unit>``), as a field app logs in."""
    unit = d.unit()
    d.hub.store.accounts.create_user(f"u-{unit}", PASSWORD, ["field"], now=datetime.now(UTC),
                                     unit=unit)
    return unit


def field_command(d: District, unit: str, name: str, **args: Any) -> dict[str, Any]:
    return send(d.as_(f"u-{unit}", "/field"), name, args)


def other_units_command(d: District, name: str, **args: Any) -> dict[str, Any]:
    mine, other = field_unit(d), d.unit()
    return field_command(d, mine, name, id=other, **args)


def attach(d: District, data: str, content_type: str) -> dict[str, Any]:
    return d.do("ctl", "attachment.add", incident=d.new(), filename="photo.jpg",
                content_type=content_type, data_b64=data)


def approve_twice(d: District) -> dict[str, Any]:
    inc, first = d.extension_requested()
    d.ok("leader", "incident.approve_extension", id=inc, request=first)
    _, _second = d.extension_requested(inc)
    return d.do("leader", "incident.approve_extension", id=inc, request=first)


def finished_stage(d: District) -> dict[str, Any]:
    inc, request = d.extension_requested()
    d.ok("ctl", "incident.accept", id=inc)
    return d.do("leader", "incident.approve_extension", id=inc, request=request)


def cancelled_twice(d: District) -> dict[str, Any]:
    inc, _unit, first = d.dispatched()
    d.ok("ctl", "incident.dispatch", id=inc, unit=d.unit())
    d.ok("ctl", "assignment.update", id=inc, assignment=first, status="cancelled")
    return d.do("ctl", "assignment.update", id=inc, assignment=first, status="en_route")


def on_scene(d: District) -> tuple[str, str]:
    inc, _unit, assignment = d.dispatched()
    d.ok("ctl", "assignment.update", id=inc, assignment=assignment, status="on_scene")
    return inc, assignment


def overdue_supervised_twice(d: District) -> dict[str, Any]:
    inc = d.overdue()
    d.ok("leader", "incident.supervise", id=inc, note="请尽快受理")
    return d.do("leader", "incident.supervise", id=inc, note="再次督办")


def stood_down(d: District) -> dict[str, Any]:
    major = d.major()
    d.ok("leader", "major.stand_down", id=major, summary="已处置完毕")
    return d.do("leader", "major.note", id=major, text="补记")


def linked_twice(d: District) -> dict[str, Any]:
    major, inc = d.major(), d.new()
    d.ok("leader", "major.link", id=major, incident=inc)
    return d.do("leader", "major.link", id=major, incident=inc)


def committed_twice(d: District) -> dict[str, Any]:
    major, unit = d.major(), d.unit()
    d.ok("leader", "major.commit", id=major, unit=unit)
    return d.do("leader", "major.commit", id=major, unit=unit)


def acknowledged_twice(d: District) -> dict[str, Any]:
    warning = d.warning()
    d.ok("leader", "warning.acknowledge", id=warning)
    return d.do("leader", "warning.acknowledge", id=warning)


def declare(d: District, area: Any) -> dict[str, Any]:
    return d.do("leader", "major.declare", level="III", title="演练", commander="王指挥",
                area=area)


def _ring(*points: tuple[float, float]) -> list[list[float]]:
    return [list(p) for p in points]


SQUARE = _ring((104.09, 30.66), (104.1, 30.66), (104.1, 30.67), (104.09, 30.66))
