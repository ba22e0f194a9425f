"""Property tests: no sequence of commands, by anyone, with any arguments, reaches an invalid state,
and every refusal says why in words.

A hypothesis state machine plays a whole center — call takers, controllers, a duty leader, desks,
field units, the police — firing every command at random incidents and units with arguments that
are sometimes right and often wrong, while the clock moves. After every step the invariants of
the incident and unit lifecycles are checked on everything.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from console.domain import deadlines
from console.domain.commands import allowed_actions, decide
from console.domain.errors import Refused
from console.domain.incident import Incident
from console.domain.model import (
    ASSIGNMENT_ORDER,
    ASSIGNMENT_STATUSES,
    AssignmentState,
    IncidentState,
    UnitStatus,
)
from console.domain.permissions import COMMANDS
from console.domain.rules import Context, Rules
from console.domain.units import Unit
from console.domain.world import Aggregates
from tests.domain.conftest import (
    ADMIN,
    CALL_TAKER,
    CONTROLLER,
    LEADER,
    LIAISON,
    POLICE,
    VIEWER,
    desk_of,
    field_unit,
)
from tests.geo import small_geography

RULES = Rules.load(geography=small_geography())
UNITS = ["U1", "U2", "U3"]
DEPARTMENTS = ["environment", "urban_mgmt", "housing"]
ACTORS = [CONTROLLER, LEADER, CALL_TAKER, POLICE, LIAISON, VIEWER, ADMIN,
          *(desk_of(d) for d in DEPARTMENTS), *(field_unit(u) for u in UNITS)]
CATEGORIES = ["env.noise_construction", "consult.policy", "police.violence", "city.streetlight"]
JUNK = st.one_of(st.none(), st.integers(-5, 5), st.text(max_size=5), st.booleans(),
                 st.lists(st.integers(), max_size=2), st.just({"x": 1}))
TEXT = st.sampled_from(["已处理", "reason", "现场已核实"])
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")


def value_for(key: str, machine: CenterMachine) -> st.SearchStrategy[Any]:
    """A plausible value for argument ``key``: mostly well-formed, naming what exists."""
    incidents = sorted(machine.world.incidents) or ["CH-NONE"]
    assignments = [a.id for i in machine.world.incidents.values() for a in i.assignments]
    requests = [x.id for i in machine.world.incidents.values() for x in i.extensions]
    choices: dict[str, st.SearchStrategy[Any]] = {
        "id": st.sampled_from(incidents),
        "into": st.sampled_from(incidents),
        "unit": st.sampled_from([*UNITS, "U404"]),
        "assignment": st.sampled_from(assignments or ["nothing/1"]),
        "request": st.sampled_from(requests or ["nothing/X1"]),
        "department": st.sampled_from([*DEPARTMENTS, *DEPARTMENTS, "nowhere"]),
        "co_handlers": st.lists(st.sampled_from(DEPARTMENTS), max_size=2),
        "status": st.sampled_from([*(s.value for s in AssignmentState),
                                   *(s.value for s in UnitStatus)]),
        "method": st.sampled_from(["site", "callback", "telepathy"]),
        "satisfied": st.sampled_from([True, True, False]),
        "stage": st.sampled_from(["accept", "assign", "sign", "resolve", "reply", "arrive"]),
        "extra": st.fixed_dictionaries({
            "value": st.integers(-1, 40),
            "unit": st.sampled_from(["minutes", "hours", "working_days", "weeks"])}),
    }
    return choices.get(key, TEXT)


ARG_KEYS: dict[str, list[str]] = {
    "incident.reject": ["reason"], "incident.answer": ["answer"],
    "incident.assign": ["department", "co_handlers"], "incident.return": ["reason"],
    "incident.resolve": ["result"], "incident.verify": ["method", "satisfied", "note"],
    "incident.reopen": ["reason"], "incident.merge": ["into"], "incident.escalate": ["reason"],
    "incident.police_reject": ["cause"], "incident.police_dispose": ["disposition"],
    "incident.note": ["text"], "incident.supervise": ["note"],
    "incident.request_extension": ["stage", "extra", "reason"],
    "incident.approve_extension": ["request"], "incident.refuse_extension": ["request", "reason"],
    "incident.dispatch": ["unit"], "assignment.update": ["assignment", "status"],
}


class CenterMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.world = Aggregates()
        self.now = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
        self.numbers = 0
        self.events_per_incident: dict[str, int] = {}
        for unit in UNITS:
            self._run(ADMIN, "unit.register", {"id": unit, "name": unit, "type": "patrol",
                                               "status": "available"})

    def _new_id(self) -> str:
        self.numbers += 1
        return f"CH-20261125-{self.numbers:06d}"

    def _run(self, actor: Any, name: str, args: Any, version: int | None = None) -> None:
        before = (dict(self.world.incidents), dict(self.world.units))
        try:
            events = decide(name, args, Context(RULES, actor, self.now), self.world,
                            expected_version=version, new_incident_id=self._new_id)
        except Refused as refusal:
            assert (self.world.incidents, self.world.units) == before
            self._check_refusal(refusal)
            return
        for event in events:
            for incident_id in self.world.apply(event):
                self.events_per_incident[incident_id] = (
                    self.events_per_incident.get(incident_id, 0) + 1)

    @staticmethod
    def _check_refusal(refusal: Refused) -> None:
        message = refusal.message
        assert refusal.code in ("invalid", "forbidden", "not_found", "conflict", "unavailable")
        assert message.endswith("."), message
        assert len(message) >= 12, message
        assert not PLACEHOLDER.search(message), message
        assert "Traceback" not in message and "object at 0x" not in message, message
        assert re.match(r"^['A-Z0-9]", message), message

    @precondition(lambda self: len(self.world.incidents) < 5)
    @rule(actor=st.sampled_from(ACTORS), category=st.sampled_from(CATEGORIES),
          priority=st.sampled_from(["P1", "P3", "P4", "P7"]),
          source=st.sampled_from(["hotline", "police", "grid", "pigeon"]),
          lat=st.sampled_from([30.6625, 30.6675, 31.5, 95.0]),
          case_no=st.sampled_from([None, "110-1"]))
    def create(self, actor: Any, category: str, priority: str, source: str, lat: float,
               case_no: str | None) -> None:
        self._run(actor, "incident.create", {
            "source": source, "category": category, "priority": priority,
            "description": "描述", "location": {"lat": lat, "lon": 104.1075},
            "reporter": {"phone": "13800000000"}, "police_case_no": case_no})

    @rule(data=st.data(), actor=st.sampled_from(ACTORS),
          name=st.sampled_from(sorted(n for n in COMMANDS if n not in (
              "incident.create", "unit.register", "unit.set_status"))),
          stale=st.integers(0, 9).map(lambda n: n == 0))
    def act(self, data: st.DataObject, actor: Any, name: str, stale: bool) -> None:
        args: dict[str, Any] = {}
        for key in ["id", *ARG_KEYS.get(name, [])]:
            # One field in ten is missing, two in ten are junk or blank; the rest well-formed.
            roll = data.draw(st.integers(0, 9))
            if roll > 0:
                bad = st.one_of(JUNK, st.sampled_from(["", "  "]))
                args[key] = data.draw(bad if roll <= 2 else value_for(key, self))
        version = None
        if stale and isinstance(args.get("id"), str) and args["id"] in self.world.incidents:
            version = self.world.incidents[args["id"]].version - 1
        self._run(actor, name, args, version)

    @precondition(lambda self: bool(self.world.incidents))
    @rule(data=st.data())
    def progress(self, data: st.DataObject) -> None:
        """Someone does what the rules allow them on some incident, with arguments that are
        mostly right: this is what takes incidents deep into their lifecycle."""
        incident_id = data.draw(st.sampled_from(sorted(self.world.incidents)))
        inc = self.world.incidents[incident_id]
        options = [(actor, name) for actor in ACTORS
                   for name, reason in allowed_actions(inc, Context(RULES, actor, self.now))
                   .items() if reason is None]
        if not options:
            return
        name = data.draw(st.sampled_from(sorted({n for _, n in options})))
        actor = data.draw(st.sampled_from([a for a, n in options if n == name]))
        args: dict[str, Any] = {"id": incident_id}
        for key in ARG_KEYS.get(name, []):
            if data.draw(st.integers(0, 19)) > 0:
                args[key] = data.draw(value_for(key, self))
        if name == "assignment.update" and actor.unit is None:
            active = [a for a in inc.assignments if a.active]
            if active:
                args["assignment"] = active[0].id
        self._run(actor, name, args)

    @precondition(lambda self: bool(self.world.incidents))
    @rule(data=st.data())
    def progress_again(self, data: st.DataObject) -> None:
        """Progress twice as often as anything else."""
        self.progress(data)

    @rule(actor=st.sampled_from(ACTORS), unit=st.sampled_from([*UNITS, "U404"]),
          status=st.sampled_from([s.value for s in UnitStatus] + ["asleep"]))
    def set_unit_status(self, actor: Any, unit: str, status: str) -> None:
        self._run(actor, "unit.set_status", {"id": unit, "status": status})

    @rule(minutes=st.integers(0, 3 * 24 * 60))
    def time_passes(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)

    @rule(actor=st.sampled_from(ACTORS), payload=JUNK)
    def garbage(self, actor: Any, payload: Any) -> None:
        self._run(actor, "incident.accept", payload)

    # -- invariants ------------------------------------------------------------------------

    @invariant()
    def incidents_are_consistent(self) -> None:
        for inc in self.world.incidents.values():
            check_incident(inc, self.now)
            assert inc.version == self.events_per_incident[inc.id]
            assert Incident.from_dict(inc.to_dict()) == inc
            # The console's question has an answer for every command, and a refusal is a sentence.
            for reason in allowed_actions(inc, Context(RULES, CONTROLLER, self.now)).values():
                assert reason is None or reason.endswith(".")

    @invariant()
    def units_follow_their_assignments(self) -> None:
        active = {a.unit: (inc, a) for inc in self.world.incidents.values()
                  for a in inc.assignments if a.active}
        # One active assignment per unit at most.
        assert len(active) == sum(1 for i in self.world.incidents.values()
                                  for a in i.assignments if a.active)
        for unit in self.world.units.values():
            assert Unit.from_dict(unit.to_dict()) == unit
            assert (unit.assignment is not None) == (unit.status in ASSIGNMENT_STATUSES)
            if unit.assignment is not None:
                _, assignment = active[unit.id]
                assert assignment.id == unit.assignment
            else:
                assert unit.id not in active


def check_incident(inc: Incident, now: datetime) -> None:
    state = inc.state
    if state in (IncidentState.ASSIGNED, IncidentState.IN_PROGRESS):
        assert inc.lead_department is not None
    assert inc.lead_department not in inc.co_handlers
    assert (state is IncidentState.MERGED) == (inc.merged_into is not None)
    assert (state is IncidentState.WITH_POLICE) <= (inc.escalated_from is not None)
    if state is IncidentState.CLOSED:  # never on the handler's word alone
        assert inc.verified_at is not None or inc.answer is not None
    if inc.finished:
        assert deadlines.running(inc, RULES) == []
        assert not any(a.active for a in inc.assignments)
    for _, run in inc.stages:
        assert run.started_at <= now
        assert run.stopped_at is None or run.started_at <= run.stopped_at
    for a in inc.assignments:
        steps = [AssignmentState(name) for name, _ in a.times]
        order = [ASSIGNMENT_ORDER.index(s) for s in steps if s is not AssignmentState.CANCELLED]
        assert order == sorted(order) and len(set(order)) == len(order)
        assert steps[0] is AssignmentState.DISPATCHED
        assert steps[-1] is a.state
    pending = [x.stage for x in inc.extensions if x.status == "pending"]
    assert len(pending) == len(set(pending))


CenterMachine.TestCase.settings = settings(
    max_examples=80, stateful_step_count=80, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
TestCenter = CenterMachine.TestCase
TestCenter.pytestmark = [pytest.mark.slow]  # a long stateful run
