"""``main.py hub`` as a service runs it: settings from a file with the password in a file of its
own, the schema migrated once however many hubs start together, a hub on an old schema refused,
and /readyz following its database down and back (docs/deploy.md)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from console.store.db import head_revision, migrate, normalise_url, open_database
from tests import pgcluster
from tests.hub.conftest import MAIN
from tests.store.conftest import DEFAULT_PG
from tests.waiting import wait_until


class Hub:
    """``main.py hub ARGS…`` as a process; its output kept line by line."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(MAIN), "hub", *args], stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})})
        self.output: list[str] = []
        self.port: int | None = None
        self._drain = threading.Thread(target=self._read, daemon=True)
        self._drain.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            found = re.search(r"listening on ws://[\d.]+:(\d+)", line)
            if found and line.startswith("hub "):
                self.port = int(found.group(1))

    def listening(self, timeout: float = 120) -> int:
        wait_until(lambda: self.port is not None or self.process.poll() is not None, timeout,
                   "the hub to listen or end")
        assert self.port is not None, "".join(self.output)
        return self.port

    def ended(self, timeout: float = 120) -> int:
        code = self.process.wait(timeout)
        self._drain.join(10)
        assert self.process.stdout is not None
        self.process.stdout.close()
        return code

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.terminate()
        return self.ended(60)

    def text(self) -> str:
        return "".join(self.output)


def readyz(port: int) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture
def fresh_pg() -> Iterator[str]:
    """A new, empty PostgreSQL database (no schema at all), dropped after."""
    admin_url = os.environ.get("LINKAGE_TEST_PG", DEFAULT_PG)
    admin = create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")
    name = f"linkage_fresh_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(normalise_url(admin_url)).set(database=name).render_as_string(
            hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'fresh.db'}"
    return str(request.getfixturevalue("fresh_pg"))


@pytest.mark.slow
@pytest.mark.postgres
def test_two_hubs_started_together_on_a_fresh_database_migrate_it_once(fresh_pg: str) -> None:
    hubs = [Hub("--db", fresh_pg, "--port", "0", "--name", f"twin-{n}", "--migrate",
                "--log-format", "json") for n in (1, 2)]
    try:
        for hub in hubs:
            assert readyz(hub.listening())[0] == 200
    finally:
        codes = [hub.stop() for hub in hubs]
    assert codes == [0, 0], [hub.text() for hub in hubs]
    logs = [json.loads(line) for hub in hubs for line in hub.output if line.startswith("{")]
    migrated = [e for e in logs if e["message"].startswith("migrated the schema")]
    assert len(migrated) == 1, migrated
    assert sum(e["message"] == "the schema was up to date" for e in logs) == 1
    for hub in hubs:  # everything but the two plain lines on standard output is JSON
        assert all(line.startswith(("{", "hub ")) for line in hub.output), hub.text()


@pytest.mark.slow
def test_a_hub_on_an_old_schema_refuses_to_start_until_migrated(fresh_url: str) -> None:
    db = open_database(fresh_url)
    try:
        migrate(db, "0007")
    finally:
        db.dispose()
    refused = Hub("--db", fresh_url, "--port", "0")
    assert refused.ended() == 3
    head = head_revision()
    assert f"has schema 0007 and this hub needs {head}" in refused.text()
    assert "main.py admin migrate --db URL" in refused.text()
    assert "Traceback" not in refused.text()

    done = subprocess.run([sys.executable, str(MAIN), "admin", "migrate", "--db", fresh_url],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert f"from 0007 to {head}" in done.stdout
    again = subprocess.run([sys.executable, str(MAIN), "admin", "migrate", "--db", fresh_url],
                           capture_output=True, text=True, timeout=120, check=False)
    assert "schema is up to date" in again.stdout

    hub = Hub("--db", fresh_url, "--port", "0")
    try:
        assert readyz(hub.listening())[0] == 200
    finally:
        assert hub.stop() == 0


def test_a_bad_setting_stops_the_hub_with_file_key_and_reason(tmp_path: Path) -> None:
    config = tmp_path / "hub.toml"
    config.write_text(f'[database]\nurl = "{tmp_path / "h.db"}"\n[listen]\nport = "x"\n')
    hub = Hub("--config", str(config))
    assert hub.ended() == 2
    assert f"the hub cannot start: {config}:listen.port: 'x' is not an integer" in hub.text()
    assert not (tmp_path / "h.db").exists()  # nothing was touched


def test_a_bad_environment_variable_stops_the_hub(tmp_path: Path) -> None:
    hub = Hub("--db", str(tmp_path / "h.db"), env={"LINKAGE_WORLD_SPEED": "fast"})
    assert hub.ended() == 2
    assert "environment:LINKAGE_WORLD_SPEED: 'fast' is not a number" in hub.text()


@pytest.mark.slow
def test_settings_from_the_file_and_the_environment_reach_the_hub(tmp_path: Path) -> None:
    config = tmp_path / "hub.toml"
    config.write_text(f'[database]\nurl = "{tmp_path / "h.db"}"\nmigrate = true\n'
                      '[listen]\nport = 0\n[hub]\nname = "from-file"\n[log]\nformat = "json"\n'
                      "[limits]\nmax_connections_per_address = 1\n")
    hub = Hub("--config", str(config), env={"LINKAGE_HUB_NAME": "from-env"})
    try:
        port = hub.listening()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
            assert json.loads(answer.read())["hub"] == "from-env"
        assert any(line.startswith("{") for line in hub.output)  # log.format from the file
        # limits from the file: a second connection from this address is turned away.
        with (connect(f"ws://127.0.0.1:{port}/ws", ping_interval=None, close_timeout=0.5),
              pytest.raises(InvalidStatus, match="503")):
            connect(f"ws://127.0.0.1:{port}/ws", ping_interval=None, open_timeout=5)
    finally:
        assert hub.stop() == 0


@pytest.fixture(scope="module")
def cluster() -> Iterator[pgcluster.Cluster]:
    if not pgcluster.available():
        pytest.fail("needs pg_createcluster (postgresql) and root, as CI has: run "
                    "installer/debian-packages.sh")
    with pgcluster.Cluster() as made:
        yield made


@pytest.mark.slow
@pytest.mark.postgres
def test_readyz_follows_the_database_down_and_back(cluster: pgcluster.Cluster,
                                                     tmp_path: Path) -> None:
    secret = tmp_path / "db-password"
    secret.write_text(cluster.password + "\n")
    secret.chmod(0o600)
    config = tmp_path / "hub.toml"
    config.write_text(f'[database]\nurl = "{cluster.url}"\npassword_file = "{secret}"\n'
                      'migrate = true\n[listen]\nport = 0\n[log]\nformat = "json"\n')
    hub = Hub("--config", str(config))
    try:
        port = hub.listening()  # the password from the file alone got it in
        assert readyz(port) == (200, {"ready": True, "hub": readyz(port)[1]["hub"],
                                      "reasons": []})
        cluster.stop()
        stopped = time.monotonic()
        _, body = wait_until(lambda: (r := readyz(port))[0] == 503 and r, timeout=5,
                                  what="/readyz to say 503")
        assert time.monotonic() - stopped <= 5
        assert any(str(reason).startswith("database: ") for reason in body["reasons"]), body
        cluster.start()
        started = time.monotonic()
        wait_until(lambda: readyz(port)[0] == 200, timeout=5, what="/readyz back to 200")
        assert time.monotonic() - started <= 5
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
            metrics = answer.read().decode()
        errors = re.search(r"^linkage_database_errors_total (\S+)$", metrics, re.MULTILINE)
        assert errors and float(errors.group(1)) >= 1, metrics

        # A database that hangs: /readyz still answers at once, and says so.
        cluster.hang()
        try:
            hung = time.monotonic()

            def answered_503() -> dict[str, object] | None:
                asked = time.monotonic()
                status, body = readyz(port)
                assert time.monotonic() - asked < 2, "/readyz waited on the database"
                return body if status == 503 else None

            body = wait_until(answered_503, timeout=5, what="/readyz 503 while it hangs")
            assert time.monotonic() - hung <= 5
            assert any("no answer" in str(reason) for reason in body["reasons"]), body
        finally:
            cluster.wake()
        wait_until(lambda: readyz(port)[0] == 200, timeout=10, what="/readyz 200 after")
    finally:
        assert hub.stop() == 0
    warnings = [json.loads(line) for line in hub.output if line.startswith("{")]
    assert any(e["message"].startswith("the database does not answer") for e in warnings)


@pytest.mark.slow
@pytest.mark.postgres
def test_a_wrong_password_stops_the_hub_with_the_reason(cluster: pgcluster.Cluster,
                                                         tmp_path: Path) -> None:
    hub = Hub("--db", cluster.url, "--migrate",
              env={"LINKAGE_DATABASE_PASSWORD": "not-" + cluster.password})
    assert hub.ended() == 4
    assert "password authentication failed" in hub.text()
    assert "not-" + cluster.password not in hub.text()
