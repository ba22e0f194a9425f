"""Sessions over real sockets to real hubs (SQLite and PostgreSQL): rotation, expiry on the hub's
world clock, logout, and connections closed on every hub when an admin ends their session."""

from __future__ import annotations

import functools
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed

from console.comms.clock import Clock
from console.domain.rules import Rules
from console.hub.logins import WRONG
from console.store.accounts import Hashed, hash_password
from console.store.sessions import By, short, token_hash
from console.store.store import Store
from tests.hub.conftest import PASSWORD, Client, HubThread

ADMIN = By("root", "admin-cli")


@functools.cache
def hashed() -> Hashed:
    return hash_password(PASSWORD)  # once: Argon2 costs a busy machine a second


def lean_hub(url: str, rules: Rules, **config: Any) -> HubThread:
    """A hub with the two accounts these tests use, and no position writer process."""
    thread = HubThread(url, rules, position_process=False, **config)
    if thread.store.accounts.login_record("ctl") is None:
        for name, role in (("ctl", "controller"), ("leader", "duty_leader")):
            thread.store.accounts.create_user(name, hashed(), [role],
                                              now=datetime(2026, 11, 25, tzinfo=UTC))
    return thread.start()


@pytest.fixture
def hub(db_url: str, rules: Rules) -> Iterator[HubThread]:
    thread = lean_hub(db_url, rules)
    yield thread
    thread.stop()


def refused(port: int, token: str) -> dict[str, Any]:
    client = Client(port)
    client.send({"type": "hello", "protocol": 1, "client": "tests", "auth": {"token": token}})
    error = client.recv()
    with pytest.raises(ConnectionClosed):
        client.recv()
    return error


def closed_for(client: Client) -> tuple[dict[str, Any], float]:
    """The ``session_ended`` error the hub closes the connection with, and when it came."""
    error = client.until("error", timeout=5)
    at = time.monotonic()
    with pytest.raises(ConnectionClosed):
        client.until("never", timeout=5)
    return error, at


def test_a_token_login_gets_a_new_token_and_the_old_one_is_refused(hub: HubThread) -> None:
    first = Client(hub.port).hello("ctl")["token"]
    again = Client(hub.port)
    rotated = again.hello(token=first)["token"]
    assert rotated != first
    error = refused(hub.port, first)
    assert (error["code"], error["message"]) == ("auth_failed", WRONG.message)
    # The new one works (and is rotated in turn).
    assert Client(hub.port).hello(token=rotated)["user"]["username"] == "ctl"
    trail = [(r.entry.action, r.entry.subject, r.entry.detail.get("reason"))
             for r in hub.store.audit.rows(action="token.")]
    assert trail == [("token.used", short(token_hash(first)), None),
                     ("token.refused", short(token_hash(first)), "rotated"),
                     ("token.used", short(token_hash(rotated)), None)]


def test_an_idle_or_expired_token_is_refused_on_the_hubs_clock(
        db_url: str, rules: Rules) -> None:
    real = [1_000_000.0]
    clock = Clock(1.0, origin=datetime(2026, 11, 25, 1, 0, tzinfo=UTC), real=lambda: real[0])
    thread = lean_hub(db_url, rules, clock=clock, session_idle=timedelta(hours=1),
                      session_ttl=timedelta(hours=3))
    try:
        idle = Client(thread.port)
        token = idle.hello("ctl")["token"]
        idle.close()
        real[0] += 3600
        assert refused(thread.port, token)["message"] == WRONG.message
        # Reconnecting every 50 minutes keeps a session, until 3 hours after its password.
        token = Client(thread.port).hello("ctl")["token"]
        for _ in range(3):
            real[0] += 50 * 60
            token = Client(thread.port).hello(token=token)["token"]
        real[0] += 31 * 60
        assert refused(thread.port, token)["code"] == "auth_failed"
        reasons = [r.entry.detail["reason"]
                   for r in thread.store.audit.rows(action="token.refused")]
        assert reasons == ["idle", "expired"]
    finally:
        thread.stop()


def test_logout_ends_the_session_and_closes_the_connection(hub: HubThread) -> None:
    client = Client(hub.port)
    token = client.login("ctl")["token"]
    client.send({"type": "logout", "id": "bye-1"})
    assert client.until("logged_out") == {"type": "logged_out", "id": "bye-1"}
    with pytest.raises(ConnectionClosed) as closed:
        client.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1000
    assert refused(hub.port, token)["code"] == "auth_failed"
    (entry,) = [r.entry for r in hub.store.audit.rows(action="session.logout")]
    assert (entry.actor, entry.subject, entry.address, entry.client) == (
        "ctl", short(token_hash(token)), "127.0.0.1", "tests")
    assert entry.detail == {"user": "ctl", "reason": "logout"}


def test_a_revoked_session_is_closed_with_a_message(hub: HubThread) -> None:
    client, other = Client(hub.port), Client(hub.port)
    token = client.login("ctl")["token"]
    other.login("ctl")
    admin = Store(hub.store.db.url, hub.store.rules)  # as `main.py admin revoke` does
    try:
        assert admin.accounts.sessions.end_prefix(
            short(token_hash(token)), now=hub.config.clock.now(), reason="revoked",
            by=ADMIN) == token_hash(token)
    finally:
        admin.close()
    error, _ = closed_for(client)
    assert (error["code"], error["reason"], error["template"]) == (
        "session_ended", "revoked", "An administrator ended this session; log in again.")
    # The user's other session goes on.
    other.send({"type": "ping", "id": "still"})
    assert other.until("pong")["id"] == "still"


def test_a_disabled_account_is_closed_within_a_second_on_every_hub(
        db_url: str, rules: Rules) -> None:
    hubs = [lean_hub(db_url, rules, name=f"hub-{n}") for n in (1, 2)]
    admin = Store(db_url, rules)  # `main.py admin disable-user` writes the database directly
    try:
        clients = [Client(hub.port) for hub in hubs]
        for client in clients:
            client.login("ctl")
        bystander = Client(hubs[1].port)
        bystander.login("leader")
        started = time.monotonic()
        assert admin.accounts.set_active("ctl", False, now=hubs[0].config.clock.now(), by=ADMIN)
        ends = [closed_for(client) for client in clients]
        for error, _ in ends:
            assert (error["code"], error["reason"]) == ("session_ended", "disabled")
            assert error["message"] == "An administrator disabled this account; its " \
                "sessions are closed."
        slowest = max(at for _, at in ends) - started
        print(f"disabled account closed on both hubs after {slowest:.3f} s")
        assert slowest < 1.0
        bystander.send({"type": "ping", "id": "still"})
        assert bystander.until("pong")["id"] == "still"
        actions = [r.entry.action for r in admin.audit.rows(actor="root")]
        assert actions == ["session.revoked", "session.revoked", "admin.disable-user"]
    finally:
        admin.close()
        for hub in hubs:
            hub.stop()
