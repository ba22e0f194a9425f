"""Sessions through their life in the store (SQLite and PostgreSQL), on the store's clock:
rotation, idle and absolute expiry, revocation, disabled accounts, reset passwords."""

from __future__ import annotations

import functools
from datetime import timedelta

import pytest

from console.store.accounts import Hashed, User, hash_password
from console.store.passwords import PasswordPolicy
from console.store.sessions import AmbiguousSession, By, Unusable, Used, short, token_hash
from console.store.store import Store
from tests.store.conftest import Clock

IDLE = timedelta(hours=12)
TTL = timedelta(days=7)
CLI = By("root", "admin-cli")
CONSOLE = By(None, "console/1.0", "10.2.0.7")


@functools.cache
def hashed() -> Hashed:
    return hash_password("联动-指挥中心-2026")  # once: Argon2 is slow on purpose


def user(store: Store, clock: Clock, name: str = "wang") -> User:
    return store.accounts.create_user(name, hashed(), ["controller"], now=clock.now)


def used(store: Store, token: str, clock: Clock) -> Used | Unusable:
    return store.accounts.sessions.use(token, now=clock.now, idle=IDLE, by=CONSOLE)


def actions(store: Store) -> list[tuple[str, str | None, str | None]]:
    return [(r.entry.action, r.entry.actor, r.entry.subject) for r in store.audit.rows()]


def test_a_token_login_rotates_the_token_and_the_old_one_stops_working(
        store: Store, clock: Clock) -> None:
    wang = user(store, clock)
    first = store.accounts.create_session(wang, now=clock.now, ttl=TTL)
    clock.advance(minutes=5)
    one = used(store, first, clock)
    assert isinstance(one, Used) and one.user_id == wang.id and one.token != first
    assert one.session_id == token_hash(one.token) and one.previous == token_hash(first)
    assert used(store, first, clock) == Unusable("rotated", "wang")
    two = used(store, one.token, clock)
    assert isinstance(two, Used)
    # The rotated session keeps its start and its absolute end; only one is live.
    (live,) = store.accounts.sessions.live(now=clock.now, idle=IDLE)
    assert live.id == two.session_id and live.created_at == clock.now - timedelta(minutes=5)
    assert live.expires_at == live.created_at + TTL
    assert (live.address, live.client) == ("10.2.0.7", "console/1.0")
    assert actions(store) == [
        ("token.used", "wang", short(token_hash(first))),
        ("session.rotated", "wang", short(token_hash(first))),
        ("token.refused", "wang", short(token_hash(first))),
        ("token.used", "wang", short(one.session_id)),
        ("session.rotated", "wang", short(one.session_id))]
    refused = store.audit.rows(action="token.refused")[0].entry
    assert refused.detail == {"reason": "rotated"} and refused.address == "10.2.0.7"
    assert store.audit.verify().ok


def test_an_unknown_token_is_refused_and_recorded_without_a_user(
        store: Store, clock: Clock) -> None:
    assert used(store, "forged", clock) == Unusable("unknown", None)
    (row,) = store.audit.rows()
    assert (row.entry.action, row.entry.actor, row.entry.detail) == (
        "token.refused", None, {"reason": "unknown"})


def test_idle_and_absolute_expiry_by_the_stores_clock(store: Store, clock: Clock) -> None:
    wang = user(store, clock)
    idle_one = store.accounts.create_session(wang, now=clock.now, ttl=TTL)
    token = store.accounts.create_session(wang, now=clock.now, ttl=TTL)
    # Used every 11 hours, the session lives until its absolute end and not beyond.
    for _ in range(15):
        clock.advance(hours=11)
        result = used(store, token, clock)
        assert isinstance(result, Used), result
        token = result.token
    assert used(store, idle_one, clock) == Unusable("idle", "wang")
    clock.advance(hours=11)  # 176 hours: past the 7 days
    assert used(store, token, clock) == Unusable("expired", "wang")
    assert store.accounts.sessions.live(now=clock.now, idle=IDLE) == []


def test_an_open_connection_keeps_its_session_from_going_idle(
        store: Store, clock: Clock) -> None:
    token = store.accounts.create_session(user(store, clock), now=clock.now, ttl=TTL)
    for _ in range(3):
        clock.advance(hours=6)
        store.accounts.sessions.touch([token_hash(token)], now=clock.now)
    clock.advance(hours=11)
    assert isinstance(used(store, token, clock), Used)


def test_revoking_by_id_prefix_and_by_user(store: Store, clock: Clock) -> None:
    wang, li = user(store, clock), user(store, clock, "li")
    tokens = [store.accounts.create_session(wang, now=clock.now, ttl=TTL) for _ in range(2)]
    other = store.accounts.create_session(li, now=clock.now, ttl=TTL)
    sessions = store.accounts.sessions
    with pytest.raises(AmbiguousSession, match="at least 6 hex digits"):
        sessions.end_prefix("abc", now=clock.now, reason="revoked", by=CLI)
    with pytest.raises(AmbiguousSession):
        sessions.end_prefix("zzzzzz", now=clock.now, reason="revoked", by=CLI)
    assert sessions.end_prefix("ffffff" if not token_hash(other).startswith("ffffff")
                               else "eeeeee", now=clock.now, reason="revoked", by=CLI) is None
    ended = sessions.end_prefix(short(token_hash(tokens[0])).upper(), now=clock.now,
                                reason="revoked", by=CLI, action="admin.revoke")
    assert ended == token_hash(tokens[0])
    assert used(store, tokens[0], clock) == Unusable("revoked", "wang")
    assert sessions.ended([token_hash(t) for t in (*tokens, other)]) == {
        token_hash(tokens[0]): "revoked"}
    assert store.accounts.revoke_sessions("wang", now=clock.now, by=CLI) == 1
    assert store.accounts.revoke_sessions("nobody", now=clock.now, by=CLI) is None
    assert [s.username for s in sessions.live(now=clock.now, idle=IDLE)] == ["li"]
    revoked = store.audit.rows(action="session.revoked")
    assert [(r.entry.actor, r.entry.client, r.entry.detail) for r in revoked] == [
        ("root", "admin-cli", {"user": "wang", "reason": "revoked"})] * 2
    assert [r.entry.subject for r in store.audit.rows(action="admin.revoke")] == [
        short(token_hash(tokens[0])), "wang"]


def test_disabling_ends_the_sessions_and_enabling_does_not_bring_them_back(
        store: Store, clock: Clock) -> None:
    wang = user(store, clock)
    token = store.accounts.create_session(wang, now=clock.now, ttl=TTL)
    rotated = used(store, token, clock)
    assert isinstance(rotated, Used)
    assert store.accounts.set_active("wang", False, now=clock.now, by=CLI)
    # Both the live token and the one rotated away are closed wherever a hub still holds them.
    assert store.accounts.sessions.ended([rotated.session_id, rotated.previous]) == {
        rotated.session_id: "disabled", rotated.previous: "disabled"}
    assert store.accounts.authenticate("wang", "联动-指挥中心-2026") is None
    assert store.accounts.set_active("wang", True, now=clock.now, by=CLI)
    assert used(store, rotated.token, clock) == Unusable("disabled", "wang")
    assert store.accounts.authenticate("wang", "联动-指挥中心-2026") is not None
    assert not store.accounts.set_active("nobody", False, now=clock.now, by=CLI)
    assert [a for a in actions(store) if a[0].startswith("admin.")] == [
        ("admin.disable-user", "root", "wang"), ("admin.enable-user", "root", "wang")]


def test_a_reset_password_is_random_unlocks_and_ends_the_sessions(
        store: Store, clock: Clock) -> None:
    wang = user(store, clock)
    token = store.accounts.create_session(wang, now=clock.now, ttl=TTL)
    store.accounts.login_failed("wang", now=clock.now, lock_after=1)
    password = store.accounts.reset_password("wang", now=clock.now, by=CLI)
    assert password is not None and len(password) >= 20
    PasswordPolicy().check("wang", password)
    assert password != store.accounts.reset_password("wang", now=clock.now, by=CLI)
    record = store.accounts.login_record("wang")
    assert record is not None and record.locked_at is None and record.failed_logins == 0
    assert used(store, token, clock) == Unusable("password", "wang")
    assert store.accounts.reset_password("nobody", now=clock.now, by=CLI) is None
    assert ("admin.reset-password", "root", "wang") in actions(store)
