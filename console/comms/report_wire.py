"""The ``report`` request on ``/ws`` (docs/protocol.md "Reports", docs/reports.md): a report
computed on the hub from the record, for a period.

    {"type":"report","id":REQ,"kind":"handover"|"statistics"|"departments",
     "from":ISO8601,"to":ISO8601}
    → {"type":"report","id":REQ,"kind":…,"from":…,"to":…,"report":{…}}

``to`` is excluded and must be later than ``from``, at most 400 days later. A bad request is
refused ``bad_message`` (with ``ref`` its id) and nothing is read. The shapes of ``report`` are
built here, from the domain's figures, for the hub, the command line and the exports alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from console.comms.wire_checks import ProtocolError, instant, refuse, text_field
from console.domain.handover import Handover, OpenCase
from console.domain.reports import STAGES, Ranked, Statistics

KINDS = ("handover", "statistics", "departments")
#: The longest period a report may span.
LONGEST = timedelta(days=400)
#: The figures of a department's (or street's) row, in the workbook's order: the first ten
#: columns of the departments sheet are ``department`` and these up to ``score``.
ROW_FIGURES = ("received", "signed_on_time", "returned", "resolved", "resolved_on_time",
               "visited", "satisfied", "dissatisfied")
MORE_FIGURES = ("basically_satisfied", "extensions", "supervised", "reopened")
RATES = ("sign_rate", "resolve_rate", "return_rate", "satisfaction_rate")


@dataclass(frozen=True)
class ReportRequest:
    id: str
    kind: str
    start: datetime
    end: datetime


def decode(message: dict[str, Any]) -> ReportRequest:
    """A ``report`` request; a bad one raises ProtocolError with ``ref`` its id."""
    request_id = text_field(message, "id", 64, where="report")
    try:
        kind = message.get("kind")
        if kind not in KINDS:
            refuse(f"'kind' in report must be one of {', '.join(KINDS)}.")
        start = instant(message.get("from"), "'from' in report")
        end = instant(message.get("to"), "'to' in report")
        if end <= start:
            refuse("'to' in report must be later than 'from'.")
        if end - start > LONGEST:
            refuse(f"A report spans at most {LONGEST.days} days.")
    except ProtocolError as error:
        raise ProtocolError(error.code, error.message, request_id) from None
    return ReportRequest(request_id, str(kind), start, end)


def request(request_id: str, kind: str, start: datetime, end: datetime) -> dict[str, Any]:
    """The request as a client sends it."""
    return {"type": "report", "id": request_id, "kind": kind, "from": start.isoformat(),
            "to": end.isoformat()}


def answer(request: ReportRequest, report: Mapping[str, Any]) -> dict[str, Any]:
    return {"type": "report", "id": request.id, "kind": request.kind,
            "from": request.start.isoformat(), "to": request.end.isoformat(),
            "report": dict(report)}


# -- the reports' shapes -----------------------------------------------------------------------

def figures_row(row: Ranked) -> dict[str, Any]:
    """A ranked department's (or street's) row."""
    f = row.figures
    out: dict[str, Any] = {"code": row.code}
    out.update({name: getattr(f, name) for name in (*ROW_FIGURES, *MORE_FIGURES)})
    out.update({name: getattr(f, name) for name in RATES})
    out["score"] = None if row.score is None else round(row.score, 2)
    out["rank"] = row.rank
    return out


def departments(rows: list[Ranked], streets: list[Ranked],
                weights: Mapping[str, float]) -> dict[str, Any]:
    return {"departments": [figures_row(r) for r in rows],
            "streets": [figures_row(r) for r in streets], "weights": dict(weights)}


def statistics(s: Statistics) -> dict[str, Any]:
    return {"received": s.received, "by_source": dict(s.by_source),
            "by_request_type": dict(s.by_request_type), "by_category": dict(s.by_category),
            "by_street": dict(s.by_street), "resolved": s.resolved, "closed": s.closed,
            "stages": {stage: {"on_time": s.stages[stage].on_time, "late": s.stages[stage].late}
                       for stage in STAGES},
            "overdue": s.overdue, "returned": s.returned, "reopened": s.reopened}


def handover(h: Handover) -> dict[str, Any]:
    def cases(rows: list[OpenCase]) -> list[dict[str, Any]]:
        return [r.to_dict() for r in rows]

    return {"open": h.open, "open_by_state": dict(h.open_by_state),
            "open_by_department": dict(h.open_by_department),
            "overdue": cases(h.overdue), "supervised": cases(h.supervised),
            "with_police": cases(h.with_police), "received": h.received,
            "resolved": h.resolved, "closed": h.closed,
            "notes": [{"at": at.isoformat(), "incident": incident, "author": author,
                       "text": text} for at, incident, author, text in h.notes],
            "majors": [{"id": i, "level": level, "title": title, "declared_at": at.isoformat()}
                       for i, level, title, at in h.majors]}

