"""`python main.py` as a newcomer runs it: the demo district seeded on first run, the embedded hub,
the district's simulator and the police center's each in its own process, and the console logged
in — offscreen, in a subprocess."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hub.conftest import MAIN
from tests.pgcluster import free_port
from tests.waiting import wait_until

pytestmark = pytest.mark.slow

#: The demo seeds the hours before its world time: seeded at night it would hold a few cases, in
#: the afternoon a living queue. A fixed afternoon keeps what the test sees off the wall clock
#: (tests/sim/test_history.py seeds both hours).
AFTERNOON = "2026-11-25T15:00:00+08:00"


def run_main(home: Path, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONUNBUFFERED": "1",
           "XDG_DATA_HOME": str(home / "data"), "XDG_CONFIG_HOME": str(home / "cfg"),
           "QT_FFMPEG_DECODING_HW_DEVICE_TYPES": "none"}
    return subprocess.run([sys.executable, str(MAIN), *args], capture_output=True, text=True,
                          env=env, timeout=timeout)


def test_plain_main_py_opens_a_living_district_and_starts_over_with_reset(
        tmp_path: Path) -> None:
    first = run_main(tmp_path, "--world-start", AFTERNOON, "--quit-after", "25")
    assert first.returncode == 0, first.stderr[-3000:]
    assert "Traceback" not in first.stderr
    assert "Seeding the demo district (first run)" in first.stdout
    ready = re.search(r"console ready: (\d+) incidents, (\d+) units", first.stdout)
    assert ready and int(ready[1]) > 20 and int(ready[2]) > 20_000, first.stdout
    for account in ("demo", "leader", "taker", "liaison", "desk", "viewer", "admin"):
        assert re.search(rf"^  {account} ", first.stdout, re.MULTILINE), account
    assert "logged in as demo (controller)" in first.stderr
    data = tmp_path / "data" / "linkage-console"
    sim_log, police_log = data / "simulator.log", data / "police-simulator.log"
    assert "Simulator running" in first.stdout and "Police center running" in first.stdout
    hub = re.search(r"^Hub at (ws://127\.0\.0\.1:\d+/ws) — another console on this machine: "
                    r"python main.py console --hub \1$", first.stdout, re.MULTILINE)
    assert hub, first.stdout
    # The police center is up before the console shows its link (not red for its first
    # seconds); the district's simulator waits for the console.
    assert first.stdout.index("Police center running") < first.stdout.index("console ready") \
        < first.stdout.index("Simulator running")
    # The simulators print their summaries as they stop.
    wait_until(lambda: "filed" in sim_log.read_text() and "police:" in police_log.read_text(),
               what="the simulators' summaries")
    summary = re.search(r"filed (\d+) incidents .*; (\d+) clock-ins", sim_log.read_text())
    assert summary and int(summary[2]) > 100, sim_log.read_text()[-2000:]
    # The police center logged in on /police (the only door its account has) and said what it
    # did: a diversion or two in 25 s at 1.5 an hour is unlikely, so only the link is certain.
    police = police_log.read_text()
    assert "police link up" in police and "Traceback" not in police, police[-2000:]
    assert re.search(r"police: \d+ cases diverted .* \d+ escalations received", police), police
    assert (data / "police-journal.sqlite").exists()

    port = free_port()
    # (10 s: on a busy two-core machine the snapshot took longer than 5 s to arrive, with or
    # without the window opening before the login.)
    warm = run_main(tmp_path, "--no-sim", "--port", str(port), "--quit-after", "10")
    assert warm.returncode == 0, warm.stderr[-3000:]
    assert f"Hub at ws://127.0.0.1:{port}/ws" in warm.stdout
    assert "Seeding" not in warm.stdout and "console ready" in warm.stdout
    assert "Simulator running" not in warm.stdout
    assert "Police center running" not in warm.stdout

    again = run_main(tmp_path, "--reset", "--no-gui", "--world-start", AFTERNOON)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "the district starts over" in again.stdout
    # A new district: the police center's journal of the old one is gone with it.
    assert not (data / "police-journal.sqlite").exists()
    assert "Seeding the demo district (first run)" in again.stdout
    # A fresh district opens on the last hour and a half of its day: a living queue.
    assert re.search(r"and \d{3,} steps of history", again.stdout), again.stdout
    assert (found := re.search(r"store at .*: (\d+) incidents, \d+ units", again.stdout))
    assert int(found[1]) > 20


def test_reset_refuses_a_postgresql_database(tmp_path: Path) -> None:
    done = run_main(tmp_path, "--reset", "--no-gui", "--db",
                    "postgresql://postgres@127.0.0.1:5432/postgres", timeout=60)
    assert done.returncode != 0
    assert "--reset starts over only an SQLite demo database" in done.stderr


def test_bad_arguments_are_refused_plainly(tmp_path: Path) -> None:
    bad_hub = run_main(tmp_path, "simulate", "--hub", "nonsense", timeout=60)
    assert bad_hub.returncode == 2
    assert "'nonsense' is not a hub address; give ws://HOST:PORT" in bad_hub.stderr
    assert "Traceback" not in bad_hub.stderr
    shot = run_main(tmp_path, "--screenshot", str(tmp_path / "x.png"), "--no-gui", timeout=60)
    assert shot.returncode == 2
    assert "--screenshot is taken at --quit-after SECONDS; give both" in shot.stderr
    port = run_main(tmp_path, "--port", "70000", "--no-gui", timeout=60)
    assert port.returncode == 2 and "a port is between 0 and 65535" in port.stderr
    slow = run_main(tmp_path, "hub", "--db", str(tmp_path / "h.db"), "--speed", "0", timeout=60)
    assert slow.returncode == 2 and "the speed must be above 0" in slow.stderr
    days = run_main(tmp_path, "hub", "--db", str(tmp_path / "h.db"), "--track-days", "0",
                    timeout=60)
    assert days.returncode == 2 and "--track-days must be at least 1" in days.stderr
