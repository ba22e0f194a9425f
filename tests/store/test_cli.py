"""`main.py admin …` in a subprocess, as an operator runs it, against SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from console.domain.model import Role
from console.domain.rules import Rules
from console.store.store import Store

MAIN = Path(__file__).resolve().parents[2] / "main.py"


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(MAIN), *args], input=stdin, text=True,
                          capture_output=True, timeout=120, check=False)


def test_init_db_then_create_user_with_password_from_stdin(db_url: str, rules: Rules) -> None:
    done = run("admin", "init-db", "--db", db_url)
    assert done.returncode == 0, done.stderr
    assert "schema is up to date" in done.stdout
    done = run("admin", "create-user", "chen", "--role", "police_liaison", "--role", "viewer",
               "--display-name", "陈联络员", "--db", db_url, stdin="联动-2026\n")
    assert done.returncode == 0, done.stderr
    assert "created user chen with roles police_liaison, viewer" in done.stdout
    store = Store(db_url, rules, create=False)
    try:
        user = store.accounts.authenticate("chen", "联动-2026")
        assert user is not None
        assert user.roles == frozenset({Role.POLICE_LIAISON, Role.VIEWER})
        assert user.display_name == "陈联络员"
    finally:
        store.close()


def test_create_user_refuses_clearly_and_creates_nothing(db_url: str, rules: Rules) -> None:
    assert run("admin", "init-db", "--db", db_url).returncode == 0
    done = run("admin", "create-user", "chen", "--role", "viewer", "--db", db_url, stdin="\n")
    assert done.returncode == 1
    assert "cannot create user: the password must not be empty" in done.stderr
    assert "Traceback" not in done.stderr
    done = run("admin", "create-user", "chen", "--role", "pilot", "--db", db_url, stdin="x\n")
    assert done.returncode == 2
    assert "invalid choice: 'pilot'" in done.stderr
    store = Store(db_url, rules, create=False)
    try:
        assert store.count("users") == 0
    finally:
        store.close()
