"""The ``search`` over the whole record (docs/protocol.md "Search"), on the store's reader
connections: every incident, open or not, newest first, a page at a time with a keyset cursor,
and the number of all that match.

Free text is matched as a substring (Chinese has no spaces to cut words at) of a case's
description and address, and, for those who see reporters, its reporter's name:

- SQLite: the FTS5 table ``incident_text`` (tokenizer ``trigram``), kept by triggers on
  ``incidents`` (migration 0006). Text of three characters or more is a phrase query on the
  index; shorter text (``燃气``) has no trigram and is looked for in the index's own copy of the
  texts row by row.
- PostgreSQL: ``pg_trgm`` GIN indexes on expressions of the incident's document, one for the
  description and address, one for the name; ``ILIKE`` uses them for three characters or more.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, func, or_, select, text
from sqlalchemy.sql.elements import ColumnElement

from console.domain.distance import EARTH_RADIUS_M
from console.domain.search import Cursor, Near, SearchFilters, SearchScope, phone_key
from console.store import schema as s
from console.store.db import Database

# The expressions of migration 0006's PostgreSQL indexes, character for character: the planner
# uses an expression index only for the very expression it was built on.
PG_PLACE = ("(coalesce(doc->>'description', '') || E'\\n' "
            "|| coalesce(doc#>>'{location,address}', ''))")
PG_NAME = "coalesce(doc#>>'{reporter,name}', '')"

#: The shortest text the trigram indexes can find by themselves.
TRIGRAM = 3
#: A degree of latitude, in metres, on console/domain/distance.py's sphere.
METRES_PER_DEGREE = EARTH_RADIUS_M * math.pi / 180


@dataclass(frozen=True)
class SearchPage:
    """One page: the incidents' documents with their creation times, the number of all that
    match, and the cursor of the next page (None after the last)."""

    rows: list[dict[str, Any]]
    total: int
    next: Cursor | None


def search(db: Database, filters: SearchFilters, scope: SearchScope, *, limit: int,
           cursor: Cursor | None, now: datetime, categories: tuple[str, ...] = ()
           ) -> SearchPage:
    """Run ``filters`` within ``scope``: the page after ``cursor`` (the first if None).
    ``now``: the world's time (a clock running past its deadline right now is overdue).
    ``categories``: the codes the ``category`` filter stands for (a group's), when not itself."""
    i = s.incidents.c
    where = _conditions(db.dialect, filters, scope, categories, now)
    page = select(i.doc, i.created_at, i.id).where(*where)
    if cursor is not None:
        page = page.where(or_(i.created_at < cursor.created_at,
                              and_(i.created_at == cursor.created_at, i.id < cursor.id)))
    page = page.order_by(i.created_at.desc(), i.id.desc()).limit(limit + 1)
    with db.reader.connect() as conn:
        found = conn.execute(page).all()
        total = int(conn.execute(select(func.count()).select_from(s.incidents)
                                 .where(*where)).scalar_one())
    more = len(found) > limit
    found = found[:limit]
    last = Cursor(found[-1].created_at, found[-1].id) if more else None
    return SearchPage([dict(row.doc) for row in found], total, last)


def _conditions(dialect: str, f: SearchFilters, scope: SearchScope,
                categories: tuple[str, ...], now: datetime) -> list[ColumnElement[bool]]:
    i = s.incidents.c
    where: list[ColumnElement[bool]] = []
    for column, value in ((i.reporter_phone, phone_key(f.phone) if f.phone else None),
                          (i.lead_department, f.department),
                          (i.street, f.street), (i.community, f.community), (i.grid, f.grid)):
        if value is not None:
            where.append(column == value)
    if f.category is not None:
        where.append(i.category.in_(categories or (f.category,)))
    for column, values in ((i.state, f.state), (i.source, f.source), (i.priority, f.priority),
                           (i.satisfaction, f.satisfaction)):
        if values is not None:
            where.append(column.in_(values))
    for column, start, end in ((i.created_at, f.created_from, f.created_to),
                               (i.closed_at, f.closed_from, f.closed_to)):
        if start is not None:
            where.append(column >= start)
        if end is not None:
            where.append(column < end)
    for column, flag in ((i.supervised, f.supervised), (i.ever_supervised, f.ever_supervised)):
        if flag is not None:
            where.append(column.is_(flag))
    if f.ever_overdue is not None:
        # Marked at an event, or running late now with no event since (console/domain/record.py).
        if f.ever_overdue:
            where.append(or_(i.ever_overdue.is_(True), i.next_due_at <= now))
        else:
            where.append(and_(i.ever_overdue.is_(False),
                              or_(i.next_due_at.is_(None), i.next_due_at > now)))
    if f.near is not None:
        where.extend(_near(f.near))
    if scope.department is not None:
        where.append(or_(i.lead_department == scope.department,
                         _co_handles(dialect, scope.department)))
    if f.text is not None:
        where.append(_text(dialect, f.text, scope.names))
    return where


def _near(near: Near) -> list[ColumnElement[bool]]:
    """Within ``near.metres`` of its point: a box the (lat, lon) index narrows to, then the
    circle on a local flat projection (plain arithmetic, the same on both databases; at a few
    kilometres it is within a metre of the great circle)."""
    i = s.incidents.c
    dlat = near.metres / METRES_PER_DEGREE
    dlon = dlat / max(math.cos(math.radians(near.lat)), 0.01)
    squeeze = math.cos(math.radians(near.lat)) ** 2
    north, east = i.lat - near.lat, i.lon - near.lon
    return [i.lat.between(near.lat - dlat, near.lat + dlat),
            i.lon.between(near.lon - dlon, near.lon + dlon),
            north * north + east * east * squeeze <= dlat * dlat]


def _co_handles(dialect: str, department: str) -> ColumnElement[bool]:
    if dialect == "postgresql":
        clause = text("(incidents.doc -> 'co_handlers') @> jsonb_build_array(CAST(:co AS text))")
    else:
        clause = text("EXISTS (SELECT 1 FROM json_each(incidents.doc, '$.co_handlers') "
                      "WHERE json_each.value = :co)")
    return clause.bindparams(bindparam("co", department)).self_group()  # type: ignore[return-value]


def _text(dialect: str, wanted: str, names: bool) -> ColumnElement[bool]:
    if dialect == "postgresql":
        pattern = "%" + _escape(wanted) + "%"
        sql = f"({PG_PLACE} ILIKE :pattern" + (f" OR {PG_NAME} ILIKE :pattern)" if names else ")")
        return text(sql).bindparams(bindparam("pattern", pattern))  # type: ignore[return-value]
    columns = ["description", "address", *(["reporter"] if names else [])]
    if len(wanted) >= TRIGRAM:
        phrase = '"' + wanted.replace('"', '""') + '"'
        match = "{" + " ".join(columns) + "} : " + phrase
        sql = ("incidents.rowid IN (SELECT rowid FROM incident_text "
               "WHERE incident_text MATCH :match)")
        return text(sql).bindparams(bindparam("match", match))  # type: ignore[return-value]
    # No trigram in the text: each row's copy is read (the trigram tokenizer folds case; so
    # does lower() here, for the letters it knows).
    found = " OR ".join(f"instr(lower({c}), lower(:wanted)) > 0" for c in columns)
    sql = f"incidents.rowid IN (SELECT rowid FROM incident_text WHERE {found})"
    return text(sql).bindparams(bindparam("wanted", wanted))  # type: ignore[return-value]


def _escape(value: str) -> str:
    """``value`` for a LIKE pattern with backslash as the escape: its wildcards are literal."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
