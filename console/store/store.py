"""The store as the hub and the tools see it: the write path, the log, queries and accounts."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, or_, select

from console.domain.incident import Incident
from console.domain.model import Actor, Event
from console.domain.roster import Checkpoint, Shift
from console.domain.rules import Rules
from console.domain.search import Cursor, SearchFilters, SearchScope, phone_key
from console.domain.units import Unit
from console.store import field_outbox, rosters, search
from console.store import schema as s
from console.store.accounts import Accounts
from console.store.attachments import AttachmentFiles
from console.store.audit import AuditTrail
from console.store.db import Database, migrate, open_database
from console.store.positions import Positions
from console.store.search import SearchPage
from console.store.writer import Command, LoggedEvent, Result, Writer, unit_from_row


@dataclass(frozen=True)
class OutboxMessage:
    """A message owed to the police: its id, the incident it is about, the message itself."""

    message_id: str
    incident_id: str
    body: dict[str, Any]


def utc_now() -> datetime:
    return datetime.now(UTC)


class Store:
    """One database, opened for one process. Thread-safe: every call uses its own connection.

    Args:
        url: a SQLAlchemy URL (``sqlite:///…``, ``postgresql://…``) or a SQLite file path.
        rules: the loaded taxonomy, SLA table, calendar, roles and geography.
        clock: where "now" comes from; tests pass their own.
        create: migrate the schema up to date first.
    """

    def __init__(self, url: str, rules: Rules, *, clock: Callable[[], datetime] = utc_now,
                 create: bool = True) -> None:
        self.db: Database = open_database(url)
        if create:
            migrate(self.db)
        self.rules = rules
        self.clock = clock
        self.writer = Writer(self.db, rules, clock)
        self.accounts = Accounts(self.db)
        self.audit = AuditTrail(self.db)
        self.positions = Positions(self.db)
        self.attachments = AttachmentFiles(self.db)

    def close(self) -> None:
        self.db.dispose()

    # -- writing ---------------------------------------------------------------------------

    def execute(self, command: Command, actor: Actor) -> Result:
        """Run one command through the domain; returns after the commit."""
        return self.writer.execute([(command, actor)])[0][0]

    def execute_batch(self, batch: Sequence[tuple[Command, Actor]]
                      ) -> tuple[list[Result], list[LoggedEvent]]:
        """Run several commands in one transaction; their results and the events they logged."""
        return self.writer.execute(batch)

    # -- the log ---------------------------------------------------------------------------

    def last_seq(self) -> int:
        with self.db.reader.connect() as conn:
            return int(conn.execute(select(s.log_head.c.seq).where(s.log_head.c.id == 1))
                       .scalar_one())

    def events_after(self, seq: int, limit: int = 1000) -> list[LoggedEvent]:
        """Committed events with seq > ``seq``, in order, at most ``limit``."""
        with self.db.reader.connect() as conn:
            rows = conn.execute(select(s.events).where(s.events.c.seq > seq)
                                .order_by(s.events.c.seq).limit(limit)).all()
        return [_logged(r) for r in rows]

    def timeline(self, incident_id: str) -> list[LoggedEvent]:
        """Every event that concerns the incident, in order."""
        with self.db.reader.connect() as conn:
            rows = conn.execute(
                select(s.events)
                .join(s.incident_timeline, s.incident_timeline.c.seq == s.events.c.seq)
                .where(s.incident_timeline.c.incident_id == incident_id)
                .order_by(s.events.c.seq)).all()
        return [_logged(r) for r in rows]

    # -- current state ---------------------------------------------------------------------

    def incident(self, incident_id: str) -> Incident | None:
        with self.db.reader.connect() as conn:
            doc = conn.execute(select(s.incidents.c.doc)
                               .where(s.incidents.c.id == incident_id)).scalar()
        return Incident.from_dict(doc) if doc else None

    def unit(self, unit_id: str) -> Unit | None:
        with self.db.reader.connect() as conn:
            row = conn.execute(select(s.units).where(s.units.c.id == unit_id)).first()
        return unit_from_row(row._mapping) if row else None

    def open_incidents(self, *, street: str | None = None, department: str | None = None,
                       limit: int = 500) -> list[dict[str, Any]]:
        """The queue: open incidents (of a street or a lead department), soonest deadline first.

        Incidents with no running deadline come last.
        """
        query = select(s.incidents).where(s.incidents.c.is_open.is_(True))
        if street is not None:
            query = query.where(s.incidents.c.street == street)
        if department is not None:
            query = query.where(s.incidents.c.lead_department == department)
        query = query.order_by(s.incidents.c.next_due_at.is_(None), s.incidents.c.next_due_at,
                               s.incidents.c.id).limit(limit)
        with self.db.reader.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    # -- the police link --------------------------------------------------------------------

    def police_waiting(self, center: str, *, limit: int = 50,
                       skip: Collection[str] = ()) -> list[OutboxMessage]:
        """Messages not yet acknowledged by the police, for ``center`` (or any center), oldest
        first, leaving out those in ``skip`` (sent on this connection, not yet acknowledged)."""
        box = s.police_outbox.c
        query = (select(box.message_id, box.incident_id, box.body)
                 .where(box.delivered_at.is_(None),
                        or_(box.center == center, box.center.is_(None)))
                 .order_by(box.id).limit(limit))
        if skip:
            query = query.where(box.message_id.not_in(list(skip)))
        with self.db.reader.connect() as conn:
            return [OutboxMessage(r.message_id, r.incident_id, r.body)
                    for r in conn.execute(query)]

    def outbox_depths(self) -> dict[str, int]:
        """Messages waiting for delivery: to the police, to field units (the hub's metrics;
        also its readiness probe, so it must fail when the database does)."""
        with self.db.reader.connect() as conn:
            police = conn.execute(select(func.count()).select_from(s.police_outbox)
                                  .where(s.police_outbox.c.delivered_at.is_(None))).scalar_one()
            field = conn.execute(select(func.count()).select_from(s.field_tasks)
                                 .where(s.field_tasks.c.delivered_at.is_(None))).scalar_one()
        return {"police": int(police), "field": int(field)}

    def field_waiting(self, unit: str | None, *, limit: int = 100,
                      skip: Collection[str] = ()) -> list[field_outbox.WaitingTask]:
        """Tasks not yet acknowledged by ``unit``'s device (every unit's when None), in order."""
        return field_outbox.waiting(self.db, unit, limit=limit, skip=skip)

    def police_links(self) -> list[dict[str, Any]]:
        """Each police center's link as its last link event left it:
        ``{"center", "state": "up"|"down", "since", "hub"}``."""
        with self.db.reader.connect() as conn:
            return self._police_links(conn)

    @staticmethod
    def _police_links(conn: Any) -> list[dict[str, Any]]:
        last = (select(s.events.c.actor, func.max(s.events.c.seq).label("seq"))
                .where(s.events.c.name.in_(("police.link_up", "police.link_down")))
                .group_by(s.events.c.actor).subquery())
        query = (select(s.events.c.actor, s.events.c.name, s.events.c.at, s.events.c.data)
                 .join(last, last.c.seq == s.events.c.seq).order_by(s.events.c.actor))
        return [{"center": r.actor, "state": r.name.removeprefix("police.link_"),
                 "since": r.at.isoformat(), "hub": (r.data or {}).get("hub")}
                for r in conn.execute(query)]

    def caller_history(self, phone: str, limit: int = 20) -> list[dict[str, Any]]:
        """A caller's earlier incidents, newest first (what the call taker sees at intake)."""
        query = (select(s.incidents.c.id, s.incidents.c.state, s.incidents.c.category,
                        s.incidents.c.created_at, s.incidents.c.street)
                 .where(s.incidents.c.reporter_phone == phone_key(phone))
                 .order_by(s.incidents.c.created_at.desc()).limit(limit))
        with self.db.reader.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def search(self, filters: SearchFilters, scope: SearchScope, *, limit: int,
               cursor: Cursor | None = None, now: datetime | None = None) -> SearchPage:
        """A page of incidents, open or not, that match ``filters`` within ``scope``
        (console/store/search.py). A ``category`` that is a group's code stands for the group's
        categories. ``now``: the world's time (the store's clock if None)."""
        group = tuple(c.code for c in self.rules.taxonomy.categories
                      if c.group == filters.category) if filters.category else ()
        return search.search(self.db, filters, scope, limit=limit, cursor=cursor,
                             now=now if now is not None else self.clock(), categories=group)

    def snapshot(self, *, finished_within: timedelta = timedelta(hours=24)) -> Snapshot:
        """The live state and the seq it reflects, read in one consistent transaction.

        Incidents: every open one, and those finished within ``finished_within`` (so a console
        still shows what was just closed). Units and cameras: all. Major incidents: the active
        ones and those stood down within ``finished_within``; early warnings: the
        unacknowledged ones and those raised within it.
        """
        since = self.clock() - finished_within
        connection = self.db.reader.connect()
        if self.db.dialect == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection as conn, conn.begin():
            seq = int(conn.execute(select(s.log_head.c.seq)).scalar_one())
            incidents = [_incident_wire(r) for r in conn.execute(
                select(s.incidents.c.doc, s.incidents.c.next_due_at, s.incidents.c.next_due_stage)
                .where(or_(s.incidents.c.is_open.is_(True), s.incidents.c.updated_at >= since))
                .order_by(s.incidents.c.id))]
            units = self._units(conn)
            cameras = [dict(r._mapping) for r in conn.execute(
                select(s.cameras).order_by(s.cameras.c.id))]
            police_links = self._police_links(conn)
            majors = self._major_incidents(conn, since)
            warnings = self._warnings(conn, since)
        return Snapshot(seq, incidents, units, cameras, police_links, majors, warnings)

    # -- major incidents and early warnings ----------------------------------------------------

    def major_incidents(self, *, within: timedelta = timedelta(hours=24)) -> list[dict[str, Any]]:
        """The active major incidents and those stood down within ``within``, oldest first."""
        with self.db.reader.connect() as conn:
            return self._major_incidents(conn, self.clock() - within)

    @staticmethod
    def _major_incidents(conn: Any, since: datetime) -> list[dict[str, Any]]:
        m = s.major_incidents.c
        query = (select(m.doc).where(or_(m.active.is_(True), m.stood_down_at >= since))
                 .order_by(m.declared_at, m.id))
        return [dict(doc) for doc in conn.execute(query).scalars()]

    def warnings(self, *, within: timedelta = timedelta(hours=24)) -> list[dict[str, Any]]:
        """The unacknowledged early warnings and those raised within ``within``, oldest first."""
        with self.db.reader.connect() as conn:
            return self._warnings(conn, self.clock() - within)

    @staticmethod
    def _warnings(conn: Any, since: datetime) -> list[dict[str, Any]]:
        w = s.early_warnings.c
        query = (select(w.doc).where(or_(w.acknowledged_at.is_(None), w.raised_at >= since))
                 .order_by(w.raised_at, w.id))
        return [dict(doc) for doc in conn.execute(query).scalars()]

    def incident_creations(self, since: datetime) -> list[tuple[str, datetime, str, str | None,
                                                                str | None]]:
        """``(id, created_at, category, grid, community)`` of every incident created after
        ``since``, oldest first: what the early-warning detector reads back at a hub's start."""
        i = s.incidents.c
        query = (select(i.id, i.created_at, i.category, i.grid, i.community)
                 .where(i.created_at > since).order_by(i.created_at, i.id))
        with self.db.reader.connect() as conn:
            return [(r.id, r.created_at, r.category, r.grid, r.community)
                    for r in conn.execute(query)]

    def first_incident_at(self) -> datetime | None:
        """When the first incident the store holds was created (None: there is none)."""
        with self.db.reader.connect() as conn:
            at: datetime | None = conn.execute(select(func.min(s.incidents.c.created_at))
                                               ).scalar()
        return at

    def units(self) -> list[dict[str, Any]]:
        """Every unit as the wire carries it, with its last position."""
        with self.db.reader.connect() as conn:
            return self._units(conn)

    @staticmethod
    def _units(conn: Any) -> list[dict[str, Any]]:
        if conn.dialect.name == "sqlite":
            return _sqlite_units(conn)
        rows = conn.execute(select(s.units).order_by(s.units.c.id)).mappings()
        return [unit_wire(r) for r in rows]

    def last_event_at(self) -> datetime | None:
        """The time of the newest event (None for an empty log): a world clock that ran faster
        on an earlier run restarts from here, so time never runs backwards in the log."""
        with self.db.reader.connect() as conn:
            at: datetime | None = conn.execute(
                select(s.events.c.at).order_by(s.events.c.seq.desc()).limit(1)).scalar()
        return at

    # -- reference data ------------------------------------------------------------------------

    def put_cameras(self, cameras: Sequence[dict[str, Any]]) -> int:
        """Add or replace cameras (``id``, ``name``, ``lat``, ``lon``, ``stream_url``, ``grid``,
        ``street``); consoles see them in their next snapshot. Returns how many were written.

        Raises:
            ValueError: a camera without one of the fields, or with coordinates out of range.
        """
        rows = []
        for camera in cameras:
            try:
                lat, lon = float(camera["lat"]), float(camera["lon"])
                row = {"id": str(camera["id"]), "name": str(camera["name"]), "lat": lat,
                       "lon": lon, "stream_url": str(camera["stream_url"]),
                       "grid": camera.get("grid"), "street": camera.get("street")}
            except (KeyError, TypeError, ValueError) as error:
                raise ValueError(f"camera {camera.get('id')!r}: {error!r}") from None
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise ValueError(f"camera {row['id']!r}: coordinates out of range")
            rows.append(row)
        with self.db.writer.begin() as conn:
            if rows:
                conn.execute(delete(s.cameras).where(s.cameras.c.id.in_([r["id"] for r in rows])))
                conn.execute(insert(s.cameras), rows)
        return len(rows)

    def import_roster(self, shifts: Sequence[Shift]) -> tuple[int, int]:
        """Replace the shifts of every unit and local day ``shifts`` name (console/store/
        rosters.py); (removed, added)."""
        return rosters.import_shifts(self.db, shifts, self.rules.calendar.tz, self.clock())

    def put_checkpoints(self, rows: Sequence[dict[str, Any]]) -> int:
        """Add or replace patrol checkpoints; raises ValueError for a bad one (nothing
        written)."""
        return rosters.put_checkpoints(self.db, rows)

    def checkpoints(self) -> list[Checkpoint]:
        with self.db.reader.connect() as conn:
            return rosters.all_checkpoints(conn)

    def shifts(self, units: Collection[str] | None, since: datetime, until: datetime
               ) -> list[Shift]:
        with self.db.reader.connect() as conn:
            return rosters.shifts(conn, units, since, until)

    def count(self, table: str) -> int:
        with self.db.reader.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(s.metadata.tables[table]))
                       .scalar_one())


@dataclass(frozen=True)
class Snapshot:
    seq: int
    incidents: list[dict[str, Any]]
    units: list[dict[str, Any]]
    cameras: list[dict[str, Any]]
    police_links: list[dict[str, Any]] = field(default_factory=list)
    major_incidents: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)


def _incident_wire(row: Any) -> dict[str, Any]:
    due = row.next_due_at
    return {**row.doc, "next_due_at": due.isoformat() if due else None,
            "next_due_stage": row.next_due_stage}


def unit_wire(row: Any) -> dict[str, Any]:
    """A unit as the wire carries it: its state (``Unit.to_dict``), and its last position if it
    has one. Built straight from the row: a snapshot makes one per unit, 20,000 and more."""
    at = row["position_at"]
    return {
        "id": row["id"], "name": row["name"], "type": row["type"], "status": row["status"],
        "status_since": row["status_since"].isoformat(), "tier": row["tier"],
        "street": row["street"], "community": row["community"], "grid": row["grid"],
        "skills": list(row["skills"]), "assignment": row["assignment"],
        "version": row["version"], "sos": row["sos"],
        "position": None if at is None else {
            "lat": row["lat"], "lon": row["lon"], "heading": row["heading"],
            "speed": row["speed"], "at": at.isoformat()},
    }


_UNIT_COLUMNS = ("id", "name", "type", "status", "status_since", "tier", "street", "community",
                 "grid", "skills", "assignment", "version", "lat", "lon", "heading", "speed",
                 "position_at", "sos")


def _sqlite_units(conn: Any) -> list[dict[str, Any]]:
    """:func:`unit_wire` for every unit, read from SQLite's own values: a snapshot reads every
    unit, and the driver's type conversions of every row are a wait the console feels.
    SQLite keeps UTC times as ``YYYY-MM-DD HH:MM:SS.ffffff``; ``isoformat`` of the same time is
    the same text with a ``T``, no zero fraction, and ``+00:00``."""
    rows = conn.exec_driver_sql(
        f"SELECT {', '.join(_UNIT_COLUMNS)} FROM units ORDER BY id").fetchall()
    wires = []
    for (uid, name, kind, status, since, tier, street, community, grid, skills, assignment,
         version, lat, lon, heading, speed, at, sos) in rows:
        wires.append({
            "id": uid, "name": name, "type": kind, "status": status,
            "status_since": _iso_utc(since), "tier": tier, "street": street,
            "community": community, "grid": grid, "skills": json.loads(skills),
            "assignment": assignment, "version": version,
            "sos": None if sos is None else json.loads(sos),
            "position": None if at is None else {
                "lat": lat, "lon": lon, "heading": heading, "speed": speed,
                "at": _iso_utc(at)},
        })
    return wires


def _iso_utc(stored: str) -> str:
    text = stored.replace(" ", "T", 1)
    return (text[:-7] if text.endswith(".000000") else text) + "+00:00"


def _logged(row: Any) -> LoggedEvent:
    return LoggedEvent(row.seq, Event(row.name, row.at, row.actor, row.data), row.command_id)
