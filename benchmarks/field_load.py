#!/usr/bin/env python3
"""A hub serving a district's field devices: 20,000 ``/field`` sessions, their positions and
their dispatches.

    python benchmarks/field_load.py [--db URL] [--sessions 20000] [--seconds 60]
                                    [--positions-per-s 10000] [--dispatches-per-s 20]
    python benchmarks/field_load.py --sessions 500 --seconds 20 --positions-per-s 1000   # small

The hub runs in its own process (this script's ``--hub-server`` mode: ``main.py hub`` with its
connection limits raised to fit the sessions). One device session per unit logs in on
``/field`` with its own account, bound to its unit (DESIGN §5c); together they send
``--positions-per-s`` fixes a second (each device its own one-row batches, spread evenly), while
a controller on ``/ws`` dispatches ``--dispatches-per-s`` incidents a second, each to a unit not
dispatched before (so at most one per unit: a run dispatches min(rate × seconds, sessions)).
Each device acknowledges every task it gets. Measured:

- ``task_p99_ms`` (and p50): from the controller sending ``incident.dispatch`` to the task
  reaching the unit's device; the target is ≤ 1,000 ms. ``tasks_missing``: dispatches whose
  task had not arrived 30 s after the last one (a run waits that long for stragglers);
  ``tasks_twice``: tasks a device got again (none is expected: no connection is cut);
  ``dispatch_result_p99_ms``: from sending to the command's result (its commit), the write
  path's share of the task's time;
- ``hub_rss_mb``: the hub process's resident memory with every session connected, at the end of
  the window; ``rss_per_session_kb``: its growth from before the sessions connected to after,
  per session (the position writer child is not counted: it does not grow with sessions);
- ``bytes_per_fix``: the stored track history (table and index, on disk) over the fixes in it
  (console/store/tracks.py ``storage``), after the run;
- ``assessment_day_s``: ``console.store.assessment.assess_day(store, day)`` timed for the run's
  day, when that module exists; null otherwise.

Accounts are hashed with the cheapest Argon2id (a stored hash names its own parameters): the
benchmark measures serving sessions, not 20,000 password checks at production cost. The last
line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import resource
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from store_write import database  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

PASSWORD = "bench-field-pw"
CONTROLLER = "bench-ctl"
#: How long a run waits, after its last dispatch, for the results and tasks still owed.
GRACE_S = 30.0
RESULT_MS: list[float] = []  # dispatch sent → its result (committed), at the controller


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def unit_id(n: int) -> str:
    return f"FU{n:05d}"


def prepare(url: str, sessions: int, incidents: int) -> list[str]:
    """Units, one device account per unit, the controller, and the incidents to dispatch (their
    ids returned)."""
    from argon2 import PasswordHasher

    from console.domain.model import Actor, Role
    from console.domain.rules import Rules
    from console.store import accounts
    from console.store.store import Store
    from console.store.writer import Command

    store = Store(url, Rules.load())
    made: list[str] = []
    try:
        previous = accounts.use_hasher(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        hashed = accounts.hash_password(PASSWORD)
        accounts.use_hasher(previous)
        now = datetime.now(UTC)
        store.accounts.create_user(CONTROLLER, hashed, ["controller"], now=now)
        admin = Actor("bench-admin", frozenset({Role.ADMIN}))
        controller = Actor(CONTROLLER, frozenset({Role.CONTROLLER}))
        ids = [unit_id(n) for n in range(sessions)]
        for start in range(0, len(ids), 2000):
            results, _ = store.execute_batch([
                (Command(str(uuid.uuid4()), "unit.register", {
                    "id": unit, "name": unit, "type": "grid_worker", "status": "available"}),
                 admin) for unit in ids[start:start + 2000]])
            assert all(r.ok for r in results), [r.error for r in results if not r.ok][:3]
        for unit in ids:
            store.accounts.create_user(f"dev-{unit}", hashed, ["field"], now=now, unit=unit)
        for start in range(0, incidents, 1000):
            results, _ = store.execute_batch([
                (Command(str(uuid.uuid4()), "incident.create", {
                    "source": "hotline", "category": "city.streetlight", "priority": "P3",
                    "description": f"路灯不亮 {n}",
                    "location": {"lat": 30.62 + (n % 97) * 0.001, "lon": 104.06 + (n % 89) * 0.001,
                                 "address": f"建设路 {n} 号"}}), controller)
                for n in range(start, min(incidents, start + 1000))])
            assert all(r.ok for r in results), [r.error for r in results if not r.ok][:3]
            made.extend(str(r.data["id"]) for r in results)
    finally:
        store.close()
    return made


# -- the hub, in a process of its own ----------------------------------------------------------

def hub_server(url: str, sessions: int) -> None:
    """``main.py hub`` with room for ``sessions`` connections from one address."""
    from console.domain.rules import Rules
    from console.hub.config import HubConfig
    from console.hub.server import Hub
    from console.store.store import Store

    room = sessions + 200
    config = HubConfig(port=0, name="field-bench", max_connections=room,
                       max_connections_per_address=room, max_handshakes_per_address=room)

    async def main() -> None:
        store = Store(url, Rules.load(), clock=config.clock.now)
        hub = Hub(store, store.rules, config)
        await hub.start()
        print(f"hub listening on port {hub.port}", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        import signal
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()
        await hub.stop()
        store.close()

    asyncio.run(main())


class HubProcess:
    def __init__(self, url: str, sessions: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--hub-server", url, "--sessions", str(sessions)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        assert self.process.stdout is not None
        for line in self.process.stdout:
            found = re.search(r"hub listening on port (\d+)", line)
            if found:
                self.port = int(found.group(1))
                return
        raise SystemExit("the hub did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(120)
        assert self.process.stdout is not None
        self.process.stdout.close()


# -- the devices and the controller -----------------------------------------------------------

async def login(port: int, path: str, username: str) -> Any:
    ws = await connect(f"ws://127.0.0.1:{port}{path}", max_size=None, open_timeout=60,
                       ping_interval=None, compression=None)
    await ws.send(json.dumps({"type": "hello", "protocol": 1, "client": "field_load",
                              "auth": {"username": username, "password": PASSWORD}}))
    while True:
        message = json.loads(await ws.recv())
        if message["type"] == "synced":
            return ws
        if message["type"] == "error":
            raise SystemExit(f"{username} could not log in: {message}")


class Devices:
    """Every device's socket, and when each dispatch's task reached its device."""

    def __init__(self) -> None:
        self.sockets: dict[str, Any] = {}
        self.task_at: dict[str, float] = {}  # incident → when its task arrived
        self.tasks = 0
        self.duplicates = 0

    async def connect(self, port: int, units: list[str], at_once: int = 100) -> None:
        queue = list(units)

        async def worker() -> None:
            while queue:
                unit = queue.pop()
                self.sockets[unit] = await login(port, "/field", f"dev-{unit}")

        await asyncio.gather(*(worker() for _ in range(min(at_once, len(units)))))

    async def read(self, ws: Any) -> None:
        async for text in ws:
            now = time.perf_counter()
            message = json.loads(text)
            if message.get("type") != "task":
                continue
            self.tasks += 1
            incident = str((message.get("incident") or {}).get("id"))
            if incident in self.task_at:
                self.duplicates += 1
            else:
                self.task_at[incident] = now
            await ws.send(json.dumps({"type": "ack", "id": message["id"]}))


async def positions(devices: Devices, rate: float, seconds: float) -> int:
    """``rate`` fixes a second in all, each device sending its own, in turn."""
    rng = random.Random(5)
    units = list(devices.sockets)
    sent = 0
    started = time.perf_counter()
    tick = 0.1
    per_tick = rate * tick
    owed = 0.0
    turn = 0
    while (now := time.perf_counter()) - started < seconds:
        owed += per_tick
        count = int(owed)
        owed -= count
        for _ in range(count):
            unit = units[turn % len(units)]
            turn += 1
            row = [unit, 30.62 + rng.random() * 0.12, 104.06 + rng.random() * 0.14,
                   rng.random() * 360, rng.random() * 5]
            await devices.sockets[unit].send(json.dumps({"type": "positions", "units": [row]}))
            sent += 1
        await asyncio.sleep(max(0.0, now + tick - time.perf_counter()))
    return sent


async def dispatcher(ws: Any, incidents: list[str], units: list[str], rate: float,
                     seconds: float) -> dict[str, float]:
    """``rate`` dispatches a second; when each was sent, by incident."""
    sent: dict[str, float] = {}
    by_command: dict[str, float] = {}
    refused: list[Any] = []

    async def results() -> None:
        async for text in ws:
            if not text.startswith('{"type":"result"'):
                continue  # events and position frames: not measured here
            message = json.loads(text)
            if not message["ok"]:
                refused.append(message["error"])
            elif message["id"] in by_command:
                RESULT_MS.append(1000 * (time.perf_counter() - by_command.pop(message["id"])))

    reader = asyncio.create_task(results())
    started = time.perf_counter()
    count = min(int(rate * seconds), len(incidents), len(units))
    for n in range(count):
        await asyncio.sleep(max(0.0, started + n / rate - time.perf_counter()))
        command_id = str(uuid.uuid4())
        sent[incidents[n]] = by_command[command_id] = time.perf_counter()
        await ws.send(json.dumps({"type": "command", "id": command_id,
                                  "name": "incident.dispatch",
                                  "args": {"id": incidents[n], "unit": units[n]}}))
    deadline = time.perf_counter() + GRACE_S  # the results still owed
    while by_command and time.perf_counter() < deadline:
        await asyncio.sleep(0.1)
    reader.cancel()
    if refused:
        print(f"{len(refused)} dispatches refused, e.g. {refused[:3]}", flush=True)
    return sent


def assessment_day(url: str, day: Any) -> float | None:
    """Time the grid-worker assessment of ``day`` if the store has one; None if not."""
    try:
        from console.store.assessment import assess_day  # type: ignore[import-not-found]
    except ImportError:
        return None
    from console.domain.rules import Rules
    from console.store.store import Store

    store = Store(url, Rules.load())
    try:
        started = time.perf_counter()
        assess_day(store, day)
        return time.perf_counter() - started
    finally:
        store.close()


def storage(url: str) -> Any:
    from console.store.db import open_database
    from console.store.tracks import storage as measure

    db = open_database(url)
    try:
        return measure(db)
    finally:
        db.dispose()


async def main_async(url: str, args: argparse.Namespace,
                     incidents: list[str]) -> dict[str, Any]:
    units = [unit_id(n) for n in range(args.sessions)]
    hub = HubProcess(url, args.sessions)
    devices = Devices()
    try:
        await asyncio.sleep(2)
        rss_before = rss_kb(hub.process.pid)
        started = time.perf_counter()
        await devices.connect(hub.port, units)
        connect_s = time.perf_counter() - started
        readers = [asyncio.create_task(devices.read(ws)) for ws in devices.sockets.values()]
        await asyncio.sleep(2)
        rss_connected = rss_kb(hub.process.pid)
        controller = await login(hub.port, "/ws", CONTROLLER)
        # The controller's hello asked for every stream; it reads only results (the rest is
        # dropped unread but for its volume).
        fixes, sent = await asyncio.gather(
            positions(devices, args.positions_per_s, args.seconds),
            dispatcher(controller, incidents, units, args.dispatches_per_s, args.seconds))
        deadline = time.perf_counter() + GRACE_S  # the tasks still on their way
        while set(sent) - set(devices.task_at) and time.perf_counter() < deadline:
            await asyncio.sleep(0.1)
        rss_end = rss_kb(hub.process.pid)
        for reader in readers:
            reader.cancel()
        await controller.close()
        await asyncio.gather(*(ws.close() for ws in devices.sockets.values()),
                             return_exceptions=True)
    finally:
        hub.stop()
    latency = [1000 * (devices.task_at[i] - at) for i, at in sent.items()
               if i in devices.task_at]
    size = storage(url)
    p50, p99 = percentile(latency, 0.5), percentile(latency, 0.99)
    day = datetime.now(UTC).date()
    assessment = assessment_day(url, day)
    return {
        "sessions": len(devices.sockets),
        "connect_s": round(connect_s, 1),
        "positions_per_s": round(fixes / args.seconds),
        "dispatches": len(sent),
        "tasks_received": devices.tasks,
        "tasks_missing": len(sent) - len(latency),
        "tasks_twice": devices.duplicates,
        "task_p50_ms": None if p50 is None else round(p50, 1),
        "task_p99_ms": None if p99 is None else round(p99, 1),
        "dispatch_result_p99_ms": (None if not RESULT_MS
                                   else round(percentile(RESULT_MS, 0.99) or 0.0, 1)),
        "hub_rss_mb": round(rss_end / 1024, 1),
        "rss_per_session_kb": round((rss_connected - rss_before) / max(1, len(units)), 1),
        "fixes_stored": size.fixes,
        "bytes_per_fix": None if size.bytes_per_fix is None else round(size.bytes_per_fix, 1),
        "assessment_day_s": None if assessment is None else round(assessment, 3),
        "machine_cores": os.cpu_count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--sessions", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--positions-per-s", type=float, default=10_000.0)
    parser.add_argument("--dispatches-per-s", type=float, default=20.0)
    parser.add_argument("--hub-server", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.hub_server:
        hub_server(args.hub_server, args.sessions)
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = args.sessions + 1000
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))
    dispatches = min(int(args.dispatches_per_s * args.seconds), args.sessions)
    with database(args.db) as url:
        print(f"preparing {args.sessions:,} units and devices, {dispatches:,} incidents in "
              f"{url.split('@')[-1]}", flush=True)
        incidents = prepare(url, args.sessions, dispatches)
        figures = asyncio.run(main_async(url, args, incidents))
    db = "postgresql" if url.startswith("postgresql") else "sqlite"
    for key, value in figures.items():
        print(f"{key}: {value}")
    print(json.dumps({"db": db, **figures}))


if __name__ == "__main__":
    main()
