"""A hub inside the console's own process: the embedded default ("this computer").

The same :class:`Hub` as ``main.py hub``, on its own asyncio loop in a background thread, so the
console talks to it over a real websocket on 127.0.0.1 exactly as it would to a remote hub.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from console.domain.rules import Rules
from console.hub.config import HubConfig
from console.hub.server import Hub
from console.store.store import Store

#: The name consoles give in their hello (console.comms.client.CLIENT_NAME, without the version).
CONSOLE_CLIENT = "linkage-console"


class EmbeddedHub:
    """Start with :meth:`start` (returns once listening), stop with :meth:`stop`."""

    def __init__(self, store: Store, rules: Rules, **config: Any) -> None:
        self.store = store
        self.rules = rules
        self.config = HubConfig(**{"host": "127.0.0.1", "port": 0, "name": "embedded",
                                   **config})
        self.hub: Hub | None = None
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name="embedded-hub", daemon=True)

    @property
    def url(self) -> str:
        assert self.hub is not None
        return f"ws://{self.config.host}:{self.hub.port}/ws"

    def console_sessions(self) -> int:
        """How many consoles are logged in here now (sessions on ``/ws`` whose client is the
        console; not the simulators' or the police center's). Callable from any thread."""
        hub = self.hub
        if hub is None:
            return 0
        # list() of a set runs without letting the hub's thread in; the sessions are only read.
        return sum(1 for session in list(hub.sessions)
                   if getattr(session, "endpoint", None) == "ws"
                   and getattr(session, "user", None) is not None
                   and (getattr(session, "client", None) or "").startswith(CONSOLE_CLIENT))

    def start(self, timeout: float = 30.0) -> EmbeddedHub:
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError("the embedded hub did not start")
        if self._error is not None:
            raise RuntimeError(f"the embedded hub did not start: {self._error}") \
                from self._error
        return self

    def stop(self, timeout: float = 30.0) -> None:
        if self._loop is not None and self._stop is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout)

    def _main(self) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            self.hub = Hub(self.store, self.rules, self.config)
            await self.hub.start()
            self._ready.set()
            await self._stop.wait()
            await self.hub.stop()

        try:
            asyncio.run(main())
        except BaseException as error:  # reported to start(); the thread ends either way
            self._error = error
            self._ready.set()
