"""The ``audit`` request on ``/ws`` (console/comms/audit_wire.py): the audit trail read by an
administrator a page at a time, newest first, or its chain verified on a worker thread.

Reading is itself on record: ``audit.read`` with the filters, once per query (its first page),
and ``audit.verify`` with what was found. Anyone else is refused with a template; the refusal is
not recorded (a client could otherwise fill the trail with them).
"""

from __future__ import annotations

import functools
from typing import Any

from console.comms import audit_wire
from console.comms import protocol as p
from console.comms.audit_wire import AuditRequest
from console.domain.model import Role
from console.hub.services import RequestSession
from console.store.audit import AuditEntry, AuditRow

REFUSED = "Only an administrator may read the audit trail."


async def answer(session: RequestSession, request: AuditRequest) -> bool:
    """Answer ``request`` on ``session``; always True (the connection stays up)."""
    user = session.user
    assert user is not None
    if session.endpoint != "ws" or Role.ADMIN not in user.roles:
        await session.send(p.error("forbidden", REFUSED, request.id, template=REFUSED,
                                   params={}))
        return True
    hub = session.hub
    on_record = functools.partial(AuditEntry, actor=user.username, address=session.ws.address,
                                  client=session.client)
    if request.verify:
        found = await hub.run(hub.store.audit.verify)
        await hub.audit(on_record("audit.verify", detail={
            "rows": found.rows, "head": found.head, "broken_at": found.broken_at}))
        await session.send(audit_wire.verified(request.id, found.rows, found.head,
                                               found.broken_at, found.template, found.params))
        return True
    if request.before is None:  # a new query; its further pages are the same reading
        await hub.audit(on_record("audit.read", detail={"filters": request.filters()}))
    rows = await hub.run(functools.partial(
        hub.store.audit.rows, since=request.since, until=request.until, actor=request.user,
        action=request.action, limit=request.limit, newest_first=True, before=request.before))
    more = rows[-1].seq if len(rows) == request.limit and rows[-1].seq > 1 else None
    await session.send(audit_wire.page(request.id, [_wire(row) for row in rows], more))
    return True


def _wire(row: AuditRow) -> dict[str, Any]:
    entry = row.entry
    return {"seq": row.seq, "at": row.at.isoformat(), "actor": entry.actor,
            "action": entry.action, "subject": entry.subject, "address": entry.address,
            "client": entry.client, "detail": dict(entry.detail)}
