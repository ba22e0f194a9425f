"""The SLA clocks of an incident, computed from its event timestamps and the SLA table.

Nothing here is stored: the incident keeps when each stage started and stopped (event times) and
which extensions were approved; the limits come from ``resources/sla.toml`` and the working
calendar. The arrive clock runs per field assignment, from dispatch to on scene.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from datetime import datetime

from console.domain.incident import Incident
from console.domain.model import AssignmentState
from console.domain.rules import Rules
from console.domain.sla import Limit, SlaClock, Stage, start_clock

# An incident's clocks are recomputed at every write and every look; their inputs (start, limit,
# calendar, extensions) rarely change, and working-day arithmetic walks the calendar day by day.
_start_clock = functools.lru_cache(maxsize=65_536)(start_clock)


def stage_clock(inc: Incident, stage: Stage, rules: Rules) -> SlaClock | None:
    """The clock of the current (or last) run of ``stage``, or None if it never started."""
    run = inc.stage(stage.value)
    if run is None:
        return None
    limit = _limit(inc, stage, rules)
    extensions = tuple(
        Limit(x.value, x.unit)
        for x in inc.extensions
        if x.stage == stage.value and x.status == "approved" and x.run_started_at == run.started_at
    )
    clock = _start_clock(stage, run.started_at, limit, rules.calendar, extensions)
    return replace(clock, stopped_at=run.stopped_at) if run.stopped_at else clock


def _limit(inc: Incident, stage: Stage, rules: Rules) -> Limit:
    """The stage's limit; a case the police diverted runs the police's own sign and feedback
    limits on its accept and reply stages (``[police]`` in resources/sla.toml)."""
    if inc.police is not None and inc.police.diverted:
        if stage is Stage.ACCEPT:
            return rules.sla.police_sign
        if stage is Stage.REPLY:
            return rules.sla.police_feedback
    return rules.sla.limit(inc.sla_class, inc.priority.value, stage)


def clocks(inc: Incident, rules: Rules) -> list[SlaClock]:
    """Every clock of the incident: one per stage that has run, one arrive clock per assignment."""
    result = [c for s in Stage if s is not Stage.ARRIVE if (c := stage_clock(inc, s, rules))]
    limit = rules.sla.limit(inc.sla_class, inc.priority.value, Stage.ARRIVE)
    for a in inc.assignments:
        clock = _start_clock(Stage.ARRIVE, a.dispatched_at, limit, rules.calendar)
        stopped = a.time_of(AssignmentState.ON_SCENE) or next(
            (at for name, at in a.times if name in ("cleared", "cancelled")), None
        )
        result.append(replace(clock, stopped_at=stopped) if stopped else clock)
    return result


def running(inc: Incident, rules: Rules) -> list[SlaClock]:
    return [c for c in clocks(inc, rules) if c.running]


def next_deadline(inc: Incident, rules: Rules) -> SlaClock | None:
    """The running clock that falls due first: what the queue counts down to."""
    return min(running(inc, rules), key=lambda c: c.due_at, default=None)


def is_overdue(inc: Incident, rules: Rules, now: datetime) -> bool:
    return any(c.overdue(now) for c in running(inc, rules))
