"""Password logins on the audit trail, over real sockets to a real hub (SQLite and PostgreSQL):
every outcome is on record with its address and client before the client is answered."""

from __future__ import annotations

from typing import Any

from console.domain.rules import Rules
from tests.hub.conftest import PASSWORD, Client
from tests.hub.test_doors import WRONG, started


def attempt(port: int, username: str, password: str, source: str) -> dict[str, Any]:
    client = Client(port, source_address=(source, 0))
    try:
        client.send({"type": "hello", "protocol": 1, "client": "tests-guesser",
                     "auth": {"username": username, "password": password}})
        return client.recv()
    finally:
        client.close()


def on_record(hub: Any) -> list[tuple[Any, ...]]:
    return [(r.entry.action, r.entry.actor, r.entry.address, r.entry.client,
             dict(r.entry.detail)) for r in hub.store.audit.rows(action="login.")]


def test_each_login_outcome_is_on_record_before_the_answer(db_url: str, rules: Rules) -> None:
    hub = started(db_url, rules, login_free_failures=10, login_lockout_failures=2)
    try:
        assert attempt(hub.port, "ctl", "not it", "127.0.0.3")["message"] == WRONG
        # Read as soon as the answer is in: the row was committed before it was sent.
        assert on_record(hub) == [
            ("login.failed", "ctl", "127.0.0.3", "tests-guesser", {"reason": "wrong password"})]
        assert attempt(hub.port, "nobody", "x", "127.0.0.4")["message"] == WRONG
        assert attempt(hub.port, "ctl", "still not", "127.0.0.3")["message"] == WRONG
        locked = attempt(hub.port, "ctl", PASSWORD, "127.0.0.5")
        assert locked["template"].startswith("The account {username} is locked")
        assert on_record(hub)[1:] == [
            ("login.failed", "nobody", "127.0.0.4", "tests-guesser", {"reason": "unknown user"}),
            ("login.failed", "ctl", "127.0.0.3", "tests-guesser", {"reason": "wrong password"}),
            ("login.locked", "ctl", "127.0.0.3", "tests-guesser", {"failures": 2}),
            ("login.failed", "ctl", "127.0.0.5", "tests-guesser", {"reason": "locked"}),
        ]
        client = Client(hub.port, source_address=("127.0.0.6", 0))
        client.hello("viewer")
        client.close()
        ok = hub.store.audit.rows(action="login.ok")
        assert [(r.entry.actor, r.entry.address, r.entry.client) for r in ok] == [
            ("viewer", "127.0.0.6", "tests")]
        assert hub.store.audit.verify().ok
    finally:
        hub.stop()
