#!/usr/bin/env python3
"""A console that runs a week: its memory over a long run under the console benchmark's load.

    python benchmarks/console_soak.py [--minutes 120] [--speed 10] [--sample-s 30]
                                      [--incidents 100000] [--units 20000] [--others-nice N]
                                      [--deep-collect]

The console benchmark's setting (``benchmarks/console_load.py``: its cached database, the real
hub as a subprocess, its load generator sending 10,000 positions and 20 commands a second, the
real console logged in, offscreen), with the hub's world clock running ``--speed`` times faster
than real time (``main.py hub --speed``): deadlines pass, shifts change, incidents age as in
``--speed`` times as long. The load starts once the first window shows the snapshot.

Every ``--sample-s`` seconds one line: for the console's GUI process, its hub client's child
process and each of the QtWebEngine processes under it (the renderer, the GPU process, ...),
``VmRSS`` (/proc/PID/status) and PSS (/proc/PID/smaps_rollup), in MB; the GUI process's Python
heap (``sys.getallocatedblocks``, objects frozen and not frozen) and the replica's size; the
load delivered since the last line; the worst GUI stall since then (a 10 ms timer's lateness,
as in the console benchmark, kept as a histogram so that the probe itself does not grow).

``--deep-collect`` ends with ``gc.unfreeze()`` and a full collection in the GUI process, timed,
and prints what it found: the cyclic garbage that freezing kept (a diagnosis; it stalls).

The last line is one JSON object: ``minutes``; per process ``rss_start_mb`` (at 10 minutes, or
at a tenth of a shorter run), ``rss_end_mb``, ``growth_mb`` and the same for PSS; the load
delivered (positions/s, events/s, change sets/s, over the whole run); the GUI stalls (max, p99,
counts over 20 and 50 ms); the samples.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import console_load as bench  # the benchmark's setting, reused

WARM_S = 600.0  # the first ten minutes: caches filling, not growth


def _kb(text: str, key: str) -> float | None:
    for line in text.splitlines():
        if line.startswith(key):
            return int(line.split()[1]) / 1024
    return None


def memory(pid: int) -> dict[str, float | None]:
    """RSS and PSS of one process, MB (None once it has gone)."""
    try:
        rss = _kb(Path(f"/proc/{pid}/status").read_text(), "VmRSS:")
        pss = _kb(Path(f"/proc/{pid}/smaps_rollup").read_text(), "Pss:")
    except OSError:
        return {"rss": None, "pss": None}
    return {"rss": rss, "pss": pss}


def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        parent = todo.pop(0)
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                if child not in found:
                    found.append(child)
                    todo.append(child)
    return found


def web_engine_processes(pid: int) -> dict[str, int]:
    """QtWebEngine's helper processes under the console, by their ``--type`` (zygote,
    gpu-process, utility; a zygote's child is a renderer), numbered when there are several."""
    named: dict[str, int] = {}
    kinds: dict[int, str] = {}
    for child in descendants(pid):  # parents before their children
        try:
            argv = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
            parent = int(Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        if not argv or b"QtWebEngineProcess" not in argv[0]:
            continue
        kind = next((a.split(b"=", 1)[1].decode() for a in argv if a.startswith(b"--type=")),
                    "other")
        if kind == "zygote" and kinds.get(parent) == "zygote":
            kind = "renderer"  # forked from the zygote, whose command line it keeps
        kinds[child] = kind
        name, n = f"webengine_{kind}", 2
        while name in named:
            name, n = f"webengine_{kind}_{n}", n + 1
        named[name] = child
    return named


class StallHistogram:
    """The 10 ms probe of the console benchmark, kept as 1 ms buckets: constant memory."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.buckets = [0] * 2001  # ms; the last one holds everything longer
        self.max_ms = self.window_max_ms = 0.0
        self._last: float | None = None
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(bench.PROBE_MS)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        if self._last is not None:
            stall = max(0.0, (now - self._last) * 1000 - bench.PROBE_MS)
            self.buckets[min(2000, int(stall))] += 1
            self.max_ms = max(self.max_ms, stall)
            self.window_max_ms = max(self.window_max_ms, stall)
        self._last = now

    def percentile(self, q: float) -> float:
        total, seen = sum(self.buckets), 0
        for ms, count in enumerate(self.buckets):
            seen += count
            if seen > q * total:
                return float(ms + 1)  # the bucket's upper edge
        return float("nan")

    def over(self, ms: int) -> int:
        return sum(self.buckets[ms + 1:])


class GcWatch:
    """The collector's passes in this process (any thread), as aggregates: constant memory."""

    def __init__(self) -> None:
        self.count = [0, 0, 0]
        self.max_ms = [0.0, 0.0, 0.0]
        self.total_ms = 0.0
        self.collected = 0
        self.window_max_ms = 0.0
        # CPU time too: on a busy machine a short collection can last long, off its core.
        self.max_cpu_ms = self.total_cpu_ms = 0.0
        self._began: dict[int, tuple[float, float]] = {}
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        now, cpu, ident = time.perf_counter(), time.thread_time(), threading.get_ident()
        if phase == "start":
            self._began[ident] = (now, cpu)
        elif ident in self._began:
            began, began_cpu = self._began.pop(ident)
            ms, cpu_ms = (now - began) * 1000, (cpu - began_cpu) * 1000
            generation = info["generation"]
            self.count[generation] += 1
            self.max_ms[generation] = max(self.max_ms[generation], ms)
            self.window_max_ms = max(self.window_max_ms, ms)
            self.total_ms += ms
            self.max_cpu_ms = max(self.max_cpu_ms, cpu_ms)
            self.total_cpu_ms += cpu_ms
            self.collected += info["collected"]

    def figures(self) -> dict[str, Any]:
        return {"collections": self.count, "max_ms": [round(m, 1) for m in self.max_ms],
                "total_ms": round(self.total_ms), "max_cpu_ms": round(self.max_cpu_ms, 1),
                "total_cpu_ms": round(self.total_cpu_ms), "collected": self.collected}


class Delivered:
    """What the GUI applied (``bridge.changed``): counts only."""

    def __init__(self) -> None:
        self.change_sets = self.positions = self.events = self.incidents = 0

    def __call__(self, change: Any) -> None:
        self.change_sets += 1
        self.positions += len(change.positions)
        self.events += len(change.events)
        self.incidents += len(change.incidents)

    def totals(self) -> tuple[int, int, int, int]:
        return self.change_sets, self.positions, self.events, self.incidents


def soak(args: argparse.Namespace, url: str, expected: int, start_load: Any, hub: Any,
         settings_dir: Path, out: Any) -> dict[str, Any]:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from console.domain.rules import Rules
    from console.views.app import ConsoleApp

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.IniFormat, scope, str(settings_dir))
    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setOrganizationName("linkage-console-bench")
    app.setApplicationName("console_soak")
    app.setQuitOnLastWindowClosed(False)
    settings = QSettings(str(settings_dir / "console.ini"), QSettings.Format.IniFormat)
    settings.setValue("language", "en")
    console = ConsoleApp(Rules.load(), settings)
    replica = console.bridge.replica
    started = time.perf_counter()
    console.log_in(url, bench.CONSOLE_USER, bench.PASSWORD)
    bench.wait_until(lambda: bool(console.windows) and len(replica.incidents) >= expected, 600,
                     "the first window and the snapshot")
    window = console.windows[0]
    window.resize(1600, 950)
    window.show()
    print(f"snapshot: {len(replica.incidents):,} incidents, {len(replica.units):,} units, "
          f"{time.perf_counter() - started:.1f} s after log_in", file=out, flush=True)
    bench.run_for(1000)
    generator = start_load()
    delivered = Delivered()
    console.bridge.changed.connect(delivered)
    probe = StallHistogram()
    probe.timer.start()
    collector = GcWatch()
    me = os.getpid()
    client = console.bridge.client
    seconds = args.minutes * 60
    warm_s = min(WARM_S, seconds / 10)
    samples: list[dict[str, Any]] = []
    cpu_before = {"console": bench.cpu_seconds(me), "hub": bench.cpu_seconds(hub.pid),
                  "generator": bench.cpu_seconds(generator.pid)}
    window_started = time.perf_counter()
    last_totals, last_at = delivered.totals(), window_started
    while True:
        next_at = window_started + (len(samples) + 1) * args.sample_s
        bench.run_for(max(0, round((min(next_at, window_started + seconds)
                                    - time.perf_counter()) * 1000)))
        now = time.perf_counter()
        if client is not console.bridge.client:  # restarted: the new child is the one to watch
            print("the hub client's child process was replaced", file=out, flush=True)
            client = console.bridge.client
        processes = {"gui": me, "client": client.pid if client is not None else -1,
                     **web_engine_processes(me), "hub": hub.pid}
        totals = delivered.totals()
        span = now - last_at
        sample: dict[str, Any] = {
            "t_s": round(now - window_started),
            "mb": {name: memory(pid) for name, pid in processes.items()},
            "py_blocks": sys.getallocatedblocks(), "gc_frozen": gc.get_freeze_count(),
            "gc_counts": gc.get_count(), "incidents": len(replica.incidents),
            "positions_per_s": round((totals[1] - last_totals[1]) / span),
            "events_per_s": round((totals[2] - last_totals[2]) / span, 1),
            "change_sets_per_s": round((totals[0] - last_totals[0]) / span, 1),
            "stall_max_ms": round(probe.window_max_ms, 1),
            "gc_max_ms": round(collector.window_max_ms, 1), "gc_collected": collector.collected,
            "load_avg_1m": round(os.getloadavg()[0], 2)}
        probe.window_max_ms = collector.window_max_ms = 0.0
        last_totals, last_at = totals, now
        samples.append(sample)
        print("SAMPLE " + json.dumps(sample), file=out, flush=True)
        if now - window_started >= seconds - 0.5:
            break
    probe.timer.stop()
    elapsed = time.perf_counter() - window_started
    cpu = {name: round((bench.cpu_seconds(pid) - cpu_before[name]) / elapsed, 3)
           for name, pid in (("console", me), ("hub", hub.pid), ("generator", generator.pid))}
    generated = generator.stop()
    figures: dict[str, Any] = {
        "minutes": round(elapsed / 60, 1), "world_speed": args.speed,
        "warm_minutes": round(warm_s / 60, 1), "processes": growth(samples, warm_s),
        "positions_per_s_delivered": round(delivered.positions / elapsed),
        "events_per_s_delivered": round(delivered.events / elapsed, 1),
        "change_sets_per_s": round(delivered.change_sets / elapsed, 1),
        "incidents_changed_per_s": round(delivered.incidents / elapsed, 1),
        "gui_stall_max_ms": round(probe.max_ms, 1),
        "gui_stall_p99_ms": probe.percentile(0.99),
        "gui_stall_over_20ms": probe.over(20), "gui_stall_over_50ms": probe.over(50),
        "incidents_in_replica": len(replica.incidents), "cpu_cores": cpu,
        "gc": collector.figures(),
        "generator_tail": generated.strip().splitlines()[-1:],
    }
    if args.deep_collect:
        gc.unfreeze()
        began = time.perf_counter()
        found = gc.collect()
        figures["deep_collect"] = {"unreachable_found": found,
                                   "ms": round((time.perf_counter() - began) * 1000)}
    figures["samples"] = samples
    console.quit()
    bench.run_for(200)
    return figures


def growth(samples: list[dict[str, Any]], warm_s: float) -> dict[str, dict[str, Any]]:
    """Per process: memory at the end of the warm-up and at the end, and the difference."""
    start = next((s for s in samples if s["t_s"] >= warm_s), samples[-1])
    end = samples[-1]
    result: dict[str, dict[str, Any]] = {}
    for name in end["mb"]:
        row: dict[str, Any] = {}
        for key in ("rss", "pss"):
            first = start["mb"].get(name, {}).get(key)
            last = end["mb"][name][key]
            peak = max((s["mb"][name][key] for s in samples
                        if s["t_s"] >= start["t_s"] and s["mb"].get(name, {}).get(key)),
                       default=None)
            row[f"{key}_start_mb"] = round(first, 1) if first is not None else None
            row[f"{key}_end_mb"] = round(last, 1) if last is not None else None
            row[f"{key}_peak_mb"] = round(peak, 1) if peak is not None else None
            row[f"{key}_growth_mb"] = (round(last - first, 1)
                                       if first is not None and last is not None else None)
        result[name] = row
    return result


# -- the load generator (its own process) --------------------------------------------------------


async def _generate(port: int, meta: dict[str, Any], positions_per_s: int,
                    events_per_s: float) -> dict[str, Any]:
    """The console benchmark's load, for hours: the field gateway logs in again when its
    connection is closed, and a generator that fell behind (a busy machine) skips what it
    missed instead of sending it in one burst."""
    import asyncio
    import random
    import signal
    import uuid

    from websockets.exceptions import ConnectionClosed

    gateway = await bench._login(port, "/field", bench.GATEWAY_USER)
    controller = await bench._login(port, "/ws", bench.COMMAND_USER, resume_from=meta["seq"])
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    rng = random.Random(5)
    units, open_ids, new_ids = meta["unit_ids"], list(meta["ids"]), list(meta["new"])
    rng.shuffle(new_ids)
    stats: dict[str, Any] = {"positions_sent": 0, "batches_skipped": 0, "commands_sent": 0,
                             "commands_skipped": 0, "gateway_logins": 1, "closed": [],
                             "results_ok": 0, "results_refused": 0}
    started = time.perf_counter()
    print("generator ready", flush=True)

    def place() -> tuple[float, float]:
        return (round(bench.SOUTH + rng.random() * (bench.NORTH - bench.SOUTH), 6),
                round(bench.WEST + rng.random() * (bench.EAST - bench.WEST), 6))

    async def paced(per_s: float, step: Any) -> None:
        n = 0
        while not stop.is_set():
            await asyncio.sleep(max(0.0, started + n / per_s - time.perf_counter()))
            due = int((time.perf_counter() - started) * per_s)
            if due > n + per_s:  # over a second behind: skip, or it would burst
                stats["batches_skipped" if per_s == 10 else "commands_skipped"] += due - n
                n = due
            n += 1
            await step(n)

    async def field(n: int) -> None:
        nonlocal gateway
        size = max(1, positions_per_s // 10)
        rows = [[rng.choice(units), *place(), round(rng.random() * 360, 1),
                 round(rng.random() * 5, 2)] for _ in range(size)]
        try:
            # A hub that stopped reading (a busy machine) closes the connection only when its
            # keepalive gives up, minutes later; until then the send would just wait.
            async with asyncio.timeout(10):
                await gateway.send(json.dumps({"type": "positions", "units": rows}))
            stats["positions_sent"] += size
        except (ConnectionClosed, TimeoutError) as closed:
            rcvd = closed.rcvd if isinstance(closed, ConnectionClosed) else None
            why = f"{rcvd.code} {rcvd.reason}" if rcvd else type(closed).__name__
            stats["closed"] = [*stats["closed"][-9:],
                               f"{time.perf_counter() - started:.0f} s: {why}"]
            print(f"gateway: {stats['closed'][-1]}; logging in again", flush=True)
            with contextlib.suppress(Exception):
                async with asyncio.timeout(5):
                    await gateway.close()
            while not stop.is_set():
                try:
                    async with asyncio.timeout(30):
                        gateway = await bench._login(port, "/field", bench.GATEWAY_USER)
                    stats["gateway_logins"] += 1
                    return
                except (OSError, TimeoutError, ConnectionClosed) as failed:
                    print(f"gateway login failed ({failed!r}); again", flush=True)
                    await asyncio.sleep(1)

    async def command(n: int) -> None:
        roll = rng.random()
        args: dict[str, Any]
        if roll < 0.2 and new_ids:
            name, args = "incident.accept", {"id": new_ids.pop()}
        elif roll < 0.25:
            name, args = "incident.create", {
                "source": "hotline", "category": "city.streetlight", "priority": "P3",
                "description": f"路灯不亮 load {n}",
                "location": dict(zip(("lat", "lon"), place(), strict=True), address="建设路")}
        else:
            name, args = "incident.note", {"id": rng.choice(open_ids), "text": f"已电话回访 {n}"}
        await controller.send(json.dumps({"type": "command", "id": str(uuid.uuid4()),
                                          "name": name, "args": args}))
        stats["commands_sent"] += 1

    async def read() -> None:
        async for text in controller:
            if '"type":"result"' in text[:40]:
                message = json.loads(text)
                stats["results_ok" if message.get("ok") else "results_refused"] += 1

    async def drain() -> None:  # the gateway's own messages, whichever gateway is current
        while not stop.is_set():
            with contextlib.suppress(ConnectionClosed):
                async for _ in gateway:
                    pass
            await asyncio.sleep(0.5)

    tasks = [asyncio.create_task(c) for c in (paced(10, field), paced(events_per_s, command),
                                               read(), drain())]
    await stop.wait()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    stats["seconds"] = round(time.perf_counter() - started, 1)
    return stats


def load_generator(argv: list[str]) -> None:
    import asyncio

    parser = argparse.ArgumentParser()
    for name, kind in (("--port", int), ("--meta", Path), ("--positions-per-s", int),
                       ("--events-per-s", float)):
        parser.add_argument(name, type=kind, required=True)
    a = parser.parse_args(argv)
    stats = asyncio.run(_generate(a.port, json.loads(a.meta.read_text()), a.positions_per_s,
                                  a.events_per_s))
    print("GENERATOR " + json.dumps(stats), flush=True)


def main() -> None:
    if sys.argv[1:2] == ["--load-generator"]:
        load_generator(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--minutes", type=float, default=120.0)
    parser.add_argument("--speed", type=float, default=10.0,
                        help="the hub's world clock, times real time (default 10)")
    parser.add_argument("--sample-s", type=float, default=30.0)
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=20_000)
    parser.add_argument("--positions-per-s", type=int, default=10_000)
    parser.add_argument("--events-per-s", type=float, default=20.0)
    parser.add_argument("--others-nice", type=int, default=10, metavar="N",
                        help="the hub and the load generator at nice N (as console_load.py)")
    parser.add_argument("--deep-collect", action="store_true",
                        help="at the end, unfreeze and collect fully: the cyclic garbage kept")
    args = parser.parse_args()
    if args.minutes <= 0 or args.sample_s <= 0:
        parser.error("--minutes and --sample-s must be above 0")

    cached = bench.cached_database(args.incidents, args.units, False)
    meta = json.loads((cached / "meta.json").read_text())
    with tempfile.TemporaryDirectory(prefix="console_soak-") as tmp:
        work = Path(tmp)
        for file in cached.glob("bench.db*"):
            shutil.copy2(file, work / file.name)
        (work / "settings").mkdir()
        nice = ["nice", "-n", str(args.others_nice)] if args.others_nice else []
        hub = bench.Child([*nice, sys.executable, str(bench.ROOT / "main.py"), "hub", "--db",
                           f"sqlite:///{work}/bench.db", "--port", "0", "--name", "soak",
                           "--speed", str(args.speed), "--migrate"],
                          work / "hub.log", r"listening on ws://[\d.]+:(\d+)")
        port = int(hub.match.group(1))
        children: list[Any] = []

        def start_load() -> Any:
            children.append(bench.Child(
                [*nice, sys.executable, __file__, "--load-generator", "--port", str(port),
                 "--meta", str(cached / "meta.json"),
                 "--positions-per-s", str(args.positions_per_s),
                 "--events-per-s", str(args.events_per_s)],
                work / "generator.log", r"generator ready"))
            return children[-1]

        try:
            figures = soak(args, f"ws://127.0.0.1:{port}/ws", meta["incidents"], start_load,
                           hub, work / "settings", sys.stdout)
        finally:
            for child in children:
                child.stop()
            hub_log = hub.stop()
        problems = [line for line in hub_log.splitlines()
                    if "Traceback" in line or "ERROR" in line]
        if problems:
            print(f"hub log: {len(problems)} error lines, e.g. {problems[0]}")
    figures = {"incidents": meta["incidents"], "units": meta["units"],
               "positions_per_s_sent": args.positions_per_s,
               "events_per_s_sent": args.events_per_s, "others_nice": args.others_nice,
               "machine_cores": os.cpu_count(), **figures}
    for name, row in figures["processes"].items():
        print(f"{name}: RSS {row['rss_start_mb']} → {row['rss_end_mb']} MB "
              f"(growth {row['rss_growth_mb']}), PSS {row['pss_start_mb']} → "
              f"{row['pss_end_mb']} MB (growth {row['pss_growth_mb']})")
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    threading.current_thread().name = "console"
    main()
