"""Attachment files in the database: written with the command that adds them, read on demand.

A file's bytes are stored once by their SHA-256 (``attachment_files``): the same photo sent
twice, or to two incidents, is one row, and each attachment of an incident (``attachments``)
points at it. Both are written by the write path in the transaction of the command's event
(:meth:`console.store.writer.Writer.execute`), so a refused command stores nothing, and a file
is never stored without the attachment that needs it. Why the database and not files beside
it: docs/protocol.md, "Attachments".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select

from console.domain.model import Event
from console.store import schema as s
from console.store.db import Database


@dataclass(frozen=True)
class StoredFile:
    """A checked file on its way into the store, with the hub's thumbnail of an image."""

    sha256: str
    content_type: str
    size: int
    data: bytes
    thumbnail: bytes | None = None


@dataclass(frozen=True)
class Attachment:
    """One attachment of an incident, and its file's bytes (or thumbnail) when asked for."""

    id: str
    incident_id: str
    sha256: str
    filename: str
    content_type: str
    size: int
    data: bytes | None


def write(conn: Connection, insert_: Callable[[Any], Any], files: Sequence[StoredFile],
          events: Sequence[tuple[Event, int]]) -> None:
    """Store ``files`` (each once: one already stored is left as it is) and the attachments
    that ``events`` (``incident.attachment_added`` with their seq) add."""
    rows = [{"id": e.data["attachment"]["id"], "incident_id": e.data["id"],
             "sha256": e.data["attachment"]["sha256"],
             "filename": e.data["attachment"]["filename"],
             "content_type": e.data["attachment"]["content_type"],
             "size": e.data["attachment"]["size"], "added_by": e.actor, "added_at": e.at,
             "seq": seq} for e, seq in events if e.name == "incident.attachment_added"]
    if not rows:
        return
    wanted = {row["sha256"] for row in rows}
    seen: set[str] = set()
    for file in files:
        if file.sha256 not in wanted or file.sha256 in seen:
            continue
        seen.add(file.sha256)
        conn.execute(insert_(s.attachment_files).values(
            sha256=file.sha256, content_type=file.content_type, size=file.size,
            data=file.data, thumbnail=file.thumbnail, stored_at=rows[0]["added_at"],
        ).on_conflict_do_nothing(index_elements=["sha256"]))
    conn.execute(insert(s.attachments), rows)


class AttachmentFiles:
    """Reads of stored attachments (thread-safe; each call uses its own connection)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, attachment_id: str, *, thumbnail: bool = False) -> Attachment | None:
        """The attachment with its file's bytes, or its thumbnail (None when the file has
        none); None if there is no such attachment."""
        a, f = s.attachments, s.attachment_files
        column = f.c.thumbnail if thumbnail else f.c.data
        with self.db.reader.connect() as conn:
            row = conn.execute(
                select(a.c.id, a.c.incident_id, a.c.sha256, a.c.filename, a.c.content_type,
                       a.c.size, column.label("data"))
                .join(f, f.c.sha256 == a.c.sha256).where(a.c.id == attachment_id)).first()
        if row is None:
            return None
        return Attachment(row.id, row.incident_id, row.sha256, row.filename, row.content_type,
                          row.size, bytes(row.data) if row.data is not None else None)

    def counts(self) -> tuple[int, int]:
        """How many files are stored, and how many attachments point at them."""
        with self.db.reader.connect() as conn:
            files = conn.execute(select(func.count()).select_from(s.attachment_files)).scalar()
            added = conn.execute(select(func.count()).select_from(s.attachments)).scalar()
        return int(files or 0), int(added or 0)

