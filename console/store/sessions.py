"""Session tokens through their life: made at a password login, used (and rotated) at each token
login, ended by logout, an administrator, a new password or a disabled account, or by time.

A token is 256 random bits; only its SHA-256 is stored (``token_hash``), and a session's *id*
is that hash — an administrator sees and names a session by its first :data:`ID_SHOWN` hex
digits, which say nothing of the token. Every change is written with its audit entries in one
transaction (docs/security.md "Sessions").

Rotation: a token login gets a new token and the old one is ended (reason ``rotated``) in the
same transaction. The new row keeps the session's ``created_at`` and ``expires_at``, so the
absolute expiry counts from the password login however often the token is rotated. There is no
grace for the old token: it is the credential most likely to be replayed; a console whose
``welcome`` was lost asks for the password again.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, insert, or_, select, update

from console.store import schema as s
from console.store.audit import AuditEntry, AuditTrail
from console.store.db import Database

#: How many hex digits of a session's id are shown, and the fewest an admin may type.
ID_SHOWN = 12
ID_MIN = 6
#: Why a session was ended (``sessions.revoked_reason``, at most 32 characters).
ROTATED, LOGOUT, REVOKED, DISABLED, PASSWORD = "rotated", "logout", "revoked", "disabled", \
    "password"
#: Open connections are checked against the database in chunks of this many ids (a bound
#: below SQLite's and PostgreSQL's limits on parameters).
_CHUNK = 500


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def short(session_id: str) -> str:
    return session_id[:ID_SHOWN]


@dataclass(frozen=True)
class By:
    """Who does something to sessions, for the audit trail."""

    actor: str | None
    client: str | None = None
    address: str | None = None

    def entry(self, action: str, subject: str | None, **detail: Any) -> AuditEntry:
        return AuditEntry(action, self.actor, subject, detail, self.address, self.client)


@dataclass(frozen=True)
class Used:
    """A token login that worked: the user's id, the new token and the session's new id."""

    user_id: int
    token: str
    session_id: str
    previous: str


@dataclass(frozen=True)
class Unusable:
    """A token refused, and why: ``unknown``, ``expired``, ``idle``, ``disabled``, or the
    reason its session was ended (``rotated``, ``logout``, ``revoked``, ...)."""

    reason: str
    username: str | None = None


@dataclass(frozen=True)
class SessionInfo:
    """A live session as ``main.py admin sessions`` lists it."""

    id: str
    username: str
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    address: str | None
    client: str | None


class AmbiguousSession(ValueError):
    """A session id prefix that is too short or names more than one live session."""


class Sessions:
    """The sessions table of one database; every call blocks on it (hub: worker threads)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.audit = AuditTrail(db)

    def create(self, user_id: int, *, now: datetime, ttl: timedelta, address: str | None = None,
               client: str | None = None) -> str:
        """A new session of ``user_id`` lasting at most ``ttl``; returns its token."""
        token = secrets.token_urlsafe(32)
        with self.db.writer.begin() as conn:
            conn.execute(insert(s.sessions).values(
                token_hash=token_hash(token), user_id=user_id, created_at=now,
                expires_at=now + ttl, last_used_at=now, address=address, client=client))
        return token

    def use(self, token: str, *, now: datetime, idle: timedelta, by: By) -> Used | Unusable:
        """Log in with ``token``: if its session is live, rotate it (the old token ends, reason
        ``rotated``) and put ``token.used`` and ``session.rotated`` on the audit trail; else
        ``token.refused`` with the reason. ``by.actor`` is ignored: the session's user is."""
        old = token_hash(token)
        with self.db.writer.begin() as conn:
            row = conn.execute(
                select(s.sessions, s.users.c.username, s.users.c.active)
                .join(s.users, s.users.c.id == s.sessions.c.user_id)
                .where(s.sessions.c.token_hash == old)).first()
            reason = _unusable(row, now, idle)
            username = row.username if row is not None else None
            who = By(username, by.client, by.address)
            if reason is not None:
                self.audit.append_in(conn, who.entry(
                    "token.refused", short(old) if row is not None else None, reason=reason),
                    at=now)
                return Unusable(reason, username)
            assert row is not None
            ended = conn.execute(update(s.sessions).where(
                s.sessions.c.token_hash == old, s.sessions.c.revoked_at.is_(None))
                .values(revoked_at=now, revoked_reason=ROTATED))
            if ended.rowcount != 1:  # another hub rotated it first: it is used up
                self.audit.append_in(conn, who.entry("token.refused", short(old),
                                                     reason=ROTATED), at=now)
                return Unusable(ROTATED, username)
            fresh = secrets.token_urlsafe(32)
            new = token_hash(fresh)
            conn.execute(insert(s.sessions).values(
                token_hash=new, user_id=row.user_id, created_at=row.created_at,
                expires_at=row.expires_at, last_used_at=now, address=by.address,
                client=by.client))
            self.audit.append_in(conn, who.entry("token.used", short(old)), at=now)
            self.audit.append_in(conn, who.entry("session.rotated", short(old),
                                                 to=short(new)), at=now)
        return Used(row.user_id, fresh, new, old)

    def end(self, session_id: str, *, now: datetime, reason: str, by: By) -> bool:
        """End one session (its full id); False if it was not live."""
        with self.db.writer.begin() as conn:
            ended = self._end(conn, s.sessions.c.token_hash == session_id, now, reason, by)
        return bool(ended)

    def end_prefix(self, prefix: str, *, now: datetime, reason: str, by: By,
                   action: str | None = None) -> str | None:
        """End the one live session whose id starts with ``prefix``; its id, or None if none.
        ``action`` (``admin.revoke``) also goes on the audit trail, naming the session.

        Raises:
            AmbiguousSession: the prefix is shorter than :data:`ID_MIN` or not hex, or several
                live sessions start with it (nothing is ended then).
        """
        prefix = prefix.strip().lower()
        if len(prefix) < ID_MIN or any(c not in "0123456789abcdef" for c in prefix):
            raise AmbiguousSession(f"a session id is at least {ID_MIN} hex digits, as "
                                   "'admin sessions' shows them")
        with self.db.writer.begin() as conn:
            found = conn.execute(select(s.sessions.c.token_hash).where(
                s.sessions.c.token_hash.startswith(prefix), s.sessions.c.revoked_at.is_(None),
                s.sessions.c.expires_at > now).limit(2)).scalars().all()
            if len(found) > 1:
                raise AmbiguousSession(f"more than one session starts with {prefix}; give more "
                                       "of its id")
            if not found:
                return None
            self._end(conn, s.sessions.c.token_hash == found[0], now, reason, by)
            if action is not None:
                self.audit.append_in(conn, by.entry(action, short(found[0])), at=now)
        return str(found[0])

    def end_user(self, conn: Connection, user_id: int, *, now: datetime, reason: str,
                 by: By) -> int:
        """End every session of a user inside the caller's transaction; how many were live.

        Sessions already ended by rotation are marked too, so a connection some hub still
        holds on a rotated token is closed as well."""
        return self._end(conn, and_(s.sessions.c.user_id == user_id, or_(
            s.sessions.c.revoked_at.is_(None), s.sessions.c.revoked_reason == ROTATED)),
            now, reason, by)

    def _end(self, conn: Connection, where: Any, now: datetime, reason: str, by: By) -> int:
        rows = conn.execute(select(s.sessions.c.token_hash, s.sessions.c.revoked_at,
                                   s.users.c.username)
                            .join(s.users, s.users.c.id == s.sessions.c.user_id)
                            .where(where)).all()
        live = 0
        for row in rows:
            conn.execute(update(s.sessions).where(s.sessions.c.token_hash == row.token_hash)
                         .values(revoked_at=row.revoked_at or now, revoked_reason=reason))
            if row.revoked_at is None:
                live += 1
                self.audit.append_in(conn, by.entry(
                    "session.logout" if reason == LOGOUT else "session.revoked",
                    short(row.token_hash), user=row.username, reason=reason), at=now)
        return live

    def live(self, *, now: datetime, idle: timedelta,
             username: str | None = None) -> list[SessionInfo]:
        """The sessions whose token would log in now, oldest first."""
        used = s.sessions.c.last_used_at
        query = (select(s.sessions, s.users.c.username)
                 .join(s.users, s.users.c.id == s.sessions.c.user_id)
                 .where(s.sessions.c.revoked_at.is_(None), s.sessions.c.expires_at > now,
                        s.users.c.active.is_(True),
                        or_(used > now - idle, and_(used.is_(None),
                                                    s.sessions.c.created_at > now - idle)))
                 .order_by(s.sessions.c.created_at, s.sessions.c.token_hash))
        if username is not None:
            query = query.where(s.users.c.username == username)
        with self.db.reader.connect() as conn:
            return [SessionInfo(r.token_hash, r.username, r.created_at,
                                r.last_used_at or r.created_at, r.expires_at, r.address,
                                r.client) for r in conn.execute(query)]

    def ended(self, session_ids: Collection[str]) -> dict[str, str]:
        """Of these sessions (open connections), those whose connection must close, with why:
        ended other than by rotation, gone, or their account disabled."""
        closing: dict[str, str] = {}
        for chunk in _chunks(session_ids):
            with self.db.reader.connect() as conn:
                rows = conn.execute(
                    select(s.sessions.c.token_hash, s.sessions.c.revoked_reason,
                           s.users.c.active)
                    .join(s.users, s.users.c.id == s.sessions.c.user_id)
                    .where(s.sessions.c.token_hash.in_(chunk))).all()
            found = {r.token_hash: r for r in rows}
            for session_id in chunk:
                row = found.get(session_id)
                if row is None:
                    closing[session_id] = REVOKED
                elif not row.active:
                    closing[session_id] = DISABLED
                elif row.revoked_reason not in (None, ROTATED):
                    closing[session_id] = row.revoked_reason
        return closing

    def touch(self, session_ids: Collection[str], *, now: datetime) -> None:
        """Mark sessions in use now (their connections are open), for the idle expiry."""
        for chunk in _chunks(session_ids):
            with self.db.writer.begin() as conn:
                conn.execute(update(s.sessions).where(s.sessions.c.token_hash.in_(chunk),
                                                      s.sessions.c.revoked_at.is_(None))
                             .values(last_used_at=now))


def _unusable(row: Any, now: datetime, idle: timedelta) -> str | None:
    if row is None:
        return "unknown"
    if row.revoked_at is not None:
        return str(row.revoked_reason or REVOKED)
    if not row.active:
        return DISABLED
    if now >= row.expires_at:
        return "expired"
    if now >= (row.last_used_at or row.created_at) + idle:
        return "idle"
    return None


def _chunks(ids: Collection[str]) -> Iterator[list[str]]:
    items = sorted(ids)
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]
