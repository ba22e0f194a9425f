"""The shift handover (交接班): what one shift hands to the next, as of the shift's end.

Built from a :class:`console.domain.reports.RecordFold` fed every case open at some time in the
shift: what is still open (by state and lead department), what is overdue, supervised or with
the police, the notes written in the shift, and the shift's intake and closures. Major
incidents active at the end are the store's to add (they are not cases).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from console.domain.model import IncidentState
from console.domain.reports import CaseState, RecordFold


@dataclass(frozen=True)
class OpenCase:
    """A case open at the shift's end, as the handover lists it."""

    id: str
    state: str
    category: str
    priority: str
    street: str | None
    lead_department: str | None
    supervised: bool
    #: The stages overdue at the end, and the earliest deadline still running.
    overdue: tuple[str, ...]
    next_due_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "state": self.state, "category": self.category,
                "priority": self.priority, "street": self.street,
                "lead_department": self.lead_department, "supervised": self.supervised,
                "overdue": list(self.overdue),
                "next_due_at": self.next_due_at.isoformat() if self.next_due_at else None}


@dataclass
class Handover:
    start: datetime
    end: datetime
    open_by_state: Counter[str] = field(default_factory=Counter)
    open_by_department: Counter[str] = field(default_factory=Counter)
    overdue: list[OpenCase] = field(default_factory=list)
    supervised: list[OpenCase] = field(default_factory=list)
    with_police: list[OpenCase] = field(default_factory=list)
    received: int = 0
    resolved: int = 0
    closed: int = 0
    notes: list[tuple[datetime, str, str, str]] = field(default_factory=list)
    #: Major incidents active at the end: (id, level, title, declared at).
    majors: list[tuple[str, str, str, datetime]] = field(default_factory=list)

    @property
    def open(self) -> int:
        return sum(self.open_by_state.values())


def handover(fold: RecordFold) -> Handover:
    """The handover of the shift ``fold.period`` (the fold fed and finished)."""
    end = fold.period.end
    result = Handover(fold.period.start, end, received=fold.statistics.received,
                      resolved=fold.statistics.resolved, closed=fold.statistics.closed,
                      notes=sorted(fold.notes))
    for case in sorted(fold.cases.values(), key=lambda c: c.id):
        if not case.open or case.created_at >= end:
            continue
        row = _row(fold, case, end)
        result.open_by_state[row.state] += 1
        result.open_by_department[case.lead or ""] += 1
        if row.overdue:
            result.overdue.append(row)
        if case.supervised:
            result.supervised.append(row)
        if case.state is IncidentState.WITH_POLICE:
            result.with_police.append(row)
    return result


def _row(fold: RecordFold, case: CaseState, end: datetime) -> OpenCase:
    due = fold.running_due(case)
    overdue = tuple(sorted(stage for stage, at in due.items() if at < end))
    return OpenCase(case.id, case.state.value, case.category, case.priority, case.street,
                    case.lead, case.supervised, overdue, min(due.values(), default=None))
