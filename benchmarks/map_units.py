#!/usr/bin/env python3
"""The map under a whole district's units: how long from a batch sent to it painted?

    python benchmarks/map_units.py [--units 20000] [--seconds 30] [--rate 4]
                                   [--size 1200x800] [--skip-baseline]

In this process, offscreen: a :class:`~console.views.map_dock.MapDock` over a
:class:`~console.comms.bridge.Bridge` with no hub. A producer thread plays the hub client:
every ``1/rate`` s it hands the bridge, through a queued signal to the bridge's slot for change
sets, a change set with all ``--units`` units moved (a random walk at each type's speed inside the
district). The change sets are made before the run by the client's own code (``LiveState``
over the hub's ``positions`` frames); ``--decode`` makes them during the run instead, as the
client does, so its decoding competes for this process's GIL (the whole console path). The
dock folds them into its feed and sends batches (≤ 4 a second, one in flight) to the page; the
page answers ``painted(seq)`` once the batch is on screen (the frame after the one that drew
it), and the dock reports ``moves_painted`` with the seconds since it sent that batch.

The map shows the whole district (the demo district's boundaries when
``console/resources/geography`` has them, else a 13 × 13 km box), every unit in view. Two
phases in the same run, each ``--seconds`` long after a 3 s warm-up:

1. **custom** — the console's units layer (one canvas, sprites copied into its pixels);
2. **baseline** — stock Leaflet: the same units as ``L.circleMarker`` on a ``L.canvas()``
   renderer, moved with ``setLatLng`` one by one, fed by the same dock and producer (its
   ``unitsMove`` is swapped in the page); the same rate limit and one-in-flight rule apply, so a
   layer that cannot keep up gets fewer, fuller batches (``updates_per_s`` says how many).

A 10 ms ``QTimer`` probe measures how late each tick is (the GUI thread's stalls). Targets (the
issue): sent → painted p95 ≤ 50 ms; GUI stall ≤ 50 ms. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("QT_FFMPEG_DECODING_HW_DEVICE_TYPES", "none")
if os.geteuid() == 0:
    os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox")

import PySide6.QtWebEngineWidgets  # noqa: E402, F401 - before the QApplication
from PySide6.QtCore import QEventLoop, QObject, QSettings, Qt, QTimer, Signal  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

import console.map.web  # noqa: E402, F401 - the tile scheme, before any view

PROBE_MS = 10
TICKS = os.sysconf("SC_CLK_TCK")
#: A 13 × 13 km box (the console benchmark's district) when no demo geography is installed.
FALLBACK_BOX = (30.62, 104.06, 30.74, 104.20)  # south, west, north, east
#: Metres a second by unit type, roughly (walking, cycling, driving in town).
SPEEDS = {"grid_worker": 1.5, "community_police": 6.0, "urban_management": 5.0, "patrol": 7.0,
          "mediator": 1.3, "emergency": 9.0, "volunteer": 1.2, "department_crew": 5.0}

BASELINE_JS = """
(function () {
  const statusColours = %(colours)s;
  const renderer = L.canvas({ padding: 0.2 });
  const map = window[%(map)s];
  const markers = [];
  for (let i = 0; i < %(count)d; i++) {
    markers.push(L.circleMarker([0, 0], {
      renderer: renderer, radius: 3, weight: 1, color: "#fff",
      fillColor: statusColours[i %% statusColours.length], fillOpacity: 1, interactive: false,
    }));
  }
  let added = false;
  LinkageMap.setVisible("units", false);
  let queue = Promise.resolve();
  LinkageMap.unitsMove = function (seq, epoch, url) {
    queue = queue.then(() => fetch(url)).then(r => r.arrayBuffer()).then(function (buffer) {
      const batch = LinkagePointLayer.readBatch(buffer);
      const idx = batch.index, la = batch.lat, lo = batch.lon;
      for (let k = 0; k < idx.length; k++) markers[idx[k]].setLatLng([la[k], lo[k]]);
      if (!added) { for (const m of markers) m.addTo(map); added = true; }
      LinkageMap.whenPainted(seq);
    });
  };
  return markers.length;
})()
"""


TIMING_JS = """
(function () {
  window.benchTimes = [];
  const fetchOriginal = window.fetch;
  window.fetch = function (url) {
    const t0 = performance.now();
    return fetchOriginal(url).then(function (response) {
      const t1 = performance.now();
      requestAnimationFrame(function () {
        const t2 = performance.now();
        requestAnimationFrame(function () {
          window.benchTimes.push([t1 - t0, t2 - t0, performance.now() - t0]);
        });
      });
      return response;
    });
  };
  return 1;
})()
"""


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def renderer_pids() -> list[int]:
    """QtWebEngineProcess children of this process (the page's renderer and the GPU process)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmd = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if b"QtWebEngineProcess" in cmd and (parent == os.getpid()
                                             or _is_descendant(parent)):
            found.append(int(entry.name))
    return found


def _is_descendant(pid: int) -> bool:
    while pid > 1:
        if pid == os.getpid():
            return True
        try:
            pid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except OSError:
            return False
    return False


def wait(app: QApplication, seconds: float) -> None:
    """Run the event loop for ``seconds`` (sleeping between events, never spinning)."""
    loop = QEventLoop()
    QTimer.singleShot(round(seconds * 1000), loop.quit)
    loop.exec()


def wait_for(app: QApplication, condition: Any, seconds: float, what: str) -> None:
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            raise SystemExit(f"timed out waiting for {what}")
        wait(app, 0.02)


class District:
    """Units walking inside a box, and the hub's position frames for them."""

    def __init__(self, box: tuple[float, float, float, float], count: int) -> None:
        import numpy as np

        from console.domain.model import UnitStatus, UnitType
        from console.domain.units import Position, Unit

        rng = random.Random(5)
        self.box = box
        south, west, north, east = box
        now = datetime.now(UTC)
        types = list(UnitType)
        statuses = [UnitStatus.AVAILABLE] * 5 + [UnitStatus.OFF_DUTY, UnitStatus.BUSY,
                                                 UnitStatus.EN_ROUTE, UnitStatus.ON_SCENE]
        self.units = {}
        kinds = []
        for n in range(count):
            kind = types[n % len(types)]
            uid = f"BU{n:05d}"
            self.units[uid] = Unit(uid, f"单位 {n}", kind, rng.choice(statuses), now)
            kinds.append(SPEEDS[kind.value])
        self.ids = list(self.units)
        gen = np.random.default_rng(5)
        self.lat = south + gen.random(count) * (north - south)
        self.lon = west + gen.random(count) * (east - west)
        self.heading = gen.random(count) * 360
        self.speed = np.array(kinds) * (0.5 + gen.random(count))
        self._gen = gen
        self.start = {uid: Position(float(la), float(lo), 0.0, 0.0, now)
                      for uid, la, lo in zip(self.ids, self.lat, self.lon, strict=True)}

    def frames(self, count: int, period: float) -> list[str]:
        """``count`` consecutive ``positions`` frames as the hub sends them (JSON text), every
        unit moved in each; played in a loop, so the last leads back towards the first."""
        import numpy as np

        south, west, north, east = self.box
        cos_lat = math.cos(math.radians((south + north) / 2))
        texts = []
        for step in range(count):
            back = step >= count // 2  # the second half walks the first half back
            self.heading = (self.heading + self._gen.uniform(-20, 20, len(self.ids))) % 360
            rad = np.radians(self.heading)
            sign = -1.0 if back else 1.0
            d = self.speed * period * sign
            self.lat = np.clip(self.lat + d * np.cos(rad) / 111_320.0, south, north)
            self.lon = np.clip(self.lon + d * np.sin(rad) / (111_320.0 * cos_lat), west, east)
            at = datetime.now(UTC).isoformat()
            rows = [[uid, round(la, 6), round(lo, 6), round(h, 1), round(v, 1), "available"]
                    for uid, la, lo, h, v in zip(self.ids, self.lat.tolist(), self.lon.tolist(),
                                                 self.heading.tolist(), self.speed.tolist(),
                                                 strict=True)]
            texts.append(json.dumps({"type": "positions", "at": at, "units": rows},
                                    separators=(",", ":")))
        return texts


def change_sets(rules: Any, frames: list[str]) -> list[Any]:
    """The change sets the client makes of ``frames`` (made before the run)."""
    from console.comms.live_state import LiveState

    live = LiveState(rules, lambda level, text: None)
    made = []
    for text in frames:
        live.positions(json.loads(text))
        made.append(live.take())
    return made


class Relay(QObject):
    """Carries change sets from the producer thread to the bridge's slot, queued."""

    delivered = Signal(int, object)


class Producer(threading.Thread):
    """The hub client, as far as positions go: a change set of every unit each period, handed
    over through a queued signal to the bridge's own slot for change sets.

    With ``decode``, it also does what the client does to make one — decodes the hub's frame
    and folds it into a :class:`LiveState` (the client's own code), in this process's GIL;
    without, it hands over change sets made before the run (the map's own work alone).
    """

    def __init__(self, bridge: Any, rules: Any, frames: list[str], made: list[Any],
                 period: float, decode: bool) -> None:
        super().__init__(name="producer", daemon=True)
        from console.comms.live_state import LiveState

        self.bridge = bridge
        self.relay = Relay()
        self.relay.delivered.connect(bridge._on_delivered, Qt.ConnectionType.QueuedConnection)
        self.live = LiveState(rules, lambda level, text: None)
        self.frames = frames
        self.made = made
        self.decode = decode
        self.period = period
        self.running = threading.Event()
        self.stopped = threading.Event()
        self.sent = 0

    def run(self) -> None:
        next_at = time.monotonic()
        while not self.stopped.is_set():
            next_at += self.period
            if self.running.is_set():
                if self.decode:  # what HubClient._receive and its flush do with a frame
                    self.live.positions(json.loads(self.frames[self.sent % len(self.frames)]))
                    change = self.live.take()
                else:
                    change = self.made[self.sent % len(self.made)]
                self.relay.delivered.emit(self.bridge._generation, change)
                self.sent += 1
            time.sleep(max(0.0, next_at - time.monotonic()))


def measure(app: QApplication, dock: Any, producer: Producer, seconds: float,
            diagnose: bool = False) -> dict[str, Any]:
    """One phase: the producer runs; latencies, draw times and stalls are recorded."""
    import gc

    latencies: list[float] = []
    drawn_ms: list[float] = []
    lateness: list[float] = []
    flush_ms: list[float] = []
    state: dict[str, Any] = {"last": None, "on": False}
    stalls: list[tuple[float, float]] = []  # (end, late ms) of the probe's late ticks
    events: list[tuple[float, float, str]] = []  # (start, end, what) in the GUI thread or GC
    gc_started: dict[str, float] = {}

    def collected(phase: str, info: dict[str, Any]) -> None:
        now = time.perf_counter()
        who = threading.current_thread().name
        if phase == "start":
            gc_started[who] = now
        elif who in gc_started and state["on"]:
            events.append((gc_started.pop(who), now,
                           f"gc gen{info['generation']} ({who})"))

    def painted(_seq: int, seconds_: float, drawn: bool) -> None:
        if state["on"] and drawn:
            latencies.append(seconds_ * 1000)

    def frame(_seq: int, _drawn: bool, took: float) -> None:
        if state["on"]:
            drawn_ms.append(took)

    def probe() -> None:
        now = time.perf_counter()
        if state["last"] is not None and state["on"]:
            late = max(0.0, (now - state["last"]) * 1000 - PROBE_MS)
            lateness.append(late)
            if late > 20:
                stalls.append((now, late))
        state["last"] = now

    live = dock.live
    original = live._flush_moves

    def timed_flush() -> None:
        started = time.perf_counter()
        original()
        if state["on"]:
            ended = time.perf_counter()
            flush_ms.append((ended - started) * 1000)
            events.append((started, ended, "flush"))

    live._move_timer.timeout.disconnect()
    live._move_timer.timeout.connect(timed_flush)
    dock.moves_painted.connect(painted)
    dock.view.channel.frame_painted.connect(frame)
    timer = QTimer()
    timer.setInterval(PROBE_MS)
    timer.timeout.connect(probe)
    timer.start()
    if diagnose:
        gc.callbacks.append(collected)
    producer.running.set()
    wait(app, 3.0)  # warm-up: sprites made, the renderer past its first frames
    renderers = renderer_pids()
    cpu_before = cpu_seconds(os.getpid())
    renderer_before = sum(cpu_seconds(p) for p in renderers)
    sent_before = producer.sent
    state["on"] = True
    started = time.monotonic()
    wait(app, seconds)
    state["on"] = False
    elapsed = time.monotonic() - started
    cpu = (cpu_seconds(os.getpid()) - cpu_before) / elapsed
    renderer_cpu = (sum(cpu_seconds(p) for p in renderers) - renderer_before) / elapsed
    producer.running.clear()
    wait(app, 1.0)
    timer.stop()
    if diagnose:
        gc.callbacks.remove(collected)
        times: list[Any] = []
        dock.view.page().runJavaScript("JSON.stringify(window.benchTimes || [])", 0,
                                       times.append)
        wait_for(app, lambda: bool(times), 10, "the page's timings")
        rows = json.loads(times[0])
        if rows:
            print("  in the page, p50/p95 ms: fetched {:.1f}/{:.1f}, drawn {:.1f}/{:.1f}, "
                  "painted {:.1f}/{:.1f}".format(
                      *(percentile([r[k] for r in rows], q) for k in range(3)
                        for q in (0.5, 0.95))), flush=True)
        dock.view.page().runJavaScript("window.benchTimes = []")
        for end, late in sorted(stalls, key=lambda s: -s[1])[:8]:
            start = end - (late + PROBE_MS) / 1000
            overlap = [f"{what} {1000 * (e - b):.0f} ms" for b, e, what in events
                       if b < end and e > start]
            print(f"  stall {late:.0f} ms: {', '.join(overlap) or 'nothing recorded'}",
                  flush=True)
    dock.view.channel.frame_painted.disconnect(frame)
    live._move_timer.timeout.disconnect()
    live._move_timer.timeout.connect(original)
    return {
        "paint_p50_ms": round(percentile(latencies, 0.5), 1),
        "paint_p95_ms": round(percentile(latencies, 0.95), 1),
        "paint_p99_ms": round(percentile(latencies, 0.99), 1),
        "paint_max_ms": round(max(latencies, default=float("nan")), 1),
        "updates_per_s": round(len(latencies) / elapsed, 2),
        "change_sets_per_s": round((producer.sent - sent_before) / elapsed, 2),
        "draw_p50_ms": round(percentile(drawn_ms, 0.5), 1),
        "draw_p95_ms": round(percentile(drawn_ms, 0.95), 1),
        "flush_p50_ms": round(percentile(flush_ms, 0.5), 1),
        "flush_p95_ms": round(percentile(flush_ms, 0.95), 1),
        "gui_stall_max_ms": round(max(lateness, default=0.0), 1),
        "gui_stall_p99_ms": round(percentile(lateness, 0.99), 1),
        "gui_stall_p50_ms": round(percentile(lateness, 0.5), 1),
        "console_cpu_cores": round(cpu, 2),
        "renderer_cpu_cores": round(renderer_cpu, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--rate", type=float, default=4.0, help="change sets per second")
    parser.add_argument("--size", default="1200x800", help="the map's size in pixels")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--decode", action="store_true",
                        help="the producer also decodes each frame as the client does, in this "
                             "process (the whole console path, not the map alone)")
    parser.add_argument("--diagnose", action="store_true",
                        help="list the worst GUI stalls with the flushes and GC passes in them")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))

    app = QApplication.instance() or QApplication([])
    from console.comms.bridge import Bridge
    from console.comms.replica import ChangeSet
    from console.domain.rules import Rules
    from console.map.district import load_district
    from console.map.settings import LAYERS
    from console.map.symbols import palette
    from console.views.map_dock import MapDock

    district_files = load_district()
    box = district_files.bounds() or FALLBACK_BOX
    print(f"district box {box} ({'demo geography' if district_files.bounds() else 'fallback'})"
          f", {args.units:,} units, {args.rate}/s for {args.seconds:.0f} s per phase", flush=True)
    rules = Rules.load()
    bridge = Bridge(rules)
    district = District(box, args.units)
    frames = district.frames(16, 1.0 / args.rate)
    made = change_sets(rules, frames)  # before the snapshot: frozen with it, out of the GC's way
    folder = Path(tempfile.mkdtemp(prefix="map-bench-"))
    settings = QSettings(str(folder / "console.ini"), QSettings.Format.IniFormat)
    settings.setValue("language", "en")
    settings.setValue("map/layers", ",".join(n for n in LAYERS
                                             if n in ("streets", "communities", "units")))
    bridge._on_delivered(bridge._generation, ChangeSet(
        seq=1, reset=True, units=district.units, positions=district.start))
    dock = MapDock(bridge, rules, settings)
    dock.resize(width, height)
    dock.show()
    wait_for(app, lambda: dock.view is not None and dock.view.ready, 30, "the page")
    view = dock.view
    # The toolbar takes some height: make the page itself the size asked for.
    dock.resize(width + (dock.width() - view.width()), height + (dock.height() - view.height()))
    wait(app, 1.0)
    dock.show_district()
    state: dict[str, Any] = {}
    view.query("state", callback=state.update)
    wait_for(app, lambda: bool(state), 10, "the page's state")
    print(f"page {view.width()}×{view.height()}, zoom {state['zoom']}, "
          f"{state['counts']['units']:,} units on the map", flush=True)

    if args.diagnose:
        view.page().runJavaScript(TIMING_JS)
    producer = Producer(bridge, rules, frames, made, 1.0 / args.rate, args.decode)
    producer.start()
    results: dict[str, Any] = {"units": args.units, "rate_per_s": args.rate,
                               "client_decoding_in_process": args.decode,
                               "seconds": args.seconds, "view": f"{view.width()}x{view.height()}",
                               "zoom": state["zoom"]}
    custom = measure(app, dock, producer, args.seconds, args.diagnose)
    print("custom layer:  ", json.dumps(custom), flush=True)
    results.update(custom)
    if not args.skip_baseline:
        colours = json.dumps(palette()["status"])
        count: list[Any] = []
        view.page().runJavaScript(BASELINE_JS % {
            "colours": colours, "map": json.dumps(_map_name(view, app)),
            "count": args.units}, 0, count.append)
        wait_for(app, lambda: bool(count), 60, "the baseline's markers")
        baseline = measure(app, dock, producer, args.seconds, args.diagnose)
        print("stock Leaflet: ", json.dumps(baseline), flush=True)
        results.update({f"baseline_{k}": v for k, v in baseline.items()})
        if custom["paint_p95_ms"] > 0:
            results["baseline_ratio_p95"] = round(
                baseline["paint_p95_ms"] / custom["paint_p95_ms"], 1)
    producer.stopped.set()
    producer.join()
    dock.close()
    dock.deleteLater()
    # The page must go before the web profile does, at exit (../shared/PLATFORM.md).
    from PySide6.QtCore import QCoreApplication, QEvent

    for _ in range(3):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        app.processEvents()
    print(json.dumps(results), flush=True)


def _map_name(view: Any, app: QApplication) -> str:
    """The page's Leaflet map variable (folium names it ``map_<hex>``)."""
    got: list[Any] = []
    view.page().runJavaScript(
        "Object.keys(window).find(k => k.startsWith('map_') && window[k] instanceof L.Map)",
        0, got.append)
    wait_for(app, lambda: bool(got), 10, "the map's name")
    return str(got[0])


if __name__ == "__main__":
    main()
