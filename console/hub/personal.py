"""Reading a reporter unmasked: the ``reporter`` request, checked, answered and put on record.

The feed carries reporters masked or not at all for every role but the intake
(:mod:`console.domain.privacy`); a user whose work needs a reporter asks for it with a reason.
The hub checks the reason, the user's role, a department desk's own cases and the confidential
flag, writes the read (or the refusal) on the audit trail — committed before the answer goes
out — and only then answers with the reporter and the description in full
(docs/security.md "Personal data: who sees what").
"""

from __future__ import annotations

from typing import Any

from console.comms import protocol as p
from console.domain import args as a
from console.domain.errors import Refused
from console.domain.privacy import may_unmask
from console.hub.services import HubServices
from console.store.accounts import User
from console.store.audit import AuditEntry

#: The longest reason accepted: a sentence or two, as the console's dialog asks.
MAX_REASON = 500
#: What an answered request shows in full.
FIELDS = ("reporter.name", "reporter.phone", "description")


async def answer(hub: HubServices, user: User, request: p.ReporterRequest, *,
                 address: str | None, client: str | None) -> dict[str, Any]:
    """The ``reporter`` answer to ``request`` from ``user``; every read and every refusal of a
    user without need is on the audit trail before the answer is returned."""
    try:
        if not request.reason.strip():
            raise Refused("invalid", "Give a reason to see the reporter of {id}.",
                          id=request.incident)
        reason = a.text({"reason": request.reason}, "reason", multiline=True,
                        max_len=MAX_REASON)
    except Refused as refused:
        return p.reporter(request.id, request.incident, error=refused.to_dict())
    incident = await hub.run(hub.store.incident, request.incident)
    if incident is None:
        missing = Refused("not_found", "There is no incident {id}.", id=request.incident)
        return p.reporter(request.id, request.incident, error=missing.to_dict())
    refusal = may_unmask(user.actor, incident)
    entry = AuditEntry(
        "personal.refused" if refusal else "personal.unmasked", actor=user.username,
        subject=incident.id, address=address, client=client,
        detail={"fields": list(FIELDS), "reason": reason,
                **({"refused": refusal.template} if refusal else {})})
    await hub.audit(entry)
    if refusal is not None:
        return p.reporter(request.id, request.incident, error=refusal.to_dict())
    return p.reporter(request.id, incident.id, shown={
        "reporter": {"name": incident.reporter.name, "phone": incident.reporter.phone},
        "description": incident.description})
