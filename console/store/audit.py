"""The audit trail: who did or read what, when, from where — append-only and hash-chained.

Each row's ``hash`` is the SHA-256 of the hash before it and the row's own fields, so a row
edited or removed by hand (or one added out of turn) breaks the chain from that row on, and
:meth:`AuditTrail.verify` names the first row that no longer fits. The chain proves the trail
was not changed afterwards; it cannot stop someone with the database's keys from writing a
whole new chain, which is why an admin keeps the head hashes ``verify`` prints
(docs/security.md "The audit trail").

Rows are numbered without gaps: every append reads the last row and writes the next under the
database's write lock (SQLite's ``BEGIN IMMEDIATE``, a transaction-scoped advisory lock on
PostgreSQL), so several hubs on one database append to one chain.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, insert, select, text

from console.store import schema as s
from console.store.db import Database

#: The hash the first row's ``prev_hash`` holds.
GENESIS = "0" * 64
#: The PostgreSQL advisory lock key that serialises appends (any constant the schema owns).
_APPEND_LOCK = 0x6175_6469  # "audi"


@dataclass(frozen=True)
class AuditEntry:
    """One thing to put on record.

    Attributes:
        action: what happened, a dotted name: ``login.failed``, ``personal.unmasked``,
            ``session.revoked``, ``admin.disable-user`` (docs/security.md lists them).
        actor: the username who did it; None when no one is known (a refused token).
        subject: what it was done to: an incident id, a username, a session.
        detail: anything more, as JSON: the fields read, the reason given, the query.
        address: the network address it came from.
        client: the client's own name for itself (``console/1.4``, ``admin-cli``).
    """

    action: str
    actor: str | None = None
    subject: str | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)
    address: str | None = None
    client: str | None = None


@dataclass(frozen=True)
class AuditRow:
    """An entry as it stands on record, with its place in the chain."""

    seq: int
    at: datetime
    entry: AuditEntry
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class Verified:
    """What :meth:`AuditTrail.verify` found: ``broken_at`` is the first row that does not fit
    its chain (edited, or the one after a removed row), None if every row fits."""

    rows: int
    head: str
    broken_at: int | None
    #: Why, as an English template and its parameters (translated where it is shown).
    template: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.broken_at is None

    @property
    def why(self) -> str | None:
        return None if self.template is None else self.template.format(**self.params)


def row_hash(prev_hash: str, seq: int, at: datetime, entry: AuditEntry) -> str:
    """The hash of one row: its predecessor's hash and its own fields, canonically encoded."""
    body = orjson.dumps({
        "prev": prev_hash, "seq": seq, "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "action": entry.action, "actor": entry.actor, "subject": entry.subject,
        "detail": entry.detail, "address": entry.address, "client": entry.client,
    }, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(body).hexdigest()


class AuditTrail:
    """The audit table of one database. Thread-safe; every call blocks on the database, so the
    hub calls it on its worker threads."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def append(self, entry: AuditEntry, *, at: datetime) -> AuditRow:
        """Put ``entry`` on record at ``at``; returns after the commit."""
        with self.db.writer.begin() as conn:
            return self.append_in(conn, entry, at=at)

    def append_in(self, conn: Connection, entry: AuditEntry, *, at: datetime) -> AuditRow:
        """Append inside the caller's transaction, so the entry commits (or not) with the
        change it records."""
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _APPEND_LOCK})
        last = conn.execute(select(s.audit.c.seq, s.audit.c.hash)
                            .order_by(s.audit.c.seq.desc()).limit(1)).first()
        seq, prev = (last.seq + 1, last.hash) if last else (1, GENESIS)
        # The stored time is what the hash covers: microseconds, UTC, as both databases keep it.
        at = at.astimezone(UTC)
        digest = row_hash(prev, seq, at, entry)
        conn.execute(insert(s.audit).values(
            seq=seq, at=at, actor=entry.actor, action=entry.action, subject=entry.subject,
            detail=dict(entry.detail), address=entry.address, client=entry.client,
            prev_hash=prev, hash=digest))
        return AuditRow(seq, at, entry, prev, digest)

    def rows(self, *, since: datetime | None = None, until: datetime | None = None,
             actor: str | None = None, action: str | None = None,
             subject: str | None = None, limit: int | None = None,
             newest_first: bool = False, before: int | None = None) -> list[AuditRow]:
        """The rows matching every filter given (``action`` matches a prefix: ``login.``);
        ``before`` a seq: only older rows (the next page, newest first)."""
        query = select(s.audit)
        if before is not None:
            query = query.where(s.audit.c.seq < before)
        if since is not None:
            query = query.where(s.audit.c.at >= since)
        if until is not None:
            query = query.where(s.audit.c.at < until)
        if actor is not None:
            query = query.where(s.audit.c.actor == actor)
        if action is not None:
            query = query.where(s.audit.c.action.startswith(action, autoescape=True))
        if subject is not None:
            query = query.where(s.audit.c.subject == subject)
        query = query.order_by(s.audit.c.seq.desc() if newest_first else s.audit.c.seq)
        if limit is not None:
            query = query.limit(limit)
        with self.db.reader.connect() as conn:
            return [_row(r) for r in conn.execute(query)]

    def verify(self, *, chunk: int = 5_000) -> Verified:
        """Walk the whole chain from its first row; where it breaks, if it does."""
        count, prev, expected_seq = 0, GENESIS, 1
        for row in self._all(chunk):
            count += 1
            if row.seq != expected_seq:
                return Verified(count, prev, row.seq, "row {missing} is missing",
                                {"missing": expected_seq})
            if row.prev_hash != prev:
                return Verified(count, prev, row.seq, "does not follow the row before it")
            if row_hash(prev, row.seq, row.at, row.entry) != row.hash:
                return Verified(count, prev, row.seq, "its contents do not match its hash")
            prev, expected_seq = row.hash, row.seq + 1
        return Verified(count, prev, None)

    def _all(self, chunk: int) -> Iterator[AuditRow]:
        after = 0
        while True:
            with self.db.reader.connect() as conn:
                batch = [_row(r) for r in conn.execute(
                    select(s.audit).where(s.audit.c.seq > after)
                    .order_by(s.audit.c.seq).limit(chunk))]
            yield from batch
            if len(batch) < chunk:
                return
            after = batch[-1].seq


def _row(row: Any) -> AuditRow:
    m = row._mapping
    entry = AuditEntry(m["action"], m["actor"], m["subject"], m["detail"] or {}, m["address"],
                       m["client"])
    return AuditRow(m["seq"], m["at"], entry, m["prev_hash"], m["hash"])
