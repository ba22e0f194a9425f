"""The rows a write batch stores beside the log (console/store/writer.py): an incident's
projections and record columns, and what the police link owes and has been sent."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, case, func, insert, or_, update

from console.domain import deadlines
from console.domain.incident import Incident
from console.domain.model import Event, IncidentState
from console.domain.record import RecordMarks
from console.domain.rules import Rules
from console.domain.search import phone_key
from console.store import schema as s


def incident_row(inc: Incident, marks: RecordMarks, rules: Rules) -> dict[str, Any]:
    """The ``incidents`` row of ``inc``: its projections beside its document, and ``marks``
    (what the batch's events showed of it, console/domain/record.py)."""
    due = deadlines.next_deadline(inc, rules)
    return {
        "id": inc.id, "state": inc.state.value, "is_open": not inc.finished,
        "source": inc.source.value, "request_type": inc.request_type.value,
        "category": inc.category, "priority": inc.priority.value,
        "street": inc.location.street, "community": inc.location.community,
        "grid": inc.location.grid, "lat": inc.location.lat, "lon": inc.location.lon,
        "lead_department": inc.lead_department,
        "reporter_phone": phone_key(inc.reporter.phone) or None,
        "police_case_no": inc.police_case_no, "supervised": inc.supervised,
        "created_at": inc.created_at, "updated_at": inc.updated_at or inc.created_at,
        "next_due_at": due.due_at if due else None,
        "next_due_stage": due.stage.value if due else None,
        "version": inc.version, "doc": inc.to_dict(),
        **marks.columns(),
    }


def record_columns(new: Any) -> dict[str, Any]:
    """How a batch's marks (console/domain/record.py) meet the stored ones: the flags stay once
    set; a closing time or a verdict the batch did not give leaves the stored one; a case not
    closed has no closing time."""
    i = s.incidents.c
    return {
        "ever_supervised": or_(i.ever_supervised, new.ever_supervised),
        "ever_overdue": or_(i.ever_overdue, new.ever_overdue),
        "satisfaction": func.coalesce(new.satisfaction, i.satisfaction),
        "closed_at": case((new.state == IncidentState.CLOSED.value,
                           func.coalesce(new.closed_at, i.closed_at)), else_=None),
    }


@dataclass
class PoliceRows:
    """What a batch writes for the police link: new hand-offs by shared id, messages owed (the
    outbox) and messages the police have acknowledged."""

    cases: list[dict[str, Any]] = field(default_factory=list)
    outbox: list[dict[str, Any]] = field(default_factory=list)
    delivered: list[dict[str, Any]] = field(default_factory=list)

    def add(self, event: Event, seq: int) -> None:
        d = event.data
        if event.name == "incident.created" and d.get("police"):
            self.cases.append({"shared_id": d["police"]["shared_id"], "incident_id": d["id"],
                               "direction": "diverted"})
        elif event.name == "incident.escalated":
            self.cases.append({"shared_id": d["shared_id"], "incident_id": d["id"],
                               "direction": "escalated"})
        elif event.name == "police.message_delivered":
            self.delivered.append({"message": d["message"], "at": event.at})

    def owe(self, event: Event, center: str | None, body: dict[str, Any], seq: int) -> None:
        self.outbox.append({"message_id": body["id"], "incident_id": event.data["id"],
                            "center": center, "seq": seq, "created_at": event.at,
                            "body": body})

    def write(self, conn: Connection) -> None:
        if self.cases:
            conn.execute(insert(s.police_cases), self.cases)
        if self.outbox:
            conn.execute(insert(s.police_outbox), self.outbox)
        if self.delivered:
            conn.execute(update(s.police_outbox)
                         .where(s.police_outbox.c.message_id == bindparam("message"))
                         .values(delivered_at=bindparam("at")), self.delivered)
