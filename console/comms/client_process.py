"""The hub client in a child process, so that the network is not handled in the GUI's
interpreter.

    process = ClientProcess({"url": …, "username": …, "password": …, "options": {…}})
    process.send(("submit", request_id, name, args, expected_version, timeout))
    for message in process.read():  # non-blocking: the messages complete now
        ...
    process.stop(wait=False)

Why a process: the :class:`HubClient`'s loop thread decodes frames and folds events and
positions into the live state, holding the interpreter lock while it does; on a busy machine the
kernel takes that thread off its core now and then while it holds the lock, and the GUI thread
then waits for it, frozen, until the thread runs again (docs/performance.md). A child process
has an interpreter of its own (the pattern of ``console.store.position_writer``).

The child is ``python -m console.comms.client_process``: it runs the same :class:`HubClient`,
takes the parent's requests from one pipe (pickled tuples, ``multiprocessing.connection``) and
writes its news to another: ``("state", state, detail)``, ``("notice", level, text)``,
``("login", user, token, (real time, world time, speed))``, ``("answer", request_id, value)``
and each change set as the messages of ``console.comms.pieces``. A writer thread sends them in
order; change sets the parent has not taken yet are merged into one, so a parent that falls
behind is not flooded. The child ends when asked (``("stop",)``), and by itself when the parent
goes away (its requests read EOF).

Requests: ``("submit", id, name, args, expected_version, timeout)``, ``("timeline", id,
incident, timeout)``, ``("track", id, unit, since, until, timeout)``, ``("audit", id, fields,
timeout)``, ``("reporter", id, incident, reason, timeout)``, ``("attachment", id, attachment,
thumbnail, timeout)``, ``("search", id, fields, timeout)``, ``("case", id, incident,
timeout)``, ``("workers", id, fields, timeout)``, ``("report", id, kind, start, end, timeout)``,
``("positions", rows)`` and
``("stop",)``.
"""

from __future__ import annotations

import argparse
import logging
import os
import pickle
import subprocess
import sys
import threading
import time
from collections import deque
from concurrent.futures import Future
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from console.comms import heap
from console.comms.clock import Clock
from console.comms.pieces import HEADER, FrameReader, merged, pieces
from console.comms.replica import ChangeSet, UserInfo

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
#: Children let go without waiting, until they are seen to have ended (reaped).
_departing: list[subprocess.Popen[bytes]] = []


def _reap() -> None:
    _departing[:] = [child for child in _departing if child.poll() is None]


class ClientProcess:
    """The parent's side of one child: its pipes and its process.

    Args:
        settings: ``url``, ``username``, ``password`` (or None), ``token`` (or None),
            ``rules`` (pickled) and ``options`` for the :class:`HubClient` (picklable ones: no
            SSL context).
    """

    def __init__(self, settings: dict[str, Any]) -> None:
        _reap()
        requests, news = os.pipe(), os.pipe()  # parent → child, child → parent
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
        self._child = subprocess.Popen(
            [sys.executable, "-m", "console.comms.client_process",
             "--read-fd", str(requests[0]), "--write-fd", str(news[1])],
            pass_fds=(requests[0], news[1]), env=env, stdin=subprocess.DEVNULL)
        os.close(requests[0])
        os.close(news[1])
        # Written without blocking: the settings (with the rules) are larger than a pipe holds,
        # and the child reads them only once it has started; what does not fit waits in
        # _unsent for flush(), which the caller runs when the pipe is writable.
        os.set_blocking(requests[1], False)
        self._write_fd = requests[1]
        self._unsent = bytearray()
        self._reader = FrameReader(news[0])
        # The password travels through the pipe, never on a command line.
        self.send(settings)

    @property
    def fileno(self) -> int:
        """The descriptor to watch for news."""
        return self._reader.fd

    @property
    def write_fileno(self) -> int:
        """The descriptor to watch, while :attr:`unsent`, for room to write."""
        return self._write_fd

    @property
    def unsent(self) -> bool:
        """Whether requests wait for room in the pipe (see :meth:`flush`)."""
        return bool(self._unsent)

    @property
    def pid(self) -> int:
        return self._child.pid

    @property
    def running(self) -> bool:
        """Whether the child process is alive."""
        return self._child.poll() is None

    @property
    def exit_code(self) -> int | None:
        return self._child.poll()

    @property
    def eof(self) -> bool:
        """Whether the child closed its end: everything it sent has been read."""
        return self._reader.eof

    def send(self, request: Any) -> bool:
        """Send a request (what does not fit in the pipe now waits for :meth:`flush`); False
        if the child is gone."""
        if self._write_fd < 0:
            return False
        payload = pickle.dumps(request, pickle.HIGHEST_PROTOCOL)
        self._unsent += HEADER.pack(len(payload)) + payload  # multiprocessing's framing
        return self.flush()

    def flush(self) -> bool:
        """Write what the pipe takes now; False if the child is gone."""
        while self._unsent and self._write_fd >= 0:
            try:
                written = os.write(self._write_fd, self._unsent)
            except BlockingIOError:
                return True
            except OSError:  # the child has gone
                self._unsent.clear()
                return False
            del self._unsent[:written]
        return self._write_fd >= 0

    def read(self) -> list[bytes]:
        """The messages (pickled) complete now, without waiting."""
        if self._reader.fd < 0:
            return []
        return self._reader.read()

    def stop(self, *, wait: bool, timeout: float = 10.0) -> None:
        """Ask the child to end and let go of its pipes; with ``wait``, until it has ended
        (killed after ``timeout`` seconds)."""
        self.send(("stop",))
        if self._write_fd >= 0:
            os.close(self._write_fd)  # the child reads EOF (after the stop, if it went)
            self._write_fd = -1
        if self._reader.fd >= 0:
            os.close(self._reader.fd)
            self._reader.fd = -1
        _reap()
        if not wait:
            if self._child.poll() is None:
                _departing.append(self._child)
            return
        try:
            self._child.wait(timeout)
        except subprocess.TimeoutExpired:
            log.warning("the hub client process did not end within %.0f s", timeout)
            self._child.kill()
            self._child.wait()


class _Outbox:
    """The child's news, written in order by a thread of their own (so that neither the
    client's loop nor the request reader ever waits for the parent)."""

    def __init__(self, out: Connection) -> None:
        self._out = out
        self._queue: deque[Any] = deque()
        self._ready = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._write, name="client-process-writer",
                                        daemon=True)
        self._thread.start()

    def put(self, message: Any) -> None:
        with self._ready:
            queue = self._queue
            if isinstance(message, ChangeSet) and queue and isinstance(queue[-1], ChangeSet):
                queue[-1] = merged(queue[-1], message)  # the parent has not taken it yet
            else:
                queue.append(message)
            self._ready.notify()

    def close(self, timeout: float = 5.0) -> None:
        """Send what is queued, then end the thread."""
        with self._ready:
            self._closed = True
            self._ready.notify()
        self._thread.join(timeout)

    def _write(self) -> None:
        fd = self._out.fileno()
        while True:
            with self._ready:
                while not self._queue and not self._closed:
                    self._ready.wait()
                if not self._queue:
                    return
                batch = list(self._queue)
                self._queue.clear()
            # Everything queued goes in one write: the console's GUI thread is woken once for
            # it, not once per message.
            frames = bytearray()
            for message in batch:
                for part in pieces(message) if isinstance(message, ChangeSet) else (message,):
                    payload = pickle.dumps(part, pickle.HIGHEST_PROTOCOL)
                    frames += HEADER.pack(len(payload))  # multiprocessing's framing
                    frames += payload
            try:
                view = memoryview(frames)
                while view:
                    view = view[os.write(fd, view):]
            except OSError:  # the parent has gone: nobody listens any more
                return


def serve(requests: Connection, news: Connection) -> None:
    """The child: run a :class:`HubClient` with the settings read first, do the requests,
    until ``("stop",)`` or EOF."""
    from console.comms.client import HubClient

    try:
        settings = requests.recv()
    except (EOFError, OSError):  # let go before it had even started
        return
    outbox = _Outbox(news)
    clock = Clock()

    def deliver(change: ChangeSet) -> None:
        outbox.put(change)
        # As in the console before it (console.comms.bridge): the live state is over a million
        # long-lived objects without cycles; full collections walking them would pause this
        # process for seconds. Freezing what joined them since is O(1); the garbage cycles made
        # since the last freeze are collected first (a short walk: only the unfrozen objects),
        # or they would never be freed.
        heap.freeze_survivors()

    def login(user: UserInfo) -> None:
        outbox.put(("login", user, client.token, (time.time(), clock.now(), clock.speed)))

    client = HubClient(
        settings["url"], settings["username"], settings.get("password") or "",
        pickle.loads(settings["rules"]),
        deliver=deliver, state=lambda state, detail: outbox.put(("state", state, detail)),
        notice=lambda level, text: outbox.put(("notice", level, text)), login=login,
        clock=clock, token=settings.get("token"), **settings.get("options", {}))
    client.start()
    try:
        while True:
            try:
                request = requests.recv()
            except (EOFError, OSError):  # the console has gone (or let go of this child)
                return
            if request[0] == "stop":
                return
            _do(client, outbox, request)
    finally:
        client.stop(wait=True)
        outbox.close()


def _do(client: Any, outbox: _Outbox, request: tuple[Any, ...]) -> None:
    kind, args = request[0], request[1:]
    future: Future[Any] | None = None
    if kind == "submit":
        request_id, name, arguments, expected_version, timeout = args
        try:
            future = client.submit(name, arguments, expected_version, timeout)
        except (TypeError, ValueError) as error:  # not JSON: the parent's caller is told
            outbox.put(("answer", request_id, error))
            return
    elif kind == "timeline":
        request_id, incident, timeout = args
        future = client.request_timeline(incident, timeout)
    elif kind == "reporter":
        request_id, incident, reason, timeout = args
        future = client.request_reporter(incident, reason, timeout)
    elif kind == "track":
        request_id, unit, since, until, timeout = args
        future = client.request_track(unit, since, until, timeout)
    elif kind == "audit":
        request_id, fields, timeout = args
        future = client.request_audit(fields, timeout)
    elif kind == "search":
        request_id, fields, timeout = args
        future = client.request_search(fields, timeout)
    elif kind == "case":
        request_id, incident, timeout = args
        future = client.request_case(incident, timeout)
    elif kind == "workers":
        request_id, fields, timeout = args
        future = client.request_workers(fields, timeout)
    elif kind == "report":
        request_id, report_kind, start, end, timeout = args
        future = client.request_report(report_kind, start, end, timeout)
    elif kind == "attachment":
        request_id, attachment, thumbnail, timeout = args
        future = client.request_attachment(attachment, thumbnail, timeout)
    elif kind == "positions":
        client.send_positions(args[0])
        return
    elif kind == "logout":
        request_id, timeout = args
        future = client.logout(timeout)
    else:
        log.warning("unknown request %r from the console", kind)
        return
    future.add_done_callback(lambda done: outbox.put(("answer", request_id, done.result())))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Keeps a console's connection to its hub.")
    parser.add_argument("--read-fd", type=int, required=True)
    parser.add_argument("--write-fd", type=int, required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="hub client: %(message)s")
    serve(Connection(args.read_fd, writable=False), Connection(args.write_fd, readable=False))


if __name__ == "__main__":
    main()
