#!/usr/bin/env python3
"""A hub under a command center's load, against a bare broadcast server doing the frames alone.

    python benchmarks/hub_load.py [--db URL] [--seconds 30]

The hub (``main.py hub``, its own process) serves 50 console connections while a field gateway
sends 10,000 positions a second for 20,000 units over ``/field`` (10 batches of 1,000) and a
controller sends 20 commands a second. Measured:

- command latency: from sending a command until its event has reached *every* console (p50, p99);
- position latency: from a field batch leaving the gateway until a console shows it, for a probe
  unit carried in every batch (p99 over every console);
- hub CPU in cores (user + system time of the hub process and of its position writer child over
  the measured window; the child's share is also reported on its own);
- the baseline: a bare ``websockets`` server broadcasting frames of the same size at the same rate
  to 50 clients, its CPU measured the same way; ``baseline_ratio`` = hub CPU / baseline CPU.

Targets (issue "Hub"): command p99 ≤ 50 ms on SQLite and PostgreSQL; 10,000 positions/s at
≤ 1 hub core. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from store_write import database  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

CONSOLES = 50
UNITS = 20_000
PASSWORD = "bench-pw"
PROBE = "PROBE"
FRAMES_PER_S = 4
TICKS = os.sysconf("SC_CLK_TCK")
CLIENT_CPU: list[float] = []
CHILD_CPU: list[float] = []  # the measured server's child processes, in cores
RESULT_MS: list[float] = []  # command sent → its result (committed), at the commanding client
PROBE_PATTERN = re.compile(r'\["PROBE",([-0-9.e]+)')


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def prepare(url: str) -> None:
    """Accounts and 20,000 registered units, written through the store's own path."""
    from datetime import UTC, datetime

    from console.domain.model import Actor, Role
    from console.domain.rules import Rules
    from console.store.store import Store
    from console.store.writer import Command

    store = Store(url, Rules.load())
    now = datetime.now(UTC)
    store.accounts.create_user("bench-ctl", PASSWORD, ["controller"], now=now)
    store.accounts.create_user("bench-gw", PASSWORD, ["field"], now=now)
    admin = Actor("bench-admin", frozenset({Role.ADMIN}))
    ids = [PROBE, *(f"BU{u:05d}" for u in range(UNITS))]
    for start in range(0, len(ids), 2000):
        results, _ = store.execute_batch([
            (Command(str(uuid.uuid4()), "unit.register", {
                "id": unit, "name": unit, "type": "grid_worker", "status": "available"}), admin)
            for unit in ids[start:start + 2000]])
        assert all(r.ok for r in results)
    store.close()


class Process:
    """A child process that prints the port it listens on."""

    def __init__(self, args: list[str], pattern: str) -> None:
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        assert self.process.stdout is not None
        for line in self.process.stdout:
            found = re.search(pattern, line)
            if found:
                self.port = int(found.group(1))
                return
        raise SystemExit(f"{args[1]} did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(60)
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if "TRACE" in line:
                print(line.strip())
        self.process.stdout.close()


async def login(port: int, path: str, username: str) -> Any:
    ws = await connect(f"ws://127.0.0.1:{port}{path}", max_size=None)
    await ws.send(json.dumps({"type": "hello", "protocol": 1, "client": "hub_load",
                              "auth": {"username": username, "password": PASSWORD}}))
    while json.loads(await ws.recv())["type"] != "synced":
        pass
    return ws


class Console:
    """A console that records when each event and each probe position reached it."""

    def __init__(self) -> None:
        self.events: dict[int, float] = {}
        self.probes: list[tuple[float, float]] = []  # (seen at, probe latitude)
        self.frames = 0
        self.rows = 0

    async def read(self, ws: Any) -> None:
        async for text in ws:
            now = time.perf_counter()
            if text.startswith('{"type":"positions"'):
                # Frames are large; find the probe without decoding the whole frame.
                self.frames += 1
                self.rows += text.count("],[") + 1
                found = PROBE_PATTERN.search(text)
                if found:
                    self.probes.append((now, float(found.group(1))))
                continue
            message = json.loads(text)
            if message["type"] == "event":
                self.events[message["seq"]] = now


async def field(ws: Any, seconds: float, sent: dict[float, float]) -> int:
    """10 batches a second of 1,000 fixes; the probe's latitude numbers the batch."""
    rng = random.Random(7)
    count = 0
    started = time.perf_counter()
    for batch in range(int(seconds * 10)):
        await asyncio.sleep(max(0.0, started + batch / 10 - time.perf_counter()))
        probe_lat = round(30.6 + batch * 1e-6, 7)
        rows = [[PROBE, probe_lat, 104.1, 0, 1.0]] + [
            [f"BU{rng.randrange(UNITS):05d}", 30.62 + rng.random() * 0.12,
             104.06 + rng.random() * 0.14, rng.random() * 360, rng.random() * 5]
            for _ in range(999)]
        sent[probe_lat] = time.perf_counter()
        await ws.send(json.dumps({"type": "positions", "units": rows}))
        count += len(rows)
    return count


async def commander(ws: Any, seconds: float, sent: dict[int, float]) -> None:
    """20 commands a second; each result names the seq whose event the consoles wait for."""
    pending: dict[str, float] = {}

    async def results() -> None:
        async for text in ws:
            if not text.startswith('{"type":"result"'):
                continue  # this console's position frames and events are not measured here
            message = json.loads(text)
            if message["type"] == "result":
                assert message["ok"], message
                sent[message["seq"]] = pending.pop(message["id"])
                RESULT_MS.append(1000 * (time.perf_counter() - sent[message["seq"]]))

    reader = asyncio.create_task(results())
    started = time.perf_counter()
    for n in range(int(seconds * 20)):
        await asyncio.sleep(max(0.0, started + n / 20 - time.perf_counter()))
        command_id = str(uuid.uuid4())
        pending[command_id] = time.perf_counter()
        await ws.send(json.dumps({"type": "command", "id": command_id, "name": "incident.create",
                                  "args": {"source": "hotline", "category": "city.streetlight",
                                           "priority": "P4", "description": f"路灯不亮 {n}",
                                           "location": {"lat": 30.67, "lon": 104.12}}}))
    await asyncio.sleep(2)
    reader.cancel()


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (the hub's position writer)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


async def measure(process: Process, work: Callable[[], Awaitable[Any]],
                  seconds: float) -> tuple[Any, float]:
    """Run ``work``; returns its result and the CPU, in cores, of the process and its children
    (the hub's position writer is hub work too: counted, and also reported on its own)."""
    await asyncio.sleep(2)  # let connections settle before the window opens
    pids = [process.process.pid, *children(process.process.pid)]
    before, started = [cpu_seconds(pid) for pid in pids], time.perf_counter()
    own = time.process_time()
    result = await work()
    elapsed = time.perf_counter() - started
    used = [(cpu_seconds(pid) - b) / elapsed for pid, b in zip(pids, before, strict=True)]
    CHILD_CPU.append(sum(used[1:]))
    # The load generator shares the machine: how much of it did it take meanwhile?
    CLIENT_CPU.append((time.process_time() - own) / elapsed)
    return result, sum(used)


async def run_hub(port: int, seconds: float) -> dict[str, Any]:
    consoles = [Console() for _ in range(CONSOLES)]
    sockets = [await login(port, "/ws", "bench-ctl") for _ in consoles]
    readers = [asyncio.create_task(c.read(ws)) for c, ws in zip(consoles, sockets, strict=True)]
    gateway = await login(port, "/field", "bench-gw")
    controller = await login(port, "/ws", "bench-ctl")
    controller_drain = asyncio.create_task(Console().read(controller))  # not used for figures
    controller_drain.cancel()
    command_sent: dict[int, float] = {}
    batch_sent: dict[float, float] = {}

    async def work() -> int:
        count, _ = await asyncio.gather(field(gateway, seconds, batch_sent),
                                        commander(controller, seconds, command_sent))
        return int(count)

    return {"consoles": consoles, "sockets": sockets, "readers": readers,
            "work": work, "command_sent": command_sent, "batch_sent": batch_sent,
            "extra": [gateway, controller]}


def baseline_server() -> None:
    """A bare websockets broadcast server: FRAMES_PER_S frames a second of ``rows`` rows."""
    from websockets.asyncio.server import broadcast, serve

    rows = int(sys.argv[sys.argv.index("--rows") + 1])
    clients: set[Any] = set()

    async def handler(ws: Any) -> None:
        clients.add(ws)
        try:
            await ws.wait_closed()
        finally:
            clients.discard(ws)

    async def main() -> None:
        rng = random.Random(3)
        # Uncompressed, like the hub (console/hub/server.py).
        async with serve(handler, "127.0.0.1", 0, max_size=None, compression=None) as server:
            print(f"baseline listening on port {server.sockets[0].getsockname()[1]}", flush=True)
            batch = 0
            while True:
                await asyncio.sleep(1 / FRAMES_PER_S)
                batch += 1
                units = [[PROBE, round(30.6 + batch * 1e-6, 7), 104.1, 0, 1.0, "available"]] + [
                    [f"BU{rng.randrange(UNITS):05d}", 30.62 + rng.random() * 0.12,
                     104.06 + rng.random() * 0.14, rng.random() * 360, rng.random() * 5,
                     "available"] for _ in range(rows - 1)]
                broadcast(clients, json.dumps({"type": "positions", "at": time.time(),
                                               "units": units}, separators=(",", ":")))

    asyncio.run(main())


async def run_baseline(rows: int, seconds: float) -> float:
    server = Process([sys.executable, __file__, "--baseline-server", "--rows", str(rows)],
                     r"baseline listening on port (\d+)")
    try:
        consoles = [Console() for _ in range(CONSOLES)]
        sockets = [await connect(f"ws://127.0.0.1:{server.port}/", max_size=None)
                   for _ in consoles]
        readers = [asyncio.create_task(c.read(ws)) for c, ws in zip(consoles, sockets,
                                                                     strict=True)]
        _, cores = await measure(server, lambda: asyncio.sleep(seconds), seconds)
        for ws in sockets:
            await ws.close()
        for r in readers:
            r.cancel()
        return cores
    finally:
        server.stop()


async def main_async(url: str, seconds: float) -> dict[str, Any]:
    hub = Process([sys.executable, str(ROOT / "main.py"), "hub", "--db", url, "--port", "0",
                   "--name", "bench", "--migrate"], r"listening on ws://[\d.]+:(\d+)")
    try:
        setup = await run_hub(hub.port, seconds)
        if os.environ.get("HUB_LOAD_PROFILE"):  # py-spy the hub during the window
            subprocess.Popen(["py-spy", "record", "-d", str(int(seconds)), "-o",
                              os.environ["HUB_LOAD_PROFILE"], "-f", "raw", "-p",
                              str(hub.process.pid)], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        positions, hub_cores = await measure(hub, setup["work"], seconds)
        await asyncio.sleep(1)
        consoles: list[Console] = setup["consoles"]
        for ws in [*setup["sockets"], *setup["extra"]]:
            await ws.close()
    finally:
        hub.stop()
    command_ms = [1000 * (max(c.events[seq] for c in consoles) - sent)
                  for seq, sent in setup["command_sent"].items()
                  if all(seq in c.events for c in consoles)]
    missing = len(setup["command_sent"]) - len(command_ms)
    batch_sent: dict[float, float] = setup["batch_sent"]
    position_ms = [1000 * (seen - batch_sent[lat]) for c in consoles for seen, lat in c.probes
                   if lat in batch_sent]
    frames = sum(c.frames for c in consoles)
    rows_per_frame = sum(c.rows for c in consoles) / max(1, frames)
    baseline_cores = await run_baseline(max(1, round(rows_per_frame)), seconds)
    return {
        "command_p50_ms": round(percentile(command_ms, 0.50), 1),
        "command_p99_ms": round(percentile(command_ms, 0.99), 1),
        "result_p50_ms": round(percentile(RESULT_MS, 0.50), 1),
        "result_p99_ms": round(percentile(RESULT_MS, 0.99), 1),
        "commands": len(command_ms),
        "commands_missing_on_some_console": missing,
        "position_p50_ms": round(percentile(position_ms, 0.50), 1),
        "position_p99_ms": round(percentile(position_ms, 0.99), 1),
        "positions_per_s": round(positions / seconds),
        "frames_per_console_per_s": round(frames / CONSOLES / seconds, 2),
        "rows_per_frame": round(rows_per_frame),
        "hub_cpu_cores": round(hub_cores, 3),
        "hub_position_writer_cpu_cores": round(CHILD_CPU[0], 3),
        "baseline_cpu_cores": round(baseline_cores, 3),
        "baseline_ratio": round(hub_cores / baseline_cores, 2) if baseline_cores else None,
        "load_generator_cpu_cores": round(CLIENT_CPU[0], 3),
        "machine_cores": os.cpu_count(),
    }


def main() -> None:
    if "--baseline-server" in sys.argv:
        baseline_server()
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    with database(args.db) as url:
        print(f"preparing {UNITS:,} units in {url.split('@')[-1]}", flush=True)
        prepare(url)
        figures = asyncio.run(main_async(url, args.seconds))
    db = "postgresql" if url.startswith("postgresql") else "sqlite"
    for key, value in figures.items():
        print(f"{key}: {value}")
    print(json.dumps({"db": db, **figures}))


if __name__ == "__main__":
    main()
