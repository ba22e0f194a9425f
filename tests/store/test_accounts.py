"""Accounts: Argon2 hashes, sessions stored as hashes, expiry and revocation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from console.domain.model import Role
from console.store.accounts import AccountError, hash_password
from console.store.store import Store
from tests.store.conftest import Clock


def test_password_is_stored_as_argon2_and_checked(store: Store, clock: Clock) -> None:
    user = store.accounts.create_user("wang", "s3cret-口令", ["controller", "duty_leader"],
                                      now=clock.now, display_name="王调度")
    assert user.roles == frozenset({Role.CONTROLLER, Role.DUTY_LEADER})
    with store.db.reader.connect() as conn:
        stored = conn.exec_driver_sql("SELECT password_hash FROM users").scalar_one()
    assert stored.startswith("$argon2id$")
    assert "s3cret" not in stored
    assert store.accounts.authenticate("wang", "s3cret-口令") == user
    assert store.accounts.authenticate("wang", "wrong") is None
    assert store.accounts.authenticate("nobody", "s3cret-口令") is None


@pytest.mark.parametrize(("name", "password", "roles", "error"), [
    ("", "pw", ["viewer"], "1 to 64 characters"),
    ("x" * 65, "pw", ["viewer"], "1 to 64 characters"),
    ("li", "", ["viewer"], "must not be empty"),
    ("li", "pw", ["pilot"], "roles are"),
    ("li", "pw", [], "at least one role"),
])
def test_bad_accounts_are_refused_and_write_nothing(store: Store, clock: Clock, name: str,
                                                    password: str, roles: list[str],
                                                    error: str) -> None:
    with pytest.raises(AccountError, match=error):
        store.accounts.create_user(name, password, roles, now=clock.now)
    assert store.count("users") == 0


def test_a_taken_name_is_refused(store: Store, clock: Clock) -> None:
    store.accounts.create_user("li", "pw", ["viewer"], now=clock.now)
    with pytest.raises(AccountError, match="taken"):
        store.accounts.create_user("li", "other", ["controller"], now=clock.now)
    assert store.count("users") == 1


def test_sessions_expire_and_can_be_revoked(store: Store, clock: Clock) -> None:
    user = store.accounts.create_user("zhao", "pw", ["police_liaison"], now=clock.now)
    token = store.accounts.create_session(user, now=clock.now, ttl=timedelta(hours=12))
    with store.db.reader.connect() as conn:
        stored = conn.exec_driver_sql("SELECT token_hash FROM sessions").scalar_one()
    assert token not in stored
    assert len(stored) == 64
    assert store.accounts.resolve_session(token, now=clock.now + timedelta(hours=11)) == user
    assert store.accounts.resolve_session(token, now=clock.now + timedelta(hours=12)) is None
    assert store.accounts.resolve_session("forged", now=clock.now) is None
    other = store.accounts.create_session(user, now=clock.now, ttl=timedelta(hours=12))
    store.accounts.revoke_session(other, now=clock.now)
    assert store.accounts.resolve_session(other, now=clock.now) is None


def test_a_password_hashed_once_serves_several_accounts(store: Store, clock: Clock) -> None:
    shared = hash_password("demo")
    assert "demo" not in repr(shared)
    for name in ("a", "b"):
        store.accounts.create_user(name, shared, ["viewer"], now=clock.now)
    assert store.accounts.authenticate("a", "demo") is not None
    assert store.accounts.authenticate("b", "demo") is not None
    assert store.accounts.authenticate("b", "other") is None
    with pytest.raises(AccountError, match="must not be empty"):
        hash_password("")
