"""A command the database refuses fails alone: the rest of its batch commits, in order.

The domain refuses a NUL where text enters (tests/domain/test_text.py); these tests switch that
check off, as a value slipping past it would, to reach the write path's own defence.
"""

from __future__ import annotations

import pytest

from console.domain import text as characters
from console.store.store import Store
from tests.store.conftest import CONTROLLER, command, new_incident_args


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
