#!/usr/bin/env python3
"""How long ``python main.py`` takes to a console ready to work, on a first and a warm start.

    python benchmarks/demo_start.py [--runs 3] [--screen xvfb|offscreen]

Each run starts ``main.py`` as a newcomer would, in a subprocess with its own data and settings
folders (``XDG_DATA_HOME``, ``XDG_CONFIG_HOME``), on a virtual screen (``xvfb-run``) or Qt's
offscreen platform, and times from spawning the process to the console's ``console ready`` line:
the main window is up, logged in to the embedded hub, holds the district's snapshot, and its event
loop is idle again. A *first* start has an empty data folder: it seeds the demo district (accounts,
23,000 units, cameras) before opening. A *warm* start runs again on the same folder. The simulator
runs in both, as in the demo. Targets (issue "A living demo district"): warm ≤ 5 s, first ≤ 30 s.

The last line is one JSON object: ``first_start_s`` and ``warm_start_s`` (medians), every run's
figure, and the targets.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MAIN = Path(__file__).resolve().parents[1] / "main.py"


def start(home: Path, screen: str) -> float:
    """Seconds from spawning ``main.py`` to its ``console ready`` line (then it is stopped)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "XDG_DATA_HOME": str(home / "data"),
           "XDG_CONFIG_HOME": str(home / "cfg"), "QT_FFMPEG_DECODING_HW_DEVICE_TYPES": "none"}
    command = [sys.executable, str(MAIN), "--quit-after", "60"]
    if screen == "xvfb":
        command = ["xvfb-run", "-a", "-s", "-screen 0 1600x950x24", *command]
    else:
        env["QT_QPA_PLATFORM"] = "offscreen"
    began = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True, env=env, start_new_session=True)
    assert process.stdout is not None
    try:
        for line in process.stdout:
            if line.startswith("console ready"):
                return time.monotonic() - began
        raise RuntimeError(f"main.py ended without a console (exit {process.wait()})")
    finally:  # the whole group: xvfb-run, main.py, its simulator and WebEngine helpers
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        time.sleep(2)  # let the group's children finish their shutdown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--screen", choices=["xvfb", "offscreen"],
                        default="xvfb" if shutil.which("xvfb-run") else "offscreen")
    args = parser.parse_args()
    first: list[float] = []
    warm: list[float] = []
    for run in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="demo-start-") as folder:
            home = Path(folder)
            first.append(start(home, args.screen))
            print(f"run {run + 1}: first start {first[-1]:.1f} s", flush=True)
            warm.append(start(home, args.screen))
            print(f"run {run + 1}: warm start {warm[-1]:.1f} s", flush=True)
    result = {"first_start_s": round(statistics.median(first), 2),
              "warm_start_s": round(statistics.median(warm), 2),
              "first_runs_s": [round(x, 2) for x in first],
              "warm_runs_s": [round(x, 2) for x in warm],
              "screen": args.screen, "target_first_s": 30, "target_warm_s": 5}
    print(f"first start median {result['first_start_s']} s (target ≤ 30), warm start median "
          f"{result['warm_start_s']} s (target ≤ 5)")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
