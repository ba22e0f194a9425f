"""Sessions ended while their connections are open, on whichever hub holds them.

An administrator's ``main.py admin disable-user`` or ``revoke`` writes the database directly,
and several hubs may share it; so each hub looks every ``session_check_s`` (0.5 s) whether the
sessions of its open connections are still good — one indexed read of those sessions' rows,
the same on SQLite and PostgreSQL — and closes the connections of those that are not, with a
``session_ended`` error saying why (docs/security.md "Sessions"). Every ``session_touch_s`` it
also marks its open sessions as used, so a console connected all shift long is not idle.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from console.hub.config import HubConfig
from console.store.accounts import Accounts
from console.store.sessions import DISABLED, LOGOUT, PASSWORD, By

log = logging.getLogger(__name__)

#: Why a connection was closed, as the console shows it (translated under ``Refusal``; the
#: names end in REASON so that tools/refusal_catalogue.py lists them).
ENDED_REASON = {
    DISABLED: "An administrator disabled this account; its sessions are closed.",
    PASSWORD: "This account's password was changed; log in with the new one.",
    LOGOUT: "This session was logged out.",
}
REVOKED_REASON = "An administrator ended this session; log in again."

Close = Callable[[str], Awaitable[None]]


def ended_text(reason: str) -> str:
    return ENDED_REASON.get(reason, REVOKED_REASON)


class SessionWatch:
    """The open connections of one hub by session id, checked against the database.

    Args:
        config: ``session_check_s``, ``session_touch_s`` and the world clock.
        accounts: the store's accounts; called only through ``run``.
        run: runs a blocking store call on the hub's worker threads.
    """

    def __init__(self, config: HubConfig, accounts: Accounts,
                 run: Callable[..., Awaitable[Any]]) -> None:
        self.config = config
        self.accounts = accounts
        self.run = run
        self._open: dict[str, set[Close]] = {}

    def add(self, session_id: str, close: Close) -> None:
        """A connection logged in on ``session_id``; ``close(reason)`` ends it."""
        self._open.setdefault(session_id, set()).add(close)

    def discard(self, session_id: str, close: Close) -> None:
        closes = self._open.get(session_id)
        if closes is not None:
            closes.discard(close)
            if not closes:
                del self._open[session_id]

    async def logout(self, session_id: str, by: By) -> None:
        """End the session at its user's request; returns after the commit."""
        await self.run(functools.partial(self.accounts.sessions.end, session_id,
                                         now=self.config.clock.now(), reason=LOGOUT, by=by))

    async def run_forever(self) -> None:
        loop = asyncio.get_running_loop()
        touched = loop.time()
        while True:
            await asyncio.sleep(self.config.session_check_s)
            try:
                await self.check()
                if loop.time() - touched >= self.config.session_touch_s:
                    touched = loop.time()
                    await self.touch()
            except asyncio.CancelledError:
                raise
            except Exception:  # the database away for a moment: look again next time
                log.warning("could not check the open sessions", exc_info=True)

    async def check(self) -> None:
        """Close the connections whose sessions have ended since the last look."""
        if not self._open:
            return
        ended: dict[str, str] = await self.run(self.accounts.sessions.ended, list(self._open))
        closing = [(close, reason) for session_id, reason in ended.items()
                   for close in self._open.pop(session_id, ())]
        for _, reason in closing:
            log.info("closing a connection: its session ended (%s)", reason)
        await asyncio.gather(*(close(reason) for close, reason in closing),
                             return_exceptions=True)

    async def touch(self) -> None:
        if self._open:
            await self.run(functools.partial(self.accounts.sessions.touch, list(self._open),
                                             now=self.config.clock.now()))
