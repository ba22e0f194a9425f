"""What the record keeps of a case beside its document, so that a search over the whole record
can filter on it (docs/protocol.md "Search"): when it was closed, how satisfied the person who
verified it was, whether it was ever supervised, whether any of its clocks ever ran late.

The document holds only the last run of each SLA stage and the supervision flag as it is now, so
these are folded from the events as they happen (the writer keeps one :class:`RecordMarks` per
case and batch, console/store/writer.py) and stored in the incidents table's columns:

- ``closed_at``: when the case last reached ``closed``; none while it is not closed (a reopened
  case loses it, closing it again sets it again).
- ``satisfaction``: the verdict of its latest verification (``incident.verified`` or
  ``incident.verification_failed``): the event's ``satisfaction`` when it names one of
  :data:`SATISFACTION`, else ``satisfied`` true → ``satisfied``, false → ``dissatisfied``.
  A reopen keeps it (it is the latest verdict given).
- ``ever_supervised``: ``incident.supervised`` ever happened (the flag is cleared by a reopen).
- ``ever_overdue``: at some event one of its clocks (stage or arrive) was past its deadline —
  stopped after it, or running beyond it. Once true it stays true. A clock running late with
  no event since is not yet marked: a search for it also takes the cases whose next deadline
  (``next_due_at``) has passed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from console.domain import deadlines
from console.domain.incident import Incident
from console.domain.model import Event, IncidentState
from console.domain.rules import Rules

#: The three-step scale of a verification (满意 / 基本满意 / 不满意).
SATISFACTION = ("satisfied", "basically_satisfied", "dissatisfied")
#: Events that give a verdict.
VERIFICATIONS = ("incident.verified", "incident.verification_failed")
#: Events that may close a case (``incident.police_cancelled`` closes one nobody signed for).
CLOSING = ("incident.closed", "incident.answered", "incident.police_cancelled")


def satisfaction_of(name: str, data: Mapping[str, Any]) -> str | None:
    """The verdict an event gives, or None if it gives none."""
    if name not in VERIFICATIONS:
        return None
    given = data.get("satisfaction")
    if given in SATISFACTION:
        return str(given)
    satisfied = data.get("satisfied", name == "incident.verified")
    return "satisfied" if satisfied else "dissatisfied"


def ran_late(inc: Incident, rules: Rules, at: datetime) -> bool:
    """Whether one of ``inc``'s clocks is past its deadline at ``at``: a running one beyond
    it, or a stopped one that stopped after it."""
    return any(clock.overdue(at) for clock in deadlines.clocks(inc, rules))


@dataclass(frozen=True)
class RecordMarks:
    """What the events of one batch showed of a case. ``closed_at`` and ``satisfaction`` are
    None when the batch set none (the stored value stands, see the writer)."""

    closed_at: datetime | None = None
    satisfaction: str | None = None
    ever_supervised: bool = False
    ever_overdue: bool = False

    def after(self, inc: Incident, event: Event, rules: Rules) -> RecordMarks:
        """These marks after ``event``, which left the case as ``inc``."""
        marks = self
        if event.name in CLOSING and inc.state is IncidentState.CLOSED:
            marks = replace(marks, closed_at=event.at)
        verdict = satisfaction_of(event.name, event.data)
        if verdict is not None:
            marks = replace(marks, satisfaction=verdict)
        if inc.supervised and not marks.ever_supervised:
            marks = replace(marks, ever_supervised=True)
        if not marks.ever_overdue and ran_late(inc, rules, event.at):
            marks = replace(marks, ever_overdue=True)
        return marks

    def columns(self) -> dict[str, Any]:
        return {"closed_at": self.closed_at, "satisfaction": self.satisfaction,
                "ever_supervised": self.ever_supervised, "ever_overdue": self.ever_overdue}
