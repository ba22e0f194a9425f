"""The duty leader's dashboard figures, computed from incidents, units and the SLA rules.

Everything here is a count over the state the console already holds (the replica): no figure is
stored or sent by the hub. Each figure is defined exactly below, because a test recomputes them
from the event log and expects the same numbers.

**The period.** Figures "in the period" look at the last 24 clock hours: the hour ``now`` falls in
and the 23 whole hours before it, ``[start of now's hour − 23 h, start of now's hour + 1 h)``
(:func:`period_of`). Hours begin on the hour in UTC, which is also on the hour in the district's
time (UTC+8). The period is never longer than 24 hours, so everything in it is in the replica: the
hub's snapshot holds every open incident and every one changed in the last 24 hours.

**Open** means not finished: not closed, rejected or merged (resolved and verified cases still
owe a closure and count as open).

The figures:

- ``per_hour`` — incidents *created* in each hour of the period, by source (24 counts per
  source, oldest hour first).
- ``open_by_category`` / ``open_by_street`` — open incidents by category code and by street code
  (``None``: a location outside every street).
- ``on_time`` — per SLA stage, the clocks that *stopped* in the period: how many stopped on or
  before their deadline (extensions included) and how many stopped at all. The clocks counted
  are those :func:`console.domain.deadlines.clocks` gives: each incident's latest run of each stage
  (accept, assign, sign, resolve, reply) and the arrive clock of each of its field assignments.
  An earlier run of a stage that started again (after a return, a failed verification, a reopen
  or a police rejection) is not counted: the incident keeps only its latest run.
- ``overdue_by_department`` — open incidents with at least one running clock past its deadline
  at ``now``, by lead department (``None``: no lead department — the center still has it).
- ``units`` — units by type and status (every type × every status, zeros included).
- ``police`` — hand-offs with the police both ways (:class:`PoliceHandoffs`).

Time is always an argument; nothing here reads a clock.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from console.domain import deadlines
from console.domain.incident import ESCALATED, Incident
from console.domain.model import Source, UnitStatus, UnitType
from console.domain.rules import Rules
from console.domain.sla import Stage
from console.domain.units import Unit

HOURS = 24
_HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Period:
    """``[start, end)``: 24 whole hours, the last of which holds ``now``."""

    start: datetime
    end: datetime

    def __contains__(self, at: object) -> bool:
        return isinstance(at, datetime) and self.start <= at < self.end

    @property
    def hours(self) -> tuple[datetime, ...]:
        """When each of the 24 hours begins, oldest first."""
        return tuple(self.start + n * _HOUR for n in range(HOURS))

    def hour_of(self, at: datetime) -> int | None:
        """Which hour (0 … 23) ``at`` falls in, or None outside the period."""
        if not self.start <= at < self.end:
            return None
        return int((at - self.start) // _HOUR)


def period_of(now: datetime) -> Period:
    """The period of the figures at ``now`` (see the module docstring).

    Raises:
        ValueError: ``now`` is naive.
    """
    if now.tzinfo is None:
        raise ValueError("now must carry its UTC offset")
    hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return Period(hour - (HOURS - 1) * _HOUR, hour + _HOUR)


@dataclass(frozen=True)
class StageRate:
    """Clocks of one stage that stopped in the period: ``met`` of them on time, of ``stopped``."""

    met: int = 0
    stopped: int = 0

    @property
    def late(self) -> int:
        return self.stopped - self.met

    @property
    def rate(self) -> float | None:
        """The share on time (0.0 … 1.0), or None when no clock stopped."""
        return self.met / self.stopped if self.stopped else None


@dataclass(frozen=True)
class PoliceHandoffs:
    """Cases between the center and the police 110 center.

    - *Diverted in*: incidents the police diverted here (source ``police``, hand-off direction
      ``diverted``). In the period: created (that is, received) in it. Open: not finished — a
      case returned to the police is rejected, so it is finished.
    - *Escalated out*: incidents the center escalated to the police and the police did not send
      back (direction ``escalated``; a police rejection or abort returns the case to the center
      and it no longer counts). In the period: escalated in it. Open: not finished.

    An incident does not keep when it was escalated, so that time is read from its clocks: an
    escalation stops every running clock, and no clock starts again while the police hold the
    case or after their disposition, so the latest time one of its stage clocks stopped is the
    escalation. (Should the case go back to work after the police's disposition — a failed
    verification, a reopen — and a clock stop again, that later time is taken instead.)
    """

    diverted_in_period: int = 0
    diverted_open: int = 0
    escalated_in_period: int = 0
    escalated_open: int = 0


@dataclass(frozen=True, slots=True)
class IncidentFacts:
    """What the figures need of one incident, none of it depending on ``now``.

    Worked out once per version of the incident (:meth:`of`: this is where the SLA calendar is
    walked) and then only counted (:class:`Tally`).
    """

    id: str
    created_at: datetime
    source: Source
    open: bool
    category: str
    street: str | None
    department: str | None
    #: (stage, stopped_at, met) of every clock that has stopped.
    stopped: tuple[tuple[Stage, datetime, bool], ...]
    #: The earliest deadline among the running clocks, or None when none runs.
    first_due: datetime | None
    diverted: bool
    escalated_at: datetime | None

    @classmethod
    def of(cls, inc: Incident, rules: Rules) -> IncidentFacts:
        stopped: list[tuple[Stage, datetime, bool]] = []
        first_due: datetime | None = None
        for clock in deadlines.clocks(inc, rules):
            if clock.stopped_at is not None:
                stopped.append((clock.stage, clock.stopped_at, clock.met))
            elif first_due is None or clock.due_at < first_due:
                first_due = clock.due_at
        link = inc.police
        escalated_at = None
        if link is not None and link.direction == ESCALATED and inc.escalated_from is not None:
            escalated_at = max((run.stopped_at for _, run in inc.stages if run.stopped_at),
                               default=None)
        return cls(
            id=inc.id, created_at=inc.created_at, source=inc.source, open=not inc.finished,
            category=inc.category, street=inc.location.street, department=inc.lead_department,
            stopped=tuple(stopped), first_due=first_due,
            diverted=link is not None and link.diverted, escalated_at=escalated_at)

    def overdue(self, now: datetime) -> bool:
        """Open, with a running clock at or past its deadline (``SlaClock.overdue``)."""
        return self.open and self.first_due is not None and now >= self.first_due


@dataclass(frozen=True)
class Figures:
    """The dashboard at one moment (see the module docstring for what each figure counts)."""

    now: datetime
    period: Period
    per_hour: Mapping[Source, tuple[int, ...]]
    open_by_category: Mapping[str, int]
    open_by_street: Mapping[str | None, int]
    on_time: Mapping[Stage, StageRate]
    overdue_by_department: Mapping[str | None, int]
    units: Mapping[UnitType, Mapping[UnitStatus, int]]
    police: PoliceHandoffs

    def units_available(self, kind: UnitType) -> int:
        return self.units[kind][UnitStatus.AVAILABLE]

    def units_total(self, kind: UnitType) -> int:
        return sum(self.units[kind].values())


def figures(incidents: Iterable[Incident], units: Iterable[Unit], rules: Rules,
            now: datetime) -> Figures:
    """The figures over ``incidents`` and ``units`` at ``now``."""
    tally = Tally()
    for inc in incidents:
        tally.put(IncidentFacts.of(inc, rules))
    tally.set_units(units)
    return tally.figures(now)


class Tally:
    """The figures kept up to date one incident and one unit at a time.

    Every count that does not depend on ``now`` is kept as it is; counts "in the period" are
    kept per whole hour (the period is made of whole hours), and the deadlines of open incidents
    sorted per department. So :meth:`figures` costs a few hundred look-ups whatever the number of
    incidents, and a changed incident costs its own facts only — what a view recomputing every
    second over 5,000 incidents and 20,000 units needs.
    """

    def __init__(self) -> None:
        self._facts: dict[str, IncidentFacts] = {}
        self._created: Counter[tuple[Source, datetime]] = Counter()
        self._stopped: Counter[tuple[Stage, datetime, bool]] = Counter()
        self._diverted: Counter[datetime] = Counter()
        self._escalated: Counter[datetime] = Counter()
        self._category: Counter[str] = Counter()
        self._street: Counter[str | None] = Counter()
        self._due: dict[str | None, list[datetime]] = {}
        self._diverted_open = 0
        self._escalated_open = 0
        self._unit_keys: dict[str, tuple[UnitType, UnitStatus]] = {}
        self._units: Counter[tuple[UnitType, UnitStatus]] = Counter()

    def __len__(self) -> int:
        return len(self._facts)

    def put(self, facts: IncidentFacts) -> None:
        """Count ``facts`` (in place of the incident's earlier facts, if any)."""
        old = self._facts.get(facts.id)
        if old == facts:
            return
        if old is not None:
            self._count(old, -1)
        self._facts[facts.id] = facts
        self._count(facts, 1)

    def discard(self, incident_id: str) -> None:
        old = self._facts.pop(incident_id, None)
        if old is not None:
            self._count(old, -1)

    def set_units(self, units: Iterable[Unit]) -> None:
        """Count exactly ``units`` (forgetting every unit counted before)."""
        self._unit_keys = {u.id: (u.type, u.status) for u in units}
        self._units = Counter(self._unit_keys.values())

    def put_unit(self, unit: Unit) -> None:
        key = (unit.type, unit.status)
        old = self._unit_keys.get(unit.id)
        if old == key:
            return
        if old is not None:
            _add(self._units, old, -1)
        self._units[key] += 1
        self._unit_keys[unit.id] = key

    def _count(self, f: IncidentFacts, n: int) -> None:
        _add(self._created, (f.source, _hour(f.created_at)), n)
        for stage, at, met in f.stopped:
            _add(self._stopped, (stage, _hour(at), met), n)
        if f.diverted:
            _add(self._diverted, _hour(f.created_at), n)
            self._diverted_open += n * f.open
        elif f.escalated_at is not None:
            _add(self._escalated, _hour(f.escalated_at), n)
            self._escalated_open += n * f.open
        if not f.open:
            return
        _add(self._category, f.category, n)
        _add(self._street, f.street, n)
        if f.first_due is not None:
            dues = self._due.setdefault(f.department, [])
            if n > 0:
                bisect.insort(dues, f.first_due)
            else:
                del dues[bisect.bisect_left(dues, f.first_due)]
                if not dues:
                    del self._due[f.department]

    def figures(self, now: datetime) -> Figures:
        """The figures at ``now``."""
        period = period_of(now)
        hours = period.hours
        overdue = {department: count for department, dues in self._due.items()
                   if (count := bisect.bisect_right(dues, now))}
        return Figures(
            now=now,
            period=period,
            per_hour={source: tuple(self._created.get((source, h), 0) for h in hours)
                      for source in Source},
            open_by_category=dict(self._category),
            open_by_street=dict(self._street),
            on_time={stage: StageRate(
                met=sum(self._stopped.get((stage, h, True), 0) for h in hours),
                stopped=sum(self._stopped.get((stage, h, met), 0) for h in hours
                            for met in (True, False)))
                for stage in Stage},
            overdue_by_department=overdue,
            units={kind: {status: self._units.get((kind, status), 0) for status in UnitStatus}
                   for kind in UnitType},
            police=PoliceHandoffs(
                diverted_in_period=sum(self._diverted.get(h, 0) for h in hours),
                diverted_open=self._diverted_open,
                escalated_in_period=sum(self._escalated.get(h, 0) for h in hours),
                escalated_open=self._escalated_open),
        )


def _hour(at: datetime) -> datetime:
    """The whole hour (UTC) ``at`` falls in."""
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _add(counter: Counter[Any], key: Any, n: int) -> None:
    """Add ``n`` to ``counter[key]``, dropping the key at zero (so no figure lists zeros)."""
    value = counter[key] + n
    if value:
        counter[key] = value
    else:
        del counter[key]
