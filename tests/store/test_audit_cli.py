"""`main.py admin audit` and the admin commands' own rows on the audit trail, on SQLite and
PostgreSQL: in this process (quicker), and ``--verify`` in a subprocess as an operator runs it."""

from __future__ import annotations

import argparse
import getpass
import io
import json
import subprocess
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from console.cli import main
from console.cli.audit import moment
from console.store import schema as s
from console.store.audit import AuditEntry
from console.store.store import Store
from tests.store.conftest import Clock
from tests.store.test_cli import run
from tests.store.test_eido_cli import incident_with_a_note_and_a_unit_on_scene

T0 = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
PASSWORD = "联动-指挥中心-2026"


class Admin:
    """``main.py admin …`` called in this process, its output captured."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
        self.monkeypatch, self.capsys = monkeypatch, capsys

    def __call__(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        self.monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        self.capsys.readouterr()
        try:
            code = main(["admin", *args])
        except SystemExit as exit_:
            code = int(exit_.code or 0)
        out, err = self.capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out, err)


@pytest.fixture
def admin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Admin:
    return Admin(monkeypatch, capsys)


def fill(store: Store) -> None:
    for i, (actor, action) in enumerate([("chen", "login.failed"), ("wang", "login.ok"),
                                         ("chen", "login.ok"), ("wang", "personal.unmasked")]):
        store.audit.append(AuditEntry(action, actor, subject=f"CH-{i}", address=f"10.0.0.{i}",
                                      client="console/1.4", detail={"reason": "回访"}),
                           at=T0 + timedelta(hours=i))


def test_admin_audit_filters_by_user_action_and_time(store: Store, db_url: str,
                                                     admin: Admin) -> None:
    fill(store)
    done = admin("audit", "--db", db_url, "--user", "chen")
    assert done.returncode == 0, done.stderr
    heading, *lines = done.stdout.splitlines()
    assert heading.split()[:4] == ["SEQ", "TIME", "(UTC)", "USER"]
    assert [line.split()[:5] for line in lines] == [
        ["1", "2026-03-02", "01:30:00", "chen", "login.failed"],
        ["3", "2026-03-02", "03:30:00", "chen", "login.ok"]]
    assert lines[0].split()[5:] == ["CH-0", "10.0.0.0", "console/1.4", '{"reason":"回访"}']
    done = admin("audit", "--db", db_url, "--action", "login.", "--since",
               "2026-03-02T11:00:00+08:00", "--json")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(r["seq"], r["actor"], r["action"]) for r in rows] == [
        (3, "chen", "login.ok")]  # 11:00 in Beijing is 03:00 UTC
    assert rows[0]["at"] == "2026-03-02T03:30:00+00:00" and len(rows[0]["hash"]) == 64
    done = admin("audit", "--db", db_url, "--user", "nobody")
    assert (done.returncode, done.stdout) == (0, "no audit rows match\n")
    done = admin("audit", "--db", db_url, "--since", "yesterday")
    assert done.returncode == 2 and "an age such as 90m" in done.stderr


def test_verify_names_the_row_edited_by_hand(store: Store, db_url: str) -> None:
    fill(store)
    done = run("admin", "audit", "--db", db_url, "--verify")
    assert done.returncode == 0, done.stderr
    head = store.audit.rows()[-1].hash
    assert done.stdout == f"the audit chain is sound: 4 rows checked; head {head}\n"
    with store.db.writer.begin() as conn:  # someone hides where a login came from
        conn.execute(update(s.audit).where(s.audit.c.seq == 2).values(address="10.9.9.9"))
    done = run("admin", "audit", "--db", db_url, "--verify")
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1].startswith(
        "audit chain broken at row 2: its contents do not match its hash (sound before it: 1 "
        "rows, head ")
    assert "Traceback" not in done.stderr


def test_admin_commands_put_themselves_on_record(store: Store, clock: Clock, db_url: str,
                                                 admin: Admin) -> None:
    done = admin("create-user", "chen", "--role", "viewer", "--db", db_url,
               stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    assert admin("unlock", "chen", "--db", db_url).returncode == 0
    assert admin("unlock", "nobody", "--db", db_url).returncode == 1  # nothing done
    assert admin("set-password", "chen", "--db", db_url,
               stdin=PASSWORD + "-2\n").returncode == 0
    incident = incident_with_a_note_and_a_unit_on_scene(store, clock)
    done = admin("export-eido", incident, "--db", db_url, "--personal")
    assert done.returncode == 0, done.stderr
    rows = store.audit.rows()
    me = getpass.getuser()
    assert [(r.entry.action, r.entry.actor, r.entry.subject, r.entry.client) for r in rows] == [
        ("admin.create-user", me, "chen", "admin-cli"), ("admin.unlock", me, "chen", "admin-cli"),
        ("admin.set-password", me, "chen", "admin-cli"),
        ("export.eido", me, incident, "admin-cli")]
    assert rows[0].entry.detail["roles"] == ["viewer"]
    assert rows[-1].entry.detail == {"personal": True, "to": "standard output"}


def test_since_takes_an_age_or_a_time_with_its_offset() -> None:
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    assert moment("90m", now) == now - timedelta(minutes=90)
    assert moment("2d", now) == now - timedelta(days=2)
    assert moment("2026-03-02T08:00:00+08:00", now) == datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
    with pytest.raises(argparse.ArgumentTypeError, match="UTC offset"):
        moment("2026-03-02T08:00:00", now)
