"""Positions stored by a child process, so that their rows are not written by the hub's own
interpreter.

    writer = PositionWriter(url)
    writer.append(fixes)     # blocking: returns once every fix is committed (call it off-loop)
    writer.close()

Why a process: the drivers hand the interpreter lock back and forth for every row of a batch,
and in the hub the event loop wants that lock all the time (it decodes 10,000 fixes a second and
encodes frames for every console). A batch then took more than twice as long, holding SQLite's
write lock throughout, and every command behind it waited (docs/performance.md).
In a process of its own the rows go at the database's speed, and the child commits in slices of
``slice_rows`` fixes so that a command waits for at most one slice.

The child is ``python -m console.store.position_writer`` talking pickled messages over a pipe
(``multiprocessing.connection``): it imports nothing of the parent's ``__main__``, and it ends by
itself when the parent goes away (its end of the pipe reads EOF). A child that died is started
again at the next batch; what it had not confirmed is reported as not stored, and the caller
sends it again.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from datetime import datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from console.store.positions import Fix, Moved

log = logging.getLogger(__name__)

SLICE_ROWS = 500
#: Between two slices the lock is free this long: longer than the hub's writer thread may wait
#: for its interpreter's lock (the 5 ms switch interval) after seeing the database free.
SLICE_PAUSE_S = 0.006
ROOT = Path(__file__).resolve().parents[2]


class PositionsNotStored(Exception):
    """A batch was not (wholly) stored: the first ``stored`` fixes were committed, the rest not."""

    def __init__(self, stored: int, reason: str) -> None:
        super().__init__(f"{stored} fixes stored, then: {reason}")
        self.stored = stored


class PositionWriter:
    """The parent's side: one child process at a time, one batch in flight at a time."""

    def __init__(self, url: str, *, slice_rows: int = SLICE_ROWS) -> None:
        self.url = url
        self.slice_rows = slice_rows
        self._lock = threading.Lock()
        self._child: subprocess.Popen[bytes] | None = None
        self._conn: _Pipe | None = None

    def start(self) -> None:
        """Start the child now (it also starts on the first batch): it imports while the
        parent goes on."""
        with self._lock:
            self._ensure_child()

    def append(self, fixes: Sequence[Fix]) -> int:
        """Store ``fixes`` (in order); returns how many. Raises :class:`PositionsNotStored`.

        Plain tuples are best: they pickle in C, where a named tuple's ``__getnewargs__`` is a
        Python call for every fix."""
        if not fixes:
            return 0
        try:
            stored, reason = self._ask(("store", list(fixes)))
        except _ChildGone as gone:
            raise PositionsNotStored(0, str(gone)) from gone
        if reason is not None:
            raise PositionsNotStored(stored, reason)
        return int(stored)

    def moved_since(self, since: datetime) -> tuple[list[Moved], datetime | None]:
        """Like :meth:`Positions.moved_since`, without the units whose latest position this
        writer stored itself: with several hubs on one database, what the others moved. The
        child reads and sorts out the (many) rows, so this interpreter only sees the few."""
        rows, newest = self._ask(("moved", since))  # a dead child: _ChildGone, an OSError
        return rows, newest

    def _ask(self, message: tuple[str, Any]) -> Any:
        with self._lock:
            conn = self._ensure_child()
            try:
                conn.send(message)
                return conn.recv()
            except (EOFError, OSError) as error:
                self._stop_child(kill=True)
                raise _ChildGone(f"the position writer process ended ({error})") from error

    def close(self) -> None:
        with self._lock:
            self._stop_child(kill=False)

    @property
    def pid(self) -> int | None:
        return self._child.pid if self._child is not None else None

    def _ensure_child(self) -> _Pipe:
        if self._child is not None and self._child.poll() is None and self._conn is not None:
            return self._conn
        self._stop_child(kill=True)
        ours, theirs = os.pipe(), os.pipe()  # parent → child, child → parent
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
        self._child = subprocess.Popen(
            [sys.executable, "-m", "console.store.position_writer",
             "--read-fd", str(ours[0]), "--write-fd", str(theirs[1])],
            pass_fds=(ours[0], theirs[1]), env=env, stdin=subprocess.DEVNULL)
        os.close(ours[0])
        os.close(theirs[1])
        pipe = self._conn = _Pipe(read_fd=theirs[0], write_fd=ours[1])
        # The address may hold a password: through the pipe, not on the command line.
        pipe.send({"url": self.url, "slice_rows": self.slice_rows})
        return pipe

    def _stop_child(self, *, kill: bool) -> None:
        if self._conn is not None:
            self._conn.close()  # the child reads EOF and leaves
            self._conn = None
        if self._child is not None:
            if kill:
                self._child.kill()
            try:
                self._child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._child.kill()
                self._child.wait()
            self._child = None


class _Pipe:
    """A duplex message pipe over two one-way descriptors (``Connection`` wants one each)."""

    def __init__(self, read_fd: int, write_fd: int) -> None:
        self._read = Connection(read_fd, writable=False)
        self._write = Connection(write_fd, readable=False)

    def send(self, message: Any) -> None:
        self._write.send(message)

    def recv(self) -> Any:
        return self._read.recv()

    def close(self) -> None:
        self._write.close()
        self._read.close()


def serve(incoming: Connection, outgoing: Connection) -> None:
    """The child: after the settings (``{"url", "slice_rows"}``), answer every request until
    EOF: ``("store", fixes)`` with ``(stored, None)`` or ``(stored, reason)``, ``("moved",
    since)`` with ``(rows, newest)``."""
    from console.store.db import open_database
    from console.store.positions import Positions

    try:
        settings = incoming.recv()
    except EOFError:
        return
    slice_rows = settings["slice_rows"]
    db = open_database(settings["url"], pool_size=1)
    positions = Positions(db)
    own: dict[str, datetime] = {}  # the newest fix this process stored, per unit
    try:
        while True:
            try:
                kind, payload = incoming.recv()
            except EOFError:
                return
            if kind == "store":
                outgoing.send(_store(positions, payload, slice_rows, own))
            elif kind == "moved":
                try:
                    rows, newest = positions.moved_since(payload)
                except Exception:
                    log.warning("reading positions failed", exc_info=True)
                    outgoing.send(([], None))
                    continue
                outgoing.send(([row for row in rows if own.get(row[0]) != row[6]], newest))
    finally:
        db.dispose()


def _store(positions: Any, rows: list[Fix], slice_rows: int,
           own: dict[str, datetime]) -> tuple[int, str | None]:
    stored = 0
    try:
        for start in range(0, len(rows), slice_rows):
            if start:  # a writer waiting for the lock takes it now
                time.sleep(SLICE_PAUSE_S)
            chunk = rows[start:start + slice_rows]
            stored += positions.append(chunk)
            for unit, _, _, _, _, at in chunk:
                if at >= own.get(unit, at):
                    own[unit] = at
    except Exception as error:  # reported to the parent, which keeps the rest
        log.warning("storing positions failed after %d", stored, exc_info=True)
        return stored, f"{type(error).__name__}: {error}"
    return stored, None


class _ChildGone(OSError):
    """The child ended (it is started again at the next request)."""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Stores unit positions for a hub.")
    parser.add_argument("--read-fd", type=int, required=True)
    parser.add_argument("--write-fd", type=int, required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="position writer: %(message)s")
    serve(Connection(args.read_fd, writable=False), Connection(args.write_fd, readable=False))


if __name__ == "__main__":
    main()
