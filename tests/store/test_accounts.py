"""Accounts: Argon2 hashes, sessions stored as hashes, expiry and revocation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from console.domain.model import Role
from console.store import accounts
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


def test_production_hashes_cost_64_mib_and_three_passes_and_cheaper_ones_still_verify(
        store: Store, clock: Clock) -> None:
    cheap = store.accounts.create_user("li", "made-cheaply", ["viewer"], now=clock.now)
    previous = accounts.use_hasher(accounts.PRODUCTION_HASHER)
    try:
        assert hash_password("pw").hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
        assert store.accounts.authenticate("li", "made-cheaply") == cheap
        assert store.accounts.authenticate("nobody", "made-cheaply") is None
    finally:
        accounts.use_hasher(previous)


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


# -- wrong passwords, lockout, unlock, a new password ------------------------------------------

def test_wrong_passwords_count_lock_and_unlock(store: Store, clock: Clock) -> None:
    user = store.accounts.create_user("wang", "s3cret-口令", ["controller"], now=clock.now)
    for n in range(1, 4):
        record = store.accounts.login_failed("wang", now=clock.advance(seconds=1), lock_after=3)
        assert record is not None
        assert (record.failed_logins, record.last_failed_at) == (n, clock.now)
        assert record.locked_at == (clock.now if n == 3 else None)
    assert store.accounts.login_failed("nobody", now=clock.now, lock_after=3) is None
    assert store.accounts.unlock("wang")
    record = store.accounts.login_record("wang")
    assert record is not None
    assert (record.failed_logins, record.last_failed_at, record.locked_at) == (0, None, None)
    assert not store.accounts.unlock("nobody")
    store.accounts.login_failed("wang", now=clock.now, lock_after=3)
    store.accounts.login_succeeded(user)
    record = store.accounts.login_record("wang")
    assert record is not None and record.failed_logins == 0


def test_a_new_password_unlocks_and_ends_the_sessions(store: Store, clock: Clock) -> None:
    from console.store.passwords import PasswordPolicy, WeakPassword

    user = store.accounts.create_user("wang", "s3cret-口令", ["controller"], now=clock.now)
    token = store.accounts.create_session(user, now=clock.now, ttl=timedelta(hours=1))
    store.accounts.login_failed("wang", now=clock.now, lock_after=1)
    with pytest.raises(WeakPassword, match="at least 10"):
        store.accounts.set_password("wang", "short", policy=PasswordPolicy())
    assert store.accounts.set_password("wang", "调度-新口令-2026", policy=PasswordPolicy())
    assert store.accounts.authenticate("wang", "调度-新口令-2026") == user
    assert store.accounts.authenticate("wang", "s3cret-口令") is None
    assert store.accounts.resolve_session(token, now=clock.now) is None
    record = store.accounts.login_record("wang")
    assert record is not None and record.locked_at is None
    assert not store.accounts.set_password("nobody", "调度-新口令-2026")


@pytest.mark.parametrize(("password", "why"), [
    ("a", "at least 10 characters"),
    ("wang", "at least 10 characters"),
    ("WangWang2026", "must not contain the user name"),
    ("zzzzzzzzzzzz", "one character repeated"),
    ("1234567890", "common passwords"),
    ("Password123", "common passwords"),
    ("x" * 300, "at most 256"),
])
def test_the_policy_refuses_weak_passwords(store: Store, clock: Clock, password: str,
                                           why: str) -> None:
    from console.store.passwords import PasswordPolicy, WeakPassword

    with pytest.raises(WeakPassword, match=why) as refused:
        store.accounts.create_user("wang", password, ["viewer"], now=clock.now,
                                   policy=PasswordPolicy())
    assert refused.value.template.format(**refused.value.params) == str(refused.value)
    assert store.count("users") == 0
    # Without a policy (the demo's seeding, tests' fixtures) the store takes it.
    store.accounts.create_user("wang", password, ["viewer"], now=clock.now)
