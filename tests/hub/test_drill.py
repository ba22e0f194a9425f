"""The short drill: every fault on every path between clients, hub and PostgreSQL, and nothing
acknowledged lost, doubled or reordered (the long one is benchmarks/drill.py; docs/security.md,
"Drills")."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url

from console.domain.rules import Rules
from console.store.store import Store
from tests.drills import Drill, through, verify
from tests.faultproxy import FAULTS, FaultProxy
from tests.hub.conftest import HubThread, add_users


@pytest.fixture
def drill(db_url: str, rules: Rules) -> Iterator[Drill]:
    store = Store(db_url, rules)
    add_users(store)
    store.close()
    hub_url, db_proxy = db_url, None
    if make_url(db_url).get_backend_name() == "postgresql":
        target = make_url(db_url)
        db_proxy = FaultProxy(target.host or "127.0.0.1", target.port or 5432,
                              name="database").start()
        hub_url = through(db_url, db_proxy.port)
    hub = HubThread(hub_url, rules, position_process=False).start()
    drill = Drill(hub.port, rules, db_proxy=db_proxy)
    try:
        drill.start()
        yield drill
    finally:
        drill.stop()
        hub.stop()
        if db_proxy is not None:
            db_proxy.stop()


def test_every_fault_on_every_path_loses_doubles_and_reorders_nothing(drill: Drill,
                                                                      db_url: str) -> None:
    paths = list(drill.proxies)
    drill.run(len(FAULTS) * len(paths))
    assert {(c.path, c.fault) for c in drill.cycles} == {(p, f) for p in paths for f in FAULTS}
    drill.stop()
    verdict = verify(db_url, drill.ledgers)
    assert verdict.lost == []
    assert verdict.doubled == []
    assert verdict.reordered == []
    assert verdict.refused == []
    assert verdict.out_of_step == []  # every console saw every event once, in order
    # Every client kept working through it all.
    assert all(len(ledger.acked) > len(drill.cycles) for ledger in drill.ledgers)
    print({f"{c.path}/{c.fault}": round(c.recovery_s, 2) for c in drill.cycles})
