"""The store as the demo's seeding sees it: :class:`console.sim.ledger.Ledger` over a Store.

The simulator may not import the store, nor the store the simulator; the command line, which
starts both, is where the two meet. :class:`StoreLedger` writes the demo district and its
history through the store's one write path.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from console.domain.incident import Incident
from console.domain.rules import Rules
from console.sim.ledger import Account, Entry, Fix, Outcome
from console.store.accounts import AccountError, hash_password
from console.store.store import Store
from console.store.writer import Command

__all__ = ["StoreLedger"]


class StoreLedger:
    """A :class:`~console.sim.ledger.Ledger` over ``store``.

    Args:
        store: the store written to.
        clock_at: the time ``store``'s clock reads, which :meth:`execute` sets to its ``at``;
            None when the store keeps its own clock (then ``at`` must be None).
            :meth:`backdated` makes such a store.
    """

    def __init__(self, store: Store, clock_at: list[datetime] | None = None) -> None:
        self.store = store
        self._clock_at = clock_at

    @classmethod
    @contextlib.contextmanager
    def backdated(cls, url: str, rules: Rules, *, now: datetime) -> Iterator[StoreLedger]:
        """A ledger over a store of its own on ``url`` whose clock stands at each write's time
        (``now`` until the first): for a history written after the fact."""
        clock_at = [now]
        store = Store(url, rules, clock=lambda: clock_at[0])
        try:
            yield cls(store, clock_at)
        finally:
            store.close()

    @property
    def rules(self) -> Rules:
        return self.store.rules

    def add_users(self, accounts: Sequence[Account], password: str, *, now: datetime) -> int:
        hashed = hash_password(password)  # one hash for all: they share the password
        added = 0
        for account in accounts:
            with contextlib.suppress(AccountError):  # made by an earlier run
                self.store.accounts.create_user(
                    account.username, hashed, account.roles, now=now,
                    display_name=account.display_name, department=account.department,
                    unit=account.unit)
                added += 1
        return added

    def unit_ids(self) -> set[str]:
        return {str(u["id"]) for u in self.store.units()}

    def execute(self, entries: Sequence[Entry], *, at: datetime | None = None,
                ) -> list[Outcome]:
        if at is not None:
            if self._clock_at is None:
                raise ValueError("this ledger writes at its store's own time")
            self._clock_at[0] = at
        results, _ = self.store.execute_batch(
            [(Command(e.id, e.name, e.args), e.actor) for e in entries])
        return list(results)

    def add_positions(self, fixes: Sequence[Fix]) -> int:
        return self.store.positions.append(fixes)

    def put_cameras(self, cameras: Sequence[dict[str, Any]]) -> int:
        return self.store.put_cameras(cameras)

    def put_checkpoints(self, checkpoints: Sequence[dict[str, Any]]) -> int:
        return self.store.put_checkpoints(checkpoints)

    def incident(self, incident_id: str) -> Incident | None:
        return self.store.incident(incident_id)
