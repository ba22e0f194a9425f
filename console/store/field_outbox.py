"""The field units' task outbox (``field_tasks``): what the write path adds and marks delivered,
and what a field session reads to send.

The same pattern as the police outbox (``police_outbox``, console/hub/police.py): a task is
written in the transaction of the event that owes it (console/domain/field.py :func:`owed`), so
a change committed always has its task waiting, and a task never exists for a change rolled
back; it is taken off only by the commit of the event recording the device's ack.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from console.domain import field as field_rules
from console.domain.field import FieldTask, Owed
from console.domain.incident import Incident
from console.domain.model import Event
from console.store import schema as s
from console.store.db import Database

#: The events that record a device's ack, and so take a task off the outbox.
_DELIVERIES = frozenset({"assignment.delivered", "unit.task_delivered"})


@dataclass(frozen=True)
class WaitingTask:
    """A task not yet acknowledged, as a field session sends it."""

    id: str
    unit: str
    seq: int
    body: Mapping[str, Any]


@dataclass
class FieldRows:
    """What one write batch adds to the outbox and marks delivered."""

    tasks: list[dict[str, Any]] = field(default_factory=list)
    delivered: list[dict[str, Any]] = field(default_factory=list)

    def owe(self, event: Event, owed: list[tuple[Owed, Incident | None]], seq: int) -> None:
        for task, incident in owed:
            task_id = field_rules.task_id(seq, task.unit)
            self.tasks.append({
                "id": task_id, "unit_id": task.unit, "kind": task.kind,
                "incident_id": task.incident, "assignment_id": task.assignment, "seq": seq,
                "created_at": event.at,
                "body": field_rules.body(task_id, task, event.at, incident)})

    def add(self, event: Event) -> None:
        if event.name in _DELIVERIES:
            self.delivered.append({"task": event.data["task"], "at": event.at})

    def write(self, conn: Connection) -> None:
        if self.tasks:
            conn.execute(insert(s.field_tasks), self.tasks)
        if self.delivered:
            conn.execute(update(s.field_tasks)
                         .where(s.field_tasks.c.id == bindparam("task"))
                         .values(delivered_at=bindparam("at")), self.delivered)


def load_task(conn: Connection, task_id: str, lock: bool) -> FieldTask | None:
    """A task of the outbox, for the decision on its ack (row-locked on PostgreSQL)."""
    t = s.field_tasks.c
    query = select(t.id, t.unit_id, t.kind, t.incident_id, t.assignment_id,
                   t.delivered_at).where(t.id == task_id)
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None:
        return None
    return FieldTask(row.id, row.unit_id, row.kind, row.incident_id, row.assignment_id,
                     row.delivered_at)


def waiting(db: Database, unit: str | None, *, limit: int,
            skip: Collection[str] = ()) -> list[WaitingTask]:
    """The oldest tasks not yet acknowledged, in ``seq`` order (so in order per unit): of
    ``unit``, or of every unit (a gateway) when None; ``skip`` those sent and not yet acked."""
    t = s.field_tasks.c
    query = select(t.id, t.unit_id, t.seq, t.body).where(t.delivered_at.is_(None))
    if unit is not None:
        query = query.where(t.unit_id == unit)
    if skip:
        query = query.where(t.id.not_in(list(skip)))
    query = query.order_by(t.seq, t.unit_id).limit(limit)
    with db.reader.connect() as conn:
        return [WaitingTask(r.id, r.unit_id, r.seq, r.body) for r in conn.execute(query)]
