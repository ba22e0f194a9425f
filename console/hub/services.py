"""What a hub's sessions and its early-warning watch use of it, handed to them as one object.

The :class:`~console.hub.server.Hub` builds its parts (the event log, the command queue, the
tracker, the worker threads) and hands each session and the watch a :class:`HubServices`
holding them, never itself: so session, police and watch sit below the server in the import
graph, and what they may reach is written down here.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from console.comms import protocol as p
from console.domain.rules import Rules
from console.hub.command_queue import CommandQueue
from console.hub.config import HubConfig
from console.hub.expiry import SessionWatch
from console.hub.field_watch import FieldWatch
from console.hub.log import EventLog
from console.hub.logins import Logins, Refused, TokenLogin
from console.hub.tracking import Tracker
from console.hub.uploads import Uploads
from console.store.accounts import User
from console.store.audit import AuditEntry
from console.store.sessions import token_hash
from console.store.store import Snapshot, Store

T = TypeVar("T")


class RequestSession(Protocol):
    """What the request modules (audit, search, workers, report requests) use of a hub
    session (console/hub/session.py, which calls them)."""

    user: User | None
    endpoint: str
    hub: HubServices
    client: str | None

    @property
    def ws(self) -> Any: ...

    async def send(self, message: Mapping[str, Any]) -> None: ...


class Runner(Protocol):
    """Runs a blocking store call on one of the hub's worker threads (``Hub.run``)."""

    def __call__(self, call: Callable[..., T], /, *args: Any) -> Awaitable[T]: ...


@dataclass(frozen=True)
class HubServices:
    """The parts of one hub that its sessions and tasks share.

    Attributes:
        config: the hub's settings (limits, name, world clock).
        rules: the taxonomy and the domain's rules.
        store: the database; call it only through ``run``, never on the event loop.
        run: runs a blocking store call on a worker thread.
        log: the committed events, and waiting for more.
        commands: the write path.
        tracker: unit positions, and who wants their frames.
        logins: passwords and tokens checked, throttled and logged.
        sessions: the open connections by session, closed when their session ends.
        uploads: the checks of attachments, off the event loop (console/hub/uploads.py).
        field_watch: wakes a field session when an event may owe its unit a task.
        field_acks: field tasks whose ack is being committed (console/hub/field.py): not sent
            again meanwhile, whichever connection of the device asks.
    """

    config: HubConfig
    rules: Rules
    store: Store
    run: Runner
    log: EventLog
    commands: CommandQueue
    tracker: Tracker
    logins: Logins
    sessions: SessionWatch
    uploads: Uploads
    field_watch: FieldWatch
    field_acks: set[str] = field(default_factory=set)

    async def authenticate(self, hello: p.Hello, address: str,
                           gone: Callable[[], Awaitable[Any]]) -> User | TokenLogin | Refused:
        """The hello's user, or why not; ``gone`` completes if the client leaves meanwhile."""
        if hello.token is not None:
            return await self.logins.token(hello.token, address=address, client=hello.client,
                                           gone=gone)
        return await self.logins.password(hello.username or "", hello.password or "",
                                          address=address, client=hello.client, gone=gone)

    async def new_session(self, user: User, address: str | None = None,
                          client: str | None = None) -> TokenLogin:
        """A session for a password login: its token for the ``welcome``, and its id."""
        token = await self.run(functools.partial(
            self.store.accounts.create_session, user, now=self.config.clock.now(),
            ttl=self.config.session_ttl, address=address, client=client))
        return TokenLogin(user, token, token_hash(token))

    async def audit(self, entry: AuditEntry) -> None:
        """Put ``entry`` on the audit trail; returns after the commit."""
        await self.run(functools.partial(self.store.audit.append, entry,
                                         at=datetime.now(UTC)))

    async def snapshot(self) -> Snapshot:
        return await self.run(self.store.snapshot)
