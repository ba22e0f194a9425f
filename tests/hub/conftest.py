"""Hub fixtures: a real hub on a free port (in a thread of this process, or as a subprocess),
and a plain blocking websocket client that speaks the protocol."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import ClientConnection, connect

from console.domain.rules import Rules
from console.hub.config import HubConfig
from console.hub.server import Hub
from console.store.store import Store
from tests.store.conftest import (  # noqa: F401 - shared fixtures
    clock,
    db_url,
    pg_db_url,
    pg_url,
    rules,
)

MAIN = Path(__file__).resolve().parents[2] / "main.py"
PASSWORD = "联动-pw"
USERS = {
    "ctl": (["controller"], None, None),
    "leader": (["duty_leader"], None, None),
    "viewer": (["viewer"], None, None),
    "desk-env": (["department"], "environment", None),
    "gateway": (["field"], None, None),
    "police110": (["police"], None, None),
    "liaison": (["police_liaison"], None, None),
}


def add_users(store: Store) -> None:
    from datetime import UTC, datetime

    from console.store.accounts import hash_password

    hashed = hash_password(PASSWORD)  # once for all: the door tests hash at production cost
    for name, (roles, department, unit) in USERS.items():
        store.accounts.create_user(name, hashed, roles, now=datetime.now(UTC),
                                   department=department, unit=unit)


class HubThread:
    """A hub with its own event loop in a background thread of the test process."""

    def __init__(self, url: str, hub_rules: Rules, **config: Any) -> None:
        self.config = HubConfig(**{"port": 0, **config})  # a port given: that one
        self.store = Store(url, hub_rules, clock=self.config.clock.now)
        self.hub: Hub | None = None
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name="test-hub", daemon=True)

    def _main(self) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            self.hub = Hub(self.store, self.store.rules, self.config)
            await self.hub.start()
            self._ready.set()
            await self._stop.wait()
            await self.hub.stop()

        try:
            asyncio.run(main())
        except BaseException as error:
            self._error = error
            self._ready.set()

    def start(self) -> HubThread:
        self._thread.start()
        assert self._ready.wait(30), "hub did not start"
        if self._error:
            raise self._error
        return self

    @property
    def port(self) -> int:
        assert self.hub is not None
        return self.hub.port

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)
        assert not self._thread.is_alive(), "hub did not stop"
        self.store.close()
        if self._error:
            raise self._error


@pytest.fixture
def hub(db_url: str, rules: Rules) -> Iterator[HubThread]:  # noqa: F811
    thread = HubThread(db_url, rules)
    add_users(thread.store)
    thread.start()
    yield thread
    thread.stop()


class Client:
    """A blocking protocol client: send frames, read messages, keep events aside."""

    def __init__(self, port: int, path: str = "/ws", *, scheme: str = "ws",
                 **options: Any) -> None:
        # Entered as a context manager (websockets ≥ 17.1 wants that) and closed in close().
        # A test that stops reading leaves events queued, and then cannot read the hub's answer
        # to its close: do not wait the default ten seconds for it.
        options.setdefault("close_timeout", 0.5)
        # No keepalive pings of its own (the hub pings, and a pong draws nothing): a ping's
        # payload is drawn from `random` on the client's background thread, and a client some
        # test left open would then, pinging on, look to hypothesis in a later test of the same
        # worker like a strategy using `random` (tests/hub/test_resilience.py).
        options.setdefault("ping_interval", None)
        self.ws: ClientConnection = connect(f"{scheme}://127.0.0.1:{port}{path}",
                                            max_size=None, **options).__enter__()
        self.events: list[dict[str, Any]] = []
        self.other: list[dict[str, Any]] = []

    def close(self) -> None:
        self.ws.close()

    def send(self, message: Any) -> None:
        self.ws.send(message if isinstance(message, str | bytes) else json.dumps(message))

    def recv(self, timeout: float = 10) -> dict[str, Any]:
        return json.loads(self.ws.recv(timeout=timeout))

    def until(self, kind: str, timeout: float = 10) -> dict[str, Any]:
        """Read until a message of ``kind``; events and other messages met on the way are kept."""
        while True:
            message = self.recv(timeout)
            if message["type"] == kind:
                return message
            (self.events if message["type"] == "event" else self.other).append(message)

    def hello(self, username: str = "ctl", password: str = PASSWORD, *,
              resume_from: int | None = None, token: str | None = None) -> dict[str, Any]:
        auth = {"token": token} if token else {"username": username, "password": password}
        self.send({"type": "hello", "protocol": 1, "client": "tests", "auth": auth,
                   "resume_from": resume_from})
        welcome = self.recv()
        assert welcome["type"] == "welcome", welcome
        return welcome

    def sync(self) -> tuple[dict[str, Any] | None, dict[str, Any]]:
        """After hello: the snapshot (or None after a replay) and the synced message."""
        snapshot = None
        while True:
            message = self.recv()
            if message["type"] == "snapshot":
                snapshot = message
            elif message["type"] == "event":
                self.events.append(message)
            elif message["type"] == "synced":
                return snapshot, message
            else:
                raise AssertionError(f"unexpected during sync: {message}")

    def login(self, username: str = "ctl", **kwargs: Any) -> dict[str, Any]:
        welcome = self.hello(username, **kwargs)
        self.sync()
        return welcome

    def command(self, name: str, *, command_id: str | None = None,
                expected_version: int | None = None, **args: Any) -> dict[str, Any]:
        command_id = command_id or str(uuid.uuid4())
        message: dict[str, Any] = {"type": "command", "id": command_id, "name": name,
                                   "args": args}
        if expected_version is not None:
            message["expected_version"] = expected_version
        self.send(message)
        while True:
            reply = self.until("result")
            if reply["id"] == command_id:
                return reply
            self.other.append(reply)


def incident_args(**overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "source": "hotline", "category": "env.noise_construction", "priority": "P3",
        "description": "工地夜间施工噪声扰民",
        "location": {"lat": 30.6675, "lon": 104.1075, "address": "建设路 1 号"},
        "reporter": {"name": "张先生", "phone": "13800000001"}}
    args.update(overrides)
    return args


class HubProcess:
    """``main.py hub`` as a real process, for kill and multi-hub tests."""

    def __init__(self, url: str, name: str, port: int = 0, *extra: str) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, str(MAIN), "hub", "--db", url, "--port", str(port), "--name", name,
             *extra],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        assert self.process.stdout is not None
        for line in self.process.stdout:
            found = re.search(r"listening on ws://[\d.]+:(\d+)", line)
            if found:
                self.port = int(found.group(1))
                break
        else:
            raise AssertionError(f"hub {name} did not start")
        # Keep draining its output so the pipe never fills up and blocks the hub.
        self._drain = threading.Thread(target=self._read, daemon=True)
        self.output: list[str] = []
        self._drain.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)
        self._release()

    def stop(self) -> int:
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(30)
            self._release()
            raise AssertionError("hub did not stop within 60 s:\n"
                                 + "".join(self.output[-40:])) from None
        self._release()
        if code != 0:
            print("".join(self.output[-40:]))  # shown by pytest with the failing assertion
        return code

    def _release(self) -> None:
        self._drain.join(10)
        assert self.process.stdout is not None
        self.process.stdout.close()
