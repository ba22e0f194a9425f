"""One client connection: hello and auth, then snapshot or resume, then commands and live events.

A session reads its client's frames and answers each; a pump task sends committed events from
the session's own cursor, so every event arrives once and in order whatever the timing of
snapshot, replay and live traffic. Bad input is answered with an error and the connection stays
up — unless the client floods, then it is closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from websockets.exceptions import ConnectionClosed

from console.comms import attachment_wire
from console.comms import protocol as p
from console.domain.model import Role
from console.domain.privacy import PersonalView, personal_view, police_masked, sees_police_data
from console.domain.privacy import shown as personal_shown
from console.hub import (
    attachments,
    audit_requests,
    personal,
    report_requests,
    search_requests,
    worker_requests,
)
from console.hub.admission import HubConnection
from console.hub.expiry import ended_text
from console.hub.logins import Refused, TokenLogin
from console.hub.observe import request_id
from console.hub.services import HubServices
from console.hub.tracking import Row
from console.store.accounts import User
from console.store.sessions import By
from console.store.writer import Command, LoggedEvent, Result

#: Commands checked against the unit's last fix (console/domain/roster.py).
FIX_CHECKED = frozenset({"unit.clock_in", "unit.checkpoint"})

log = logging.getLogger(__name__)

#: A resume further behind than this gets a snapshot instead of a replay.
REPLAY_LIMIT = 50_000


@dataclass
class Bucket:
    """A token bucket: ``rate`` messages a second, bursts up to ``burst``."""

    rate: float
    burst: float
    tokens: float = 0.0
    stamp: float = 0.0

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class Session:
    """One connection on ``endpoint``: ``/ws`` consoles, ``/field`` or ``/police``.

    Args:
        hub: what the session uses of its hub (log, write path, store, tracker, settings).
        ws: the connection.
        endpoint: ``"ws"``, ``"field"`` or ``"police"``.
    """

    def __init__(self, hub: HubServices, ws: HubConnection, endpoint: str) -> None:
        self.hub = hub
        self.ws = ws
        self.endpoint = endpoint  # "ws" (consoles), "field" or "police"
        self.user: User | None = None
        self.cursor = 0
        self.personal = PersonalView.NONE
        self.police_data = False
        self.client: str | None = None
        # What this session asked to be sent besides answers: the event log, position frames.
        self.streams: frozenset[str] = frozenset(p.STREAMS) if endpoint == "ws" else frozenset()
        self.bucket = Bucket(hub.config.message_rate, hub.config.message_burst,
                             tokens=hub.config.message_burst, stamp=time.monotonic())
        self.faults = Bucket(hub.config.fault_rate, hub.config.fault_burst,
                             tokens=hub.config.fault_burst, stamp=time.monotonic())
        self.in_flight = 0
        self._answered = asyncio.Condition()
        # Position changes not yet sent: the tick's shared frame while this session keeps up,
        # merged rows (encoded for this session alone) when it has fallen behind a tick.
        self._shared_frame: str | None = None
        self._positions: dict[str, Row] = {}
        self._positions_ready = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        #: The session this connection logged in on (console/hub/expiry.py closes it when the
        #: session ends), and the hello's name of the client.
        self.session_id: str | None = None
        self.client = ""

    # -- the connection ------------------------------------------------------------------------

    async def run(self) -> None:
        try:
            if not await self._hello():
                return
            self._tasks.append(asyncio.create_task(self._pump_events()))
            if "positions" in self.streams:
                self._tasks.append(asyncio.create_task(self._pump_positions()))
            async for frame in self.ws:
                if not await self._handle(frame):
                    return
        except ConnectionClosed:
            pass
        finally:
            self._left()
            if self._offer_positions in self.hub.tracker.listeners:
                self.hub.tracker.listeners.remove(self._offer_positions)
            for task in self._tasks:
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def send(self, message: Mapping[str, Any]) -> None:
        await self.ws.send(p.encode(message))

    async def _refuse(self, code: str, message: str, ref: str | None = None) -> bool:
        """Answer bad input; False (close) once the client is flooding us with it."""
        await self.send(p.error(code, message, ref))
        if not self.faults.take():
            await self.ws.close(1008, "too many bad messages")
            return False
        return True

    # -- hello -------------------------------------------------------------------------------

    async def _hello(self) -> bool:
        hello = await self._await_hello()
        if hello is None:
            return False
        login = await self.hub.authenticate(hello, self.ws.address, self.ws.wait_closed)
        user = login.user if isinstance(login, TokenLogin) else login
        if not isinstance(user, Refused) and not self._may_use_endpoint(user, hello):
            user = Refused("The account {username} may not connect to /{endpoint}.",
                           {"username": user.username, "endpoint": self.endpoint})
        if isinstance(user, Refused):
            await self.send(p.error("auth_failed", user.message, template=user.template,
                                    params=user.params))
            await self.ws.close(1008, "authentication failed")
            return False
        self.ws.entered()
        self.user = user
        self.personal = personal_view(user.roles)
        self.client = hello.client
        self.police_data = sees_police_data(user.roles)
        if hello.subscribe is not None:
            self.streams &= hello.subscribe
        session = login if isinstance(login, TokenLogin) \
            else await self.hub.new_session(user, self.ws.address, hello.client)
        self.session_id, self.client = session.session_id, hello.client
        self.hub.sessions.add(session.session_id, self._session_ended)
        clock = self.hub.config.clock
        await self.send(p.welcome(user.to_wire(), session.token, self.hub.log.head,
                                  self.hub.config.name,
                                  clock.now(), clock.speed))
        await self._sync(hello.resume_from)
        return True

    async def _await_hello(self) -> p.Hello | None:
        """The hello, read before the deadline that runs from the TCP accept: bad frames are
        answered meanwhile but do not move it. None once the connection is being closed."""
        timeout = self.hub.config.hello_timeout
        seconds = int(timeout) if float(timeout).is_integer() else timeout
        try:
            async with asyncio.timeout_at(self.ws.accepted_at + timeout):
                while True:
                    try:
                        hello = p.decode_client(await self.ws.recv())
                    except p.ProtocolError as error:
                        if not await self._refuse(error.code, error.message, error.ref):
                            return None
                        continue
                    if isinstance(hello, p.Hello):
                        return hello
                    if not await self._refuse("not_ready", "Send hello first: nothing else is "
                                              "accepted before the hub knows who you are.",
                                              getattr(hello, "id", None)):
                        return None
        except TimeoutError:
            template = "No hello within {seconds} seconds; closing."
            with contextlib.suppress(TimeoutError):
                # A client that does not read its errors does not hold the close up.
                async with asyncio.timeout(1.0):
                    await self.send(p.error("bad_message", template.format(seconds=seconds),
                                            template=template, params={"seconds": seconds}))
            await self.ws.close(1008, "no hello")
            return None

    def _may_use_endpoint(self, user: User, hello: p.Hello) -> bool:
        # A police center talks over /police only, and only a police center does.
        if self.endpoint == "police" or Role.POLICE in user.roles:
            return self.endpoint == "police" and Role.POLICE in user.roles
        if self.endpoint == "field":
            return Role.FIELD in user.roles or Role.ADMIN in user.roles
        return bool(user.roles - {Role.FIELD})

    async def _sync(self, resume_from: int | None) -> None:
        head = self.hub.log.head
        if "positions" in self.streams:
            # Listen before the snapshot is read, and start from what the store does not hold
            # yet (a resumed or snapshot-less session: from every unit's latest position), so
            # no fix falls between the snapshot and the first frame.
            fresh = "events" in self.streams and not (
                resume_from is not None and 0 <= resume_from <= head
                and head - resume_from <= REPLAY_LIMIT)
            tracker = self.hub.tracker
            self._positions = tracker.unstored() if fresh else dict(tracker.latest)
            if self._positions:
                self._positions_ready.set()
            tracker.listeners.append(self._offer_positions)
        if "events" not in self.streams:
            self.cursor = head  # field clients get commands answered, not the whole log
        elif resume_from is not None and 0 <= resume_from <= head \
                and head - resume_from <= REPLAY_LIMIT:
            self.cursor = resume_from
            while self.cursor < head:
                for event in await self.hub.log.after(self.cursor):
                    await self._send_event(event)
        else:
            snapshot = await self.hub.snapshot()
            incidents = [self._shown(i) for i in snapshot.incidents]
            await self.send(p.snapshot(snapshot.seq, incidents=incidents, units=snapshot.units,
                                       cameras=snapshot.cameras,
                                       taxonomy=self.hub.rules.taxonomy.to_wire(),
                                       police_links=snapshot.police_links,
                                       major_incidents=snapshot.major_incidents,
                                       warnings=snapshot.warnings))
            self.cursor = snapshot.seq
        await self.send(p.synced(self.cursor))

    # -- frames after hello ------------------------------------------------------------------

    async def _handle(self, frame: str | bytes) -> bool:
        try:
            message = p.decode_client(frame)
        except p.ProtocolError as error:
            return await self._refuse(error.code, error.message, error.ref)
        if not self.bucket.take():
            ref = getattr(message, "id", None)
            if isinstance(message, p.CommandMessage):
                await self.send(p.result_error(message.id, "rate_limited", "Too many messages; "
                                               "slow down and send this command again."))
                return self.faults.take() or await self._flood()
            return await self._refuse("rate_limited", "Too many messages; slow down.", ref)
        if isinstance(message, p.Hello):
            return await self._refuse("bad_message", "Already logged in; hello is sent once.")
        if isinstance(message, p.Ping):
            await self.send(p.pong(message.id))
            return True
        if isinstance(message, p.PositionsMessage):
            return await self._positions_in(message)
        if isinstance(message, p.TimelineRequest):
            return await self._timeline(message)
        if isinstance(message, p.TrackRequest):
            return await self._track(message)
        if isinstance(message, p.Logout):
            return await self._logout(message)
        if isinstance(message, p.AuditRequest):
            return await audit_requests.answer(self, message)
        if isinstance(message, p.ReporterRequest):
            return await self._reporter(message)
        if isinstance(message, p.SearchRequest):
            return await search_requests.answer(self, message)
        if isinstance(message, p.CaseRequest):
            return await search_requests.answer_case(self, message)
        if isinstance(message, p.WorkersRequest):
            return await worker_requests.answer(self, message)
        if isinstance(message, p.ReportRequest):
            return await report_requests.answer(self, message)
        if isinstance(message, p.AttachmentRequest):
            assert self.user is not None
            await self.send(await attachments.answer(self.hub, self.user, self.endpoint, message))
            return True
        if isinstance(message, p.TaskAck):
            return await self._task_ack(message)
        return await self._command(message)

    async def _task_ack(self, message: p.TaskAck) -> bool:
        """Tasks are acknowledged by field devices (console/hub/field.py), on /field only."""
        return await self._refuse("bad_message", "Tasks are acknowledged on /field.", message.id)

    async def _timeline(self, message: p.TimelineRequest) -> bool:
        if self.endpoint == "field":
            return await self._refuse("bad_message", "Timelines are read on /ws.", message.id)
        events = await self.hub.run(self.hub.store.timeline, message.incident)
        wires = [event.to_wire() for event in events]
        # Who acted, by the names people know them by (docs/protocol.md "Timelines").
        names = await self.hub.run(self.hub.store.accounts.display_names,
                                   [str(w["actor"]) for w in wires if w.get("actor")])
        # The case's flag now, not as its creation had it: a case marked confidential later
        # hides its reporter in the timeline too.
        confidential = False
        for wire in wires:
            if wire["name"] in ("incident.created", "incident.confidentiality_changed"):
                confidential = bool(wire["data"].get("confidential"))
        for wire in wires:
            wire["data"] = dict(self._shown(wire["data"], wire["name"], confidential))
        await self.send(p.timeline(message.id, message.incident, wires, names))
        return True

    async def _reporter(self, message: p.ReporterRequest) -> bool:
        assert self.user is not None
        if self.endpoint != "ws":
            return await self._refuse("bad_message", "Reporters are read on /ws.", message.id)
        await self.send(await personal.answer(self.hub, self.user, message,
                                              address=self.ws.address, client=self.client))
        return True

    async def _track(self, message: p.TrackRequest) -> bool:
        if self.endpoint == "field":
            return await self._refuse("bad_message", "Tracks are read on /ws.", message.id)
        fixes = await self.hub.run(self.hub.store.positions.track, message.unit, message.since,
                                   message.until, p.MAX_TRACK_POINTS)
        await self.send(p.track(message.id, message.unit,
                                [(f.lat, f.lon, f.heading, f.speed, f.at.isoformat())
                                 for f in fixes]))
        return True

    # -- the session's end (console/hub/expiry.py) ---------------------------------------------

    def _left(self) -> None:
        if self.session_id is not None:
            self.hub.sessions.discard(self.session_id, self._session_ended)

    async def _logout(self, message: p.Logout) -> bool:
        assert self.user is not None and self.session_id is not None
        self._left()
        await self.hub.sessions.logout(self.session_id,
                                       By(self.user.username, self.client, self.ws.address))
        await self.send(p.logged_out(message.id))
        await self.ws.close(1000, "logged out")
        return False

    async def _session_ended(self, reason: str) -> None:
        text = ended_text(reason)
        with contextlib.suppress(ConnectionClosed):
            await self.send(p.error("session_ended", text, template=text, params={},
                                    reason=reason))
        await self.ws.close(1008, "session ended")

    async def _flood(self) -> bool:
        await self.ws.close(1008, "flooding")
        return False

    async def _positions_in(self, message: p.PositionsMessage) -> bool:
        assert self.user is not None
        if self.endpoint != "field":
            return await self._refuse("bad_message", "Positions are sent on /field.")
        allowed = self.user.unit
        if allowed is not None and any(row[0] != allowed for row in message.units):
            return await self._refuse("forbidden", f"This account reports only unit {allowed}.")
        self.hub.tracker.take(message.units, self.hub.config.clock.now())
        return True

    async def _command(self, message: p.CommandMessage) -> bool:
        # The command's lines in the log (and those of the task that answers it) carry its id.
        token = request_id.set(f"{request_id.get().partition('/')[0]}/{message.id}")
        try:
            log.debug("command %s", message.name)
            return await self._queue_command(message)
        finally:
            request_id.reset(token)

    async def _queue_command(self, message: p.CommandMessage) -> bool:
        command = Command(message.id, message.name, message.args, message.expected_version)
        if message.name in FIX_CHECKED and isinstance(message.args, dict):
            # Checked against where the unit is: the hub's latest fix may not be stored yet.
            unit = message.args.get("id")
            if isinstance(unit, str) and (fix := self.hub.tracker.fix(unit)) is not None:
                command = replace(command, fix=(unit, fix))
        if message.name == attachment_wire.UPLOAD:
            # Checked before the next frame is read (console/hub/uploads.py); a refusal
            # stores nothing and is answered here.
            prepared = await self.hub.uploads.prepare(message)
            if isinstance(prepared, Result):
                await self._answer(prepared)
                return True
            command = prepared
        await self.submit(command, self._answer)
        return True

    async def submit(self, command: Command,
                     answer: Callable[[Result], Awaitable[None]]) -> None:
        """Queue ``command`` for the write path; ``answer`` gets its result after the commit.

        Backpressure, not refusal: with too many commands waiting for their commit we stop
        reading this client's frames, and TCP slows it down.
        """
        assert self.user is not None
        async with self._answered:
            await self._answered.wait_for(
                lambda: self.in_flight < self.hub.config.max_in_flight)
        self.in_flight += 1
        future = self.hub.commands.submit(command, self.user.actor)
        self._tasks.append(asyncio.create_task(self._settle(future, answer)))
        self._tasks = [t for t in self._tasks if not t.done()]

    async def _settle(self, future: asyncio.Future[Result],
                      answer: Callable[[Result], Awaitable[None]]) -> None:
        try:
            result = await future
        finally:
            self.in_flight -= 1
            async with self._answered:
                self._answered.notify_all()
        await answer(result)

    async def _answer(self, result: Result) -> None:
        if result.ok:
            await self.send(p.result_ok(result.command_id, result.data, result.seq))
        else:
            error = dict(result.error or {})
            code = error.pop("code", "invalid")
            text = error.pop("message", "")
            await self.send(p.result_error(result.command_id, code, text, **error))

    # -- what the hub pushes -------------------------------------------------------------------

    async def _send_event(self, event: LoggedEvent) -> None:
        # Encoded once per event and way of masking, for every session that sees it so.
        await self.ws.send(self.hub.log.frame(event, (self.personal, self.police_data),
                                              self._event_frame))
        self.cursor = event.seq

    def _event_frame(self, event: LoggedEvent) -> str:
        wire = event.to_wire()
        wire["data"] = dict(self._shown(wire["data"], wire["name"]))
        return p.encode(p.event(wire))

    def _shown(self, document: Mapping[str, Any], event: str | None = None,
               confidential: bool | None = None) -> Mapping[str, Any]:
        """An incident or event data (of the ``event`` named) as this user may see it: personal
        data and the police's own information masked for roles without need."""
        document = personal_shown(document, self.personal, event=event,
                                  confidential=confidential)
        if not self.police_data:
            document = police_masked(document, event)
        return document

    async def _pump_events(self) -> None:
        if "events" not in self.streams:
            return
        while True:
            await self.hub.log.wait_beyond(self.cursor)
            if self.hub.log.stopped:  # the hub is stopping: nothing more will come
                return
            for event in await self.hub.log.after(self.cursor):
                await self._send_event(event)

    def _offer_positions(self, changed: dict[str, Row], frame: str) -> None:
        if not self._positions_ready.is_set():
            self._shared_frame, self._positions = frame, changed
        else:  # the previous tick is still waiting: merge, and send one frame for both
            self._positions = {**self._positions, **changed}
            self._shared_frame = None
        self._positions_ready.set()

    async def _pump_positions(self) -> None:
        # The tracker ticks at most position_frames_per_s times a second; a session that is
        # slower than that gets fewer, larger frames with only the latest position per unit.
        while True:
            await self._positions_ready.wait()
            shared, rows = self._shared_frame, self._positions
            self._shared_frame, self._positions = None, {}
            self._positions_ready.clear()
            await self.ws.send(shared or p.encode(p.positions_frame(self.hub.config.clock.now(),
                                                                     list(rows.values()))))
