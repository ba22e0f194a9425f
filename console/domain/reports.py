"""What the reports count, defined over the events of a period (docs/reports.md).

Pure: the store hands :class:`RecordFold` each case's events in log order (every event of the
case before the period's end, those before its start only to know the case's state), and the
fold counts what fell in the period. A figure depends only on events before the period's end,
so the report of a closed period never changes.

- :class:`Figures`: one department's (or street's) assessment — received, signed within limit,
  returned, resolved (within limit), extensions, supervised, reopened, visited and the
  reporters' satisfaction;
- :class:`Statistics`: the period's intake by source, request type, category and street, what
  was resolved, each SLA stage's runs decided on time or late, returns and reopenings;
- the state of every case at the period's end (:class:`CaseState`), for the shift handover
  (console/domain/handover.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from console.domain.calendar import HOURS, MINUTES, WorkCalendar, require_aware
from console.domain.incident import STAGE_STARTS, STAGE_STOPS, STATE_AFTER
from console.domain.model import IncidentState
from console.domain.rules import Rules
from console.domain.satisfaction import Satisfaction, of_event
from console.domain.scoring import Weights
from console.domain.sla import Limit, Stage

#: The events the reports read; every other event of a case changes nothing they count.
EVENTS: tuple[str, ...] = tuple(sorted({
    "incident.created", "incident.classified", "incident.supervised",
    "incident.extension_requested", "incident.extension_approved", "incident.verified",
    "incident.verification_failed", "incident.police_cancelled", "incident.police_disposed",
    "incident.noted", *STAGE_STARTS, *STAGE_STOPS, *STATE_AFTER}))
#: The stages whose runs the statistics judge (the arrive clock is per field assignment).
STAGES: tuple[str, ...] = ("accept", "assign", "sign", "resolve", "reply")
_FINISHED = frozenset({IncidentState.CLOSED, IncidentState.REJECTED, IncidentState.MERGED})


@dataclass(frozen=True)
class Period:
    """From ``start`` (included) to ``end`` (excluded)."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        require_aware(self.start, "start")
        require_aware(self.end, "end")
        if self.end <= self.start:
            raise ValueError("a period must end after it starts")

    def __contains__(self, at: datetime) -> bool:
        return self.start <= at < self.end


@dataclass
class Figures:
    """One department's or street's figures in a period (docs/reports.md defines each)."""

    received: int = 0
    signed_on_time: int = 0
    returned: int = 0
    resolved: int = 0
    resolved_on_time: int = 0
    extensions: int = 0
    supervised: int = 0
    reopened: int = 0
    visited: int = 0
    satisfied: int = 0
    basically_satisfied: int = 0
    dissatisfied: int = 0

    @property
    def sign_rate(self) -> float | None:
        """签收及时率: of the cases received, the share signed within the limit."""
        return _rate(self.signed_on_time, self.received)

    @property
    def resolve_rate(self) -> float | None:
        """按时办结率: of the cases resolved, the share resolved within the limit."""
        return _rate(self.resolved_on_time, self.resolved)

    @property
    def return_rate(self) -> float | None:
        """退单率: returns per case received."""
        return _rate(self.returned, self.received)

    @property
    def satisfaction_rate(self) -> float | None:
        """满意率: 满意 + 基本满意 over the reporters visited."""
        return _rate(self.satisfied + self.basically_satisfied, self.visited)

    def score(self, weights: Weights) -> float | None:
        """The composite score, 0–100: the weighted mean of the rates that have a denominator;
        None when none has."""
        return weights.score({"response": self.sign_rate, "resolution": self.resolve_rate,
                              "satisfaction": self.satisfaction_rate})


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Ranked:
    """A row of the assessment: who, their figures, their score and rank (1 is best; rows
    without a score come last, unranked)."""

    code: str
    figures: Figures
    score: float | None
    rank: int | None


def ranked(figures: Mapping[str, Figures], weights: Weights) -> list[Ranked]:
    """Rows by score (best first), then by cases received, then by code."""
    scored = [(code, f, f.score(weights)) for code, f in figures.items()]
    scored.sort(key=lambda r: (r[2] is None, -(r[2] or 0.0), -r[1].received, r[0]))
    rows: list[Ranked] = []
    for code, f, score in scored:
        rank = None
        if score is not None:
            ties = [r for r in rows if r.score is not None and round(r.score, 9) == round(score, 9)]
            rank = ties[0].rank if ties else len(rows) + 1
        rows.append(Ranked(code, f, score, rank))
    return rows


@dataclass
class StageOutcome:
    """Runs of one SLA stage decided in the period: stopped within the limit, or overdue (the
    deadline fell in the period while the run was still going)."""

    on_time: int = 0
    late: int = 0


@dataclass
class Statistics:
    """The period's figures across the district (docs/reports.md "Period statistics")."""

    received: int = 0
    by_source: Counter[str] = field(default_factory=Counter)
    by_request_type: Counter[str] = field(default_factory=Counter)
    by_category: Counter[str] = field(default_factory=Counter)
    by_street: Counter[str] = field(default_factory=Counter)
    resolved: int = 0
    closed: int = 0
    stages: dict[str, StageOutcome] = field(
        default_factory=lambda: {s: StageOutcome() for s in STAGES})
    overdue: int = 0
    returned: int = 0
    reopened: int = 0


@dataclass
class _Run:
    started_at: datetime
    stopped_at: datetime | None = None
    extra: tuple[Limit, ...] = ()
    #: The deadline, once asked for (cleared when an extension moves it).
    due: datetime | None = None
    #: The department that received the case when a sign run started in the period.
    received_by: str | None = None


@dataclass
class CaseState:
    """A case as the reports need it, as of the last event fed."""

    id: str
    state: IncidentState
    source: str
    request_type: str
    category: str
    priority: str
    sla_class: str
    street: str | None
    diverted: bool
    created_at: datetime
    lead: str | None = None
    supervised: bool = False
    runs: dict[str, _Run] = field(default_factory=dict)
    requests: dict[str, tuple[str, datetime, Limit]] = field(default_factory=dict)
    late: bool = False

    @property
    def open(self) -> bool:
        return self.state not in _FINISHED


class RecordFold:
    """Counts a period's figures from each case's events, fed in log order case by case.

    Args:
        rules: the SLA table and the working calendar the clocks run on.
        period: what is counted; events before its start only set the cases' state.
        visit_methods: the verification methods that count as a visit (回访).
    """

    def __init__(self, rules: Rules, period: Period,
                 visit_methods: frozenset[str] = frozenset({"callback"})) -> None:
        self.rules = rules
        self.period = period
        self.visit_methods = visit_methods
        self.departments: dict[str, Figures] = {}
        self.streets: dict[str, Figures] = {}
        self.statistics = Statistics()
        self.cases: dict[str, CaseState] = {}
        #: Notes added to cases in the period: (time, case, author, text).
        self.notes: list[tuple[datetime, str, str, str]] = []
        self._due = _due_function(rules.calendar)
        self._limits: dict[tuple[str, str, str], Limit] = {}

    # -- feeding -------------------------------------------------------------------------------

    def feed(self, name: str, at: datetime, actor: str, data: Mapping[str, Any]) -> None:
        """One event of a case, in log order; events at or after the period's end are ignored."""
        if at >= self.period.end:
            return
        inside = at >= self.period.start
        if name == "incident.created":
            self._created(at, data, inside)
            return
        case = self.cases.get(str(data.get("id")))
        if case is None:  # its creation is not in the record read (merged into it, say)
            return
        if name == "incident.noted":
            if inside:
                self.notes.append((at, case.id, actor, str(data.get("text", ""))))
            return
        self._event(case, name, at, data, inside)

    def finish(self) -> None:
        """Count the runs whose deadline fell in the period while they were still going."""
        for case in self.cases.values():
            for stage, run in case.runs.items():
                self._judge_open_run(case, stage, run)

    # -- one event ---------------------------------------------------------------------------

    def _created(self, at: datetime, d: Mapping[str, Any], inside: bool) -> None:
        location = d.get("location") or {}
        case = CaseState(id=str(d["id"]), state=IncidentState.NEW, source=d["source"],
                         request_type=d["request_type"], category=d["category"],
                         priority=d["priority"], sla_class=d["sla_class"],
                         street=location.get("street"), diverted=bool(d.get("police")),
                         created_at=at)
        self.cases[case.id] = case
        self._stages(case, "incident.created", at, inside)
        if inside:
            s = self.statistics
            s.received += 1
            s.by_source[case.source] += 1
            s.by_request_type[case.request_type] += 1
            s.by_street[case.street or ""] += 1

    def _event(self, case: CaseState, name: str, at: datetime, d: Mapping[str, Any],
               inside: bool) -> None:
        lead = case.lead
        if name == "incident.police_cancelled":
            if case.state is IncidentState.NEW:
                case.state = IncidentState.CLOSED
                self._stages(case, "incident.closed", at, inside)
            return
        if name == "incident.resolved" and case.diverted:
            self._stages(case, "incident.verified", at, inside)
        if name == "incident.verification_failed" and lead is None:
            case.state = IncidentState.ACCEPTED
            self._stages(case, "incident.returned", at, inside)
            self._verification(case, None, at, d, inside)
            return
        if name in STATE_AFTER:
            case.state = STATE_AFTER[name]
        if name == "incident.assigned":
            self._assigned(case, at, d, inside)
            return
        if name in ("incident.resolved", "incident.returned"):
            self._sign_decided(case, at, inside, signed=name == "incident.resolved")
        elif name == "incident.signed":
            self._sign_decided(case, at, inside, signed=True)
        if name == "incident.resolved":
            run = case.runs.get("resolve")
            on_time = run is not None and run.stopped_at is None \
                and at <= self._run_due(case, "resolve", run)
            if inside and lead is not None:
                for f in self._figures(case, lead):
                    f.resolved += 1
                    f.resolved_on_time += on_time
        self._stages(case, name, at, inside)
        if name in ("incident.resolved", "incident.police_disposed") and inside:
            self.statistics.resolved += 1
        elif name == "incident.returned":
            case.lead = None
            if inside:
                self.statistics.returned += 1
                for f in self._figures(case, lead or str(d.get("department") or "")):
                    f.returned += 1
        elif name == "incident.reopened":
            case.lead, case.supervised = None, False
            if inside:
                self.statistics.reopened += 1
                if lead is not None:
                    for f in self._figures(case, lead):
                        f.reopened += 1
        elif name in ("incident.police_rejected", "incident.police_aborted"):
            case.lead = None
        elif name == "incident.closed" and inside:
            self.statistics.closed += 1
        elif name == "incident.classified":
            case.category, case.sla_class = d["category"], d["sla_class"]
            case.request_type = d.get("request_type", case.request_type)
        elif name == "incident.supervised":
            case.supervised = True
            if inside and lead is not None:
                for f in self._figures(case, lead):
                    f.supervised += 1
        elif name == "incident.extension_requested":
            extra = d["extra"]
            run = case.runs.get(d["stage"])
            if run is not None:
                case.requests[d["request"]] = (d["stage"], run.started_at,
                                               Limit(extra["value"], extra["unit"]))
        elif name == "incident.extension_approved":
            self._extension(case, str(d["request"]), inside)
        elif name in ("incident.verified", "incident.verification_failed"):
            self._verification(case, lead, at, d, inside)

    def _assigned(self, case: CaseState, at: datetime, d: Mapping[str, Any],
                  inside: bool) -> None:
        department = str(d["department"])
        case.lead = department
        self._stages(case, "incident.assigned", at, inside)
        if inside:
            case.runs["sign"].received_by = department
            for f in self._figures(case, department):
                f.received += 1

    def _sign_decided(self, case: CaseState, at: datetime, inside: bool, *,
                      signed: bool) -> None:
        """A sign run stops: signed (or resolved straight away) within its limit counts for the
        department that received the case in the period."""
        run = case.runs.get("sign")
        if run is None or run.stopped_at is not None or run.received_by is None or not signed:
            return
        if at <= self._run_due(case, "sign", run):
            for f in self._figures(case, run.received_by):
                f.signed_on_time += 1

    def _extension(self, case: CaseState, request: str, inside: bool) -> None:
        asked = case.requests.pop(request, None)
        if asked is None:
            return
        stage, started, extra = asked
        run = case.runs.get(stage)
        if run is not None and run.started_at == started:
            run.extra, run.due = (*run.extra, extra), None
        if inside and case.lead is not None:
            for f in self._figures(case, case.lead):
                f.extensions += 1

    def _verification(self, case: CaseState, lead: str | None, at: datetime,
                      d: Mapping[str, Any], inside: bool) -> None:
        if not inside or d.get("method") not in self.visit_methods:
            return
        satisfaction = of_event(d)
        if satisfaction is None or lead is None:
            return
        for f in self._figures(case, lead):
            f.visited += 1
            if satisfaction is Satisfaction.SATISFIED:
                f.satisfied += 1
            elif satisfaction is Satisfaction.BASICALLY_SATISFIED:
                f.basically_satisfied += 1
            else:
                f.dissatisfied += 1

    # -- clocks ------------------------------------------------------------------------------

    def _stages(self, case: CaseState, name: str, at: datetime, inside: bool) -> None:
        for stage in STAGE_STOPS.get(name, ()):
            run = case.runs.get(stage)
            if run is not None and run.stopped_at is None:
                run.stopped_at = at
                self._judge_stopped_run(case, stage, run)
        for stage in STAGE_STARTS.get(name, ()):
            old = case.runs.get(stage)
            if old is not None and old.stopped_at is None:
                self._judge_open_run(case, stage, old, until=at)
            case.runs[stage] = _Run(at)

    def _judge_stopped_run(self, case: CaseState, stage: str, run: _Run) -> None:
        assert run.stopped_at is not None
        due = self._run_due(case, stage, run)
        if run.stopped_at <= due:
            if run.stopped_at in self.period:
                self.statistics.stages[stage].on_time += 1
        elif due in self.period:
            self._late(case, stage)

    def _judge_open_run(self, case: CaseState, stage: str, run: _Run,
                        until: datetime | None = None) -> None:
        """A run still going when it is replaced (``until``) or at the period's end."""
        if run.stopped_at is not None:
            return
        due = self._run_due(case, stage, run)
        if due in self.period and (until is None or due < until):
            self._late(case, stage)

    def _late(self, case: CaseState, stage: str) -> None:
        self.statistics.stages[stage].late += 1
        if not case.late:
            case.late = True
            self.statistics.overdue += 1

    def running_due(self, case: CaseState) -> dict[str, datetime]:
        """The deadlines of the case's runs still going, by stage."""
        return {stage: self._run_due(case, stage, run) for stage, run in case.runs.items()
                if run.stopped_at is None}

    def _run_due(self, case: CaseState, stage: str, run: _Run) -> datetime:
        if run.due is None:
            run.due = self._due(run.started_at, self._limit(case, stage), run.extra)
        return run.due

    def _limit(self, case: CaseState, stage: str) -> Limit:
        if case.diverted and stage == "accept":
            return self.rules.sla.police_sign
        if case.diverted and stage == "reply":
            return self.rules.sla.police_feedback
        key = (case.sla_class, case.priority, stage)
        limit = self._limits.get(key)
        if limit is None:
            limit = self._limits[key] = self.rules.sla.limit(*key[:2], Stage(stage))
        return limit

    def _figures(self, case: CaseState, department: str) -> tuple[Figures, ...]:
        by_department = self.departments.setdefault(department, Figures())
        if case.street is None:
            return (by_department,)
        return by_department, self.streets.setdefault(case.street, Figures())

    # -- results -----------------------------------------------------------------------------

    def close_statistics(self) -> Statistics:
        """The statistics, with each case received in the period under its category as of the
        period's end (a police case classified later in the period is counted under its code)."""
        s = self.statistics
        s.by_category = Counter(c.category for c in self.cases.values()
                                if c.created_at in self.period)
        return s


def _due_function(calendar: WorkCalendar
                  ) -> Callable[[datetime, Limit, tuple[Limit, ...]], datetime]:
    elapsed = {MINUTES: 60, HOURS: 3600}

    def due(started: datetime, limit: Limit, extra: tuple[Limit, ...]) -> datetime:
        at = started
        for step in (limit, *extra):
            seconds = elapsed.get(step.unit)
            # Elapsed limits are plain sums (calendar.add's own rule, without its checks).
            at = (at + timedelta(seconds=seconds * step.value) if seconds is not None
                  else calendar.add(at, step.value, step.unit))
        return at
    return due
