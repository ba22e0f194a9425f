"""The fault drills' harness, shared by tests/hub/test_drill.py and benchmarks/drill.py.

Consoles (the console's own :class:`HubClient` on ``/ws``), a field gateway (the same client on
``/field``) and the police peer simulator (``/police``) each reach the hub through a
:class:`FaultProxy` of their own, and the hub reaches PostgreSQL through another. They keep
working — each creates incidents, one at a time, numbered — while a cycle breaks one path in one
way (tests/faultproxy.py), waits until the fault has bitten, heals it and times how long until
every client has been acknowledged again. Afterwards the store itself is read and compared with
what each client was told was acknowledged: nothing missing (lost), nothing applied twice
(doubled), and each client's commands committed in the order it sent them (reordered).
The design is in docs/security.md, "Drills".
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from console.comms import police_wire as w
from console.comms.client import HubClient
from console.comms.states import LIVE
from console.domain.rules import Rules
from console.hub.police import command_id as police_command_id
from console.sim.police.journal import Journal
from console.sim.police.peer import PolicePeer
from console.store.db import normalise_url
from tests.faultproxy import FAULTS, FaultProxy

PASSWORD = "联动-pw"  # tests/hub/conftest.py's USERS have it
PATHS = ("console", "field", "police", "database")


def through(url: str, port: int) -> str:
    """A database URL with its port replaced (the hub's way to PostgreSQL via a proxy)."""
    return make_url(url).set(host="127.0.0.1", port=port).render_as_string(hide_password=False)


@dataclass
class Ledger:
    """What one client was told: each acknowledged command (its number, id, when)."""

    name: str
    acked: list[tuple[int, str, float]] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # timed out: applied or not, we don't know
    refused: list[str] = field(default_factory=list)
    #: The console's replica found a gap or a stranger in the events the hub sent it.
    out_of_step: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ack(self, n: int, command_id: str) -> None:
        with self.lock:
            self.acked.append((n, command_id, time.monotonic()))

    def last_ack(self) -> float:
        with self.lock:
            return self.acked[-1][2] if self.acked else 0.0

    def first_ack_after(self, moment: float) -> float:
        with self.lock:
            return next((at for _, _, at in self.acked if at > moment), 0.0)


class Worker:
    """A console or field gateway creating incidents one at a time through a HubClient."""

    def __init__(self, name: str, url: str, username: str, rules: Rules, source: str,
                 subscribe: tuple[str, ...] | None) -> None:
        self.ledger = Ledger(name)
        self.source = source
        self.client = HubClient(url, username, PASSWORD, rules, deliver=lambda change: None,
                                notice=self._notice, subscribe=subscribe,
                                client_name=f"drill-{name}")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"drill-{name}", daemon=True)

    def start(self) -> None:
        self.client.start()
        self._thread.start()

    def _notice(self, level: str, message: str) -> None:
        if "live state" in message:  # console/comms/link.py's resync after OutOfStep
            self.ledger.out_of_step.append(message)

    def _run(self) -> None:
        n = 1
        while not self._stop.is_set():
            if self.client.state != LIVE:
                self._stop.wait(0.01)
                continue
            args = {"source": self.source, "category": "env.noise_construction",
                    "priority": "P3", "description": f"drill {self.ledger.name} {n}",
                    "location": {"lat": 30.6675, "lon": 104.1075, "address": "建设路 1 号"}}
            result = self.client.submit("incident.create", args, timeout=60).result()
            if result.ok:
                self.ledger.ack(n, result.id)
            elif result.code == "offline":  # never sent: the same number goes again
                continue
            elif result.code in ("timeout", "stopped"):
                self.ledger.unknown.append(result.id)
            else:
                self.ledger.refused.append(f"{result.code}: {result.message}")
            n += 1

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(90)
        self.client.stop()


class _Journal(Journal):
    """The police center's journal, noting when each of its messages was acknowledged."""

    def __init__(self, ledger: Ledger) -> None:
        super().__init__(":memory:")
        self.ledger = ledger
        self.numbers: dict[str, int] = {}

    def acked(self, message_id: str, incident: str | None, now: datetime) -> bool:
        done = super().acked(message_id, incident, now)
        if done:
            self.ledger.ack(self.numbers[message_id], message_id)
        return done


class Police:
    """The police peer simulator, handing over cases one at a time (window 1: in order)."""

    def __init__(self, url: str) -> None:
        self.ledger = Ledger("police")
        self.journal = _Journal(self.ledger)
        self.url = url
        self.peer: PolicePeer | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()),
                                        name="drill-police", daemon=True)

    def start(self) -> None:
        self._thread.start()
        self._ready.wait(10)

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        self.peer = PolicePeer(self.url, "police110", PASSWORD, journal=self.journal, window=1)
        running = asyncio.create_task(self.peer.run())
        self._ready.set()
        n = 0
        while not self._stop.is_set():
            if not self.journal.outbox(pending=True):
                n += 1
                message_id = f"drill-110-{uuid.uuid4()}"
                self.journal.numbers[message_id] = n
                self.peer.send(w.IncidentMsg(message_id, w.Case(
                    str(uuid.uuid4()), f"110-drill-{n}", datetime.now(UTC),
                    w.Location(30.6675, 104.1075, "建设路 1 号"), "env.noise_residential",
                    f"drill police {n}", reporter=w.Reporter("李女士", "13800000017"))))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), 0.01)
        self.peer.stop()
        await asyncio.gather(running, return_exceptions=True)

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)
        self.journal.close()


@dataclass
class Cycle:
    path: str
    fault: str
    recovery_s: float
    slowest: str = ""  # the client acknowledged last


@dataclass
class Verdict:
    """What the store holds, against what the clients were told."""

    acknowledged: int
    lost: list[str]
    doubled: list[str]
    reordered: list[str]
    unknown: int
    refused: list[str]
    out_of_step: list[str]


class Drill:
    """The proxies and clients of one drill against a hub already running.

    Args:
        hub_port: where the hub listens.
        rules: for the console clients.
        db_proxy: the hub's way to PostgreSQL, when that path is drilled too.
    """

    def __init__(self, hub_port: int, rules: Rules, *, consoles: int = 2,
                 db_proxy: FaultProxy | None = None) -> None:
        self.proxies = {path: FaultProxy("127.0.0.1", hub_port, name=path).start()
                        for path in ("console", "field", "police")}
        if db_proxy is not None:
            self.proxies["database"] = db_proxy
        console_url = f"ws://127.0.0.1:{self.proxies['console'].port}/ws"
        self.workers = [Worker(f"console-{i}", console_url, "ctl", rules, "hotline", None)
                        for i in range(consoles)]
        self.workers.append(Worker("field", f"ws://127.0.0.1:{self.proxies['field'].port}/field",
                                   "gateway", rules, "grid", ()))
        self.police = Police(f"ws://127.0.0.1:{self.proxies['police'].port}")
        self.cycles: list[Cycle] = []
        self.slowest = ""

    @property
    def ledgers(self) -> list[Ledger]:
        return [worker.ledger for worker in self.workers] + [self.police.ledger]

    def start(self, timeout: float = 60) -> None:
        for worker in self.workers:
            worker.start()
        self.police.start()
        self.wait_acked_after(0.0, timeout)

    def wait_acked_after(self, moment: float, timeout: float) -> float:
        """Wait until every client has an acknowledgement after ``moment``; the time it took
        from ``moment`` (the slowest client's name is kept in :attr:`slowest`)."""
        deadline = time.monotonic() + timeout
        while True:
            lasts = [ledger.last_ack() for ledger in self.ledgers]
            if all(last > moment for last in lasts):
                firsts = {lg.name: lg.first_ack_after(moment) for lg in self.ledgers}
                self.slowest = max(firsts, key=lambda name: firsts[name])
                return firsts[self.slowest] - moment if moment else 0.0
            if time.monotonic() > deadline:
                behind = [lg.name for lg, last in zip(self.ledgers, lasts, strict=True)
                          if last <= moment]
                raise AssertionError(f"no acknowledgement within {timeout} s for {behind}")
            time.sleep(0.005)

    def cycle(self, path: str, fault: str, recover_timeout: float = 60) -> Cycle:
        """Break ``path`` with ``fault`` until it has bitten, heal, time the recovery."""
        proxy = self.proxies[path]
        bites = proxy.bites
        proxy.apply(fault)
        # Held until the fault has met traffic (for a cut: a try to come back, refused), so
        # that every cycle tests something, however quiet the path.
        deadline = time.monotonic() + 30
        while proxy.bites <= bites and time.monotonic() < deadline:
            time.sleep(0.005)
        proxy.heal()
        healed = time.monotonic()
        done = Cycle(path, fault, self.wait_acked_after(healed, recover_timeout), self.slowest)
        self.cycles.append(done)
        return done

    def run(self, cycles: int, paths: Iterable[str] | None = None,
            on_cycle: Callable[[int, Cycle], None] | None = None) -> None:
        paths = [p for p in (paths or PATHS) if p in self.proxies]
        combos = [(path, fault) for fault in FAULTS for path in paths]
        for i in range(cycles):
            done = self.cycle(*combos[i % len(combos)])
            if on_cycle is not None:
                on_cycle(i, done)

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.police.stop()
        for path, proxy in self.proxies.items():
            if path != "database":
                proxy.stop()


def verify(db_url: str, ledgers: Iterable[Ledger]) -> Verdict:
    """Read the incidents created from the store and hold them against the ledgers."""
    engine = create_engine(normalise_url(db_url))
    try:
        with engine.connect() as conn:
            found = conn.execute(text("SELECT seq, command_id, data FROM events "
                                      "WHERE name = 'incident.created' ORDER BY seq")).all()
    finally:
        engine.dispose()
    rows = [(seq, command) for seq, command, _ in found]
    # The same incident under two command ids would be a client sending it again as new.
    created = [(json.loads(data) if isinstance(data, str) else data).get("description")
               for _, _, data in found]
    seq_of: dict[str, int] = {}
    per_command = Counter(command for _, command in rows)
    for seq, command in rows:
        seq_of.setdefault(command, seq)
    ledgers = list(ledgers)
    acknowledged, lost, reordered = 0, [], []
    for ledger in ledgers:
        previous = 0
        for n, command, _ in sorted(ledger.acked):
            acknowledged += 1
            key = police_command_id("police110", command) if ledger.name == "police" else command
            seq = seq_of.get(key)
            if seq is None:
                lost.append(f"{ledger.name} #{n}")
                continue
            if seq < previous:
                reordered.append(f"{ledger.name} #{n}")
            previous = max(previous, seq)
    doubled = [f"command {c} ×{k}" for c, k in per_command.items() if k > 1]
    doubled += [f"{d!r} ×{k}" for d, k in Counter(created).items() if k > 1]
    return Verdict(acknowledged, lost, doubled, reordered,
                   sum(len(lg.unknown) for lg in ledgers),
                   [r for lg in ledgers for r in lg.refused],
                   [f"{lg.name}: {m}" for lg in ledgers for m in lg.out_of_step])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


@dataclass
class Failover:
    """How long the hubs took: from the kill to the promotion (the replica's own part), and
    from the promotion until every client was acknowledged again."""

    promotion_s: float
    recovery_s: float


def failover(drill: Drill, pair: Any, timeout: float = 60) -> Failover:
    """Kill ``pair``'s primary (tests/pgcluster.py) while the clients work, promote the
    replica at once, and time until every client is acknowledged again."""
    drill.wait_acked_after(time.monotonic(), timeout)  # all of them busy before
    killed = time.monotonic()
    pair.kill_primary()
    pair.promote()
    promoted = time.monotonic()
    return Failover(promoted - killed, drill.wait_acked_after(promoted, timeout))
