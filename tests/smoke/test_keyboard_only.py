"""A controller's hands on the keyboard only: the real console on a real X display with a window
manager (Xvfb and openbox), keys typed by xdotool, a real hub behind it.

A P1 gas leak arrives; the controller jumps to it (F8), silences its alert (F9), accepts it on
the command line (``A 23``) and dispatches the recommended unit (``D 23``, Enter to take the
proposal) — no mouse event is ever made. What happened is read from the hub, not the console.
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
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from console.domain.rules import Rules
from tests.hub.conftest import (
    MAIN,
    PASSWORD,
    Client,
    HubThread,
    incident_args,
    rules,  # noqa: F401 - the fixture
)
from tests.views.live import live_hub, register_units  # noqa: F401 - the fixture

pytestmark = pytest.mark.slow

TOOLS = ("Xvfb", "openbox", "xdotool")
#: The gas leak and, around it, who could go: grid workers nearest, the plan's teams further.
LEAK = (30.6675, 104.0925)
UNITS = [  # id, status, lat, lon
    ("gw-near", "available", 30.6677, 104.0926),
    ("gw-next", "available", 30.6680, 104.0930),
    ("em-1", "available", 30.6760, 104.1000),
    ("cp-1", "available", 30.6800, 104.1050),
]
KINDS = {"em-1": "emergency", "cp-1": "community_police"}


@pytest.fixture
def display(tmp_path: Path) -> Iterator[str]:
    """A virtual screen with openbox managing its windows; its DISPLAY."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:  # installer/debian-packages.sh installs them; a machine without them fails
        pytest.fail(f"not installed: {', '.join(missing)} (installer/debian-packages.sh)")
    read, write = os.pipe()
    screen = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1600x1000x24",
                               "-nolisten", "tcp"], pass_fds=(write,),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as chosen:
        number = chosen.readline().strip()  # written once the server takes connections
    assert number.isdigit(), "Xvfb did not start"
    name = f":{number}"
    manager = subprocess.Popen(["openbox", "--sm-disable"], env={**os.environ, "DISPLAY": name},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield name
    finally:
        for process in (manager, screen):
            process.terminate()
            process.wait(10)


class Console:
    """``main.py console`` on the display; its log lines are read as they come."""

    def __init__(self, display: str, port: int, home: Path) -> None:
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb",
               "XDG_CONFIG_HOME": str(home / "cfg"), "PYTHONUNBUFFERED": "1",
               "QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox", "LANGUAGE": "en"}
        self.display = display
        self.process = subprocess.Popen(
            [sys.executable, str(MAIN), "-v", "console", "--hub", f"ws://127.0.0.1:{port}",
             "--user", "ctl", "--language", "en"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            env=env)
        assert self.process.stdin is not None and self.process.stderr is not None
        self.process.stdin.write(PASSWORD + "\n")
        self.process.stdin.close()
        self.log: list[str] = []
        self._lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, args=(self.process.stderr,), daemon=True).start()

    def _read(self, stream: Any) -> None:
        for line in stream:
            self._lines.put(line)

    def wait_log(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.log):
            left = deadline - time.monotonic()
            assert left > 0 and self.process.poll() is None, (
                f"the console never logged {text!r}:\n" + "".join(self.log[-40:]))
            with contextlib.suppress(queue.Empty):
                self.log.append(self._lines.get(timeout=min(left, 0.5)))

    def xdotool(self, *args: str) -> str:
        done = subprocess.run(["xdotool", *args], env={**os.environ, "DISPLAY": self.display},
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def keys(self, *keys: str) -> None:
        self.xdotool("key", "--delay", "80", *keys)

    def type(self, text: str) -> None:
        self.xdotool("type", "--delay", "40", text)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        assert self.process.stderr is not None
        self.process.stderr.close()


def event_of(watcher: Client, name: str, incident: str, timeout: float = 30) -> dict[str, Any]:
    """The next event ``name`` of ``incident`` the watcher sees (those met before are kept)."""
    for event in watcher.events:
        if event["name"] == name and event["data"].get("id") == incident:
            return event
    deadline = time.monotonic() + timeout
    while True:
        event = watcher.until("event", timeout=max(0.1, deadline - time.monotonic()))
        watcher.events.append(event)
        if event["name"] == name and event["data"].get("id") == incident:
            return event


def test_a_case_goes_from_arrival_to_dispatch_without_the_mouse(
        tmp_path: Path, display: str, live_hub: HubThread, rules: Rules) -> None:  # noqa: F811
    register_units(live_hub, UNITS, KINDS)
    console = Console(display, live_hub.port, tmp_path)
    watcher = Client(live_hub.port)
    try:
        console.wait_log("logged in as ctl")
        window = console.xdotool("search", "--sync", "--onlyvisible", "--name",
                                 "Linkage Console").split()[0]
        # The window manager gives the new window the focus; ask it again, without a pointer.
        console.xdotool("windowactivate", "--sync", window)
        watcher.login("viewer")

        taker = Client(live_hub.port)
        taker.login("taker")
        created = taker.command("incident.create", **incident_args(
            category="safety.gas_leak", priority="P1", description="燃气泄漏，楼道有气味",
            location={"lat": LEAK[0], "lon": LEAK[1], "address": "建设路 1 号"}))
        taker.close()
        assert created["ok"], created
        iid = str(created["data"]["id"])
        number = str(int(iid.rsplit("-", 1)[1]))
        console.wait_log(f"alert: new {iid}")  # it rang on the console

        console.keys("F8")  # the oldest case waiting: this one, selected and opened
        console.keys("F9")  # its alert silenced
        console.wait_log(f"alert acknowledged: {iid}")

        console.keys("ctrl+l")
        console.type(f"A {number}")
        console.keys("Return")
        accepted = event_of(watcher, "incident.accepted", iid)
        assert accepted["actor"] == "ctl"

        console.type(f"D {number}")
        console.keys("Return")  # the plan's top unit proposed on the line
        console.keys("Return")  # and sent
        dispatched = event_of(watcher, "assignment.dispatched", iid)
        assert dispatched["actor"] == "ctl"
        # The response plan's team, not the nearer grid workers.
        assert dispatched["data"]["unit"] in {"em-1", "cp-1"}
        assert "Traceback" not in "".join(console.log)
    finally:
        watcher.close()
        console.stop()
