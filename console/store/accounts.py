"""Users and their sessions: Argon2 password hashes, random tokens stored only as hashes, and
each account's wrong passwords and lockout (the hub's login throttle, console/hub/logins.py)."""

from __future__ import annotations

import secrets
import string
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from console.domain.model import Actor, Role
from console.store import schema as s
from console.store.db import Database
from console.store.passwords import PasswordPolicy
from console.store.sessions import DISABLED, PASSWORD, REVOKED, By, Sessions, token_hash

#: Argon2id with the library's parameters (RFC 9106's second choice: 64 MiB, three passes).
PRODUCTION_HASHER = PasswordHasher()
_hasher = PRODUCTION_HASHER
#: A password hash to verify against when the user does not exist, so that a wrong username
#: takes as long as a wrong password; made with the hasher in use, when first needed.
_dummy_hash: str | None = None


def use_hasher(hasher: PasswordHasher) -> PasswordHasher:
    """Hash passwords with ``hasher`` from now on, in this process.

    A stored hash names its own parameters, so hashes made before still verify. The default's
    memory and passes are what makes guessing slow; the test suite, which creates and logs in
    thousands of accounts, uses the cheapest Argon2id (tests/conftest.py). Returns the hasher
    it replaces.
    """
    global _hasher, _dummy_hash
    previous, _hasher, _dummy_hash = _hasher, hasher, None
    return previous


def _dummy() -> str:
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash("not a password anyone has")
    return _dummy_hash

USERNAME_MAX = 64


class AccountError(ValueError):
    """A user that cannot be created as asked (taken name, unknown role, empty password)."""


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    roles: frozenset[Role]
    department: str | None
    unit: str | None
    active: bool

    @property
    def actor(self) -> Actor:
        return Actor(self.username, self.roles, self.department, self.unit)

    def to_wire(self) -> dict[str, object]:
        return {"username": self.username, "display_name": self.display_name,
                "roles": sorted(r.value for r in self.roles), "department": self.department,
                "unit": self.unit}


@dataclass(frozen=True)
class LoginRecord:
    """What a login needs of an account: its user, password hash and failures so far."""

    user: User
    password_hash: str = field(repr=False)
    failed_logins: int
    last_failed_at: datetime | None
    locked_at: datetime | None


def verify_password(record: LoginRecord | None, password: str) -> bool:
    """Whether ``password`` is the record's; a missing record costs the same and is False.

    Slow on purpose (Argon2): the hub calls it on its login threads, never its event loop.
    """
    try:
        _hasher.verify(record.password_hash if record else _dummy(), password)
    except (VerificationError, InvalidHashError):
        return False
    return record is not None


@dataclass(frozen=True)
class Hashed:
    """A password already hashed with Argon2 (made by :func:`hash_password`)."""

    hash: str = field(repr=False)


def hash_password(password: str) -> Hashed:
    """Hash a password once, to give several accounts the same one.

    Raises:
        AccountError: the password is empty.
    """
    if not password:
        raise AccountError("the password must not be empty")
    return Hashed(_hasher.hash(password))


class Accounts:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.sessions = Sessions(db)

    def create_user(self, username: str, password: str | Hashed, roles: Iterable[str], *,
                    now: datetime, display_name: str | None = None,
                    department: str | None = None, unit: str | None = None,
                    policy: PasswordPolicy | None = None) -> User:
        """Create a user with an Argon2-hashed password.

        ``password`` may be given already hashed (:func:`hash_password`), for many accounts with
        one password — the demo's — where hashing each would cost a quarter second apiece.
        ``policy`` checks a plain password; the administrator's command line passes it.

        Raises:
            AccountError: the name is empty, too long or taken, a role is unknown, or the
                password is empty.
            WeakPassword: ``policy`` refuses the password.
        """
        username = username.strip()
        if not username or len(username) > USERNAME_MAX:
            raise AccountError(f"a username has 1 to {USERNAME_MAX} characters")
        if not password:
            raise AccountError("the password must not be empty")
        try:
            role_set = frozenset(Role(r) for r in roles)
        except ValueError as error:
            raise AccountError(f"{error}; roles are {', '.join(r.value for r in Role)}") from None
        if not role_set:
            raise AccountError("a user needs at least one role")
        if policy is not None and isinstance(password, str):
            policy.check(username, password)
        try:
            with self.db.writer.begin() as conn:
                user_id = conn.execute(insert(s.users).values(
                    username=username, display_name=display_name or username,
                    roles=sorted(r.value for r in role_set), department=department, unit=unit,
                    password_hash=password.hash if isinstance(password, Hashed)
                    else _hasher.hash(password), active=True, created_at=now,
                ).returning(s.users.c.id)).scalar_one()
        except IntegrityError:
            raise AccountError(f"the username {username!r} is taken") from None
        return User(user_id, username, display_name or username, role_set, department, unit,
                    True)

    def authenticate(self, username: str, password: str) -> User | None:
        """The user, if the name and password match an active account.

        No throttle and no lockout: the hub's logins go through :meth:`login_record` and
        :func:`verify_password` with its throttle around them.
        """
        record = self.login_record(username)
        if not verify_password(record, password) or record is None or not record.user.active:
            return None
        return record.user

    def display_names(self, usernames: Iterable[str]) -> dict[str, str]:
        """The display name of each of ``usernames`` that is an account (the others, such as
        a police center's or the hub's own clockwork, are left out)."""
        wanted = sorted(set(usernames))
        if not wanted:
            return {}
        with self.db.reader.connect() as conn:
            rows = conn.execute(select(s.users.c.username, s.users.c.display_name)
                                .where(s.users.c.username.in_(wanted))).all()
        return {row.username: row.display_name for row in rows}

    def login_record(self, username: str) -> LoginRecord | None:
        with self.db.reader.connect() as conn:
            row = conn.execute(select(s.users).where(s.users.c.username == username)).first()
        if row is None:
            return None
        return LoginRecord(_user(row), row.password_hash, row.failed_logins, row.last_failed_at,
                           row.locked_at)

    def login_failed(self, username: str, *, now: datetime, lock_after: int) -> LoginRecord | None:
        """Count a wrong password; the ``lock_after``-th in a row (or any later) locks the
        account. Returns the record as it is now, or None for no such account."""
        with self.db.writer.begin() as conn:
            row = conn.execute(
                update(s.users).where(s.users.c.username == username)
                .values(failed_logins=s.users.c.failed_logins + 1, last_failed_at=now)
                .returning(s.users.c.id, s.users.c.failed_logins)).first()
            if row is None:
                return None
            if row.failed_logins >= lock_after:
                conn.execute(update(s.users).where(s.users.c.id == row.id)
                             .values(locked_at=now))
        return self.login_record(username)

    def login_succeeded(self, user: User) -> None:
        """A good password: forget the wrong ones before it."""
        with self.db.writer.begin() as conn:
            conn.execute(update(s.users).where(s.users.c.id == user.id,
                                               s.users.c.failed_logins != 0)
                         .values(failed_logins=0, last_failed_at=None, locked_at=None))

    def unlock(self, username: str) -> bool:
        """Lift a lockout and forget the wrong passwords; False if there is no such account."""
        with self.db.writer.begin() as conn:
            done = conn.execute(update(s.users).where(s.users.c.username == username)
                                .values(failed_logins=0, last_failed_at=None, locked_at=None))
        return bool(done.rowcount)

    def set_password(self, username: str, password: str, *,
                     policy: PasswordPolicy | None = None, by: By | None = None,
                     now: datetime | None = None) -> bool:
        """Give the account a new password (checked against ``policy`` when given), unlock it,
        and end its sessions. False if there is no such account.

        Raises:
            WeakPassword: ``policy`` refuses the password.
            AccountError: the password is empty.
        """
        if not password:
            raise AccountError("the password must not be empty")
        if policy is not None:
            policy.check(username, password)
        return self._replace_password(username, password, now=now or _now(), by=by,
                                      action="admin.set-password")

    def reset_password(self, username: str, *, now: datetime, by: By) -> str | None:
        """Give the account a random password, unlock it and end its sessions; the password
        (to be handed to its user once), or None if there is no such account."""
        password = _random_password()
        done = self._replace_password(username, password, now=now, by=by,
                                      action="admin.reset-password")
        return password if done else None

    def _replace_password(self, username: str, password: str, *, now: datetime,
                          by: By | None, action: str) -> bool:
        """The new password's hash, the lockout lifted, the sessions ended and, when an admin
        did it, ``action`` on the audit trail: one transaction. False: no such account."""
        with self.db.writer.begin() as conn:
            user_id = conn.execute(
                update(s.users).where(s.users.c.username == username)
                .values(password_hash=_hasher.hash(password), failed_logins=0,
                        last_failed_at=None, locked_at=None)
                .returning(s.users.c.id)).scalar()
            if user_id is None:
                return False
            self.sessions.end_user(conn, user_id, now=now, reason=PASSWORD, by=by or By(None))
            if by is not None:
                self.sessions.audit.append_in(conn, by.entry(action, username), at=now)
        return True

    def revoke_sessions(self, username: str, *, now: datetime, by: By) -> int | None:
        """End every session of the account (``admin revoke --user``); how many were live, or
        None if there is no such account."""
        with self.db.writer.begin() as conn:
            user_id = conn.execute(select(s.users.c.id).where(s.users.c.username == username)
                                   ).scalar()
            if user_id is None:
                return None
            live = self.sessions.end_user(conn, user_id, now=now, reason=REVOKED, by=by)
            self.sessions.audit.append_in(conn, by.entry("admin.revoke", username,
                                                         sessions=live), at=now)
        return live

    def set_active(self, username: str, active: bool, *, now: datetime, by: By) -> bool:
        """Disable an account (it cannot log in, and its sessions end: re-enabling does not
        bring them back) or enable it again. False if there is no such account."""
        with self.db.writer.begin() as conn:
            user_id = conn.execute(
                update(s.users).where(s.users.c.username == username).values(active=active)
                .returning(s.users.c.id)).scalar()
            if user_id is None:
                return False
            if not active:
                self.sessions.end_user(conn, user_id, now=now, reason=DISABLED, by=by)
            self.sessions.audit.append_in(conn, by.entry(
                "admin.enable-user" if active else "admin.disable-user", username), at=now)
        return True

    def create_session(self, user: User, *, now: datetime, ttl: timedelta,
                       address: str | None = None, client: str | None = None) -> str:
        """A new random session token for ``user``; only its hash is stored."""
        return self.sessions.create(user.id, now=now, ttl=ttl, address=address, client=client)

    def user_by_id(self, user_id: int) -> User | None:
        with self.db.reader.connect() as conn:
            row = conn.execute(select(s.users).where(s.users.c.id == user_id)).first()
        return _user(row) if row else None

    def resolve_session(self, token: str, *, now: datetime) -> User | None:
        """The user of a live session token, or None if unknown, expired or revoked."""
        with self.db.reader.connect() as conn:
            row = conn.execute(
                select(s.users).join(s.sessions, s.sessions.c.user_id == s.users.c.id).where(
                    s.sessions.c.token_hash == token_hash(token),
                    s.sessions.c.expires_at > now,
                    s.sessions.c.revoked_at.is_(None),
                    s.users.c.active.is_(True),
                )).first()
        return _user(row) if row else None

    def revoke_session(self, token: str, *, now: datetime) -> None:
        with self.db.writer.begin() as conn:
            conn.execute(update(s.sessions).where(s.sessions.c.token_hash == token_hash(token))
                         .values(revoked_at=now, revoked_reason=REVOKED))


def _now() -> datetime:
    return datetime.now(UTC)


#: Letters and digits that cannot be mistaken for one another when read out or copied by hand.
_PLAIN = "".join(c for c in string.ascii_lowercase + string.digits if c not in "il1o0")


def _random_password() -> str:
    """Four groups of five characters (some 100 bits): meets the password policy."""
    return "-".join("".join(secrets.choice(_PLAIN) for _ in range(5)) for _ in range(4))


def _user(row: object) -> User:
    m = row._mapping  # type: ignore[attr-defined]
    return User(m["id"], m["username"], m["display_name"], frozenset(Role(r) for r in m["roles"]),
                m["department"], m["unit"], m["active"])
