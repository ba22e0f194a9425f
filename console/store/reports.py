"""The reports, read from the record on the store's reader connections (docs/reports.md).

The figures are defined in console/domain/reports.py over the events of a period; here is only
which events are read. A case counts in a period when it was open at some time in it, i.e. it
was created before the period's end and is open now or was last changed at or after the
period's start (a case that finished later was changed then). Of those cases, every event the
reports read that happened before the period's end is fed to the fold in log order; so nothing
after the end changes a report, and a report of a closed period is the same every time.

Plain entry points, for the hub, the command line and benchmarks::

    department_assessment(store, start, end) -> Assessment
    period_statistics(store, start, end) -> Statistics
    shift_handover(store, start, end) -> Handover
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import orjson
from sqlalchemy import DateTime, Select, String, Text, cast, or_, select, type_coerce

from console.domain.handover import Handover, handover
from console.domain.reports import EVENTS, Period, Ranked, RecordFold, Statistics, ranked
from console.domain.rules import Rules
from console.domain.scoring import Weights
from console.store import schema as s
from console.store.db import Database

#: Rows fetched from the database at a time.
_BATCH = 5_000


class Record(Protocol):
    """What the reports need of a store (console/store/store.py ``Store``)."""

    db: Database
    rules: Rules


@dataclass(frozen=True)
class Assessment:
    """The department assessment of a period: lead departments and streets, ranked."""

    period: Period
    departments: list[Ranked]
    streets: list[Ranked]
    weights: Weights


def department_assessment(store: Record, start: datetime, end: datetime,
                          weights: Weights | None = None) -> Assessment:
    """Every lead department's and street's figures from ``start`` to ``end`` (excluded),
    ranked by score (weights from resources/assessment.toml unless given)."""
    weights = weights or Weights.load()
    fold = read(store, Period(start, end), weights)
    return Assessment(fold.period, ranked(fold.departments, weights),
                      ranked(fold.streets, weights), weights)


def period_statistics(store: Record, start: datetime, end: datetime) -> Statistics:
    """The district's figures from ``start`` to ``end`` (excluded)."""
    return read(store, Period(start, end), Weights.load()).close_statistics()


def shift_handover(store: Record, start: datetime, end: datetime) -> Handover:
    """The handover of the shift from ``start`` to ``end``, as it stood at ``end``."""
    period = Period(start, end)
    result = handover(read(store, period, Weights.load()))
    result.majors = _majors(store.db, end)
    return result


def read(store: Record, period: Period, weights: Weights) -> RecordFold:
    """A fold fed with every case open at some time in ``period``, and finished."""
    fold = RecordFold(store.rules, period, weights.visit_methods)
    sqlite = store.db.dialect == "sqlite"
    query = events_query(period, sqlite)
    feed = fold.feed
    loads = orjson.loads
    with store.db.reader.connect() as conn:
        result = conn.execution_options(yield_per=_BATCH).execute(query)
        if sqlite:  # UTC, written without its zone (console/store/schema.py UtcDateTime)
            parse = datetime.fromisoformat
            for when, name, actor, data in result:
                feed(name, parse(when).replace(tzinfo=UTC), actor, loads(data))
        else:
            for when, name, actor, data in result:
                feed(name, when, actor, loads(data))
    fold.finish()
    return fold


def events_query(period: Period, sqlite: bool) -> Select[Any]:
    """The events of the cases open at some time in ``period``, in log order (the fold keeps
    each case apart; ordering by case too would only make the database sort wider)."""
    i, e = s.incidents.c, s.events.c
    cases = (select(i.id).where(i.created_at < period.end,
                                or_(i.is_open.is_(True), i.updated_at >= period.start))
             .scalar_subquery())
    # Times as the database keeps them and data as its JSON text, parsed by the caller: a
    # fraction of the cost of the generic types for a few hundred thousand rows. (Stripping the
    # free text in SQL first cost PostgreSQL more than parsing it here: docs/reports.md "Speed".)
    at = type_coerce(e.at, String if sqlite else DateTime(timezone=True))
    data = type_coerce(e.data, String) if sqlite else cast(e.data, Text)
    return (select(at, e.name, e.actor, data)
            .where(e.subject.in_(cases), e.name.in_(EVENTS), e.at < period.end)
            .order_by(e.seq))

def _majors(db: Database, end: datetime) -> list[tuple[str, str, str, datetime]]:
    """Major incidents declared before ``end`` and not stood down before it."""
    e = s.events.c
    query = (select(e.at, e.name, e.data)
             .where(e.name.in_(("major.declared", "major.stood_down")), e.at < end)
             .order_by(e.seq))
    active: dict[str, tuple[str, str, str, datetime]] = {}
    with db.reader.connect() as conn:
        for at, name, data in conn.execute(query):
            if name == "major.declared":
                active[data["id"]] = (data["id"], data["level"], data["title"], at)
            else:
                active.pop(data["id"], None)
    return sorted(active.values(), key=lambda m: m[3])

