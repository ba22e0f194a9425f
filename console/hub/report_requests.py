"""The ``report`` request on ``/ws`` (console/comms/report_wire.py, docs/reports.md): a shift
handover, period statistics or the department assessment, computed from the record on a worker
thread on the store's reader connections, beside the write path.

Who sees what:

- the duty leader, the controllers and the admin: every report, every department and street;
- a department desk: the department assessment only, and in it only its own department's row
  (no streets: a street's figures are other departments' cases);
- anyone else is refused ``forbidden`` with a template.

A report holds a worker thread for seconds (a month of a district: docs/reports.md "Speed"),
and the hub has four for every session's reads: one report runs at a time, the others wait
their turn on the event loop, so snapshots, timelines and searches always find a thread.

The handover's notes are free text: for a role that does not see personal data their numbers
are masked as in the event feed (console/domain/privacy.py).
"""

from __future__ import annotations

import asyncio
import functools
import weakref
from collections.abc import Mapping
from typing import Any

from console.comms import protocol as p
from console.comms import report_wire
from console.comms.report_wire import ReportRequest
from console.domain.model import Role
from console.domain.privacy import PERSONAL_DATA_ROLES, mask_free_text
from console.hub.services import RequestSession
from console.store import reports

#: Reports computed at once by one hub.
AT_ONCE = 1
_GATES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary())

CENTER = frozenset({Role.DUTY_LEADER, Role.CONTROLLER, Role.ADMIN})
REFUSED_TEMPLATE = "Your role does not see this report."


async def answer(session: RequestSession, request: ReportRequest) -> bool:
    """Answer ``request`` on ``session``; always True (the connection stays up)."""
    user = session.user
    assert user is not None
    center = bool(user.roles & CENTER)
    desk = Role.DEPARTMENT in user.roles and user.department is not None
    if session.endpoint != "ws" or not (center or (desk and request.kind == "departments")):
        await session.send(p.error("forbidden", REFUSED_TEMPLATE, request.id,
                                   template=REFUSED_TEMPLATE, params={}))
        return True
    hub = session.hub
    async with _gate():
        report = await hub.run(functools.partial(compute, hub.store, request))
    if not center:
        report = own_row(report, str(user.department))
    elif request.kind == "handover" and not user.roles & PERSONAL_DATA_ROLES:
        report = {**report, "notes": [{**n, "text": mask_free_text(n["text"])}
                                      for n in report["notes"]]}
    await session.send(report_wire.answer(request, report))
    return True


def _gate() -> asyncio.Semaphore:
    """This hub's turn-taking for reports (one per event loop: tests run several hubs)."""
    loop = asyncio.get_running_loop()
    gate = _GATES.get(loop)
    if gate is None:
        gate = _GATES[loop] = asyncio.Semaphore(AT_ONCE)
    return gate


def compute(store: reports.Record, request: ReportRequest) -> dict[str, Any]:
    """The report ``request`` asks for, in its wire shape (on a worker thread)."""
    if request.kind == "handover":
        return report_wire.handover(reports.shift_handover(store, request.start, request.end))
    if request.kind == "statistics":
        return report_wire.statistics(
            reports.period_statistics(store, request.start, request.end))
    found = reports.department_assessment(store, request.start, request.end)
    return report_wire.departments(found.departments, found.streets, found.weights.weights)


def own_row(report: Mapping[str, Any], department: str) -> dict[str, Any]:
    """The assessment as a desk of ``department`` sees it: its own row alone."""
    return {**report, "departments": [r for r in report["departments"]
                                      if r["code"] == department], "streets": []}
