"""Commands on their way into the store: queued, written in batches, answered after commit.

One writer task takes whatever commands are queued (up to ``BATCH``), runs them through the
store's write path in one transaction on the hub's single writer thread, and only then resolves
each command's future. Under load this is group commit: many commands share one commit.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from console.domain.model import Actor
from console.store.store import Store
from console.store.writer import UNAVAILABLE, Command, Result

log = logging.getLogger(__name__)

BATCH = 100


class CommandQueue:
    def __init__(self, store: Store, on_commit: Callable[[], None]) -> None:
        self.store = store
        self.on_commit = on_commit
        self._queue: asyncio.Queue[tuple[Command, Actor, asyncio.Future[Result]] | None] = (
            asyncio.Queue())
        # One thread writes: batches go in order, and the GUI-free hub loop never blocks.
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hub-writer")
        self.accepting = True
        #: Told of every command answered: its name, its outcome ("ok" or the error's code)
        #: and the seconds from its submission to its result (the hub's metrics).
        self.on_result: Callable[[str, str, float], None] | None = None
        #: Told of a batch the database refused (the hub's metrics).
        self.on_failure: Callable[[], None] | None = None

    def submit(self, command: Command, actor: Actor) -> asyncio.Future[Result]:
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        if self.on_result is not None:
            observe, started = self.on_result, time.monotonic()

            def done(settled: asyncio.Future[Result]) -> None:
                if not settled.cancelled():
                    result = settled.result()
                    outcome = "ok" if result.ok else str((result.error or {}).get("code", "error"))
                    observe(command.name, outcome, time.monotonic() - started)

            future.add_done_callback(done)
        if not self.accepting:
            future.set_result(Result(command.id, ok=False, error={
                "code": "unavailable", "message": "The hub is shutting down; send it again "
                "to the hub you reconnect to."}))
            return future
        self._queue.put_nowait((command, actor, future))
        return future

    async def run(self) -> None:
        """The writer task; ends after :meth:`close` once the queue is drained."""
        loop = asyncio.get_running_loop()
        while True:
            item = await self._queue.get()
            if item is None:
                return
            batch = [item]
            while len(batch) < BATCH and not self._queue.empty():
                more = self._queue.get_nowait()
                if more is None:
                    self._queue.put_nowait(None)  # finish this batch, then stop
                    break
                batch.append(more)
            pairs = [(command, actor) for command, actor, _ in batch]
            try:
                results, logged = await loop.run_in_executor(self._thread,
                                                              self.store.execute_batch, pairs)
            except Exception as error:
                log.error("write batch of %d failed: %s", len(batch), error)
                if self.on_failure is not None:
                    self.on_failure()
                # Nothing of the batch is known to be committed: the client sends it again with
                # the same id, and the log applies it at most once.
                results = [Result(c.id, ok=False, error=dict(UNAVAILABLE)) for c, _ in pairs]
                logged = []
            if logged:
                self.on_commit()
            for (_, _, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)

    async def close(self) -> None:
        """Stop taking commands, finish those queued, stop the writer thread."""
        self.accepting = False
        self._queue.put_nowait(None)

    def shutdown(self) -> None:
        self._thread.shutdown(wait=True)
