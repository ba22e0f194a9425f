#!/usr/bin/env python3
"""The console's GUI thread under a district's load: how long does the GUI stall?

    python benchmarks/console_load.py [--seconds 60] [--incidents 100000] [--units 20000]
                                      [--fresh] [--others-nice N] [--cprofile FILE]
                                      [--py-spy FILE] [--stall-stacks]
                                      [--gc-freeze] [--switch-interval MS] [--stagger-ticks]

A SQLite database with accounts, ``--units`` registered units and ``--incidents`` open incidents
(varied categories, priorities, sources and places; some accepted, some assigned) is written
through the store's own path (``Store.execute_batch``) and cached under
``/tmp/console_load_cache/`` keyed by the counts (``--fresh`` rebuilds it); each run works on a
copy. The real hub (``main.py hub``) serves it as a subprocess. A load generator, another
subprocess so that its CPU does not share the console's GIL, sends 10,000 positions a second for
the units over ``/field`` (10 batches of 1,000) and 20 commands a second that make incident events
(notes on random open incidents, accepts of new ones, a few new incidents). Both stand for
other machines (a console's workstation runs no hub serving fifty consoles), so they run at
``nice 10`` (``--others-nice``; ``--others-nice 0`` puts them level with the console): on a
two-core machine they would otherwise take the cores the GUI thread waits for.

In this process: an offscreen ``QApplication`` and a :class:`ConsoleApp` (settings in a temporary
folder) logged in with ``log_in``. ``snapshot_load_s`` is the time from ``log_in`` until the first
main window exists and the replica holds every incident. The load starts after that, so that the
window measures the steady state, not a hub still catching up on the positions that piled up
while it built and sent the snapshot; 3 s later, for ``--seconds``, a 10 ms
``QTimer`` probe records the lateness of every tick (interval between ticks minus 10 ms) while
the change sets the GUI applies are counted (``bridge.changed``) and each one's handling in the
GUI thread is timed. After the window: sorting the queue by deadline (after sorting it by id),
median of 5, the model alone (``sort_100k_ms``) and through the header as a click does it,
including the view's layout and paint (``sort_100k_view_ms``), under load; then the same with
the load stopped. Also under load: one synchronous repaint of the queue, the roster and the
whole window. The garbage collector's pauses (any thread) are recorded, and the worst stalls
are listed with the change sets and collections that overlapped them.

Targets (the issue): GUI stall max ≤ 50 ms and p99 ≤ 20 ms; sorting 100,000 incidents by
deadline ≤ 200 ms. The last line is one JSON object.

Diagnosis: ``--cprofile FILE`` profiles the GUI thread over the window (and the sorts into
``FILE.sort``); ``--py-spy FILE`` samples the whole process with py-spy from the venv (extra
flags in ``CONSOLE_LOAD_PY_SPY_ARGS``, e.g. ``--native``, which pauses the process for each
sample and so inflates the stalls); ``--gc-freeze`` calls ``gc.freeze()`` once the snapshot
is in (now redundant: the bridge freezes after every snapshot itself);
``--stall-stacks`` samples the GUI thread's scheduler state, kernel wait channel and Python
frames while a stall lasts; ``--switch-interval MS`` is an experiment with the GIL's switch
interval; ``--stagger-ticks`` moves the roster's 1 Hz tick half a second away from the
queue's (they otherwise fire, and repaint, together).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("QT_FFMPEG_DECODING_HW_DEVICE_TYPES", "none")

PASSWORD = "bench-pw"
CONSOLE_USER = "bench-console"  # the console under test (controller)
COMMAND_USER = "bench-ctl"  # the load generator's controller
GATEWAY_USER = "bench-gw"  # the load generator's field gateway
CACHE = Path("/tmp/console_load_cache")
CACHE_VERSION = 1
PROBE_MS = 10
TICKS = os.sysconf("SC_CLK_TCK")
WEST, SOUTH, EAST, NORTH = 104.06, 30.62, 104.20, 30.74


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def cpu_seconds(pid: int, tid: int | None = None) -> float:
    """User + system CPU time of a process (or one of its threads), from /proc."""
    path = f"/proc/{pid}/task/{tid}/stat" if tid else f"/proc/{pid}/stat"
    fields = Path(path).read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


# -- the database --------------------------------------------------------------------------------


def prepare(folder: Path, incidents: int, units: int) -> dict[str, Any]:
    """Accounts, units and open incidents written through the store's own path."""
    from datetime import UTC, datetime

    from console.domain.model import Actor, Priority, Role, Source, UnitStatus, UnitType
    from console.domain.rules import Rules
    from console.domain.taxonomy import UNCLASSIFIED
    from console.store.store import Store
    from console.store.writer import Command

    rules = Rules.load()
    store = Store(f"sqlite:///{folder}/bench.db", rules)
    now = datetime.now(UTC)
    store.accounts.create_user(CONSOLE_USER, PASSWORD, ["controller"], now=now,
                               display_name="Bench console")
    store.accounts.create_user(COMMAND_USER, PASSWORD, ["controller"], now=now)
    store.accounts.create_user(GATEWAY_USER, PASSWORD, ["field"], now=now)
    admin = Actor("bench-admin", frozenset({Role.ADMIN}))
    controller = Actor("bench-seed", frozenset({Role.CONTROLLER}))
    rng = random.Random(11)

    def run(batch: list[tuple[Command, Actor]]) -> list[Any]:
        results, _ = store.execute_batch(batch)
        refused = [r for r in results if not r.ok]
        if refused:
            raise SystemExit(f"preparing: {len(refused)} commands refused, e.g. {refused[0]}")
        return results

    def command(name: str, args: dict[str, Any]) -> Command:
        return Command(str(uuid.uuid4()), name, args)

    started = time.perf_counter()
    types = list(UnitType)
    statuses = [UnitStatus.AVAILABLE] * 6 + [UnitStatus.OFF_DUTY] * 2 + [
        UnitStatus.BUSY, UnitStatus.OUT_OF_SERVICE]
    unit_ids = [f"BU{u:05d}" for u in range(units)]
    for start in range(0, units, 2000):
        run([(command("unit.register", {
            "id": uid, "name": f"网格员 {uid}", "type": types[n % len(types)].value,
            "status": rng.choice(statuses).value, "tier": 1 + n % 3,
            "street": f"s{n % 14}", "community": f"c{n % 14}-{n % 9}"}), admin)
            for n, uid in enumerate(unit_ids[start:start + 2000], start)])
    print(f"  {units:,} units in {time.perf_counter() - started:.0f} s", flush=True)

    # 'unclassified' is for police cases awaiting classification only: the hub refuses it else.
    categories = [c.code for c in rules.taxonomy.categories if c.code != UNCLASSIFIED]
    sources = list(Source)
    priorities = [Priority.P1] * 5 + [Priority.P2] * 15 + [Priority.P3] * 50 + [Priority.P4] * 30
    streets = ["建设路", "双林路", "猛追湾街", "府青路", "二仙桥", "东风路", "一环路东"]
    ids: list[str] = []
    for start in range(0, incidents, 1000):
        batch = []
        for n in range(start, min(incidents, start + 1000)):
            source = rng.choice(sources)
            args: dict[str, Any] = {
                "source": source.value, "category": rng.choice(categories),
                "priority": rng.choice(priorities).value,
                "description": f"群众反映问题 {n}：{rng.choice(streets)}附近需要处理",
                "location": {"lat": round(SOUTH + rng.random() * (NORTH - SOUTH), 6),
                             "lon": round(WEST + rng.random() * (EAST - WEST), 6),
                             "address": f"{rng.choice(streets)}{rng.randrange(1, 300)}号"},
                "reporter": {"name": "王女士", "phone": f"139{n:08d}"}}
            if source is Source.POLICE:
                args["police_case_no"] = f"JJ{n:08d}"
            batch.append((command("incident.create", args), controller))
        ids.extend(r.data["id"] for r in run(batch))
        if (start // 1000) % 20 == 19:
            print(f"  {len(ids):,} incidents in {time.perf_counter() - started:.0f} s",
                  flush=True)
    # Vary the states: about a third accepted, a third of those assigned (all still open).
    accepted = rng.sample(ids, len(ids) // 3)
    for start in range(0, len(accepted), 1000):
        run([(command("incident.accept", {"id": i}), controller)
             for i in accepted[start:start + 1000]])
    assigned = accepted[: len(accepted) // 3]
    for start in range(0, len(assigned), 1000):
        run([(command("incident.assign", {"id": i}), controller)
             for i in assigned[start:start + 1000]])
    taken = set(accepted)
    meta = {"incidents": incidents, "units": units, "ids": ids,
            "new": [i for i in ids if i not in taken], "unit_ids": unit_ids,
            "seq": store.last_seq(), "prepared_s": round(time.perf_counter() - started, 1)}
    store.close()
    (folder / "meta.json").write_text(json.dumps(meta))
    return meta


def cached_database(incidents: int, units: int, fresh: bool) -> Path:
    """The folder of the prepared database for these counts, building it if needed."""
    folder = CACHE / f"v{CACHE_VERSION}-i{incidents}-u{units}"
    if fresh and folder.exists():
        shutil.rmtree(folder)
    if not (folder / "meta.json").exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix="building-", dir=CACHE))
        print(f"preparing {incidents:,} incidents and {units:,} units in {building}",
              flush=True)
        prepare(building, incidents, units)
        if folder.exists():
            shutil.rmtree(folder)
        building.rename(folder)
    return folder


# -- child processes -----------------------------------------------------------------------------


class Child:
    """A child process whose output goes to a file; waits for a line matching ``pattern``."""

    def __init__(self, args: list[str], log: Path, pattern: str, timeout: float = 120) -> None:
        self.log = log
        self.output = log.open("w")
        self.process = subprocess.Popen(args, stdout=self.output, stderr=subprocess.STDOUT,
                                        env={**os.environ, "PYTHONUNBUFFERED": "1"})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(pattern, log.read_text(errors="replace"))
            if found:
                self.match = found
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise SystemExit(f"{args[1:3]} did not start:\n{log.read_text(errors='replace')[-3000:]}")

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.output.close()
        return self.log.read_text(errors="replace")


# -- the load generator (its own process) --------------------------------------------------------


async def _login(port: int, path: str, username: str, resume_from: int | None = None) -> Any:
    from websockets.asyncio.client import connect

    ws = await connect(f"ws://127.0.0.1:{port}{path}", max_size=None)
    hello: dict[str, Any] = {"type": "hello", "protocol": 1, "client": "console_load",
                             "auth": {"username": username, "password": PASSWORD}}
    if resume_from is not None:
        hello["resume_from"] = resume_from  # no 100,000-incident snapshot for the generator
    await ws.send(json.dumps(hello))
    while True:
        message = json.loads(await ws.recv())
        if message["type"] == "synced":
            return ws
        if message["type"] == "error":
            raise SystemExit(f"{username}: {message}")


async def _generate(port: int, meta: dict[str, Any], positions_per_s: int,
                    events_per_s: float) -> dict[str, Any]:
    gateway = await _login(port, "/field", GATEWAY_USER)
    controller = await _login(port, "/ws", COMMAND_USER, resume_from=meta["seq"])
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    rng = random.Random(5)
    units: list[str] = meta["unit_ids"]
    open_ids: list[str] = list(meta["ids"])
    new_ids: list[str] = list(meta["new"])
    rng.shuffle(new_ids)
    stats: dict[str, Any] = {"positions_sent": 0, "commands_sent": 0, "results_ok": 0,
                             "results_refused": {}, "events_seen": 0, "kinds": {}}
    started = time.perf_counter()
    print("generator ready", flush=True)

    async def field() -> None:
        batches_per_s = 10
        size = max(1, positions_per_s // batches_per_s)
        batch = 0
        while not stop.is_set():
            await asyncio.sleep(max(0.0, started + batch / batches_per_s - time.perf_counter()))
            rows = [[rng.choice(units), round(SOUTH + rng.random() * (NORTH - SOUTH), 6),
                     round(WEST + rng.random() * (EAST - WEST), 6),
                     round(rng.random() * 360, 1), round(rng.random() * 5, 2)]
                    for _ in range(size)]
            await gateway.send(json.dumps({"type": "positions", "units": rows}))
            stats["positions_sent"] += size
            batch += 1

    async def commands() -> None:
        n = 0
        while not stop.is_set():
            await asyncio.sleep(max(0.0, started + n / events_per_s - time.perf_counter()))
            n += 1
            roll = rng.random()
            args: dict[str, Any]
            if roll < 0.2 and new_ids:
                name, args = "incident.accept", {"id": new_ids.pop()}
            elif roll < 0.25:
                name, args = "incident.create", {
                    "source": "hotline", "category": "city.streetlight", "priority": "P3",
                    "description": f"路灯不亮 load {n}",
                    "location": {"lat": round(SOUTH + rng.random() * (NORTH - SOUTH), 6),
                                 "lon": round(WEST + rng.random() * (EAST - WEST), 6),
                                 "address": "建设路"}}
            else:
                name, args = "incident.note", {"id": rng.choice(open_ids),
                                               "text": f"已电话回访 {n}"}
            stats["kinds"][name] = stats["kinds"].get(name, 0) + 1
            await controller.send(json.dumps({"type": "command", "id": str(uuid.uuid4()),
                                              "name": name, "args": args}))
            stats["commands_sent"] += 1

    async def read() -> None:
        async for text in controller:
            if text.startswith('{"type":"positions"'):
                continue
            message = json.loads(text)
            if message["type"] == "result":
                if message.get("ok"):
                    stats["results_ok"] += 1
                else:
                    code = (message.get("error") or {}).get("code", "?")
                    stats["results_refused"][code] = stats["results_refused"].get(code, 0) + 1
            elif message["type"] == "event":
                stats["events_seen"] += 1

    async def drain() -> None:
        async for _ in gateway:
            pass

    tasks = [asyncio.create_task(c()) for c in (field, commands, read, drain)]
    await stop.wait()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    stats["seconds"] = round(time.perf_counter() - started, 1)
    for ws in (gateway, controller):
        await ws.close()
    return stats


def load_generator(port: int, meta_file: Path, positions_per_s: int, events_per_s: float) -> None:
    meta = json.loads(meta_file.read_text())
    stats = asyncio.run(_generate(port, meta, positions_per_s, events_per_s))
    print("GENERATOR " + json.dumps(stats), flush=True)


# -- the console under test ----------------------------------------------------------------------


class Probe:
    """A 10 ms timer: how late each tick comes is how long the GUI thread could not answer."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.stalls: list[float] = []  # ms
        self.at: list[float] = []  # perf_counter of each tick
        self._last: float | None = None
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(PROBE_MS)
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._last = None
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        if self._last is not None:
            self.stalls.append(max(0.0, (now - self._last) * 1000 - PROBE_MS))
            self.at.append(now)
        self._last = now


class StallWatch(threading.Thread):
    """Diagnosis (``--stall-stacks``): while the probe's last tick is over 30 ms old, every
    10 ms note the GUI thread's scheduler state and kernel wait channel (/proc) and its
    innermost Python frames. A thread waiting for the GIL sleeps in a futex; one descheduled by
    a busy machine is runnable (R); one in Qt's C++ shows its last Python frame."""

    def __init__(self, probe: Probe) -> None:
        super().__init__(name="stall-watch", daemon=True)
        self.probe = probe
        self.main = threading.main_thread()
        self.samples: list[tuple[float, float, str, str, str]] = []
        self.running = True

    def run(self) -> None:
        import traceback

        tid = self.main.native_id
        task = Path(f"/proc/self/task/{tid}")
        previous = None
        while self.running:
            time.sleep(0.01)
            # schedstat: ns on a CPU, ns runnable but waiting for one, time slices.
            run_ns, wait_ns = (int(v) for v in (task / "schedstat").read_text().split()[:2])
            last = self.probe._last
            now = time.perf_counter()
            ran = waited = 0.0
            if previous is not None:
                ran, waited = (run_ns - previous[0]) / 1e6, (wait_ns - previous[1]) / 1e6
            previous = (run_ns, wait_ns)
            if last is None or now - last < 0.03:
                continue
            try:
                state = (task / "stat").read_text().rsplit(")", 1)[1].split()[0]
                wchan = (task / "wchan").read_text().strip()
            except OSError:
                state = wchan = "?"
            frame = sys._current_frames().get(self.main.ident or 0)
            stack = " < ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}"
                               for f in reversed(traceback.extract_stack(frame)[-3:])) \
                if frame is not None else "-"
            self.samples.append((now, (now - last) * 1000, f"{state} {wchan}",
                                 f"ran {ran:4.1f} waited {waited:4.1f} ms", stack))

    def report(self, started: float) -> None:
        print(f"stall samples (--stall-stacks): {len(self.samples)}; since the last sample, the "
              "GUI thread ran / waited for a CPU:")
        for at, age, state, cpu, stack in self.samples[:200]:
            print(f"  {1000 * (at - started):8.0f} ms, {age:5.0f} ms late: {state:8s} {cpu} "
                  f"{stack}")


class Counter:
    """What the GUI applied: change sets, positions, events, incidents (``bridge.changed``),
    and how old the positions were when the GUI applied them (from the hub's frame time)."""

    def __init__(self) -> None:
        self.on = False
        self.change_sets = self.positions = self.events = self.incidents = self.units = 0
        self.with_positions = 0
        self.position_age_ms: list[float] = []  # the oldest of a sample of each change set

    def __call__(self, change: Any) -> None:
        if self.on:
            self.change_sets += 1
            self.positions += len(change.positions)
            self.events += len(change.events)
            self.incidents += len(change.incidents)
            self.units += len(change.units)
            if change.positions:
                from datetime import UTC, datetime

                self.with_positions += 1
                sample = itertools.islice(change.positions.values(), 50)
                oldest = min(position.at for position in sample)
                self.position_age_ms.append(
                    (datetime.now(UTC) - oldest).total_seconds() * 1000)


#: (started at, duration ms, generation, thread name) of every garbage collection.
COLLECTIONS: list[tuple[float, float, int, str]] = []
_gc_started: dict[int, float] = {}


def watch_gc() -> None:
    """Record every collection of the cyclic garbage collector, in whichever thread it runs:
    it holds the GIL throughout, so a long one stalls the GUI thread too."""
    import gc

    def callback(phase: str, info: dict[str, Any]) -> None:
        now = time.perf_counter()
        ident = threading.get_ident()
        if phase == "start":
            _gc_started[ident] = now
        elif ident in _gc_started:
            begun = _gc_started.pop(ident)
            COLLECTIONS.append((begun, (now - begun) * 1000, info["generation"],
                                threading.current_thread().name))

    gc.callbacks.append(callback)


#: (started at, duration ms, positions, incidents) of every change set the GUI thread handled.
APPLIED: list[tuple[float, float, int, int]] = []


def instrument_bridge() -> None:
    """Time each change set's handling in the GUI thread (replica + every view's slot).

    Patches this process's ``Bridge._on_delivered`` before the bridge is made; no file changes.
    """
    from PySide6.QtCore import Slot

    from console.comms import bridge

    original = bridge.Bridge._on_delivered

    @Slot(int, object)
    def timed(self: Any, generation: int, change: Any) -> None:
        started = time.perf_counter()
        original(self, generation, change)
        APPLIED.append((started, (time.perf_counter() - started) * 1000,
                        len(change.positions), len(change.incidents)))

    bridge.Bridge._on_delivered = timed  # type: ignore[method-assign]


#: (started at, duration ms, messages) of every slice of the GUI thread on the client
#: process's messages (the client decodes and folds frames in its own process).
RECEIVED: list[tuple[float, float, int]] = []


def instrument_client() -> None:
    """Time each slice the GUI thread spends reading the client process's messages
    (unpickling change sets and their pieces, applying them, the views' slots)."""
    from console.comms import bridge

    original = bridge.Bridge._work

    def timed(self: Any, generation: int) -> None:
        started, waiting = time.perf_counter(), len(self._inbox)
        original(self, generation)
        RECEIVED.append((started, (time.perf_counter() - started) * 1000,
                         waiting - len(self._inbox)))

    bridge.Bridge._work = timed  # type: ignore[method-assign]


def run_for(ms: int) -> None:
    """Run the Qt event loop for ``ms`` milliseconds (no busy polling: the GIL stays free)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_until(condition: Any, timeout: float, what: str) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        run_for(25)


def sort_timings(window: Any, rounds: int = 5) -> dict[str, float]:
    """Sort the queue by deadline after sorting it by id: the model alone, and through the
    header with the view's layout and paint (processEvents after)."""
    from PySide6.QtCore import QCoreApplication, Qt

    from console.views.queue_columns import Column

    model, header = window.queue.model, window.queue.table.horizontalHeader()
    ascending = Qt.SortOrder.AscendingOrder
    model_ms, view_ms, other_ms, events_ms = [], [], [], []
    for _ in range(rounds):
        # What a click on a header does: set the indicator, whose signal sorts the model once.
        # (Not QTableView.sortByColumn: with sorting enabled it sorts the model twice.)
        started = time.perf_counter()
        header.setSortIndicator(Column.ID, ascending)
        QCoreApplication.processEvents()
        other_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        model.sort(Column.DEADLINE, ascending)
        model_ms.append((time.perf_counter() - started) * 1000)
        QCoreApplication.processEvents()
        header.setSortIndicator(Column.CATEGORY, ascending)
        QCoreApplication.processEvents()
        started = time.perf_counter()
        header.setSortIndicator(Column.DEADLINE, ascending)
        called = time.perf_counter()
        QCoreApplication.processEvents()
        view_ms.append((time.perf_counter() - started) * 1000)
        events_ms.append((time.perf_counter() - called) * 1000)
        run_for(100)
    return {"model": statistics.median(model_ms), "view": statistics.median(view_ms),
            "view_events": statistics.median(events_ms),
            "by_id_view": statistics.median(other_ms), "rows": model.rowCount(),
            "model_all": [round(v, 1) for v in model_ms],
            "view_all": [round(v, 1) for v in view_ms]}


def paint_timings(window: Any, rounds: int = 5) -> dict[str, float]:
    """How long one synchronous repaint takes: the queue's table, the roster, the window."""
    widgets = {"queue": window.queue.table.viewport(), "roster": window.roster.tree.viewport(),
               "window": window}
    result = {}
    for name, widget in widgets.items():
        spent = []
        for _ in range(rounds):
            started = time.perf_counter()
            widget.repaint()
            spent.append((time.perf_counter() - started) * 1000)
            run_for(50)
        result[name] = statistics.median(spent)
    table = window.queue.table
    result["queue_rows_shown"] = table.rowAt(table.viewport().height() - 1) - table.rowAt(0) + 1
    return result


def run_console(url: str, expected: int, seconds: float, start_load: Callable[[], Child],
                hub: Child, settings_dir: Path, cprofile: str | None,
                py_spy: str | None, gc_freeze: bool = False,
                stagger_ticks: bool = False, stall_stacks: bool = False) -> dict[str, Any]:
    import cProfile

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    instrument_bridge()
    instrument_client()
    watch_gc()
    from console.domain.rules import Rules
    from console.views.app import ConsoleApp

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.IniFormat, scope, str(settings_dir))
    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setOrganizationName("linkage-console-bench")
    app.setApplicationName("console_load")
    app.setQuitOnLastWindowClosed(False)
    settings = QSettings(str(settings_dir / "console.ini"), QSettings.Format.IniFormat)
    settings.setValue("language", "en")
    console = ConsoleApp(Rules.load(), settings)
    replica = console.bridge.replica

    started = time.perf_counter()
    console.log_in(url, CONSOLE_USER, PASSWORD)
    wait_until(lambda: bool(console.windows) and len(replica.incidents) >= expected, 600,
               "the first window and the snapshot")
    snapshot_load_s = time.perf_counter() - started
    window = console.windows[0]
    window.resize(1600, 950)
    window.show()
    rows = window.queue.model.rowCount()
    print(f"snapshot: {len(replica.incidents):,} incidents, {len(replica.units):,} units, "
          f"{rows:,} rows in the queue, {snapshot_load_s:.1f} s after log_in "
          f"(state {console.bridge.state})", flush=True)
    run_for(1000)  # the first paint
    import gc

    tracked = len(gc.get_objects())
    print(f"objects tracked by the garbage collector: {tracked:,}", flush=True)
    if gc_freeze:  # an experiment: what the stalls are without full collections of the replica
        gc.collect()
        gc.freeze()
        print(f"gc.freeze(): {gc.get_freeze_count():,} objects frozen", flush=True)
    # The load starts now, not before the login: while the hub builds and sends a 100,000-
    # incident snapshot it falls behind storing positions, and its position frames (sent only
    # after each store flush, console/hub/tracking.py) can then stay rare for a long time.
    generator = start_load()
    if stagger_ticks:  # an experiment: the roster's 1 Hz tick half a second after the queue's
        from PySide6.QtCore import QTimer

        roster_model = window.roster.model
        roster_model.stop_ticking()
        QTimer.singleShot(500, lambda: roster_model.start_ticking(1000))
    run_for(3000)  # settle: connections, the first change sets

    counter = Counter()
    console.bridge.changed.connect(counter)
    ticks: list[float] = []  # when the queue's 1 Hz countdown tick fired (repaints follow)
    queue_timer = getattr(window.queue.model, "_timer", None)
    if queue_timer is not None:
        queue_timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    probe = Probe()
    client_pid = console.bridge.client.pid if console.bridge.client is not None else None
    me = os.getpid()
    cpu_before = {"process": cpu_seconds(me), "hub": cpu_seconds(hub.pid),
                  "generator": cpu_seconds(generator.pid),
                  "client_process": cpu_seconds(client_pid) if client_pid else 0.0}
    gui_cpu = time.thread_time()
    load_before = os.getloadavg()
    applied_from = len(APPLIED)
    spy = None
    if py_spy:
        spy = subprocess.Popen([str(Path(sys.executable).parent / "py-spy"), "record", "-p",
                                str(me), "-d", str(int(seconds)), "-r", "200", "-f", "raw",
                                "--threads", "-o", py_spy,
                                *os.environ.get("CONSOLE_LOAD_PY_SPY_ARGS", "").split()],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    profiler = None
    if cprofile:
        profiler = cProfile.Profile()
        profiler.enable()
    counter.on = True
    probe.start()
    window_started = time.perf_counter()
    watch = StallWatch(probe) if stall_stacks else None
    if watch is not None:
        watch.start()
    run_for(int(seconds * 1000))
    # The console's Python threads in the window (the hub client has a process of its own; the
    # stall watch is the benchmark's).
    python_threads = sorted(t.name for t in threading.enumerate())
    probe.stop()
    if watch is not None:
        watch.running = False
        watch.report(window_started)
    counter.on = False
    elapsed = time.perf_counter() - window_started
    if profiler is not None and cprofile:
        profiler.disable()
        profiler.dump_stats(cprofile)
    gui_cores = (time.thread_time() - gui_cpu) / elapsed
    cores = {name: (now - cpu_before[name]) / elapsed for name, now in (
        ("process", cpu_seconds(me)), ("hub", cpu_seconds(hub.pid)),
        ("generator", cpu_seconds(generator.pid)),
        ("client_process", cpu_seconds(client_pid) if client_pid else 0.0))}
    load_after = os.getloadavg()
    if spy is not None:
        spy.wait(60)
    applied = [a for a in APPLIED[applied_from:] if a[0] >= window_started]

    paints = paint_timings(window)
    print(f"one repaint under load: queue {paints['queue']:.0f} ms "
          f"({paints['queue_rows_shown']} rows shown), roster {paints['roster']:.0f} ms, "
          f"whole window {paints['window']:.0f} ms", flush=True)
    if profiler is not None:
        profiler = cProfile.Profile()
        profiler.enable()
    sort_loaded = sort_timings(window)
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(f"{cprofile}.sort")
    print(f"sort by deadline under load: model {sort_loaded['model']:.0f} ms "
          f"{sort_loaded['model_all']}, with the view {sort_loaded['view']:.0f} ms "
          f"{sort_loaded['view_all']}", flush=True)
    generated = generator.stop()
    found = re.search(r"GENERATOR (\{.*\})", generated)
    generator_stats = json.loads(found.group(1)) if found else {}
    run_for(1500)
    sort_idle = sort_timings(window)
    print(f"sort by deadline, load stopped: model {sort_idle['model']:.0f} ms "
          f"{sort_idle['model_all']}, with the view {sort_idle['view']:.0f} ms "
          f"{sort_idle['view_all']}", flush=True)

    stalls = probe.stalls
    top = sorted(range(len(stalls)), key=stalls.__getitem__, reverse=True)[:10]
    print("worst stalls (ms after the window opened: stall; change sets handled meanwhile):")
    for i in top:
        end = probe.at[i]
        begin = end - (stalls[i] + PROBE_MS) / 1000
        during = [f"{d:.0f} ms ({p} pos, {n} inc)" for s, d, p, n in applied
                  if s < end and s + d / 1000 > begin]
        print(f"  {1000 * (end - window_started):8.0f}: {stalls[i]:6.1f}  {', '.join(during)}")
    apply_ms = [d for _, d, _, _ in applied]
    collections = [c for c in COLLECTIONS if window_started <= c[0] <= window_started + elapsed]
    gen2 = [c for c in collections if c[2] == 2]
    for i in top:
        end = probe.at[i]
        begin = end - (stalls[i] + PROBE_MS) / 1000
        pauses = [f"gen{g} {d:.0f} ms in {t.split()[0]}" for s, d, g, t in collections
                  if s < end and s + d / 1000 > begin and d >= 1]
        frames = [f"{d:.0f} ms ({n} messages)" for s, d, n in RECEIVED
                  if s < end and s + d / 1000 > begin and d >= 1]
        if pauses or frames:
            print(f"  at {1000 * (end - window_started):.0f} ms: gc {', '.join(pauses) or '-'}; "
                  f"GUI reading the client process {', '.join(frames) or '-'}")
    received = [r for r in RECEIVED if window_started <= r[0] <= window_started + elapsed]
    big = [d for _, d, _ in received]

    def overlaps(i: int, spans: list[tuple[float, float]]) -> bool:
        end = probe.at[i]
        begin = end - (stalls[i] + PROBE_MS) / 1000
        return any(s < end and s + d / 1000 > begin for s, d in spans)

    long_stalls = [i for i, v in enumerate(stalls) if v > 50]
    frame_spans = [(s, d) for s, d, _ in received]
    gen2_spans = [(s, d) for s, d, g, _ in collections if g == 2]
    with_frame = sum(overlaps(i, frame_spans) for i in long_stalls)
    with_gen2 = sum(overlaps(i, gen2_spans) for i in long_stalls)
    print(f"stalls over 50 ms: {len(long_stalls)}, of which {with_frame} overlap the GUI "
          f"thread reading the client process (busy {sum(big) / elapsed / 10:.1f} % of the "
          f"window) and {with_gen2} a full garbage collection", flush=True)
    mid_stalls = [i for i, v in enumerate(stalls) if v > 20]
    tick_spans = [(t, 0.0) for t in ticks]
    at_tick = sum(overlaps(i, tick_spans) for i in mid_stalls)
    print(f"stalls over 20 ms: {len(mid_stalls)}, of which {at_tick} contain the queue's 1 Hz "
          f"countdown tick (and the repaints it causes)", flush=True)
    figures = {
        "gui_stall_max_ms": round(max(stalls), 1),
        "gui_stall_p99_ms": round(percentile(stalls, 0.99), 1),
        "gui_stall_p50_ms": round(percentile(stalls, 0.50), 1),
        "gui_stall_over_20ms": sum(s > 20 for s in stalls),
        "gui_stall_over_50ms": sum(s > 50 for s in stalls),
        "probe_ticks": len(stalls),
        "probe_ticks_expected": int(elapsed * 1000 / PROBE_MS),
        "sort_100k_ms": round(sort_loaded["model"], 1),
        "sort_100k_view_ms": round(sort_loaded["view"], 1),
        "sort_100k_view_events_ms": round(sort_loaded["view_events"], 1),
        "sort_100k_idle_ms": round(sort_idle["model"], 1),
        "sort_100k_view_idle_ms": round(sort_idle["view"], 1),
        "sort_by_id_view_ms": round(sort_loaded["by_id_view"], 1),
        "repaint_queue_ms": round(paints["queue"], 1),
        "repaint_roster_ms": round(paints["roster"], 1),
        "repaint_window_ms": round(paints["window"], 1),
        "queue_rows": sort_loaded["rows"],
        "snapshot_load_s": round(snapshot_load_s, 1),
        "change_sets_per_s": round(counter.change_sets / elapsed, 2),
        "positions_per_s_received": round(counter.positions / elapsed),
        "events_per_s_received": round(counter.events / elapsed, 1),
        "incidents_changed_per_s": round(counter.incidents / elapsed, 1),
        "changeset_gui_max_ms": round(max(apply_ms), 1) if apply_ms else None,
        "changeset_gui_p99_ms": round(percentile(apply_ms, 0.99), 1) if apply_ms else None,
        "changeset_gui_p50_ms": round(percentile(apply_ms, 0.50), 1) if apply_ms else None,
        "position_change_sets_per_s": round(counter.with_positions / elapsed, 2),
        "position_age_p50_ms": round(percentile(counter.position_age_ms, 0.5)),
        "position_age_max_ms": round(max(counter.position_age_ms, default=float("nan"))),
        "stalls_over_20ms_at_1hz_tick": at_tick,
        "stalls_over_50ms_during_client_reading": with_frame,
        "stalls_over_50ms_during_gen2_gc": with_gen2,
        "client_reading_busy_pct": round(sum(big) / elapsed / 10, 1),
        "client_reading_slices_per_s": round(len(received) / elapsed, 1),
        "client_reading_slice_ms_max": round(max(big, default=0.0), 1),
        "client_reading_slice_ms_p50": round(percentile(big, 0.5), 1) if big else None,
        "switch_interval_ms": round(sys.getswitchinterval() * 1000, 2),
        "gc_tracked_objects": tracked,
        "gc_freeze": gc_freeze,
        "stagger_ticks": stagger_ticks,
        "dashboard_shown": window.dashboard.isVisible(),
        "gc_collections": len(collections),
        "gc_gen2_collections": len(gen2),
        "gc_max_ms": round(max((d for _, d, _, _ in collections), default=0.0), 1),
        "gc_gen2_max_ms": round(max((d for _, d, _, _ in gen2), default=0.0), 1),
        "gc_total_ms_per_s": round(sum(d for _, d, _, _ in collections) / elapsed, 1),
        "gui_thread_cpu_cores": round(gui_cores, 3),
        "client_process_cpu_cores": round(cores["client_process"], 3),
        "python_threads": python_threads,
        "console_cpu_cores": round(cores["process"], 3),
        "hub_cpu_cores": round(cores["hub"], 3),
        "generator_cpu_cores": round(cores["generator"], 3),
        "load_avg_1m_before": round(load_before[0], 2),
        "load_avg_1m_after": round(load_after[0], 2),
        "generator": generator_stats,
        "incidents_in_replica": len(replica.incidents),
    }
    console.quit()
    run_for(200)
    return figures


def main() -> None:
    if "--load-generator" in sys.argv:
        parser = argparse.ArgumentParser()
        parser.add_argument("--load-generator", action="store_true")
        parser.add_argument("--port", type=int, required=True)
        parser.add_argument("--meta", type=Path, required=True)
        parser.add_argument("--positions-per-s", type=int, required=True)
        parser.add_argument("--events-per-s", type=float, required=True)
        a = parser.parse_args()
        load_generator(a.port, a.meta, a.positions_per_s, a.events_per_s)
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=20_000)
    parser.add_argument("--positions-per-s", type=int, default=10_000)
    parser.add_argument("--events-per-s", type=float, default=20.0)
    parser.add_argument("--fresh", action="store_true", help="rebuild the cached database")
    parser.add_argument("--cprofile", metavar="FILE",
                        help="cProfile the GUI thread during the window, stats to FILE")
    parser.add_argument("--py-spy", metavar="FILE",
                        help="py-spy (in the venv) the whole process during the window")
    parser.add_argument("--switch-interval", type=float, metavar="MS",
                        help="experiment: sys.setswitchinterval in this process (default 5 ms)")
    parser.add_argument("--stagger-ticks", action="store_true",
                        help="experiment: the roster's 1 Hz tick 500 ms after the queue's")
    parser.add_argument("--others-nice", type=int, default=10, metavar="N",
                        help="run the hub and the load generator at nice N (default 10; 0 for "
                        "the same priority as the console): they stand for other machines")
    parser.add_argument("--stall-stacks", action="store_true",
                        help="diagnosis: sample the GUI thread's state during each stall")
    parser.add_argument("--gc-freeze", action="store_true",
                        help="experiment: gc.freeze() in this process once the snapshot is in")
    args = parser.parse_args()

    if args.switch_interval:
        sys.setswitchinterval(args.switch_interval / 1000)
    cached = cached_database(args.incidents, args.units, args.fresh)
    meta = json.loads((cached / "meta.json").read_text())
    with tempfile.TemporaryDirectory(prefix="console_load-") as tmp:
        work = Path(tmp)
        for file in cached.glob("bench.db*"):
            shutil.copy2(file, work / file.name)
        (work / "settings").mkdir()
        # nice execs the command: the pid is the hub's (or the generator's) own.
        nice = ["nice", "-n", str(args.others_nice)] if args.others_nice else []
        hub = Child([*nice, sys.executable, str(ROOT / "main.py"), "hub", "--db",
                     f"sqlite:///{work}/bench.db", "--port", "0", "--name", "bench", "--migrate"],
                    work / "hub.log", r"listening on ws://[\d.]+:(\d+)")
        port = int(hub.match.group(1))
        children: list[Child] = []

        def start_load() -> Child:
            children.append(Child(
                [*nice, sys.executable, __file__, "--load-generator", "--port", str(port),
                 "--meta", str(cached / "meta.json"),
                 "--positions-per-s", str(args.positions_per_s),
                 "--events-per-s", str(args.events_per_s)],
                work / "generator.log", r"generator ready"))
            return children[-1]

        try:
            figures = run_console(f"ws://127.0.0.1:{port}/ws", meta["incidents"], args.seconds,
                                  start_load, hub, work / "settings", args.cprofile,
                                  args.py_spy, args.gc_freeze, args.stagger_ticks,
                                  args.stall_stacks)
        finally:
            for child in children:
                child.stop()
            hub_log = hub.stop()
        problems = [line for line in hub_log.splitlines()
                    if "Traceback" in line or "ERROR" in line]
        if problems:
            print(f"hub log: {len(problems)} error lines, e.g. {problems[0]}")
    figures = {"incidents": meta["incidents"], "units": meta["units"], **figures,
               "seconds": args.seconds, "others_nice": args.others_nice,
               "positions_per_s_sent": args.positions_per_s,
               "events_per_s_sent": args.events_per_s, "machine_cores": os.cpu_count()}
    targets = {"gui_stall_max_ms": 50, "gui_stall_p99_ms": 20, "sort_100k_ms": 200}
    for key, value in figures.items():
        mark = ""
        if key in targets:
            verdict = "met" if value <= targets[key] else "NOT met"
            mark = f"  (target ≤ {targets[key]} ms: {verdict})"
        print(f"{key}: {value}{mark}")
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
