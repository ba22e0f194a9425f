"""The record's columns (console/domain/record.py, migration 0010) as the write path keeps them,
and as the migration fills them for rows written before it: the same values, on both databases."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from alembic import command
from sqlalchemy import select, update

from console.domain.model import Actor, Role
from console.domain.rules import Rules
from console.store import schema as s
from console.store.db import alembic_config, migrate, open_database
from console.store.store import Store
from console.store.writer import Command
from tests.store.conftest import Clock, new_incident_args

START = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)  # a Monday
CENTER = Actor("ctl", frozenset({Role.CONTROLLER}))
LEADER = Actor("leader", frozenset({Role.DUTY_LEADER}))
DESK = Actor("desk", frozenset({Role.DEPARTMENT}), department="environment")
COLUMNS = ("reporter_phone", "state", "closed_at", "satisfaction", "supervised",
           "ever_supervised", "ever_overdue")


def run(store: Store, clock: Clock, actor: Actor, name: str, **args: Any) -> str:
    result = store.execute(Command(str(uuid.uuid4()), name, args), actor)
    assert result.ok, result.error
    clock.advance(minutes=1)
    return str(result.data["id"])


def handle(store: Store, clock: Clock, incident: str, *verdicts: bool) -> None:
    run(store, clock, CENTER, "incident.accept", id=incident)
    run(store, clock, CENTER, "incident.assign", id=incident, department="environment")
    run(store, clock, DESK, "incident.sign", id=incident)
    for satisfied in verdicts:
        run(store, clock, DESK, "incident.resolve", id=incident, result="已处理")
        run(store, clock, CENTER, "incident.verify", id=incident, method="callback",
            satisfied=satisfied, **({} if satisfied else {"note": "未解决"}))


def columns(url: str) -> dict[str, tuple[Any, ...]]:
    db = open_database(url)
    try:
        with db.reader.connect() as conn:
            rows = conn.execute(select(s.incidents.c.id, *(s.incidents.c[c] for c in COLUMNS)))
            return {row[0]: tuple(row[1:]) for row in rows}
    finally:
        db.dispose()


def test_the_write_path_keeps_the_marks_and_the_migration_fills_the_same(
        db_url: str, rules: Rules) -> None:
    clock = Clock(START)
    store = Store(db_url, rules, clock=clock)
    try:
        closed = run(store, clock, CENTER, "incident.create", **new_incident_args())
        handle(store, clock, closed, False, True)
        closed_at = clock()
        run(store, clock, CENTER, "incident.close", id=closed)
        late = run(store, clock, CENTER, "incident.create", **new_incident_args())
        clock.advance(hours=6)  # its accept clock runs out
        run(store, clock, LEADER, "incident.supervise", id=late, note="超时")
        handle(store, clock, late, True)
        run(store, clock, CENTER, "incident.close", id=late)
        run(store, clock, CENTER, "incident.reopen", id=late, reason="再次来电")
        unhappy = run(store, clock, CENTER, "incident.create", **new_incident_args())
        handle(store, clock, unhappy, False)
        fresh = run(store, clock, CENTER, "incident.create", **new_incident_args(
            reporter={"name": "王女士", "phone": "137-0000-0007"}))
    finally:
        store.close()
    written = columns(db_url)
    phone = "13800000001"
    assert written[closed] == (phone, "closed", closed_at, "satisfied", False, False, False)
    assert written[late] == (phone, "accepted", None, "satisfied", False, True, True)
    assert written[unhappy] == (phone, "in_progress", None, "dissatisfied", False, False, False)
    # The caller index holds the digits alone, however the number was typed.
    assert written[fresh] == ("13700000007", "new", None, None, False, False, False)

    db = open_database(db_url)
    try:
        with db.writer.begin() as conn:
            config = alembic_config(db_url)
            config.attributes["connection"] = conn
            command.downgrade(config, "0009")
            # As the write path before 0010 kept it: the phone as typed.
            conn.execute(update(s.incidents).where(s.incidents.c.id == fresh)
                         .values(reporter_phone="137-0000-0007"))
        migrate(db)
    finally:
        db.dispose()
    assert columns(db_url) == written
