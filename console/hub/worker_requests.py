"""The ``workers`` request on ``/ws`` (console/comms/workers_wire.py): the grid workers'
assessment of a day (an area's ranking, or one worker's day with its track and checkpoints to
replay) or of a month, computed on a worker thread (console/store/assessment.py).

A worker's figures and track are personal data: only a duty leader and an administrator may
read them (:data:`console.domain.assessment.READERS`), anyone else is refused with a template,
and every answer is on the audit trail (``workers.read``, what was asked) before it goes out.
A month is the days of it up to the hub's today (days not yet worked would count as absences).
"""

from __future__ import annotations

import functools
from datetime import date, timedelta
from typing import Any

from console.comms import protocol as p
from console.comms import workers_wire
from console.comms.workers_wire import WorkersRequest
from console.domain import pay_sheet
from console.domain.assessment import READERS, ranking
from console.hub.services import RequestSession
from console.store import assessment
from console.store.audit import AuditEntry

REFUSED_TEMPLATE = "Only a duty leader or an administrator may read grid workers' assessment."
ACTION = "workers.read"


async def answer(session: RequestSession, request: WorkersRequest) -> bool:
    """Answer ``request`` on ``session``; always True (the connection stays up)."""
    user = session.user
    assert user is not None
    if session.endpoint != "ws":
        await session.send(p.error("bad_message", "Assessments are read on /ws.", request.id))
        return True
    if not user.roles & READERS:
        await session.send(p.error("forbidden", REFUSED_TEMPLATE, request.id,
                                   template=REFUSED_TEMPLATE, params={}))
        return True
    hub = session.hub
    await hub.audit(AuditEntry(ACTION, actor=user.username, address=session.ws.address,
                               client=session.client, subject=request.unit,
                               detail=request.fields()))
    message = await hub.run(functools.partial(
        _read, hub.store, request, hub.config.clock.now().astimezone(
            hub.rules.calendar.tz).date()))
    await session.send(message)
    return True


def _read(store: Any, request: WorkersRequest, today: date) -> dict[str, Any]:
    """The answer, read and computed on a worker thread."""
    units = assessment.area_units(store, community=request.community, street=request.street,
                                  unit=request.unit)
    if request.month is not None:
        first = request.month
        following = (first + timedelta(days=32)).replace(day=1)
        days = [first + timedelta(days=n) for n in range((min(following, today + timedelta(
            days=1)) - first).days)]
        rows = pay_sheet.month_rows(
            d for day in days for d in assessment.assess_day(store, day, units=units))
        return workers_wire.month_answer(request.id, first, rows)
    assert request.day is not None
    rows = [d.to_dict() for d in ranking(assessment.assess_day(store, request.day,
                                                               units=units))]
    if request.unit is None:
        return workers_wire.day_answer(request.id, request.day, rows)
    track, checkpoints = assessment.worker_detail(store, request.unit, request.day)
    return workers_wire.day_answer(request.id, request.day, rows, track=track,
                                   checkpoints=checkpoints)
