"""The desktop build (``make dist-console``, ``installer/console.spec``): a folder whose
executable starts the console where no Python is, on a real X display, against a real hub.

The build takes minutes. ``LINKAGE_DIST_CONSOLE=dist/linkage-console`` tests a folder built
already (``make dist-console``) instead of building one; ``LINKAGE_DIST_SCREENSHOT=FILE`` keeps
the screenshot of the main window (docs/packaging.md).
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from console.domain.rules import Rules
from tests.hub.conftest import (
    PASSWORD,
    HubThread,
    add_users,
    rules,  # noqa: F401 - the fixture
)
from tests.smoke.test_keyboard_only import display  # noqa: F401 - the fixture: Xvfb, openbox

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
NAME = "linkage-console"


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The one-folder build: given, or made here as ``make dist-console`` makes it."""
    given = os.environ.get("LINKAGE_DIST_CONSOLE")
    if given:
        return Path(given).resolve()
    work = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
         "--distpath", str(work / "dist"), "--workpath", str(work / "build"),
         str(ROOT / "installer" / "console.spec")],
        cwd=ROOT, capture_output=True, text=True, timeout=3600, check=False)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    return work / "dist" / NAME


@pytest.mark.timeout(3600)
def test_the_folder_holds_the_program_and_what_it_reads(build: Path) -> None:
    assert os.access(build / NAME, os.X_OK)
    desktop = (build / f"{NAME}.desktop").read_text("utf-8")
    assert "Exec=" in desktop and f"Icon={NAME}" in desktop
    assert (build / f"{NAME}.png").stat().st_size > 0
    files = {p.relative_to(build).as_posix() for p in build.rglob("*") if p.is_file()}

    def has(suffix: str) -> bool:
        return any(f.endswith(suffix) for f in files)

    # The rules, the district, the translations, the map's own scripts; Leaflet; migrations.
    for data in ("console/resources/sla.toml", "console/resources/geography/streets.geojson",
                 "console/resources/i18n/linkage_zh_CN.qm", "console/resources/map/linkage_map.js",
                 "console/resources/sounds/alert.wav", "console/store/migrations/env.py",
                 "console/store/migrations/versions/0001_initial_schema.py",
                 "xstatic/pkg/leaflet/data/leaflet.js"):
        assert has(data), data
    # QtWebEngine (its process and resources, Qt's own translations) and QtAds.
    assert has("/QtWebEngineProcess")
    assert has("qtwebengine_resources.pak")
    assert has("PySide6QtAds/PySide6QtAds.so")  # QtAds is linked into its module
    assert any(f.endswith(".qm") and "/translations/" in f and "qtbase_zh_CN" in f for f in files)


@pytest.mark.timeout(600)
def test_the_program_runs_a_module_by_name_as_python_would(build: Path, tmp_path: Path) -> None:
    """``-m MODULE``: how the console starts its hub client and the demo its simulators."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    done = subprocess.run([str(build / NAME), "-m", "console", "simulate", "--help"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "--hub" in done.stdout
    done = subprocess.run([str(build / NAME), "-m", "console.comms.client_process", "--help"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "--read-fd" in done.stdout


class Program:
    """The build's executable on the display, with an environment that has no Python in it."""

    def __init__(self, build: Path, screen: str, port: int, home: Path) -> None:
        env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "DISPLAY": screen,
               "QT_QPA_PLATFORM": "xcb", "XDG_CONFIG_HOME": str(home / "cfg"),
               "XDG_DATA_HOME": str(home / "data"), "LANG": "C.UTF-8",
               "QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox"}
        # Started from elsewhere, so that nothing of this checkout is found by accident.
        self.process = subprocess.Popen(
            [str(build / NAME), "-v", "console", "--hub", f"ws://127.0.0.1:{port}",
             "--user", "ctl", "--language", "en"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env=env, cwd=home)
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(PASSWORD + "\n")  # the password on standard input
        self.process.stdin.close()
        self.log: list[str] = []
        self._lines: queue.Queue[str] = queue.Queue()
        self._reader = threading.Thread(target=self._read, args=(self.process.stdout,),
                                        daemon=True)
        self._reader.start()

    def _read(self, stream: Any) -> None:
        for line in stream:
            self._lines.put(line)

    def wait_log(self, text: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.log):
            left = deadline - time.monotonic()
            assert left > 0 and self.process.poll() is None, (
                f"the program never logged {text!r}:\n" + "".join(self.log[-60:]))
            with contextlib.suppress(queue.Empty):
                self.log.append(self._lines.get(timeout=min(left, 0.5)))

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self._reader.join(10)
        assert self.process.stdout is not None
        self.process.stdout.close()


@pytest.fixture
def hub(tmp_path: Path, rules: Rules) -> Iterator[HubThread]:  # noqa: F811
    thread = HubThread(f"sqlite:///{tmp_path}/hub.db", rules)
    add_users(thread.store)
    thread.start()
    yield thread
    thread.stop()


def _mapped(pid: int) -> set[str]:
    """The files process ``pid`` has mapped (its libraries)."""
    with open(f"/proc/{pid}/maps") as maps:
        return {line.split(None, 5)[5].strip() for line in maps if len(line.split(None, 5)) == 6}


@pytest.mark.timeout(3600)
def test_the_program_logs_in_syncs_and_shows_its_window(
        build: Path, display: str, hub: HubThread, tmp_path: Path) -> None:  # noqa: F811
    program = Program(build, display, hub.port, tmp_path)
    try:
        program.wait_log("connection: live")  # the snapshot taken, synced: events follow
        program.wait_log("console ready:")
        found = subprocess.run(
            ["xdotool", "search", "--sync", "--onlyvisible", "--name", "Linkage Console"],
            env={**os.environ, "DISPLAY": display}, capture_output=True, text=True,
            timeout=120, check=False)
        assert found.returncode == 0 and found.stdout.split(), found.stderr
        with urllib.request.urlopen(f"http://127.0.0.1:{hub.port}/healthz", timeout=10) as answer:
            assert b'"sessions": 1' in answer.read()
        # Python, Qt and the console's own code all come from the folder, none from this
        # machine's Python.
        libraries = _mapped(program.process.pid)
        python = [lib for lib in libraries if "libpython" in lib or "Qt6Core" in lib]
        assert python and all(lib.startswith(str(build)) for lib in python), python
        assert not [lib for lib in libraries if lib.startswith(sys.prefix)]
        program.wait_log("map page ready")  # QtWebEngine runs: the map's page started
        shot = tmp_path / "dist-console.png"
        window = found.stdout.split()[0]
        subprocess.run(["import", "-display", display, "-window", window, str(shot)],
                       timeout=60, check=True)
        assert shot.stat().st_size > 0
        if os.environ.get("LINKAGE_DIST_SCREENSHOT"):
            shutil.copyfile(shot, os.environ["LINKAGE_DIST_SCREENSHOT"])
        assert "Traceback" not in "".join(program.log)
    finally:
        program.stop()
