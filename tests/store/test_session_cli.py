"""`main.py admin disable-user | enable-user | reset-password | sessions | revoke` against
SQLite and PostgreSQL: one in a subprocess as an operator runs it, the rest through the same
entry point in this process (a subprocess each costs seconds on a busy machine)."""

from __future__ import annotations

import getpass
from datetime import UTC, datetime, timedelta

import pytest

from console.cli import main
from console.domain.rules import Rules
from console.store.accounts import hash_password
from console.store.sessions import short, token_hash
from console.store.store import Store
from tests.store import test_cli

PASSWORD = "联动-指挥中心-2026"


class Done:
    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


@pytest.mark.slow
def test_admin_lists_and_ends_sessions_and_disables_accounts(
        db_url: str, rules: Rules, capsys: pytest.CaptureFixture[str]) -> None:
    def run(*args: str) -> Done:
        capsys.readouterr()
        code = main(args)
        out = capsys.readouterr()
        return Done(code, out.out, out.err)

    assert run("admin", "init-db", "--db", db_url).returncode == 0
    store = Store(db_url, rules, create=False)
    # The command line lists and ends sessions as of now: these start a minute ago.
    now = datetime.now(UTC) - timedelta(minutes=1)
    try:
        once = hash_password(PASSWORD)  # Argon2 once for both
        wang = store.accounts.create_user("wang", once, ["controller"], now=now)
        li = store.accounts.create_user("li", once, ["viewer"], now=now)
        tokens = [store.accounts.create_session(wang, now=now, ttl=timedelta(days=7),
                                                address="10.2.0.7", client="console/1.0")
                  for _ in range(2)]
        store.accounts.create_session(li, now=now, ttl=timedelta(days=7))

        listed = run("admin", "sessions", "--db", db_url)
        assert listed.returncode == 0, listed.stderr
        lines = listed.stdout.splitlines()
        assert lines[0].split() == ["ID", "USER", "STARTED", "LAST", "USED", "ADDRESS", "CLIENT"]
        assert lines[-1] == "3 live sessions"
        mine = [line for line in lines if short(token_hash(tokens[0])) in line]
        assert len(mine) == 1 and "wang" in mine[0] and "10.2.0.7" in mine[0] \
            and "console/1.0" in mine[0] and now.strftime("%Y-%m-%d %H:%M") in mine[0]
        only_li = run("admin", "sessions", "--user", "li", "--db", db_url)
        assert only_li.stdout.splitlines()[-1] == "1 live session"

        too_short = run("admin", "revoke", "abc", "--db", db_url)
        assert too_short.returncode == 1 and "at least 6 hex digits" in too_short.stderr
        prefix = short(token_hash(tokens[0]))[:8]
        done = run("admin", "revoke", prefix, "--db", db_url)
        assert done.returncode == 0, done.stderr
        assert f"ended session {short(token_hash(tokens[0]))}" in done.stdout
        assert run("admin", "revoke", prefix, "--db", db_url).returncode == 1  # not live now
        done = run("admin", "revoke", "--user", "wang", "--db", db_url)
        assert "ended 1 session of wang" in done.stdout
        assert run("admin", "revoke", "--user", "nobody", "--db", db_url).returncode == 1
        assert run("admin", "sessions", "--db", db_url).stdout.splitlines()[-1] \
            == "1 live session"

        disabled = test_cli.run("admin", "disable-user", "li", "--db", db_url)
        assert disabled.returncode == 0 and "disabled li" in disabled.stdout, disabled.stderr
        assert store.accounts.authenticate("li", PASSWORD) is None
        assert run("admin", "sessions", "--db", db_url).stdout.splitlines()[-1] \
            == "0 live sessions"
        assert run("admin", "enable-user", "li", "--db", db_url).returncode == 0
        assert store.accounts.authenticate("li", PASSWORD) is not None
        missing = run("admin", "disable-user", "nobody", "--db", db_url)
        assert missing.returncode == 1 and "there is no user nobody" in missing.stderr

        store.accounts.login_failed("wang", now=now, lock_after=1)
        done = run("admin", "reset-password", "wang", "--db", db_url)
        assert done.returncode == 0, done.stderr
        password = done.stdout.splitlines()[1]
        assert store.accounts.authenticate("wang", password) is not None  # and unlocked
        record = store.accounts.login_record("wang")
        assert record is not None and record.locked_at is None

        trail = [(r.entry.action, r.entry.subject) for r in store.audit.rows(action="admin.")]
        assert trail == [("admin.init-db", None), ("admin.revoke", short(token_hash(tokens[0]))),
                         ("admin.revoke", "wang"), ("admin.disable-user", "li"),
                         ("admin.enable-user", "li"), ("admin.reset-password", "wang")]
        assert {(r.entry.actor, r.entry.client) for r in store.audit.rows()} == {
            (getpass.getuser(), "admin-cli")}
        assert store.audit.verify().ok
    finally:
        store.close()
