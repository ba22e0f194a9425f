"""A command the database refuses fails alone: the rest of its batch commits, in order.

The domain refuses a NUL where text enters (tests/domain/test_text.py); these tests switch that
check off, as a value slipping past it would, to reach the write path's own defence.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from console.domain import text as characters
from console.domain.rules import Rules
from console.store.store import Store
from tests.store.conftest import CONTROLLER, Clock, command, new_incident_args


@pytest.fixture
def unchecked_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let any character past the domain's argument check."""
    monkeypatch.setattr(characters, "problem", lambda value, *, multiline=False: None)


def test_a_value_postgresql_cannot_store_fails_its_command_alone(
        store: Store, unchecked_text: None) -> None:
    batch = [(command("incident.create", **new_incident_args(description=f"第 {i} 件")),
              CONTROLLER) for i in range(9)]
    batch[5] = (command("incident.create", **new_incident_args(description="噪声\x00扰民")),
                CONTROLLER)
    bad = batch[5][0]

    results, logged = store.execute_batch(batch)

    by_id = {r.command_id: r for r in results}
    assert [r.command_id for r in results] == [c.id for c, _ in batch]
    if store.db.dialect == "postgresql":  # SQLite stores the NUL; PostgreSQL cannot
        refused = by_id[bad.id]
        assert not refused.ok and refused.error is not None
        assert refused.error["code"] == "invalid"
        assert refused.error["template"] and "cause" in refused.error["params"]
        accepted = [r for r in results if r.command_id != bad.id]
    else:
        accepted = results
    assert all(r.ok for r in accepted)
    # Gap-free and in the order sent: the log holds exactly the accepted commands' events.
    assert [r.seq for r in accepted] == list(range(1, len(accepted) + 1))
    assert [e.seq for e in logged] == list(range(1, len(accepted) + 1))
    assert [e.command_id for e in store.events_after(0)] == [r.command_id for r in accepted]
    assert store.last_seq() == len(accepted)


def test_the_refused_command_is_refused_again_and_the_others_replay(
        store: Store, unchecked_text: None) -> None:
    good = command("incident.create", **new_incident_args())
    bad = command("incident.create", **new_incident_args(
        location={"lat": 30.6675, "lon": 104.1075, "address": "建设路\x00 1 号"}))
    first, _ = store.execute_batch([(good, CONTROLLER), (bad, CONTROLLER)])
    again, logged = store.execute_batch([(bad, CONTROLLER), (good, CONTROLLER)])
    assert again[1].ok and again[1].replayed and again[1].seq == first[0].seq
    assert again[0].ok is first[1].ok
    if store.db.dialect == "postgresql":
        assert not again[0].ok and logged == []


def test_a_database_gone_is_an_outage_of_the_whole_batch_not_a_bad_command(
        pg_url: str, rules: Rules, clock: Clock) -> None:
    # A database of its own, dropped under the store: every connection fails, and the write
    # path must say so (the hub answers every command `unavailable`), not blame a command.
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    name = f"linkage_gone_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    store = Store(make_url(pg_url).set(database=name).render_as_string(hide_password=False),
                  rules, clock=clock)
    try:
        assert store.execute(command("incident.create", **new_incident_args()), CONTROLLER).ok
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        batch = [(command("incident.create", **new_incident_args()), CONTROLLER)
                 for _ in range(3)]
        with pytest.raises(OperationalError):
            store.execute_batch(batch)
    finally:
        store.close()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
