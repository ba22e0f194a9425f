"""The ``search`` request on ``/ws`` (console/comms/search_wire.py, DESIGN §5d): the whole
record, scoped, masked and, when it reads personal data, on record.

- **Scope** (:func:`console.domain.search.scope_of`): a department desk finds only the cases
  its department leads or co-handles; the center's roles, the admin and the viewer every case.
  Free text matches reporters' names only for roles that see reporters
  (:data:`console.domain.privacy.PERSONAL_DATA_ROLES`).
- **Masking**: each row is the case as the session's feed shows it (console/hub/session.py
  ``_shown``): a reporter in full, masked or withheld by role, numbers in free text masked.
- **Record**: a search by phone, or by free text that may match a reporter's name, writes
  ``search.personal`` with who asked and the filters, committed before the answer goes out;
  every page (a cursor is the client's to send, so a later page is not tied to a recorded
  first one).
- A phone filter from a role that sees no reporter is refused ``forbidden`` with a template
  and recorded nowhere (docs/security.md "Search").

A ``case`` request (one case of the record, for the detail of a case the console's replica
does not hold) is scoped the same way — outside the scope it is answered as if there were no
such case — and masked the same way; when the user's view shows reporters in full (the intake)
it writes ``case.personal`` with who asked and the case, before the answer goes out.

The query runs on a worker thread on the store's reader connections, beside the write path.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, Protocol

from console.comms import protocol as p
from console.comms import search_wire
from console.comms.search_wire import CaseRequest, SearchRequest
from console.domain.privacy import PERSONAL_DATA_ROLES, PersonalView, police_masked
from console.domain.privacy import shown as personal_shown
from console.domain.search import SearchFilters, SearchScope, scope_of
from console.hub.services import RequestSession
from console.store.audit import AuditEntry


class Session(RequestSession, Protocol):
    """What this module uses of a hub session beyond the common requests' part."""

    personal: PersonalView
    police_data: bool


PHONE_TEMPLATE = "Your role does not see reporters, so it may not search by phone."
#: What a search that reads personal data puts on the audit trail.
ACTION = "search.personal"
#: What reading a case whose reporter is shown in full puts on the audit trail.
CASE_ACTION = "case.personal"


async def answer(session: Session, request: SearchRequest) -> bool:
    """Answer ``request`` on ``session``; always True (the connection stays up)."""
    user = session.user
    assert user is not None
    if session.endpoint != "ws":
        await session.send(p.error("bad_message", "Searches are made on /ws.", request.id))
        return True
    if request.filters.phone is not None and not user.roles & PERSONAL_DATA_ROLES:
        await session.send(p.error("forbidden", PHONE_TEMPLATE, request.id,
                                   template=PHONE_TEMPLATE, params={}))
        return True
    scope = scope_of(user.roles, user.department, PERSONAL_DATA_ROLES)
    hub = session.hub
    if reads_personal_data(request.filters, scope):
        await hub.audit(AuditEntry(ACTION, actor=user.username, address=session.ws.address,
                                   client=session.client, detail={
                                       "filters": request.filters.to_wire(),
                                       "page": "first" if request.cursor is None else "next"}))
    found = await hub.run(functools.partial(hub.store.search, request.filters, scope,
                                            limit=request.limit, cursor=request.cursor,
                                            now=hub.config.clock.now()))
    rows = [search_wire.row(_shown(session, doc)) for doc in found.rows]
    await session.send(search_wire.page(request.id, rows, found.total, found.next))
    return True


async def answer_case(session: Session, request: CaseRequest) -> bool:
    """Answer a ``case`` request on ``session``; always True (the connection stays up)."""
    user = session.user
    assert user is not None
    if session.endpoint != "ws":
        await session.send(p.error("bad_message", "Cases are read on /ws.", request.id))
        return True
    hub = session.hub
    found = await hub.run(hub.store.incident, request.incident)
    scope = scope_of(user.roles, user.department, PERSONAL_DATA_ROLES)
    document = found.to_dict() if found is not None else None
    if document is not None and scope.department is not None \
            and scope.department != document.get("lead_department") \
            and scope.department not in document.get("co_handlers", ()):
        document = None
    if document is not None and session.personal is PersonalView.FULL:
        await hub.audit(AuditEntry(CASE_ACTION, actor=user.username, address=session.ws.address,
                                   client=session.client, subject=request.incident, detail={}))
    shown = _shown(session, document) if document is not None else None
    await session.send(search_wire.case(request.id, request.incident, shown))
    return True


def reads_personal_data(filters: SearchFilters, scope: SearchScope) -> bool:
    """A phone, or free text matched against reporters' names."""
    return filters.phone is not None or (filters.text is not None and scope.names)


def _shown(session: Session, document: Mapping[str, Any]) -> Mapping[str, Any]:
    """The case as ``session``'s feed shows it (console/hub/session.py ``_shown``)."""
    document = personal_shown(document, session.personal)
    return document if session.police_data else police_masked(document)
