"""The ``audit`` request on ``/ws`` (docs/protocol.md "Audit"): an administrator's console reads
the audit trail a page at a time, or asks the hub to verify its chain.

    {"type":"audit","id":REQ,"filters":{"since"?,"until"?,"user"?,"action"?},"limit":N?,
     "before":SEQ|null}
    → {"type":"audit","id":REQ,"rows":[{"seq","at","actor","action","subject","address",
       "client","detail"},…],"next":SEQ|null}            newest first; ``next`` is the next
                                                          page's ``before``
    {"type":"audit","id":REQ,"verify":true}
    → {"type":"audit","id":REQ,"verified":{"rows","head","broken_at","template","params"}}

Anyone else is answered ``error`` ``forbidden`` with a template. The request's type and the
answers' shapes live here; ``protocol.py`` decodes the request with its own checks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

#: Rows in a page when the request names no ``limit``, and the most it may name.
PAGE = 200
MAX_PAGE = 1000

FILTERS = ("since", "until", "user", "action")


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


def page(request_id: str, rows: Sequence[Mapping[str, Any]], next_before: int | None
         ) -> dict[str, Any]:
    return {"type": "audit", "id": request_id, "rows": list(rows), "next": next_before}


def verified(request_id: str, rows: int, head: str, broken_at: int | None,
             template: str | None, params: Mapping[str, Any]) -> dict[str, Any]:
    return {"type": "audit", "id": request_id, "verified": {
        "rows": rows, "head": head, "broken_at": broken_at, "template": template,
        "params": dict(params)}}
