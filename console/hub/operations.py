"""What operators watch: ``/healthz`` (the process answers), ``/readyz`` (it can do its work)
and ``/metrics`` (Prometheus text), on the hub's own port (docs/deploy.md "Watching").

Readiness is decided from what is already known, never by a database call on the event loop:
a probe on its own thread asks the database every ``interval`` (``SELECT 1`` and the outboxes'
depths) and the handler reads its last answer. A probe that has not answered within
``timeout`` counts as a failure, and no second probe starts while one hangs, so a database that
hangs costs one thread, not the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from console.domain.permissions import COMMANDS
from console.store.store import Store

log = logging.getLogger(__name__)

#: Command latencies: a command is answered after its commit, from about a millisecond on an
#: idle SQLite to seconds behind a flood.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """One hub's metrics, in a registry of its own (several hubs may share a process in tests)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.connections = Gauge("linkage_connections", "Open connections by path",
                                 ["path"], registry=r)
        self.commands = Counter("linkage_commands", "Commands answered, by name and outcome "
                                "(ok or the error's code)", ["name", "outcome"], registry=r)
        self.latency = Histogram("linkage_command_seconds", "From a command's submission to "
                                 "its answer (after the commit)", ["name"],
                                 buckets=LATENCY_BUCKETS, registry=r)
        self.events = Counter("linkage_events", "Events the hub has followed in the log "
                              "(rate(): events/s)", registry=r)
        self.positions = Counter("linkage_positions", "Unit positions taken from field "
                                 "clients (rate(): positions/s)", registry=r)
        self.outbox = Gauge("linkage_outbox_depth", "Messages waiting for delivery",
                            ["outbox"], registry=r)
        self.position_lag = Gauge("linkage_position_writer_lag_seconds", "Age of the oldest "
                                  "position not stored yet (0: none waiting)", registry=r)
        self.db_errors = Counter("linkage_database_errors", "Database calls that failed",
                                 registry=r)
        self.ready = Gauge("linkage_ready", "1 when /readyz answers 200", registry=r)
        for path in ("ws", "field", "police"):
            self.connections.labels(path)
        for box in ("police", "field"):
            self.outbox.labels(box)

    def command(self, name: str, outcome: str, seconds: float) -> None:
        # A client names its commands: only the domain's names become label values, so a
        # client cannot grow the metrics without end by inventing names.
        name = name if name in COMMANDS else "unknown"
        self.commands.labels(name, outcome).inc()
        self.latency.labels(name).observe(seconds)


@dataclass
class Probe:
    """The database as the last probe found it."""

    ok: bool = False
    error: str = "not probed yet"
    at: float = 0.0  # monotonic time of the answer


class Readiness:
    """Probes the database on its own thread; says whether the hub is ready, and if not why."""

    def __init__(self, store: Store, metrics: Metrics, *, interval: float = 1.0,
                 timeout: float = 2.0) -> None:
        self.store = store
        self.metrics = metrics
        self.interval = interval
        self.timeout = timeout
        self.last = Probe()
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hub-probe")
        self._asked_at: float | None = None  # a probe in flight since then

    def _probe(self) -> dict[str, int]:
        return self.store.outbox_depths()

    def _answered(self, future: asyncio.Future[dict[str, int]]) -> None:
        self._asked_at = None
        if future.cancelled():
            return
        error = future.exception()
        if error is None:
            for box, depth in future.result().items():
                self.metrics.outbox.labels(box).set(depth)
            if not self.last.ok:
                log.info("the database answers again")
            self.last = Probe(True, "", time.monotonic())
        else:
            self.metrics.db_errors.inc()
            if self.last.ok:
                log.warning("the database does not answer: %s", _first_line(error))
            self.last = Probe(False, _first_line(error), time.monotonic())

    def _ask(self) -> asyncio.Future[dict[str, int]] | None:
        if self._asked_at is not None:
            return None  # the last one still hangs
        self._asked_at = time.monotonic()
        future = asyncio.get_running_loop().run_in_executor(self._thread, self._probe)
        future.add_done_callback(self._answered)
        return future

    async def first(self) -> None:
        """Probe once and wait for the answer (at most ``timeout``): the hub starts knowing."""
        future = self._ask()
        if future is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(future), timeout=self.timeout)

    async def run(self, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            self._ask()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), timeout=self.interval)

    def database_reason(self) -> str | None:
        """Why the database is not usable, or None."""
        now = time.monotonic()
        if self._asked_at is not None and now - self._asked_at > self.timeout:
            return f"database: no answer for {now - self._asked_at:.0f} s"
        if not self.last.ok:
            return f"database: {self.last.error}"
        if now - self.last.at > self.interval + self.timeout:
            return "database: not probed for a while"
        return None

    def reasons(self, tasks: Iterable[asyncio.Task[object]],
                extra: Iterable[str | None] = ()) -> list[str]:
        """Everything that keeps the hub from being ready (empty: ready)."""
        found = [reason for reason in (self.database_reason(), *extra) if reason]
        for task in tasks:
            if task.done():
                found.append(f"{task.get_name()}: stopped")
        return found

    def close(self) -> None:
        self._thread.shutdown(wait=False, cancel_futures=True)


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return (text[0] if text else type(error).__name__)[:300]
