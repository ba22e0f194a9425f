"""Client fixtures: a real hub that can be stopped, frozen, killed and started again on the same
database and port, and a recorder of what a HubClient's callbacks receive.

Only SQLite here: the client does not care which database is behind the hub (tests/hub runs
the hub on both).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from console.comms.client import LIVE, HubClient
from console.comms.clock import Clock
from console.comms.replica import ChangeSet, UserInfo
from console.domain.model import Actor, Role
from console.domain.rules import Rules
from console.store.store import Store
from tests.hub.conftest import MAIN, PASSWORD, HubThread, add_users
from tests.store.conftest import rules  # noqa: F401 - shared fixture
from tests.waiting import wait_until

# pytest-qt's QApplication (tests/comms/test_bridge.py) needs no display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ADMIN = Actor("admin", frozenset({Role.ADMIN}))


def seed(url: str, rules: Rules) -> None:  # noqa: F811
    """The test accounts, and an admin who registers units."""
    store = Store(url, rules)
    add_users(store)
    store.accounts.create_user("admin", PASSWORD, ["admin"], now=datetime.now(UTC))
    store.close()


class RestartableHub:
    """A hub in a thread of this process, on one database; stop() and start() keep its port."""

    def __init__(self, url: str, rules: Rules) -> None:  # noqa: F811
        self.url = url
        self.rules = rules
        self.port = 0
        self.thread: HubThread | None = None

    def start(self) -> RestartableHub:
        thread = HubThread(self.url, self.rules)
        thread.config = replace(thread.config, port=self.port)
        self.thread = thread.start()
        self.port = thread.port
        return self

    def stop(self) -> None:
        if self.thread is not None:
            thread, self.thread = self.thread, None
            thread.stop()

    def begin_stop(self) -> None:
        """Ask the hub to stop, without waiting (stop() then waits)."""
        assert self.thread is not None
        loop, stop = self.thread._loop, self.thread._stop
        assert loop is not None and stop is not None
        loop.call_soon_threadsafe(stop.set)

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    @property
    def store(self) -> Store:
        assert self.thread is not None
        return self.thread.store

    @contextlib.contextmanager
    def frozen(self) -> Iterator[None]:
        """The hub's event loop blocked: connections stay open, nothing is read or answered."""
        assert self.thread is not None and self.thread._loop is not None
        entered, release = threading.Event(), threading.Event()

        def block() -> None:
            entered.set()
            release.wait(30)

        self.thread._loop.call_soon_threadsafe(block)
        assert entered.wait(5), "the hub's loop did not freeze"
        try:
            yield
        finally:
            release.set()


@pytest.fixture
def hub_db(tmp_path: Path, rules: Rules) -> str:  # noqa: F811
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    seed(url, rules)
    return url


@pytest.fixture
def hub(hub_db: str, rules: Rules) -> Iterator[RestartableHub]:  # noqa: F811
    restartable = RestartableHub(hub_db, rules).start()
    yield restartable
    restartable.stop()


class HubOnPort:
    """``main.py hub`` as a process on a chosen port (0: a free one), to be killed for real."""

    def __init__(self, url: str, port: int = 0) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(MAIN), "hub", "--db", url, "--port", str(port),
             "--name", f"killable-{port}"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        assert self.process.stdout is not None
        for line in self.process.stdout:
            found = re.search(r"listening on ws://[\d.]+:(\d+)", line)
            if found:
                self.port = int(found.group(1))
                break
        else:
            raise AssertionError("the hub process did not start")
        self._drain = threading.Thread(target=self.process.stdout.read, daemon=True)
        self._drain.start()

    def pause(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)
        self._release()

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(signal.SIGCONT)
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(30)
        self._release()

    def _release(self) -> None:
        self._drain.join(10)
        assert self.process.stdout is not None
        self.process.stdout.close()


class Relay:
    """A TCP relay between a client and the hub: a network that can lose the hub's answers and
    then break, the way a link fails between a commit and its acknowledgement."""

    def __init__(self, hub_port: int) -> None:
        self.hub_port = hub_port
        self.port = 0
        self.losing = threading.Event()
        self._links: set[asyncio.StreamWriter] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._done: asyncio.Event | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), name="relay",
                                        daemon=True)
        self._thread.start()
        assert self._ready.wait(10)

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._done = asyncio.Event()
        server = await asyncio.start_server(self._link, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        async with server:
            await self._done.wait()
        self._cut()

    async def _link(self, client_reader: asyncio.StreamReader,
                    client_writer: asyncio.StreamWriter) -> None:
        try:
            hub_reader, hub_writer = await asyncio.open_connection("127.0.0.1", self.hub_port)
        except OSError:
            client_writer.transport.abort()
            return
        self._links.update((client_writer, hub_writer))

        async def pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                       lossy: bool) -> None:
            with contextlib.suppress(OSError):
                while data := await reader.read(65536):
                    if not (lossy and self.losing.is_set()):
                        writer.write(data)
                        await writer.drain()
            writer.transport.abort()

        await asyncio.gather(pump(client_reader, hub_writer, False),
                             pump(hub_reader, client_writer, True))
        self._links.difference_update((client_writer, hub_writer))

    def _cut(self) -> None:
        for writer in list(self._links):
            writer.transport.abort()
        self._links.clear()

    def lose_answers(self) -> None:
        """From now on, what the hub sends is dropped (the client's frames still get through)."""
        self.losing.set()

    def cut(self) -> None:
        """Break every link at once, and carry the next ones faithfully."""
        assert self._loop is not None
        done = threading.Event()

        def cut() -> None:
            self._cut()
            self.losing.clear()
            done.set()

        self._loop.call_soon_threadsafe(cut)
        assert done.wait(5)

    def close(self) -> None:
        assert self._loop is not None and self._done is not None
        self._loop.call_soon_threadsafe(self._done.set)
        self._thread.join(10)


class Recorder:
    """Everything a HubClient's callbacks were given, with the time each came."""

    def __init__(self) -> None:
        self.changes: list[tuple[float, ChangeSet]] = []
        self.states: list[tuple[str, object]] = []
        self.notices: list[tuple[str, str]] = []
        self.logins: list[UserInfo] = []
        self.threads: set[str] = set()
        self._lock = threading.Lock()

    def deliver(self, change: ChangeSet) -> None:
        with self._lock:
            self.changes.append((time.monotonic(), change))
            self.threads.add(threading.current_thread().name)

    def state(self, state: str, detail: object) -> None:
        with self._lock:
            self.states.append((state, detail))

    def notice(self, level: str, message: str) -> None:
        with self._lock:
            self.notices.append((level, message))

    def login(self, user: UserInfo) -> None:
        with self._lock:
            self.logins.append(user)

    def callbacks(self) -> dict[str, Any]:
        return {"deliver": self.deliver, "state": self.state, "notice": self.notice,
                "login": self.login}

    def state_names(self) -> list[str]:
        with self._lock:
            return [state for state, _ in self.states]

    def change_sets(self) -> list[ChangeSet]:
        with self._lock:
            return [change for _, change in self.changes]

    def incident_ids(self) -> set[str]:
        return {i for change in self.change_sets() for i in change.incidents}

    def event_seqs(self) -> list[int]:
        return [seq for change in self.change_sets() for seq, _ in change.events]


@pytest.fixture
def make_client(rules: Rules) -> Iterator[Callable[..., tuple[HubClient, Recorder]]]:  # noqa: F811
    """Start HubClients (fast reconnects unless told otherwise); all are stopped afterwards."""
    clients: list[HubClient] = []

    def make(url: str, username: str = "ctl", password: str = PASSWORD,
             **options: Any) -> tuple[HubClient, Recorder]:
        recorder = Recorder()
        options = {"backoff_base": 0.05, "backoff_cap": 0.5, "seed": 7, "clock": Clock(),
                   **options}
        client = HubClient(url, username, password, rules, **recorder.callbacks(), **options)
        clients.append(client)
        client.start()
        return client, recorder

    yield make
    for client in clients:
        client.stop()
        assert not client.running, "a hub client thread outlived its test"


@pytest.fixture(autouse=True)
def no_leaked_client_threads() -> Iterator[None]:
    yield
    left = [t.name for t in threading.enumerate() if t.name.startswith("hub-client")]
    assert not left, f"hub client threads left running: {left}"


def applied(store: Store, command_id: str) -> int:
    """How many events the log holds for one command id."""
    with store.db.reader.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM events WHERE command_id = :c"),
                                {"c": command_id}).scalar_one())


# -- helpers of the client's tests --------------------------------------------------------------

MakeClient = Callable[..., tuple[HubClient, Recorder]]


def live(client: HubClient, recorder: Recorder, times: int = 1, timeout: float = 10) -> None:
    wait_until(lambda: recorder.state_names().count(LIVE) >= times and client.state == LIVE,
               timeout, f"live #{times}")


def last_seq(recorder: Recorder) -> int:
    changes = recorder.change_sets()
    return changes[-1].seq if changes else -1


def created_by(recorder: Recorder, description: str) -> list[str]:
    """Ids of incident.created events with this description, in every change set."""
    return [event.data["id"] for change in recorder.change_sets() for _, event in change.events
            if event.name == "incident.created" and event.data.get("description") == description]


def incidents_described(store: Store, pattern: str) -> int:
    with store.db.reader.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM events WHERE name = 'incident.created'"
                                     " AND data LIKE :p"), {"p": f"%{pattern}%"}).scalar_one())
