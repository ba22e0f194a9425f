"""Which incidents the queue shows: :class:`QueueFilter` and the predicate it compiles to.

The predicate runs over every incident when the filter changes and over each changed incident
after, so it checks the cheap fields first and caches the text it searches.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from console.comms.replica import Replica
from console.domain.incident import Incident
from console.domain.model import FINISHED_STATES, IncidentState, Priority, Source
from console.domain.sla import SlaClock


@dataclass(frozen=True)
class QueueFilter:
    """Which incidents the queue shows. Empty sets and false flags do not filter.

    ``departments`` matches the lead department or a co-handler; ``mine`` matches incidents of
    the logged-in user's department (lead or co-handling) or created by them; ``text`` is a
    case-insensitive substring of the id, the description or the address. Iterables of codes are
    accepted and turned into frozensets of the domain enums (unknown codes raise ValueError).
    """

    states: frozenset[IncidentState] = frozenset()
    priorities: frozenset[Priority] = frozenset()
    sources: frozenset[Source] = frozenset()
    categories: frozenset[str] = frozenset()
    streets: frozenset[str] = frozenset()
    departments: frozenset[str] = frozenset()
    overdue_only: bool = False
    supervised_only: bool = False
    mine: bool = False
    text: str = ""

    def __post_init__(self) -> None:
        coerce: dict[str, Callable[[Any], Any]] = {
            "states": IncidentState, "priorities": Priority, "sources": Source,
            "categories": str, "streets": str, "departments": str,
        }
        for name, kind in coerce.items():
            object.__setattr__(self, name, frozenset(kind(v) for v in getattr(self, name)))
        object.__setattr__(self, "text", self.text.strip())

    @classmethod
    def open_cases(cls, **more: Any) -> QueueFilter:
        """Everything not finished (closed, rejected, merged), narrowed further by ``more``."""
        return cls(states=frozenset(IncidentState) - FINISHED_STATES, **more)

    @property
    def accepts_all(self) -> bool:
        return not (self.states or self.priorities or self.sources or self.categories
                    or self.streets or self.departments or self.overdue_only
                    or self.supervised_only or self.mine or self.text)


Predicate = Callable[[Incident, SlaClock | None], bool]


def compile_filter(f: QueueFilter, replica: Replica, now: Callable[[], datetime],
                   haystack: dict[str, str]) -> Predicate | None:
    """The predicate of ``f`` (None when it accepts everything).

    Args:
        f: the filter.
        replica: read late: ``mine`` checks ``replica.user`` on every call.
        now: the time the overdue check is made at (the model's *now*, moved by its ticks).
        haystack: a cache of casefolded id/description/address per incident id, filled on
            first use; the caller drops an incident's entry when the incident changes.
    """
    if f.accepts_all:
        return None
    needle = f.text.casefold()

    def passes(inc: Incident, clock: SlaClock | None) -> bool:
        if f.states and inc.state not in f.states:
            return False
        if f.priorities and inc.priority not in f.priorities:
            return False
        if f.sources and inc.source not in f.sources:
            return False
        if f.categories and inc.category not in f.categories:
            return False
        if f.streets and inc.location.street not in f.streets:
            return False
        if f.departments and inc.lead_department not in f.departments \
                and f.departments.isdisjoint(inc.co_handlers):
            return False
        if f.supervised_only and not inc.supervised:
            return False
        if f.mine:
            user = replica.user
            if user is None:
                return False
            dept = user.department
            if inc.created_by != user.username and (
                    dept is None
                    or (inc.lead_department != dept and dept not in inc.co_handlers)):
                return False
        if f.overdue_only and (clock is None or not clock.overdue(now())):
            return False
        if needle:
            text = haystack.get(inc.id)
            if text is None:
                text = haystack[inc.id] = "\n".join(
                    (inc.id, inc.description, inc.location.address)).casefold()
            if needle not in text:
                return False
        return True

    return passes
