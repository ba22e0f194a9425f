"""The ``/police`` gateway: one police 110 center's link (docs/police-interface.md).

After the handshake the session does two things at once:

- it reads the center's hand-off messages, runs each through the write path as a
  ``police.receive`` command whose id is derived from the message id (so a message received
  twice is applied once), and acks it only after the commit;
- it delivers the outbox: the messages owed to this center, oldest first, at most ``WINDOW``
  unacknowledged at a time; the center's ``ack`` becomes a ``police.delivered`` command, and only
  its commit takes a message off the outbox. What is unacknowledged when the link drops is sent
  again on the next connection.

The link's coming and going are events (``police.link_up``/``police.link_down``), so every
console sees its state.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import uuid
from typing import TYPE_CHECKING, Any

from websockets.exceptions import ConnectionClosed

from console.comms import police_wire as w
from console.comms import protocol as p
from console.hub.services import HubServices
from console.hub.session import Session
from console.store.writer import Command, Result

if TYPE_CHECKING:
    from console.domain.model import Actor
    from console.hub.admission import HubConnection

log = logging.getLogger(__name__)

#: Messages sent to a center and not yet acknowledged, at most.
WINDOW = 50


def command_id(center: str, message_id: str) -> str:
    """The write path's id for a center's message: the same message always gets the same."""
    return "police:" + hashlib.sha256(f"{center}\n{message_id}".encode()).hexdigest()[:40]


class PoliceSession(Session):
    def __init__(self, hub: HubServices, ws: HubConnection) -> None:
        super().__init__(hub, ws, "police")
        self._sent: dict[str, str] = {}  # message id → incident id, sent and not yet acked
        self._wake = asyncio.Event()

    async def run(self) -> None:
        actor: Actor | None = None
        try:
            if not await self._hello():
                return
            assert self.user is not None
            actor = self.user.actor
            await self._link(actor, "up")
            self._tasks.append(asyncio.create_task(self._deliver(), name="police-deliver"))
            async for frame in self.ws:
                if not await self._frame(frame):
                    return
        except ConnectionClosed:
            pass
        finally:
            self._left()
            for task in self._tasks:
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            if actor is not None:
                await self._link(actor, "down")

    async def _sync(self, resume_from: int | None) -> None:
        """A police center gets no log and no snapshot: only what is addressed to it."""

    # -- from the police -----------------------------------------------------------------------

    async def _frame(self, frame: str | bytes) -> bool:
        try:
            message = w.decode(frame)
        except p.ProtocolError as error:
            return await self._refuse(error.code, error.message, error.ref)
        if not self.bucket.take():
            return await self._refuse("rate_limited", "Too many messages; slow down and send "
                                      "it again.", getattr(message, "id", None))
        if isinstance(message, p.Ping):
            await self.send(p.pong(message.id))
        elif isinstance(message, w.AckMsg):
            self._acknowledged(message.id)
        else:
            await self._receive(message)
        return True

    async def _receive(self, message: w.HandOff) -> None:
        assert self.user is not None
        args: dict[str, Any] = w.to_wire(message)
        args["kind"] = args.pop("type")
        args["message"] = args.pop("id")
        await self.submit(
            Command(command_id(self.user.username, message.id), "police.receive", args),
            functools.partial(self._answer_police, message))

    async def _answer_police(self, message: w.HandOff, result: Result) -> None:
        error = result.error or {}
        params = error.get("params") or {}
        if result.ok:
            incident = result.data.get("id") if isinstance(message, w.IncidentMsg) else None
            await self.send(w.to_wire(w.AckMsg(message.id, incident)))
        elif isinstance(message, w.IncidentMsg) and error.get("code") == "conflict" \
                and "incident" in params:
            # The same case again (under another message id): it is here once already.
            await self.send(w.to_wire(w.AckMsg(message.id, params["incident"])))
        else:
            await self.send(p.error(error.get("code", "invalid"), error.get("message", ""),
                                    message.id))

    # -- to the police -------------------------------------------------------------------------

    async def _deliver(self) -> None:
        assert self.user is not None
        center = self.user.username
        while True:
            seen = self.hub.log.head
            self._wake.clear()
            room = WINDOW - len(self._sent)
            if room > 0:
                waiting = await self.hub.run(functools.partial(
                    self.hub.store.police_waiting, center, limit=room,
                    skip=frozenset(self._sent)))
                for row in waiting:
                    self._sent[row.message_id] = row.incident_id
                    await self.ws.send(p.encode(row.body))
            # Something new in the log may be owed to us; an ack makes room in the window.
            await self.hub.log.wait_beyond_or(seen, self._wake)
            if self.hub.log.stopped:
                return

    def _acknowledged(self, message_id: str) -> None:
        assert self.user is not None
        incident_id = self._sent.get(message_id)
        if incident_id is None:
            return  # not ours, or acked twice: nothing left to do
        future = self.hub.commands.submit(
            Command(f"delivered:{message_id}", "police.delivered",
                    {"id": incident_id, "message": message_id}), self.user.actor)
        future.add_done_callback(lambda f: self._delivered(message_id, f))

    def _delivered(self, message_id: str, future: asyncio.Future[Result]) -> None:
        result = future.result()
        code = (result.error or {}).get("code")
        if result.ok or code == "conflict":  # conflict: it was delivered before
            self._sent.pop(message_id, None)
            self._wake.set()
        else:
            log.warning("police ack of %s not recorded: %s", message_id, result.error)

    async def _link(self, actor: Actor, state: str) -> None:
        """Record the link going up or down (an event every console sees)."""
        result = await self.hub.commands.submit(
            Command(str(uuid.uuid4()), "police.link", {"state": state,
                                                       "hub": self.hub.config.name}), actor)
        if not result.ok:
            log.warning("police link %s of %s not recorded: %s", state, actor.username,
                        result.error)
