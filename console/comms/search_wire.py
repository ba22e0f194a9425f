"""The ``search`` request on ``/ws`` (DESIGN §5d, docs/protocol.md "Search"): incidents over the
whole record, open or not, a page at a time.

    {"type":"search","id":REQ,"filters":{"phone"?,"text"?,"category"?,"department"?,"street"?,
     "community"?,"grid"?,"state"?,"source"?,"priority"?,"satisfaction"?,"created_from"?,
     "created_to"?,"closed_from"?,"closed_to"?,"supervised"?,"ever_supervised"?,
     "ever_overdue"?,"near"?:{"lat","lon","metres"}},"limit":N?,"cursor":C|null}
    → {"type":"search","id":REQ,"rows":[{"id","created_at","category","state","priority",
       "address","lead_department","reporter":{…masked by role…}},…],"total":N,"next":C|null}

A filter that is not one of these, or not of its kind, is refused ``bad_message`` naming it (with
``ref`` the request's id) and nothing is read.

One case of the record, whole (the detail of a case the console's replica does not hold):

    {"type":"case","id":REQ,"incident":ID}
    → {"type":"case","id":REQ,"incident":ID,"case":{…the incident document, masked by role…}|null}

``null`` when there is no such case or it is outside the user's scope (the two are not told
apart).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from console.comms.wire_checks import ProtocolError, instant, is_int, refuse, show, text_field
from console.domain.search import (
    CHOICE_FILTERS,
    FILTERS,
    FLAG_FILTERS,
    MAX_NEAR_M,
    MAX_PAGE,
    PAGE,
    TEXT_FILTERS,
    TIME_FILTERS,
    Cursor,
    Near,
    SearchFilters,
    phone_key,
)

#: The longest a text filter may be (a phone, a code, a piece of an address).
LONGEST = {"text": 200}
LONGEST_DEFAULT = 64
#: The longest cursor a client may send back.
MAX_CURSOR = 400


@dataclass(frozen=True)
class CaseRequest:
    id: str
    incident: str


def decode_case(message: dict[str, Any]) -> CaseRequest:
    """A ``case`` request; a bad one raises ProtocolError with ``ref`` its id."""
    request_id = text_field(message, "id", 64, where="case")
    try:
        return CaseRequest(request_id, text_field(message, "incident", 64, where="case"))
    except ProtocolError as error:
        raise ProtocolError(error.code, error.message, request_id) from None


def case(request_id: str, incident: str, document: Mapping[str, Any] | None) -> dict[str, Any]:
    """The answer to a ``case`` request: the document as the user may see it, or None."""
    return {"type": "case", "id": request_id, "incident": incident,
            "case": dict(document) if document is not None else None}


@dataclass(frozen=True)
class SearchRequest:
    id: str
    filters: SearchFilters
    limit: int = PAGE
    cursor: Cursor | None = None


def decode(message: dict[str, Any]) -> SearchRequest:
    """A ``search`` request; a bad one raises ProtocolError with ``ref`` its id."""
    request_id = text_field(message, "id", 64, where="search")
    try:
        return _decode(request_id, message)
    except ProtocolError as error:
        raise ProtocolError(error.code, error.message, request_id) from None


def _decode(request_id: str, message: dict[str, Any]) -> SearchRequest:
    filters = message.get("filters", {})
    if filters is None:
        filters = {}
    if not isinstance(filters, dict):
        refuse("'filters' in search must be an object.")
    unknown = sorted(set(filters) - set(FILTERS))
    if unknown:
        refuse(f"Unknown search filter {show(unknown[0])}; the filters are "
               f"{', '.join(FILTERS)}.")
    given = {k: v for k, v in filters.items() if v is not None}
    values: dict[str, Any] = {}
    for key in TEXT_FILTERS:
        if key in given:
            values[key] = text_field(given, key, LONGEST.get(key, LONGEST_DEFAULT),
                                     where="search filters")
    if "phone" in values and not phone_key(values["phone"]):
        refuse("'phone' in search filters must hold the number's digits.")
    for key, allowed in CHOICE_FILTERS.items():
        if key in given:
            values[key] = _choices(key, given[key], allowed)
    for key in TIME_FILTERS:
        if key in given:
            values[key] = _instant(key, given[key])
    for key in FLAG_FILTERS:
        if key in given:
            if not isinstance(given[key], bool):
                refuse(f"'{key}' in search filters must be true or false.")
            values[key] = given[key]
    if "near" in given:
        values["near"] = _near(given["near"])
    for first, last in (("created_from", "created_to"), ("closed_from", "closed_to")):
        start, end = values.get(first), values.get(last)
        if start is not None and end is not None and end <= start:
            refuse(f"'{last}' in search filters must be later than '{first}'.")
    limit = message.get("limit", PAGE)
    if not is_int(limit) or not 1 <= limit <= MAX_PAGE:
        refuse(f"'limit' in search must be a whole number from 1 to {MAX_PAGE}.")
    cursor = message.get("cursor")
    decoded = None
    if cursor is not None and (not isinstance(cursor, str) or len(cursor) > MAX_CURSOR
                               or (decoded := Cursor.decode(cursor)) is None):
        refuse("'cursor' in search must be null or the 'next' of an earlier answer.")
    return SearchRequest(request_id, SearchFilters(**values), int(limit), decoded)


def _choices(key: str, value: Any, allowed: Sequence[str]) -> tuple[str, ...]:
    chosen = [value] if isinstance(value, str) else value
    if not isinstance(chosen, list) or not chosen or len(chosen) > len(allowed) \
            or any(not isinstance(v, str) or v not in allowed for v in chosen):
        refuse(f"'{key}' in search filters must be one of {', '.join(allowed)}, or a list of "
               "them.")
    return tuple(dict.fromkeys(chosen))


def _near(value: Any) -> Near:
    complaint = ("'near' in search filters must be {\"lat\", \"lon\", \"metres\"}: a point "
                 f"and a radius of more than 0 and at most {MAX_NEAR_M:g} metres.")
    if not isinstance(value, dict) or set(value) != {"lat", "lon", "metres"} \
            or any(isinstance(v, bool) or not isinstance(v, int | float) for v in value.values()):
        refuse(complaint)
    lat, lon, metres = float(value["lat"]), float(value["lon"]), float(value["metres"])
    if not (-90 <= lat <= 90 and -180 <= lon <= 180 and 0 < metres <= MAX_NEAR_M):
        refuse(complaint)
    return Near(lat, lon, metres)


def _instant(key: str, value: Any) -> datetime:
    return instant(value, f"'{key}' in search filters")


def page(request_id: str, rows: Sequence[Mapping[str, Any]], total: int,
         next_cursor: Cursor | None) -> dict[str, Any]:
    """The answer: ``rows`` in the §5d shape (the hub masks them), the total, the next cursor."""
    return {"type": "search", "id": request_id, "rows": list(rows), "total": total,
            "next": next_cursor.encode() if next_cursor is not None else None}


def row(document: Mapping[str, Any]) -> dict[str, Any]:
    """An incident document (as the user may see it) as a row of the answer."""
    location = document.get("location") or {}
    return {"id": document["id"], "created_at": document["created_at"],
            "category": document["category"], "state": document["state"],
            "priority": document["priority"], "address": location.get("address", ""),
            "lead_department": document.get("lead_department"),
            "reporter": dict(document.get("reporter") or {})}
