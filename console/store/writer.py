"""The one write path: command → domain decision → events and current state, in one transaction.

For each batch of commands, in one transaction:

1. a command whose id is already in ``commands`` is answered with its first result, untouched;
2. the incidents and units it touches are loaded (row-locked on PostgreSQL);
3. the domain decides its events, or refuses (a refused command writes nothing);
4. the events are applied to the loaded aggregates in memory, so later commands of the same
   batch see them;
5. last, the log head row is locked and advanced by the number of new events, the events get
   ``seq`` head+1 … head+n, and events, timeline, command results and current state are written;
6. commit. Only then are the results returned (and, in the hub, acknowledged and fanned out).

The log head's row lock is held from step 5 to the commit, so a transaction that took seq N
commits before any other can take N+1: commit order is seq order, and a reader that has seen
seq N+1 will never later find an N it missed — with threads on one SQLite file and with several
hub processes on one PostgreSQL alike.

A command whose data the database refuses fails alone: the batch is rolled back and run again
in halves, in order, until that command is by itself (:meth:`Writer.execute`); a failure of
the database itself fails the whole batch (docs/security.md, "The write path").
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError, StatementError

from console.domain import field as field_rules
from console.domain import police
from console.domain.commands import decide
from console.domain.errors import Refused
from console.domain.field import FieldTask
from console.domain.incident import Incident
from console.domain.major import MajorIncident
from console.domain.model import Actor, Event
from console.domain.record import RecordMarks
from console.domain.roster import Fix
from console.domain.rules import Context, Rules
from console.domain.units import Unit
from console.domain.warning import EarlyWarning
from console.domain.world import Aggregates
from console.store import attachments
from console.store import schema as s
from console.store.attachments import StoredFile
from console.store.db import Database
from console.store.field_outbox import FieldRows, load_task
from console.store.rosters import RosterLookups
from console.store.writer_rows import PoliceRows, incident_row, record_columns

log = logging.getLogger(__name__)

#: How often a batch is retried after a deadlock or a lost race on a unique key.
RETRIES = 5
#: The PostgreSQL notification channel on which every commit announces its last seq.
LOG_CHANNEL = "linkage_log"
#: The answer to a command when the database itself failed: nothing of it is known to be
#: committed, and sent again with the same id it is applied at most once.
UNAVAILABLE: dict[str, Any] = {
    "code": "unavailable",
    "message": "The database could not be reached; nothing was changed as far as the hub "
               "knows. Send the command again."}


@dataclass(frozen=True)
class Command:
    """A command as it arrives: a client-chosen unique id, a name, arguments."""

    id: str
    name: str
    args: Any
    expected_version: int | None = None
    #: Files the command's events attach (``attachment.add``), checked by the hub: written in
    #: the command's transaction, only if the domain accepts it.
    files: tuple[StoredFile, ...] = field(default=(), repr=False, compare=False)
    #: The unit's latest fix the hub holds (not stored yet, perhaps): where a clock-in or a
    #: checkpoint pass is checked against (console/store/rosters.py).
    fix: tuple[str, Fix] | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Result:
    """What the command came to: ``ok`` with ``data`` and the ``seq`` of its last event, or an
    ``error`` (``code`` and ``message``)."""

    command_id: str
    ok: bool
    data: dict[str, Any] = field(default_factory=dict)
    seq: int | None = None
    error: dict[str, Any] | None = None
    replayed: bool = False

    def to_dict(self) -> dict[str, Any]:
        if self.ok:
            return {"ok": True, "data": self.data, "seq": self.seq}
        return {"ok": False, "error": self.error}


@dataclass(frozen=True)
class LoggedEvent:
    """An event as the log holds it: with its place in the sequence."""

    seq: int
    event: Event
    command_id: str | None = None

    def to_wire(self) -> dict[str, Any]:
        return {"type": "event", "seq": self.seq, "at": self.event.at.isoformat(),
                "name": self.event.name, "actor": self.event.actor, "data": dict(self.event.data)}


class _Batch(RosterLookups, Aggregates):
    """The aggregates one transaction holds, loaded from the database (row-locked on PostgreSQL,
    where a concurrent writer then waits for the first to commit)."""

    def __init__(self, conn: Connection, lock: bool, counter: Any, rules: Rules) -> None:
        super().__init__()
        self.conn = conn
        self.lock = lock
        self._counter = counter
        self.rules = rules
        # What this batch's events showed of each case, for the record's columns
        # (console/domain/record.py).
        self.marks: dict[str, RecordMarks] = {}
        # Ids the preload looked for and did not find (new units being registered, mistyped
        # ids): asked again, they are still absent without another query. A row another hub
        # inserts meanwhile collides at the write and the batch runs again.
        self._absent_incidents: set[str] = set()
        self._absent_units: set[str] = set()

    def preload(self, batch: Sequence[tuple[Command, Actor]]) -> None:
        """Load, in two queries, every incident and unit the batch names in its arguments.

        Rows are locked in id order, so two batches never wait on each other in a cycle.
        """
        incident_ids: set[str] = set()
        unit_ids: set[str] = set()
        for command, _ in batch:
            args = command.args if isinstance(command.args, Mapping) else {}
            for key, value in args.items():
                if not isinstance(value, str) or len(value) > 64:
                    continue
                if key == "unit" or (key == "id" and command.name.startswith("unit.")):
                    unit_ids.add(value)
                elif key in ("id", "into"):
                    incident_ids.add(value)
        if incident_ids:
            query = (select(s.incidents.c.doc).where(s.incidents.c.id.in_(incident_ids))
                     .order_by(s.incidents.c.id))
            for doc in self.conn.execute(query.with_for_update() if self.lock else query).scalars():
                self.incidents[doc["id"]] = Incident.from_dict(doc)
            self._absent_incidents = incident_ids - self.incidents.keys()
        if unit_ids:
            query = select(s.units).where(s.units.c.id.in_(unit_ids)).order_by(s.units.c.id)
            for row in self.conn.execute(query.with_for_update() if self.lock else query):
                self.units[row.id] = unit_from_row(row._mapping)
            self._absent_units = unit_ids - self.units.keys()

    def apply(self, event: Event) -> list[str]:
        concerned = super().apply(event)
        for incident_id in concerned:
            inc = self.incidents.get(incident_id)
            if inc is not None:
                marks = self.marks.get(incident_id, RecordMarks())
                self.marks[incident_id] = marks.after(inc, event, self.rules)
        return concerned

    def load_incident(self, incident_id: str) -> Incident | None:
        if incident_id in self._absent_incidents:
            return None
        query = select(s.incidents.c.doc).where(s.incidents.c.id == incident_id)
        doc = self.conn.execute(query.with_for_update() if self.lock else query).scalar()
        return Incident.from_dict(doc) if doc is not None else None

    def load_incident_by_shared_id(self, shared_id: str) -> Incident | None:
        incident_id = self.conn.execute(select(s.police_cases.c.incident_id).where(
            s.police_cases.c.shared_id == shared_id)).scalar()
        return self.incident(incident_id) if incident_id is not None else None

    def load_unit(self, unit_id: str) -> Unit | None:
        if unit_id in self._absent_units:
            return None
        query = select(s.units).where(s.units.c.id == unit_id)
        row = self.conn.execute(query.with_for_update() if self.lock else query).first()
        return unit_from_row(row._mapping) if row is not None else None

    def load_field_task(self, task_id: str) -> FieldTask | None:
        return load_task(self.conn, task_id, self.lock)

    def load_major(self, major_id: str) -> MajorIncident | None:
        query = select(s.major_incidents.c.doc).where(s.major_incidents.c.id == major_id)
        doc = self.conn.execute(query.with_for_update() if self.lock else query).scalar()
        return MajorIncident.from_dict(doc) if doc is not None else None

    def load_warning(self, warning_id: str) -> EarlyWarning | None:
        query = select(s.early_warnings.c.doc).where(s.early_warnings.c.id == warning_id)
        doc = self.conn.execute(query.with_for_update() if self.lock else query).scalar()
        return EarlyWarning.from_dict(doc) if doc is not None else None

    def next_number(self, prefix: str) -> int:
        """The next number after ``prefix`` (``MI-20261127-``, ``EW-20261127-``) from its row of
        ``id_counters``, row-locked to the commit like an incident's: concurrent writers wait
        for each other instead of taking the same number."""
        return int(self.conn.execute(self._counter, {"day": prefix.rstrip("-")}).scalar_one())


def unit_from_row(row: Any) -> Unit:
    return Unit.from_dict({**row, "status_since": row["status_since"].isoformat()})


def subject_of(event: Event) -> str:
    d = event.data
    return str(d.get("id") or d.get("unit") or "")


class Writer:
    """Runs commands through the domain into the log. Thread-safe; one instance per process."""

    def __init__(self, db: Database, rules: Rules, clock: Callable[[], datetime]) -> None:
        self.db = db
        self.rules = rules
        self.clock = clock
        self._lock_rows = db.dialect == "postgresql"
        self._insert = pg_insert if db.dialect == "postgresql" else sqlite_insert

    def execute(self, batch: Sequence[tuple[Command, Actor]]) -> tuple[list[Result],
                                                                      list[LoggedEvent]]:
        """Run a batch of commands in one transaction; return their results and new events.

        Nothing is returned before the commit. A deadlock or a lost race on a unique key rolls
        the whole batch back and runs it again. When the database refuses what one command
        would write (:func:`_refused_data`), the batch is split in halves, each run in its own
        transaction in order, until the command is alone: it is answered ``invalid`` and the
        others commit as if it had never been sent. A lost connection is raised as before.
        """
        try:
            return self._execute_retrying(batch)
        except (StatementError, DBAPIError) as error:
            if not _refused_data(error):
                raise
            if len(batch) == 1:
                command = batch[0][0]
                log.warning("command %s (%s) refused by the database: %s", command.id,
                            command.name, error.orig)
                return [Result(command.id, ok=False, error=_refused_error(error))], []
        half = len(batch) // 2
        first, first_logged = self.execute(batch[:half])  # raises: nothing was committed
        try:
            second, second_logged = self.execute(batch[half:])
        except Exception as error:  # the first half is committed: say so, and only of it
            log.error("write batch of %d failed after %d committed: %s", len(batch), half, error)
            second = [Result(c.id, ok=False, error=dict(UNAVAILABLE)) for c, _ in batch[half:]]
            second_logged = []
        return first + second, first_logged + second_logged

    def _execute_retrying(self, batch: Sequence[tuple[Command, Actor]]
                          ) -> tuple[list[Result], list[LoggedEvent]]:
        for attempt in range(RETRIES):
            try:
                return self._execute(batch)
            except (IntegrityError, OperationalError) as error:
                if attempt == RETRIES - 1 or not _retryable(error):
                    raise
                log.info("write batch retried after %s", type(error.orig).__name__)
                time.sleep(0.005 * (attempt + 1))
        raise AssertionError("unreachable")

    def _execute(self, batch: Sequence[tuple[Command, Actor]]) -> tuple[list[Result],
                                                                       list[LoggedEvent]]:
        results: list[Result | _Applied | _Repeat] = []
        applied: list[_Applied] = []
        first_of: dict[str, int] = {}
        with self.db.writer.begin() as conn:
            world = _Batch(conn, self._lock_rows, self._next_number, self.rules)
            world.preload(batch)
            priors = {row.id: row for row in conn.execute(
                select(s.commands.c.id, s.commands.c.result, s.commands.c.seq)
                .where(s.commands.c.id.in_({c.id for c, _ in batch})))}
            for command, actor in batch:
                if command.id in first_of:  # the same id twice in one batch: the first counts
                    results.append(_Repeat(first_of[command.id]))
                    continue
                first_of[command.id] = len(results)
                prior = priors.get(command.id)
                if prior is not None:
                    results.append(Result(command.id, True, prior.result, prior.seq,
                                          replayed=True))
                    continue
                now = self.clock()
                world.fix_hint = command.fix
                try:
                    events = decide(command.name, command.args, Context(self.rules, actor, now),
                                    world, expected_version=command.expected_version,
                                    new_incident_id=functools.partial(self._new_incident_id,
                                                                      conn, now))
                except Refused as refused:
                    results.append(Result(command.id, ok=False, error=refused.to_dict()))
                    continue
                concerned: list[list[str]] = []
                outbox: list[tuple[Event, str | None, dict[str, Any]]] = []
                tasks: list[tuple[Event, list[tuple[field_rules.Owed, Incident | None]]]] = []
                for event in events:
                    concerned.append(world.apply(event))
                    if "police_message" in event.data:  # built from the incident as it is now
                        outbox.append((event, *police.message(
                            world.incidents[event.data["id"]], event)))
                    if event.name in field_rules.CAUSES:
                        tasks.append((event, [
                            (o, world.incidents.get(o.incident) if o.incident else None)
                            for o in field_rules.owed(event, world.majors)]))
                applied.append(_Applied(command, actor, events, concerned,
                                        _result_data(events, world), outbox, tasks))
                results.append(applied[-1])
            logged = self._append(conn, world, applied)
        final: list[Result] = []
        for r in results:
            if isinstance(r, _Repeat):
                first = final[r.index]
                final.append(Result(first.command_id, first.ok, first.data, first.seq,
                                    first.error, replayed=True))
            elif isinstance(r, _Applied):
                final.append(Result(r.command.id, True, r.data, r.last_seq))
            else:
                final.append(r)
        return final, logged

    def _append(self, conn: Connection, world: _Batch, applied: list[_Applied]
                ) -> list[LoggedEvent]:
        count = sum(len(a.events) for a in applied)
        if count == 0:
            return []
        self._save_state(conn, world)
        # Last: take the log head (and its lock, held to commit) and number the events.
        head = conn.execute(update(s.log_head).where(s.log_head.c.id == 1)
                            .values(seq=s.log_head.c.seq + count)
                            .returning(s.log_head.c.seq)).scalar_one()
        seq = head - count
        logged: list[LoggedEvent] = []
        event_rows: list[dict[str, Any]] = []
        timeline_rows: list[dict[str, Any]] = []
        command_rows: list[dict[str, Any]] = []
        police_rows = PoliceRows()
        files: list[StoredFile] = []
        attached: list[tuple[Event, int]] = []
        field_rows = FieldRows()
        for a in applied:
            files.extend(a.command.files)
            for event, incident_ids in zip(a.events, a.concerned, strict=True):
                seq += 1
                logged.append(LoggedEvent(seq, event, a.command.id))
                attached.append((event, seq))
                event_rows.append({"seq": seq, "at": event.at, "name": event.name,
                                   "actor": event.actor, "subject": subject_of(event),
                                   "command_id": a.command.id, "data": dict(event.data)})
                timeline_rows.extend({"incident_id": i, "seq": seq} for i in incident_ids)
                police_rows.add(event, seq)
                field_rows.add(event)
                for owing, owed in a.tasks:
                    if owing is event:
                        field_rows.owe(event, owed, seq)
            for event, center, body in a.outbox:
                police_rows.owe(event, center, body, seq)
            a.last_seq = seq
            command_rows.append({"id": a.command.id, "name": a.command.name,
                                 "actor": a.actor.username, "at": a.events[-1].at, "seq": seq,
                                 "result": a.data})
        conn.execute(insert(s.events), event_rows)
        if timeline_rows:
            conn.execute(insert(s.incident_timeline), timeline_rows)
        conn.execute(insert(s.commands), command_rows)
        police_rows.write(conn)
        attachments.write(conn, self._insert, files, attached)
        field_rows.write(conn)
        if self.db.dialect == "postgresql":
            # Delivered at commit, to every hub on this database: "the log grew to seq N".
            # The payload is only a hint (it differs per commit, so PostgreSQL never merges
            # two); peers read the log itself, so a lost notification loses nothing.
            conn.execute(select(func.pg_notify(LOG_CHANNEL, str(seq))))
        return logged

    def _save_state(self, conn: Connection, world: _Batch) -> None:
        now_rules = self.rules
        incident_rows: list[dict[str, Any]] = []
        assignment_rows: list[dict[str, Any]] = []
        for incident_id in sorted(world.dirty_incidents):
            inc = world.incidents[incident_id]
            incident_rows.append(incident_row(inc, world.marks.get(incident_id, RecordMarks()),
                                              now_rules))
            assignment_rows.extend(
                {"id": a.id, "incident_id": inc.id, "unit_id": a.unit, "state": a.state.value,
                 "dispatched_at": a.dispatched_at, "updated_at": a.times[-1][1]}
                for a in inc.assignments
            )
        self._upsert(conn, s.incidents, incident_rows)
        self._upsert(conn, s.assignments, assignment_rows)
        unit_rows: list[dict[str, Any]] = []
        for unit_id in sorted(world.dirty_units):
            u = world.units[unit_id]
            unit_rows.append({"id": u.id, "name": u.name, "type": u.type.value, "tier": u.tier,
                              "status": u.status.value, "status_since": u.status_since,
                              "street": u.street, "community": u.community, "grid": u.grid,
                              "skills": list(u.skills), "assignment": u.assignment,
                              "version": u.version,
                              "sos": u.sos.to_dict() if u.sos else None})
        self._upsert(conn, s.units, unit_rows)
        self._save_majors_and_warnings(conn, world)

    def _save_majors_and_warnings(self, conn: Connection, world: _Batch) -> None:
        """New major incidents and warnings are inserted (a number taken twice would fail on
        the key rather than overwrite), changed ones upserted."""
        rows: dict[Any, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {
            s.major_incidents: ([], []), s.early_warnings: ([], [])}
        for major_id in sorted(world.dirty_majors):
            m = world.majors[major_id]
            rows[s.major_incidents][major_id in world.created].append({
                "id": m.id, "level": m.level.value, "active": m.active,
                "declared_at": m.declared_at, "stood_down_at": m.stood_down_at,
                "version": m.version, "doc": m.to_dict()})
        for warning_id in sorted(world.dirty_warnings):
            w = world.warnings[warning_id]
            rows[s.early_warnings][warning_id in world.created].append({
                "id": w.id, "category": w.category, "level": w.level, "area": w.area,
                "raised_at": w.raised_at, "acknowledged_at": w.acknowledged_at,
                "version": w.version, "doc": w.to_dict()})
        for table, (changed, new) in rows.items():
            if new:
                conn.execute(insert(table), new)
            self._upsert(conn, table, changed)

    def _upsert(self, conn: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
        if rows:
            conn.execute(self._upserts[table.name], rows)

    @functools.cached_property
    def _upserts(self) -> dict[str, Any]:
        """Insert-or-update by id for each current-state table, built once (building one costs
        more than running it)."""
        statements = {}
        for table in (s.incidents, s.assignments, s.units, s.major_incidents, s.early_warnings):
            insert_ = self._insert(table)
            # Positions are written by their own path; a state update never touches them.
            keep = {"id", "lat", "lon", "heading", "speed", "position_at"} \
                if table is s.units else {"id"}
            set_ = {c.name: insert_.excluded[c.name] for c in table.c if c.name not in keep}
            if table is s.incidents:
                set_.update(record_columns(insert_.excluded))
            statements[table.name] = insert_.on_conflict_do_update(index_elements=["id"],
                                                                   set_=set_)
        return statements

    def _new_incident_id(self, conn: Connection, now: datetime) -> str:
        day = now.astimezone(self.rules.calendar.tz).strftime("%Y%m%d")
        number = conn.execute(self._next_number, {"day": day}).scalar_one()
        return f"CH-{day}-{number:06d}"

    @functools.cached_property
    def _next_number(self) -> Any:
        """Take the next number of a day's counter (row-locked to the commit, like the head)."""
        return (self._insert(s.id_counters).values(day=bindparam("day"), last=1)
                .on_conflict_do_update(index_elements=["day"],
                                       set_={"last": s.id_counters.c.last + 1})
                .returning(s.id_counters.c.last))


def _result_data(events: list[Event], world: _Batch) -> dict[str, Any]:
    """What a successful command answers: the id and new version of what it changed, and the id
    of anything it created inside an incident (an assignment, an extension request)."""
    last = events[-1].data
    data: dict[str, Any] = {}
    if last.get("id") in world.incidents:
        data = {"id": last["id"], "version": world.incidents[last["id"]].version}
    elif last.get("id") in world.majors:
        data = {"id": last["id"], "version": world.majors[last["id"]].version}
    elif last.get("id") in world.warnings:
        data = {"id": last["id"], "version": world.warnings[last["id"]].version}
    elif last.get("unit") in world.units:
        data = {"id": last["unit"], "version": world.units[last["unit"]].version}
    for key in ("assignment", "request"):
        if key in last:
            data[key] = last[key]
    if "attachment" in last:  # DESIGN §5c: what the sender needs to know of its file
        data["attachment"] = {k: last["attachment"][k]
                              for k in ("id", "sha256", "size", "content_type")}
    return data


@dataclass
class _Applied:
    """A command the domain accepted in this batch, waiting for its seqs."""

    command: Command
    actor: Actor
    events: list[Event]
    concerned: list[list[str]]
    data: dict[str, Any]
    #: Messages to the police its events owe: (event, center, body).
    outbox: list[tuple[Event, str | None, dict[str, Any]]] = field(default_factory=list)
    #: Tasks its events owe field units: (event, [(task, its incident now)]).
    tasks: list[tuple[Event, list[tuple[field_rules.Owed, Incident | None]]]] = field(
        default_factory=list)
    last_seq: int | None = None


@dataclass(frozen=True)
class _Repeat:
    """A command id seen earlier in the same batch: answered like that first one."""

    index: int


def _refused_data(error: StatementError) -> bool:
    """Does ``error`` come from what a command would write, not from the database's state?

    PostgreSQL refuses a NUL in text or JSON (``DataError``); a value the driver cannot convert
    fails before it is sent (a ``StatementError`` with no database error behind it); a unique
    or other constraint still broken after every retry (``IntegrityError``) is the command's
    own. A lost connection, a deadlock past its retries or a full disk are not: those stay
    errors of the whole batch.
    """
    if isinstance(error, DataError | IntegrityError):
        return True
    return not isinstance(error, DBAPIError)


def _refused_error(error: StatementError) -> dict[str, Any]:
    """The ``invalid`` answer to a command whose data the database refused."""
    cause = type(error.orig).__name__ if error.orig is not None else type(error).__name__
    template = ("The database cannot store what this command holds ({cause}); nothing was "
                "changed. Check its text for unusual characters.")
    return {"code": "invalid", "message": template.format(cause=cause), "template": template,
            "params": {"cause": cause}}


def _retryable(error: DBAPIError) -> bool:
    """Deadlocks, serialization failures and unique-key races are worth another try."""
    if isinstance(error, IntegrityError):
        return True
    code = getattr(error.orig, "sqlstate", None)
    return code in ("40001", "40P01") or "database is locked" in str(error.orig)
