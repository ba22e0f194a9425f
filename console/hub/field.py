"""The ``/field`` session: a unit's device, or the field platform's gateway (DESIGN §5c).

Besides what every session does (commands answered, positions taken), a field session delivers
its outbox (console/store/field_outbox.py) — the same way the ``/police`` link delivers its own
(console/hub/police.py):

- the tasks owed to its unit (a device's account is bound to one) or to every unit (a gateway's
  account is bound to none) go out oldest first, so in order per unit, at most ``WINDOW``
  unacknowledged at a time;
- the device's ``{"type":"ack","id"}`` becomes a ``field.delivered`` command; only its commit
  takes the task off the outbox (and tells every console, ``assignment.delivered`` for a
  dispatch). Whatever is unacknowledged when the connection drops is sent again, under the same
  id, on the next one;
- an ack whose commit is still pending is held hub-wide (:attr:`HubServices.field_acks`), so a
  device that reconnects at once is not sent again what it has just acknowledged.

The outbox is looked at again when the log grows by an event that may owe this session a task
(:data:`console.domain.field.CAUSES`: the hub's one :class:`~console.hub.field_watch.FieldWatch`
wakes the sessions of the event's unit, not every session), or when an ack makes room in the
window.
"""

from __future__ import annotations

import asyncio
import functools
import logging

from console.comms import protocol as p
from console.hub.admission import HubConnection
from console.hub.services import HubServices
from console.hub.session import Session
from console.store.writer import Command, Result

log = logging.getLogger(__name__)

#: Tasks sent on one connection and not yet acknowledged, at most.
WINDOW = 100


class FieldSession(Session):
    def __init__(self, hub: HubServices, ws: HubConnection) -> None:
        super().__init__(hub, ws, "field")
        self._sent: dict[str, str] = {}  # task id → unit, sent and not yet acked
        self._wake = asyncio.Event()

    async def _sync(self, resume_from: int | None) -> None:
        await super()._sync(resume_from)
        self._tasks.append(asyncio.create_task(self._deliver(), name="field-deliver"))

    # -- to the device ---------------------------------------------------------------------------

    async def _deliver(self) -> None:
        assert self.user is not None
        unit = self.user.unit  # None: the gateway, for every unit
        watch = self.hub.field_watch
        watch.add(unit, self._wake)
        try:
            while not self.hub.log.stopped:
                self._wake.clear()
                room = WINDOW - len(self._sent)
                if room > 0:
                    skip = frozenset(self._sent) | frozenset(self.hub.field_acks)
                    waiting = await self.hub.run(functools.partial(
                        self.hub.store.field_waiting, unit, limit=room, skip=skip))
                    for row in waiting:
                        if row.id in self.hub.field_acks:  # acked while we read
                            continue
                        self._sent[row.id] = row.unit
                        await self.ws.send(p.encode(p.task(row.body)))
                # Woken by the watch (an event that may owe this unit a task) or by an ack
                # (room in the window); one set while reading above reads again at once.
                await self._wake.wait()
        finally:
            watch.remove(unit, self._wake)

    # -- from the device -------------------------------------------------------------------------

    async def _task_ack(self, message: p.TaskAck) -> bool:
        """The device has stored a task: record it (once), then forget it."""
        assert self.user is not None
        acks = self.hub.field_acks
        if message.id in acks:
            return True  # its commit is on the way
        acks.add(message.id)
        future = self.hub.commands.submit(
            Command(f"field-ack:{message.id}", "field.delivered", {"task": message.id}),
            self.user.actor)
        future.add_done_callback(functools.partial(self._delivered, message.id))
        return True

    def _delivered(self, task_id: str, future: asyncio.Future[Result]) -> None:
        self.hub.field_acks.discard(task_id)
        result = future.result() if not future.cancelled() else None
        code = (result.error or {}).get("code") if result is not None else "unavailable"
        if result is not None and (result.ok or code == "conflict"):  # conflict: acked before
            self._sent.pop(task_id, None)
            self._wake.set()
        elif code in ("not_found", "forbidden"):
            log.info("field ack of %s refused: %s", task_id, result and result.error)
        else:
            log.warning("field ack of %s not recorded: %s", task_id, result and result.error)
