"""The narrow door the demo's seeding writes through: what it needs of a store, and no more.

The simulator plays the district over the wire and never imports the store; only seeding a new
demo database — its accounts, units, cameras (:func:`console.sim.demo.seed_store`) and the hours
before it opened (:func:`console.sim.history.seed_history`) — writes to one directly. It does so
through a :class:`Ledger`, handed in by the command line, which adapts the store to it
(:class:`console.cli.ledger.StoreLedger`). Everything crossing the door is plain data or a domain
type.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from console.domain.incident import Incident
from console.domain.model import Actor
from console.domain.rules import Rules

__all__ = ["Account", "Entry", "Fix", "Ledger", "Outcome"]


@dataclass(frozen=True)
class Account:
    """A demo account: who it is, what for (printed at start and listed in the README)."""

    username: str
    roles: tuple[str, ...]
    display_name: str
    purpose: str
    department: str | None = None
    unit: str | None = None

#: A position fix: unit id, lat, lon, heading, speed, time.
Fix = tuple[str, float, float, float, float, datetime]


@dataclass(frozen=True)
class Entry:
    """A command to write as ``actor`` gives it; a repeated ``id`` is applied once."""

    id: str
    name: str
    args: dict[str, Any]
    actor: Actor


class Outcome(Protocol):
    """What a command came to: ``ok`` with ``data``, or an ``error`` (``code``, ``message``)."""

    @property
    def ok(self) -> bool: ...

    @property
    def data(self) -> dict[str, Any]: ...

    @property
    def error(self) -> dict[str, Any] | None: ...


class Ledger(Protocol):
    """A store as the demo's seeding sees it."""

    @property
    def rules(self) -> Rules: ...

    def add_users(self, accounts: Sequence[Account], password: str, *, now: datetime) -> int:
        """Create the accounts that do not exist yet, all with one password; returns how many
        were created (an existing account is kept as it is)."""
        ...

    def unit_ids(self) -> set[str]:
        """The ids of the units registered so far."""
        ...

    def execute(self, entries: Sequence[Entry], *, at: datetime | None = None,
                ) -> list[Outcome]:
        """Write the commands in one transaction; their outcomes, in order.

        Args:
            at: the world time the commands happen at (a history written after the fact); None
                for the store's own clock.
        """
        ...

    def add_positions(self, fixes: Sequence[Fix]) -> int:
        """Store position fixes; returns how many were stored."""
        ...

    def put_cameras(self, cameras: Sequence[dict[str, Any]]) -> int:
        """Put the district's cameras (with their ``stream_url``); returns how many."""
        ...

    def put_checkpoints(self, checkpoints: Sequence[dict[str, Any]]) -> int:
        """Put the district's patrol checkpoints; returns how many."""
        ...

    def incident(self, incident_id: str) -> Incident | None:
        """An incident as the store holds it now."""
        ...
