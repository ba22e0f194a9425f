"""A TCP proxy that breaks the network on request, for the drills (docs/security.md, "Drills").

    proxy = FaultProxy("127.0.0.1", hub_port).start()   # its own event loop, in a thread
    client connects to 127.0.0.1:proxy.port ...
    proxy.cut()          # close both sides of every connection; new ones are closed at once
    proxy.reset()        # the same with RST (SO_LINGER 0) instead of FIN
    proxy.delay(200)     # every chunk arrives 200 ms late (order kept)
    proxy.throttle(2000) # at most 2,000 bytes a second each way, per connection
    proxy.half_open()    # nothing is forwarded, nothing is closed: both ends wait on
    proxy.heal()         # back to normal (connections frozen by half_open are reset)
    proxy.stop()

Half-open models a middlebox that silently loses its state (a NAT or firewall restarted, a cable
pulled between two switches): while it lasts neither end hears anything, and when the network
comes back the old connections are gone — the first packet on them meets a reset. Connections
opened meanwhile hang in the same way. Standard library only, so benchmarks can use it too.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

NORMAL, CUT, RESET, HALF_OPEN = "normal", "cut", "reset", "half_open"
CHUNK = 64 * 1024


class _Pipe:
    """One client connection and its upstream twin, with a pump each way."""

    def __init__(self, proxy: FaultProxy, client: tuple[asyncio.StreamReader,
                                                        asyncio.StreamWriter]) -> None:
        self.proxy = proxy
        self.client = client
        self.upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        self.tasks: list[asyncio.Task[None]] = []
        self.frozen = False  # met a half-open period: reset when it heals
        self.closed = False

    async def run(self) -> None:
        try:
            self.upstream = await asyncio.open_connection(self.proxy.target_host,
                                                          self.proxy.target_port)
        except OSError:
            self.close(rst=True)
            return
        if self.closed:  # cut while the upstream connection was being opened
            self.close(rst=self.proxy.mode == RESET)
            return
        self.tasks = [asyncio.create_task(self._pump(self.client[0], self.upstream[1], "up")),
                      asyncio.create_task(self._pump(self.upstream[0], self.client[1], "down"))]
        await asyncio.gather(*self.tasks, return_exceptions=True)
        self.close(rst=False)

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                    direction: str) -> None:
        # The reader side stamps each chunk with when it may go out; the writer side waits for
        # that, for the rate and for the network to flow: order is kept whatever the fault.
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()
        sender = asyncio.create_task(self._send(queue, writer))
        try:
            while True:
                data = await reader.read(CHUNK)
                if not data:
                    break
                queue.put_nowait((time.monotonic() + self.proxy.delay_s, data))
            queue.put_nowait((0.0, b""))
            await sender
        finally:
            sender.cancel()
            self.close(rst=False)

    async def _send(self, queue: asyncio.Queue[tuple[float, bytes]],
                    writer: asyncio.StreamWriter) -> None:
        proxy = self.proxy
        while True:
            due, data = await queue.get()
            if not data:
                with contextlib.suppress(OSError):
                    if writer.can_write_eof():
                        writer.write_eof()
                return
            wait = due - time.monotonic()
            if proxy.delay_s or proxy.rate is not None:
                proxy.bites += 1
            if wait > 0:
                await asyncio.sleep(wait)
            if self.frozen:  # until the heal, which resets this connection
                proxy.bites += 1
                await proxy.flowing.wait()
                return
            step = proxy.throttle_piece  # once: a heal meanwhile changes it
            for start in range(0, len(data), step):
                piece = data[start:start + step]
                writer.write(piece)
                await writer.drain()
                if proxy.rate is not None:
                    await asyncio.sleep(len(piece) / proxy.rate)
            proxy.forwarded += len(data)

    def close(self, *, rst: bool) -> None:
        if self.closed and not rst:
            return
        self.closed = True
        for pair in (self.client, self.upstream):
            if pair is None:
                continue
            writer = pair[1]
            if rst:
                _abort_with_rst(writer)
            else:
                writer.close()
        for task in self.tasks:
            if task is not asyncio.current_task():
                task.cancel()
        self.proxy.pipes.discard(self)


def _abort_with_rst(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


class FaultProxy:
    """A TCP proxy from ``127.0.0.1:port`` to ``target_host:target_port`` that a test (in any
    thread) can cut, reset, delay, throttle, freeze and heal."""

    def __init__(self, target_host: str, target_port: int, *, port: int = 0,
                 name: str = "proxy") -> None:
        self.target_host = target_host
        self.target_port = target_port
        self.name = name
        self.port = port
        self.mode = NORMAL
        self.delay_s = 0.0
        self.rate: float | None = None
        self.throttle_piece = CHUNK
        self.forwarded = 0
        #: Times the fault met traffic: a connection refused, a chunk held, delayed or slowed.
        self.bites = 0
        self.accepted = 0
        self.pipes: set[_Pipe] = set()
        self.flowing: asyncio.Event
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._ready = threading.Event()
        self._stopped: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._main, name=f"faultproxy-{name}", daemon=True)

    # -- life --------------------------------------------------------------------------------

    def start(self) -> FaultProxy:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError(f"fault proxy {self.name} did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stopped is not None:
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._stopped.set)
        self._thread.join(10)

    def _main(self) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stopped = asyncio.Event()
            self.flowing = asyncio.Event()
            self.flowing.set()
            self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)
            self.port = self._server.sockets[0].getsockname()[1]
            self._ready.set()
            await self._stopped.wait()
            self._server.close()
            for pipe in list(self.pipes):
                pipe.close(rst=False)
            await asyncio.sleep(0)

        asyncio.run(main())

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        pipe = _Pipe(self, (reader, writer))
        if self.mode in (CUT, RESET):  # the network is down: nobody gets through
            self.bites += 1
            pipe.close(rst=self.mode == RESET)
            return
        pipe.frozen = self.mode == HALF_OPEN
        self.pipes.add(pipe)
        # Cancelled when the proxy stops: asyncio's stream server would log that as an error.
        with contextlib.suppress(asyncio.CancelledError):
            await pipe.run()

    def _call(self, action: Callable[[], T]) -> T:
        """Run ``action`` on the proxy's loop and wait for it."""
        assert self._loop is not None

        async def run() -> T:
            return action()

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(10)

    # -- faults ------------------------------------------------------------------------------

    def cut(self) -> None:
        """Close both sides of every connection (FIN); new connections are closed at once."""
        self._call(lambda: self._drop(CUT, rst=False))

    def reset(self) -> None:
        """Reset every connection (RST); new connections are reset at once."""
        self._call(lambda: self._drop(RESET, rst=True))

    def _drop(self, mode: str, *, rst: bool) -> None:
        self.mode = mode
        for pipe in list(self.pipes):
            pipe.close(rst=rst)

    def delay(self, ms: float) -> None:
        """Hold every chunk ``ms`` milliseconds before it goes on (order kept)."""
        self._call(lambda: setattr(self, "delay_s", ms / 1000))

    def throttle(self, bytes_per_s: float) -> None:
        """Forward at most ``bytes_per_s`` bytes a second each way on each connection."""
        def set_rate() -> None:
            self.rate = float(bytes_per_s)
            self.throttle_piece = max(1, int(bytes_per_s // 20))  # twenty steps a second

        self._call(set_rate)

    def half_open(self) -> None:
        """Forward nothing and close nothing; see the module's docstring."""
        def freeze() -> None:
            self.mode = HALF_OPEN
            self.flowing.clear()
            for pipe in self.pipes:
                pipe.frozen = True

        self._call(freeze)

    def heal(self) -> None:
        """Back to normal: no delay, no limit; connections frozen meanwhile are reset."""
        def heal() -> None:
            self.mode = NORMAL
            self.delay_s = 0.0
            self.rate = None
            self.throttle_piece = CHUNK
            for pipe in list(self.pipes):
                if pipe.frozen:
                    pipe.close(rst=True)
            self.flowing.set()

        self._call(heal)

    def apply(self, fault: str, **params: Any) -> None:
        """One of :data:`FAULTS` by name, with its default strength."""
        if fault == "delay":
            self.delay(params.get("ms", 200))
        elif fault == "throttle":
            self.throttle(params.get("bytes_per_s", 4000))
        else:
            getattr(self, fault)()


#: The faults a drill cycles through.
FAULTS = ("cut", "delay", "throttle", "reset", "half_open")
