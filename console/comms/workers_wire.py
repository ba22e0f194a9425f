"""The ``workers`` request on ``/ws`` (docs/grid-workers.md): the grid workers' assessment.

    {"type":"workers","id":REQ,"day":"YYYY-MM-DD","community"?:C,"street"?:S,"unit"?:U}
    → {"type":"workers","id":REQ,"day":D,"rows":[WorkerDay,…]}        best score first
      with "unit": also "track":[[lat,lon,ISO8601],…] (its on-duty fixes of the day) and
      "checkpoints":[{"id","name_zh","name_en","lat","lon","passed"},…] (of its community)
    {"type":"workers","id":REQ,"month":"YYYY-MM","community":C|"street":S}
    → {"type":"workers","id":REQ,"month":M,"rows":[{…one per worker, the month summed…}]}

A ``WorkerDay`` is :meth:`console.domain.assessment.WorkerDay.to_dict`. Only a duty leader and
an administrator may ask (anyone else: ``error`` ``forbidden`` with a template); every answer
is on the audit trail (``workers.read``). The request's type and the answers' shapes live
here; the hub answers in console/hub/worker_requests.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from console.comms.wire_checks import ProtocolError, refuse, text_field

KEYS = ("type", "id", "day", "month", "community", "street", "unit")


@dataclass(frozen=True)
class WorkersRequest:
    """A day (or a month) of the workers of an area, or of one worker."""

    id: str
    day: date | None = None
    month: date | None = None  # its first day
    community: str | None = None
    street: str | None = None
    unit: str | None = None

    def fields(self) -> dict[str, str]:
        """What was asked, as the wire has it (for the record of who read what)."""
        values = {"day": self.day.isoformat() if self.day else None,
                  "month": self.month.strftime("%Y-%m") if self.month else None,
                  "community": self.community, "street": self.street, "unit": self.unit}
        return {k: v for k, v in values.items() if v is not None}


def decode(message: dict[str, Any]) -> WorkersRequest:
    """A ``workers`` request; a bad one raises ProtocolError with ``ref`` its id."""
    request_id = text_field(message, "id", 64, where="workers")
    try:
        return _decode(request_id, message)
    except ProtocolError as error:
        raise ProtocolError(error.code, error.message, request_id) from None


def _decode(request_id: str, message: dict[str, Any]) -> WorkersRequest:
    unknown = sorted(set(message) - set(KEYS))
    if unknown:
        refuse(f"Unknown field '{unknown[0][:32]}' in workers; the fields are "
               f"{', '.join(KEYS[2:])}.")
    given = {k: v for k, v in message.items() if v is not None}
    if ("day" in given) == ("month" in given):
        refuse("A workers request names a 'day' (YYYY-MM-DD) or a 'month' (YYYY-MM).")
    area = {k: text_field(given, k, 64, where="workers") for k in ("community", "street", "unit")
            if k in given}
    if "month" in given and ("unit" in area or not area):
        # The whole district's month is the command line's (main.py admin report-workers).
        refuse("A month is asked of a 'community' or a 'street'.")
    day = month = None
    try:
        if "day" in given:
            day = date.fromisoformat(text_field(given, "day", 10, where="workers"))
        else:
            month = date.fromisoformat(text_field(given, "month", 7, where="workers") + "-01")
    except ValueError:
        refuse("'day' must be YYYY-MM-DD and 'month' YYYY-MM.")
    return WorkersRequest(request_id, day, month, area.get("community"), area.get("street"),
                          area.get("unit"))


def day_answer(request_id: str, day: date, rows: Sequence[Mapping[str, Any]], *,
               track: Sequence[Sequence[Any]] | None = None,
               checkpoints: Sequence[Mapping[str, Any]] | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"type": "workers", "id": request_id, "day": day.isoformat(),
                              "rows": list(rows)}
    if track is not None:
        answer["track"] = [list(point) for point in track]
    if checkpoints is not None:
        answer["checkpoints"] = list(checkpoints)
    return answer


def month_answer(request_id: str, month: date, rows: Sequence[Mapping[str, Any]]
                 ) -> dict[str, Any]:
    return {"type": "workers", "id": request_id, "month": month.strftime("%Y-%m"),
            "rows": list(rows)}
