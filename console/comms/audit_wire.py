"""The ``audit`` request on ``/ws`` (docs/protocol.md "Audit"): an administrator's console reads
the audit trail a page at a time, or asks the hub to verify its chain.

    {"type":"audit","id":REQ,"filters":{"since"?,"until"?,"user"?,"action"?},"limit":N?,
     "before":SEQ|null}
    → {"type":"audit","id":REQ,"rows":[{"seq","at","actor","action","subject","address",
       "client","detail"},…],"next":SEQ|null}            newest first; ``next`` is the next
                                                          page's ``before``
    {"type":"audit","id":REQ,"verify":true}
    → {"type":"audit","id":REQ,"verified":{"rows","head","broken_at","template","params"}}

Anyone else is answered ``error`` ``forbidden`` with a template. Kept apart from
``protocol.py`` (which dispatches here, and whose checks :func:`decode` uses) so the request
has one home on both sides.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

#: Rows in a page when the request names no ``limit``, and the most it may name.
PAGE = 200
MAX_PAGE = 1000

_FILTERS = ("since", "until", "user", "action")


@dataclass(frozen=True)
class AuditRequest:
    """A page of the audit trail (or, with ``verify``, the chain checked)."""

    id: str
    since: datetime | None = None
    until: datetime | None = None
    user: str | None = None
    action: str | None = None
    limit: int = PAGE
    before: int | None = None
    verify: bool = False

    def filters(self) -> dict[str, str]:
        """The filters given, as the wire has them (for the record of who read what)."""
        values = {"since": self.since, "until": self.until, "user": self.user,
                  "action": self.action}
        return {k: v.isoformat() if isinstance(v, datetime) else v
                for k, v in values.items() if v is not None}


def decode(message: dict[str, Any]) -> AuditRequest:
    """An ``audit`` request; raises ``protocol.ProtocolError`` for a malformed one."""
    from console.comms import protocol as p  # which imports this module for the type

    request_id = p._text(message, "id", 64, where="audit")
    verify = message.get("verify", False)
    if not isinstance(verify, bool):
        p._refuse("'verify' in audit must be true or false.")
    if verify:
        return AuditRequest(request_id, verify=True)
    filters = message.get("filters") or {}
    if not isinstance(filters, dict):
        p._refuse("'filters' in audit must be an object.")
    unknown = sorted(set(filters) - set(_FILTERS))
    if unknown:
        p._refuse(f"Unknown audit filter {p._show(unknown[0])}; the filters are since, until, "
                  "user and action.")
    since = p._instant(filters, "since") if filters.get("since") is not None else None
    until = p._instant(filters, "until") if filters.get("until") is not None else None
    user = p._text(filters, "user", 128, where="audit filters") \
        if filters.get("user") is not None else None
    action = p._text(filters, "action", 64, where="audit filters") \
        if filters.get("action") is not None else None
    limit = message.get("limit", PAGE)
    if not p._is_int(limit) or not 1 <= limit <= MAX_PAGE:
        p._refuse(f"'limit' in audit must be a whole number from 1 to {MAX_PAGE}.")
    before = p._optional_whole(message, "before")
    return AuditRequest(request_id, since, until, user, action, int(limit), before)


def page(request_id: str, rows: Sequence[Mapping[str, Any]], next_before: int | None
         ) -> dict[str, Any]:
    return {"type": "audit", "id": request_id, "rows": list(rows), "next": next_before}


def verified(request_id: str, rows: int, head: str, broken_at: int | None,
             template: str | None, params: Mapping[str, Any]) -> dict[str, Any]:
    return {"type": "audit", "id": request_id, "verified": {
        "rows": rows, "head": head, "broken_at": broken_at, "template": template,
        "params": dict(params)}}
