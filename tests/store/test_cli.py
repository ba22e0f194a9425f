"""`main.py admin …` in a subprocess, as an operator runs it, against SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from console.domain.model import Role
from console.domain.rules import Rules
from console.store.store import Store

MAIN = Path(__file__).resolve().parents[2] / "main.py"


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(MAIN), *args], input=stdin, text=True,
                          capture_output=True, timeout=120, check=False)


@pytest.mark.slow
def test_init_db_then_create_user_with_password_from_stdin(db_url: str, rules: Rules) -> None:
    done = run("admin", "init-db", "--db", db_url)
    assert done.returncode == 0, done.stderr
    assert "schema is up to date" in done.stdout
    done = run("admin", "create-user", "chen", "--role", "police_liaison", "--role", "viewer",
               "--display-name", "陈联络员", "--db", db_url, stdin="联动-指挥中心-2026\n")
    assert done.returncode == 0, done.stderr
    assert "created user chen with roles police_liaison, viewer" in done.stdout
    store = Store(db_url, rules, create=False)
    try:
        user = store.accounts.authenticate("chen", "联动-指挥中心-2026")
        assert user is not None
        assert user.roles == frozenset({Role.POLICE_LIAISON, Role.VIEWER})
        assert user.display_name == "陈联络员"
    finally:
        store.close()


@pytest.mark.slow
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


@pytest.mark.slow
def test_create_user_holds_to_the_password_policy(db_url: str, rules: Rules) -> None:
    assert run("admin", "init-db", "--db", db_url).returncode == 0
    for weak, why in [("a", "at least 10 characters"),
                      ("wang.zhiqiang", "must not contain the user name"),
                      ("qwertyuiop", "on the list of common passwords")]:
        done = run("admin", "create-user", "wang.zhiqiang", "--role", "viewer", "--db", db_url,
                   stdin=weak + "\n")
        assert done.returncode == 1, done.stdout
        assert "cannot create user: " in done.stderr and why in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
    store = Store(db_url, rules, create=False)
    try:
        assert store.count("users") == 0
    finally:
        store.close()


@pytest.mark.slow
def test_unlock_and_set_password(db_url: str, rules: Rules) -> None:
    from datetime import UTC, datetime

    assert run("admin", "init-db", "--db", db_url).returncode == 0
    store = Store(db_url, rules, create=False)
    try:
        store.accounts.create_user("chen", "联动-指挥中心-2026", ["viewer"], now=datetime.now(UTC))
        store.accounts.login_failed("chen", now=datetime.now(UTC), lock_after=1)
        done = run("admin", "unlock", "chen", "--db", db_url)
        assert done.returncode == 0, done.stderr
        assert "unlocked chen" in done.stdout
        record = store.accounts.login_record("chen")
        assert record is not None and record.locked_at is None and record.failed_logins == 0
        assert run("admin", "unlock", "nobody", "--db", db_url).returncode == 1
        weak = run("admin", "set-password", "chen", "--db", db_url, stdin="chen-chen\n")
        assert weak.returncode == 1 and "cannot set the password" in weak.stderr
        done = run("admin", "set-password", "chen", "--db", db_url, stdin="新的-联动口令-27\n")
        assert done.returncode == 0, done.stderr
        assert store.accounts.authenticate("chen", "新的-联动口令-27") is not None
    finally:
        store.close()
