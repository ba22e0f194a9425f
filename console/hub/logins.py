"""Logins: passwords verified on their own threads, throttled per account and per address, an
account locked after too many wrong passwords in a row, every outcome logged with its address.

For each password hello, in order (docs/security.md "Logins"):

1. One password at a time per address, after that address's delay: none for its first
   ``login_address_free_failures`` wrong passwords, then ``login_delay`` × 2^k, capped.
2. One password at a time per account name. A locked account is refused unread.
3. The account's own delay, counted the same way from its wrong passwords in a row (stored with
   the account, so every hub on the database counts them and an admin's unlock clears them).
4. Argon2 on the login threads; the outcome is put on the audit trail (``login.ok``,
   ``login.failed`` with its reason, ``login.locked``) and logged through :meth:`_audit`.

Unknown names are throttled and locked like accounts (in this hub's memory), so neither the
answers nor their delays tell whether a name exists.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from console.hub.config import HubConfig
from console.store.accounts import Accounts, LoginRecord, User, verify_password
from console.store.audit import AuditEntry, AuditTrail
from console.store.sessions import By, Unusable

log = logging.getLogger(__name__)

#: Names and addresses whose wrong passwords are remembered in memory, at most; the oldest go.
REMEMBERED = 10_000
#: The most characters of a login's name the audit keeps.
AUDITED_NAME = 128


@dataclass(frozen=True)
class Refused:
    """A login refused: an English ``template`` and its ``params`` (docs/protocol.md)."""

    template: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return self.template.format(**self.params)


@dataclass(frozen=True)
class TokenLogin:
    """A token login that worked: its user, and the rotated session's new token and id."""

    user: User
    token: str = field(repr=False)
    session_id: str


WRONG = Refused("Unknown user, wrong password, or an expired session; log in again.")


def delay(failures: int, free: int, base: float, cap: float) -> float:
    """The wait before the next try after ``failures`` wrong passwords in a row."""
    if failures < free:
        return 0.0
    return min(cap, base * 2.0 ** min(failures - free, 32))


@dataclass
class _Failures:
    """Wrong passwords in a row of an unknown name, or of an address, in this hub's memory."""

    count: int = 0
    last: float = 0.0  # time.monotonic()
    locked: float | None = None


class _Locks:
    """One asyncio lock per key, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


class Logins:
    """Password and token logins for one hub.

    Args:
        config: the hub's limits (``login_*``).
        accounts: the store's accounts; called only through ``run``.
        run: runs a blocking store call on the hub's worker threads.
    """

    def __init__(self, config: HubConfig, accounts: Accounts,
                 run: Callable[..., Awaitable[Any]]) -> None:
        self.config = config
        self.accounts = accounts
        self.run = run
        self._threads = ThreadPoolExecutor(max_workers=config.login_threads,
                                           thread_name_prefix="hub-login")
        self._by_name = _Locks()
        self._by_address = _Locks()
        self._unknown: OrderedDict[str, _Failures] = OrderedDict()
        self._addresses: OrderedDict[str, _Failures] = OrderedDict()
        #: Passwords verified (right or wrong) since the hub started.
        self.verified = 0

    def close(self) -> None:
        self._threads.shutdown(wait=True, cancel_futures=True)

    async def token(self, token: str, *, address: str, client: str,
                    gone: Callable[[], Awaitable[Any]] | None = None) -> TokenLogin | Refused:
        """Log in with a session token, rotating it (console/store/sessions.py): the old token
        stops working and the new one goes in the ``welcome``. The audit trail gets
        ``token.used`` or ``token.refused`` from the store, in the rotation's transaction.

        A refused token counts as a wrong password of its address, and waits out the same
        delay: forged tokens from one address neither guess faster than its passwords nor
        fill the audit trail faster.
        """
        left = asyncio.ensure_future(gone() if gone is not None else asyncio.Event().wait())
        try:
            async with self._by_address.hold(address):
                seen = self._remembered(self._addresses, address)
                await self._wait(self._address_wait(seen), left)
                if left.done():
                    return WRONG
                return await self._token(token, address, client, seen)
        finally:
            left.cancel()

    async def _token(self, token: str, address: str, client: str,
                     seen: _Failures) -> TokenLogin | Refused:
        used = await self.run(functools.partial(
            self.accounts.sessions.use, token, now=self.config.clock.now(),
            idle=self.config.session_idle, by=By(None, client, address)))
        user: User | None = None
        if not isinstance(used, Unusable):
            user = await self.run(self.accounts.user_by_id, used.user_id)
        if user is None or isinstance(used, Unusable):
            self._log("token refused", used.username if isinstance(used, Unusable) else None,
                      address, client)
            seen.count, seen.last = seen.count + 1, time.monotonic()
            return WRONG
        self._log("token login", user.username, address, client)
        return TokenLogin(user, used.token, used.session_id)

    async def password(self, username: str, password: str, *, address: str, client: str,
                       gone: Callable[[], Awaitable[Any]] | None = None) -> User | Refused:
        """Log in with a password, waiting out the throttles first.

        ``gone`` (the connection's ``wait_closed``) ends the waits early: a client that left
        is not verified.
        """
        left = asyncio.ensure_future(gone() if gone is not None else asyncio.Event().wait())
        try:
            return await self._password(username, password, address, client, left)
        finally:
            left.cancel()

    async def _password(self, username: str, password: str, address: str, client: str,
                        left: asyncio.Future[Any]) -> User | Refused:
        config = self.config
        async with self._by_address.hold(address):
            await self._wait(self._address_wait(self._remembered(self._addresses, address)),
                             left)
            if left.done():
                return WRONG
            async with self._by_name.hold(username):
                record: LoginRecord | None = await self.run(self.accounts.login_record,
                                                            username)
                refused = self._locked(username, record)
                if refused is not None:
                    await self._audit("login.failed", username, address, client,
                                      reason="locked")
                    return refused
                await self._wait(self._account_wait(username, record), left)
                if left.done():
                    return WRONG
                right = await asyncio.get_running_loop().run_in_executor(
                    self._threads, verify_password, record, password)
                self.verified += 1
                if right and record is not None and record.user.active:
                    if record.failed_logins:
                        await self.run(self.accounts.login_succeeded, record.user)
                    await self._audit("login.ok", username, address, client)
                    return record.user
                if not right:
                    await self._failed(username, record, address)
                await self._audit("login.failed", username, address, client,
                                  reason="wrong password" if record and not right
                                  else "inactive account" if record else "unknown user")
                # The wrong password that reached the lockout count has just locked the name.
                failures = record.failed_logins + 1 if record is not None else \
                    getattr(self._unknown.get(username), "count", 0)
                if not right and failures >= config.login_lockout_failures:
                    await self._audit("login.locked", username, address, client,
                                      failures=failures)
                return WRONG

    # -- the throttles ---------------------------------------------------------------------

    def _locked(self, username: str, record: LoginRecord | None) -> Refused | None:
        lockout = self.config.login_lockout
        if record is not None:
            if record.locked_at is None:
                return None
            if lockout is None:
                return _locked_refusal(username, None)
            until = record.locked_at + lockout
            return _locked_refusal(username, until) if datetime.now(UTC) < until else None
        seen = self._unknown.get(username)
        if seen is None or seen.locked is None:
            return None
        if lockout is None:
            return _locked_refusal(username, None)
        left = seen.locked + lockout.total_seconds() - time.monotonic()
        return _locked_refusal(username, datetime.now(UTC) + timedelta(seconds=left)) \
            if left > 0 else None

    def _address_wait(self, seen: _Failures) -> float:
        config = self.config
        return seen.last + delay(seen.count, config.login_address_free_failures,
                                 config.login_delay, config.login_delay_max) - time.monotonic()

    def _account_wait(self, username: str, record: LoginRecord | None) -> float:
        config = self.config
        if record is not None:
            wanted = delay(record.failed_logins, config.login_free_failures, config.login_delay,
                           config.login_delay_max)
            if record.last_failed_at is None:
                return 0.0
            left = (record.last_failed_at - datetime.now(UTC)).total_seconds() + wanted
            return min(left, wanted)  # a clock set back does not wait longer
        seen = self._unknown.get(username)
        if seen is None:
            return 0.0
        return seen.last + delay(seen.count, config.login_free_failures, config.login_delay,
                                 config.login_delay_max) - time.monotonic()

    async def _failed(self, username: str, record: LoginRecord | None, address: str) -> None:
        config = self.config
        now = time.monotonic()
        if record is not None:
            await self.run(functools.partial(self.accounts.login_failed, username,
                                             now=datetime.now(UTC),
                                             lock_after=config.login_lockout_failures))
        else:
            seen = self._remembered(self._unknown, username)
            seen.count, seen.last = seen.count + 1, now
            if seen.count >= config.login_lockout_failures:
                seen.locked = now
        seen = self._remembered(self._addresses, address)
        seen.count, seen.last = seen.count + 1, now

    def _remembered(self, table: OrderedDict[str, _Failures], key: str) -> _Failures:
        """The key's failures, forgotten after a quiet ``login_lockout`` (or 15 minutes)."""
        quiet = (self.config.login_lockout or timedelta(minutes=15)).total_seconds()
        seen = table.get(key)
        if seen is None or (time.monotonic() - seen.last > quiet and seen.locked is None):
            seen = table[key] = _Failures()
        table.move_to_end(key)
        while len(table) > REMEMBERED:
            table.popitem(last=False)
        return seen

    @staticmethod
    async def _wait(seconds: float, left: asyncio.Future[Any]) -> None:
        """Sleep ``seconds``, or until the client has ``left``."""
        if seconds > 0 and not left.done():
            await asyncio.wait([left], timeout=seconds)

    # -- what is kept of a login ------------------------------------------------------------

    async def _audit(self, action: str, username: str | None, address: str, client: str,
                     **detail: Any) -> None:
        """Every password login's outcome passes here: put on the audit trail (committed
        before the client is answered, on the hub's worker threads) and logged.

        The name is the one typed, known or not (cut to ``AUDITED_NAME`` characters): a name
        tried is what an admin looks for. (Token logins are put on the trail by the store, in
        the rotation's transaction, and only logged here.)
        """
        self._log(_LOGGED.get(action) or detail.get("reason") or action, username, address,
                  client)
        name = None if username is None else username[:AUDITED_NAME]
        entry = AuditEntry(action, actor=name, subject=name, detail=detail, address=address,
                           client=client)
        await self.run(functools.partial(AuditTrail(self.accounts.db).append, entry,
                                         at=datetime.now(UTC)))

    @staticmethod
    def _log(outcome: str, username: str | None, address: str, client: str) -> None:
        """A login's outcome in the log, refusals as warnings."""
        level = logging.INFO if outcome in ("login", "token login") else logging.WARNING
        log.log(level, "%s: user %r from %s, client %r", outcome, username, address, client)


#: How the log names an action (the audit keeps the dotted name).
_LOGGED = {"login.ok": "login", "login.locked": "account locked"}


def _locked_refusal(username: str, until: datetime | None) -> Refused:
    if until is None:
        return Refused("The account {username} is locked after too many wrong passwords; an "
                       "administrator can unlock it.", {"username": username})
    return Refused("The account {username} is locked after too many wrong passwords; an "
                   "administrator can unlock it, or try again after {until}.",
                   {"username": username, "until": until.isoformat(timespec="seconds")})
