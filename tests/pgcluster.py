"""A PostgreSQL primary and its synchronous streaming replica, made for one drill and dropped after.

    with ReplicatedPair() as pair:      # two new clusters of the installed PostgreSQL, free ports
        pair.url                        # both, libpq picks the one that takes writes
        pair.kill_primary()             # SIGKILL its postmaster and every backend: a crash
        pair.promote()                  # the replica takes over (waits until it accepts writes)

The clusters are the Debian ``pg_createcluster`` kind, owned by ``postgres``, with trust
authentication on the loopback only; the replica is a ``pg_basebackup -R`` of the primary and
the primary waits for it at every commit (``synchronous_standby_names``), so a commit the primary
has answered is on the replica too. Needs root (as the project's test machines run) or the
``postgres`` user; :func:`available` says whether this machine can.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path
from types import TracebackType

VERSION = os.environ.get("LINKAGE_TEST_PG_VERSION", "15")
DATABASE = "linkage"


def available() -> bool:
    """Can this machine make clusters (the tools are there and we may run them as postgres)?"""
    return (shutil.which("pg_createcluster") is not None and hasattr(os, "geteuid")
            and os.geteuid() == 0)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(*args: str, user: str | None = None, timeout: float = 120) -> str:
    command = ["runuser", "-u", user, "--", *args] if user else list(args)
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}): "
                           f"{done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


def _psql(port: int, sql: str, database: str = "postgres") -> str:
    return _run("psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", database,
                "-At", "-c", sql).strip()


class ReplicatedPair:
    """A primary and a synchronous replica on two free ports (see the module's docstring)."""

    def __init__(self) -> None:
        tag = uuid.uuid4().hex[:8]
        self.primary, self.replica = f"drill_p_{tag}", f"drill_r_{tag}"
        self.primary_port, self.replica_port = free_port(), free_port()
        self.made: list[str] = []

    @property
    def url(self) -> str:
        """Both servers: libpq tries them in turn and keeps the one that takes writes."""
        return (f"postgresql://postgres@/{DATABASE}?host=127.0.0.1:{self.primary_port}"
                f"&host=127.0.0.1:{self.replica_port}&target_session_attrs=read-write")

    def url_of(self, which: str) -> str:
        port = self.primary_port if which == "primary" else self.replica_port
        return f"postgresql://postgres@127.0.0.1:{port}/{DATABASE}"

    def __enter__(self) -> ReplicatedPair:
        try:
            self._make()
        except BaseException:
            self.drop()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.drop()

    def _make(self) -> None:
        self._create(self.primary, self.primary_port)
        _run("pg_ctlcluster", VERSION, self.primary, "start")
        _psql(self.primary_port, f"CREATE DATABASE {DATABASE}")
        self._create(self.replica, self.replica_port)
        data = Path(f"/var/lib/postgresql/{VERSION}/{self.replica}")
        for entry in data.iterdir():  # the directory stays: its parent is not postgres's
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        _run("pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres",
             "-D", str(data), "-R", "-X", "stream", "--checkpoint=fast", "--no-sync",
             user="postgres")
        _run("pg_ctlcluster", VERSION, self.replica, "start")
        _psql(self.primary_port, "ALTER SYSTEM SET synchronous_standby_names = '*'")
        _psql(self.primary_port, "SELECT pg_reload_conf()")
        deadline = time.monotonic() + 30
        while _psql(self.primary_port, "SELECT count(*) FROM pg_stat_replication "
                                       "WHERE sync_state = 'sync'") != "1":
            if time.monotonic() > deadline:
                raise RuntimeError("the replica did not become synchronous within 30 s")
            time.sleep(0.05)

    def _create(self, name: str, port: int) -> None:
        _run("pg_createcluster", VERSION, name, "-p", str(port), "--",
             "--auth-local=trust", "--auth-host=trust", "--no-sync")
        if name not in self.made:
            self.made.append(name)
        conf = Path(f"/etc/postgresql/{VERSION}/{name}/conf.d/drill.conf")
        conf.write_text("listen_addresses = '127.0.0.1'\nmax_connections = 100\n"
                        "wal_level = replica\nmax_wal_senders = 4\nfsync = on\n"
                        "shared_buffers = 16MB\n")
        hba = Path(f"/etc/postgresql/{VERSION}/{name}/pg_hba.conf")
        hba.write_text(hba.read_text() + "host replication postgres 127.0.0.1/32 trust\n")

    def kill_primary(self) -> None:
        """SIGKILL the primary's postmaster and all its processes, as a crash would."""
        pid_file = Path(f"/var/lib/postgresql/{VERSION}/{self.primary}/postmaster.pid")
        postmaster = int(pid_file.read_text().split()[0])
        children = _run("ps", "-o", "pid=", "--ppid", str(postmaster)).split()
        for pid in [postmaster, *map(int, children)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def promote(self) -> None:
        """Promote the replica, and return once it takes writes."""
        _run("pg_ctlcluster", VERSION, self.replica, "promote")
        deadline = time.monotonic() + 60
        while _psql(self.replica_port, "SELECT pg_is_in_recovery()") != "f":
            if time.monotonic() > deadline:
                raise RuntimeError("the replica was not promoted within 60 s")
            time.sleep(0.02)

    def drop(self) -> None:
        for name in reversed(self.made):
            subprocess.run(["pg_dropcluster", VERSION, name, "--stop"], capture_output=True,
                           timeout=120, check=False)
            # pg_dropcluster leaves a configuration directory holding a file of ours.
            shutil.rmtree(f"/etc/postgresql/{VERSION}/{name}", ignore_errors=True)
        self.made.clear()


class Cluster:
    """One cluster of the installed PostgreSQL on a free port, whose database ``linkage`` belongs
    to the role ``linkage`` logging in with a password (SCRAM over TCP): it can be stopped and
    started under a hub, and dropped after.

        with Cluster() as pg:
            pg.url              # postgresql://linkage@127.0.0.1:PORT/linkage, no password
            pg.password
            pg.stop(); pg.start()
    """

    def __init__(self) -> None:
        self.name = f"svc_{uuid.uuid4().hex[:8]}"
        self.port = free_port()
        self.password = f"pw-{uuid.uuid4().hex[:12]}"
        self.made = False

    @property
    def url(self) -> str:
        return f"postgresql://linkage@127.0.0.1:{self.port}/{DATABASE}"

    def __enter__(self) -> Cluster:
        try:
            _run("pg_createcluster", VERSION, self.name, "-p", str(self.port), "--",
                 "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync")
            self.made = True
            Path(f"/etc/postgresql/{VERSION}/{self.name}/conf.d/svc.conf").write_text(
                "listen_addresses = '127.0.0.1'\nmax_connections = 60\nshared_buffers = 16MB\n"
                "fsync = off\n")
            self.start()
            self.psql(f"CREATE ROLE linkage LOGIN PASSWORD '{self.password}'")
            self.psql(f"CREATE DATABASE {DATABASE} OWNER linkage")
        except BaseException:
            self.drop()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.drop()

    def psql(self, sql: str) -> str:
        """As the superuser, over the Unix socket (trusted)."""
        return _run("psql", "-h", "/var/run/postgresql", "-p", str(self.port), "-U", "postgres",
                    "-d", "postgres", "-At", "-c", sql).strip()

    def start(self) -> None:
        _run("pg_ctlcluster", VERSION, self.name, "start")

    def stop(self) -> None:
        """A fast shutdown: open connections are ended, nothing new is accepted."""
        _run("pg_ctlcluster", VERSION, self.name, "stop", "-m", "fast")

    def _signal_all(self, signum: int) -> None:
        pid_file = Path(f"/var/lib/postgresql/{VERSION}/{self.name}/postmaster.pid")
        postmaster = int(pid_file.read_text().split()[0])
        children = _run("ps", "-o", "pid=", "--ppid", str(postmaster)).split()
        for pid in [postmaster, *map(int, children)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)

    def hang(self) -> None:
        """SIGSTOP the server and its backends: connections open, nothing answers."""
        self._signal_all(signal.SIGSTOP)

    def wake(self) -> None:
        self._signal_all(signal.SIGCONT)

    def drop(self) -> None:
        if self.made:
            subprocess.run(["pg_dropcluster", VERSION, self.name, "--stop"], capture_output=True,
                           timeout=120, check=False)
            shutil.rmtree(f"/etc/postgresql/{VERSION}/{self.name}", ignore_errors=True)
            self.made = False
