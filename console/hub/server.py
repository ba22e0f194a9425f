"""The hub: one asyncio process that owns the write path and talks websockets to everyone.

    hub = Hub(store, rules, HubConfig(port=8765))
    await hub.start()        # listening; hub.port is the real port (0 picks a free one)
    ...
    await hub.stop()         # stop taking commands, finish the queued ones, close politely

Paths: ``/ws`` consoles, ``/field`` field units, ``/police`` police 110 centers
(docs/police-interface.md), and for operators ``GET /healthz``, ``/readyz`` and ``/metrics``
(console/hub/operations.py, docs/deploy.md). The database is only ever touched from worker
threads, passwords only on the login threads: the event loop never waits on either. Who may
connect is counted in ``admission``, logins are throttled in ``logins`` (docs/security.md).
"""

from __future__ import annotations

import asyncio
import functools
import gc
import json
import logging
import ssl
import sys
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus
from typing import Any, TypeVar

import psycopg
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.exc import DBAPIError
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from console.domain.model import Actor, Role
from console.domain.rules import Rules
from console.hub.admission import Admission, HubConnection
from console.hub.command_queue import CommandQueue
from console.hub.config import HubConfig
from console.hub.expiry import SessionWatch
from console.hub.field import FieldSession
from console.hub.field_watch import FieldWatch
from console.hub.log import EventLog
from console.hub.logins import Logins
from console.hub.observe import request_id
from console.hub.operations import Metrics, Readiness
from console.hub.police import PoliceSession
from console.hub.retention import keep_tracks
from console.hub.services import HubServices
from console.hub.session import Session
from console.hub.tracking import Tracker
from console.hub.uploads import Uploads
from console.hub.watch import Watch
from console.store.db import libpq_conninfo
from console.store.position_writer import PositionWriter
from console.store.store import Store
from console.store.writer import LOG_CHANNEL, Command

log = logging.getLogger(__name__)
T = TypeVar("T")

ENDPOINTS = {"/ws": "ws", "/field": "field", "/police": "police"}
#: The tasks without which the hub is not ready (/readyz names the one that stopped).
VITAL_TASKS = ("writer", "log-follower", "positions")
#: Storing positions failing this long makes the hub not ready.
POSITIONS_FAILING_S = 5.0


class Hub:
    def __init__(self, store: Store, rules: Rules, config: HubConfig | None = None) -> None:
        self.store = store
        self.rules = rules
        self.config = config or HubConfig()
        if self.config.clock.speed != 1.0 and store.clock != self.config.clock.now:
            raise ValueError("A hub whose world runs faster needs a store on the same clock: "
                             "Store(..., clock=config.clock.now).")
        self._threads = ThreadPoolExecutor(max_workers=4, thread_name_prefix="hub-db")
        self.log = EventLog(store, self.run)
        self.commands = CommandQueue(store, self.log.poke)
        self.positions = (PositionWriter(store.db.url) if self.config.position_process
                          else None)
        self.tracker = Tracker(store, self.run, self.config.clock.now, self.positions)
        self.admission = Admission(self.config)
        self.logins = Logins(self.config, store.accounts, self.run)
        self.session_watch = SessionWatch(self.config, store.accounts, self.run)
        self.uploads = Uploads()
        # What sessions and the watch use of the hub: they get this, never the hub itself.
        self.services = HubServices(config=self.config, rules=rules, store=store, run=self.run,
                                    log=self.log, commands=self.commands, tracker=self.tracker,
                                    logins=self.logins, sessions=self.session_watch,
                                    uploads=self.uploads,
                                    field_watch=FieldWatch(self.log))
        self.watch = Watch(self.services)
        self.metrics = Metrics()
        self.readiness = Readiness(store, self.metrics)
        self.commands.on_result = self.metrics.command
        self.commands.on_failure = self.metrics.db_errors.inc
        self._positions_counted = 0
        self.log_listeners: list[Callable[[Any], None]] = []
        self.sessions: set[Session] = set()
        self.port = self.config.port
        self._server: Server | None = None
        self._tasks: list[asyncio.Task[Any]] = []
        self._stopping = asyncio.Event()

    async def run(self, call: Callable[..., T], *args: Any) -> T:
        """Run a blocking store call on a worker thread."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._threads, functools.partial(call, *args))
        except DBAPIError:
            self.metrics.db_errors.inc()
            raise

    # -- life cycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        if self.positions is not None:  # it imports in its own process while this one goes on
            await self.run(self.positions.start)
        await self.readiness.first()
        await self.log.start()
        await self.tracker.start()
        tls = None
        if self.config.tls_cert:
            tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            tls.load_cert_chain(self.config.tls_cert, self.config.tls_key)
        self._tasks = [
            asyncio.create_task(self.commands.run(), name="writer"),
            asyncio.create_task(self._follow(), name="log-follower"),
            asyncio.create_task(self.tracker.run_loops(
                frame_interval=1.0 / self.config.position_frames_per_s,
                flush_interval=self.config.position_flush_s,
                peers=self.store.db.dialect == "postgresql", stopping=self._stopping),
                name="positions"),
            asyncio.create_task(self.watch.run(), name="early-warning"),
            asyncio.create_task(self.session_watch.run_forever(), name="session-watch"),
            asyncio.create_task(self.services.field_watch.run(), name="field-watch"),
            asyncio.create_task(keep_tracks(self.config, self.store.db, self.run),
                                name="track-retention"),
            asyncio.create_task(self.readiness.run(self._stopping), name="readiness"),
        ]
        if self.store.db.dialect == "postgresql":
            self._tasks.append(asyncio.create_task(self._listen(), name="pg-listen"))
        await self._police_links_down()
        _descriptors_for(self.config.max_connections)
        self._server = await serve(self._connection, self.config.host, self.config.port,
                                   process_request=self._http, ssl=tls,
                                   create_connection=HubConnection.admitted_by(self.admission),
                                   open_timeout=self.config.hello_timeout,
                                   max_size=self.config.hard_frame_limit,
                                   max_queue=self.config.max_queue,
                                   # Per-connection deflate would compress every position frame
                                   # once per console, a core's worth with many consoles, to
                                   # save LAN bandwidth a command center has.
                                   compression=None,
                                   ping_interval=20, ping_timeout=20)
        self.port = self._server.sockets[0].getsockname()[1]
        # What the hub built to start (unit positions and statuses, rules, the modules) lives
        # as long as it does: out of the collector's full passes, which scanned it again and
        # again under the field feed's load, each pass a pause of every session
        # (docs/performance.md).
        gc.freeze()
        log.info("hub %s listening on %s://%s:%d", self.config.name, "wss" if tls else "ws",
                 self.config.host, self.port)

    async def stop(self) -> None:
        """Stop accepting, answer the queued commands, store the positions, close politely."""
        log.info("hub %s stopping", self.config.name)
        if self._server is not None:
            self._server.close(close_connections=False)
        await self.commands.close()
        writer = self._tasks[0] if self._tasks else None
        if writer is not None:
            await writer
        self._stopping.set()
        self.log.stop()
        if self._server is not None:
            # All at once: each close waits for the client's answer (up to close_timeout).
            await asyncio.gather(*(connection.close(1001, "hub shutting down")
                                   for connection in list(self._server.connections)),
                                 return_exceptions=True)
            await self._server.wait_closed()
        for task in self._tasks[1:]:
            if task.get_name() == "positions":
                await task  # stores the last positions
            else:
                task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self.commands.shutdown()
        self.logins.close()
        self.uploads.close()
        self.readiness.close()
        self._threads.shutdown(wait=True)
        if self.positions is not None:
            await asyncio.to_thread(self.positions.close)

    async def _police_links_down(self) -> None:
        """A link the log still shows up was lost with the hub that held it: say it is down.

        Run once at start, before any police center can connect here. (With several hubs on
        one database this also marks down a link another hub holds; that hub's center shows
        up again when it next reconnects.)
        """
        links = await self.run(self.store.police_links)
        for center in (link["center"] for link in links if link["state"] == "up"):
            actor = Actor(center, frozenset({Role.POLICE}))
            result = await self.commands.submit(
                Command(str(uuid.uuid4()), "police.link", {"state": "down",
                                                           "hub": self.config.name}), actor)
            log.info("police link of %s marked down at start: %s", center, result.ok)

    async def serve_forever(self) -> None:
        await self._stopping.wait()

    # -- the log ---------------------------------------------------------------------------

    async def _follow(self) -> None:
        # Keep unit statuses for position frames current from every event, whoever wrote it.
        previous = self.log.head
        follower = asyncio.create_task(self.log.follow())
        try:
            while not self._stopping.is_set():
                await self.log.wait_beyond(previous)
                events = await self.log.after(previous, limit=5000)
                for event in events:
                    self.tracker.on_event(event)
                    previous = event.seq
                self.metrics.events.inc(len(events))
                if self._stopping.is_set():
                    break
        finally:
            follower.cancel()
            await asyncio.gather(follower, return_exceptions=True)

    async def _listen(self) -> None:
        """LISTEN for other hubs' commits; each notification pokes the follower."""
        conninfo = libpq_conninfo(self.store.db.url)
        while not self._stopping.is_set():
            try:
                async with await psycopg.AsyncConnection.connect(conninfo,
                                                                 autocommit=True) as conn:
                    await conn.execute(f"LISTEN {LOG_CHANNEL}")
                    self.log.poke()  # anything committed while we were not listening
                    async for _ in conn.notifies():
                        self.log.poke()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("LISTEN connection lost; reconnecting", exc_info=True)
                await asyncio.sleep(1.0)

    # -- what operators watch ----------------------------------------------------------------

    def not_ready(self) -> list[str]:
        """Why the hub cannot do its work now (empty: it can). Reads only what is known."""
        failing = self.tracker.failing_since
        since = asyncio.get_running_loop().time() - failing if failing is not None else 0.0
        positions = (f"position writer: storing has failed for {since:.0f} s"
                     if since > POSITIONS_FAILING_S else None)
        vital = [task for task in self._tasks if task.get_name() in VITAL_TASKS]
        return self.readiness.reasons(vital, [positions])

    def _observe(self) -> bytes:
        """The metrics, with the gauges read now brought up to date."""
        taken = self.tracker.taken
        self.metrics.positions.inc(taken - self._positions_counted)
        self._positions_counted = taken
        self.metrics.position_lag.set(self.tracker.lag())
        self.metrics.ready.set(0 if self.not_ready() else 1)
        return generate_latest(self.metrics.registry)

    @staticmethod
    def _answer(status: HTTPStatus, body: bytes, content_type: str) -> Response:
        return Response(status.value, status.phrase, Headers(
            [("Content-Type", content_type), ("Content-Length", str(len(body))),
             ("Cache-Control", "no-store")]), body)

    # -- connections -------------------------------------------------------------------------

    def _http(self, connection: ServerConnection, request: Request) -> Response | None:
        assert isinstance(connection, HubConnection)
        if request.path == "/healthz":
            body = json.dumps({"status": "ok", "hub": self.config.name, "seq": self.log.head,
                               "sessions": len(self.sessions),
                               "db": self.store.db.dialect})
            return self._answer(HTTPStatus.OK, body.encode(), "application/json")
        if request.path == "/readyz":
            reasons = self.not_ready()
            body = json.dumps({"ready": not reasons, "hub": self.config.name,
                               "reasons": reasons})
            return self._answer(HTTPStatus.SERVICE_UNAVAILABLE if reasons else HTTPStatus.OK,
                                body.encode(), "application/json")
        if request.path == "/metrics":
            return self._answer(HTTPStatus.OK, self._observe(), CONTENT_TYPE_LATEST)
        if request.path not in ENDPOINTS:
            return connection.respond(HTTPStatus.NOT_FOUND,
                                      f"No endpoint {request.path}; use /ws, /field or /police.\n")
        if connection.refusal is not None:
            return connection.refusal.response()
        return None

    async def _connection(self, ws: ServerConnection) -> None:
        assert ws.request is not None
        assert isinstance(ws, HubConnection)
        endpoint = ENDPOINTS[ws.request.path]
        request_id.set(ws.id.hex[:12])
        session = (PoliceSession(self.services, ws) if endpoint == "police"
                   else FieldSession(self.services, ws) if endpoint == "field"
                   else Session(self.services, ws, endpoint))
        self.sessions.add(session)
        connections = self.metrics.connections.labels(endpoint)
        connections.inc()
        try:
            await session.run()
        except Exception:
            log.exception("session failed")
        finally:
            connections.dec()
            self.sessions.discard(session)


#: Descriptors besides connections: the database pools, the log, the position writer's pipe.
SPARE_DESCRIPTORS = 256


def _descriptors_for(connections: int) -> None:
    """Raise this process's soft descriptor limit to fit ``connections`` (each a socket), as far
    as the hard limit allows; say so when it cannot."""
    if sys.platform == "win32":  # no descriptor limit to raise there (no `resource` either)
        return
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections + SPARE_DESCRIPTORS
    if soft != resource.RLIM_INFINITY and soft < wanted:
        raised = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
        if raised < wanted:
            log.warning("only %d file descriptors for max_connections=%d; lower it, or raise "
                        "the hard limit (ulimit -Hn)", raised, connections)
