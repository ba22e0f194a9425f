"""PostgreSQL failover: the primary killed mid-stream, its synchronous replica promoted, the hub
finding it by itself (libpq's several hosts) and no acknowledged command missing (docs/security.md,
"Drills"). Each test makes its own two clusters on free ports and drops them after."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from console.domain.rules import Rules
from console.store.db import libpq_conninfo, normalise_url
from console.store.store import Store
from tests import pgcluster
from tests.drills import Drill, failover, verify
from tests.faultproxy import FaultProxy
from tests.hub.conftest import HubThread, add_users
from tests.waiting import wait_until


def test_a_url_naming_several_servers_becomes_libpq_hosts_and_ports() -> None:
    url = ("postgresql://postgres:s%40cret@/linkage?host=10.0.0.1:5432&host=10.0.0.2:5433"
           "&target_session_attrs=read-write")
    words = set(libpq_conninfo(url).split())
    assert {"host=10.0.0.1,10.0.0.2", "port=5432,5433", "dbname=linkage", "user=postgres",
            "password=s@cret", "target_session_attrs=read-write"} <= words
    assert set(libpq_conninfo("postgresql://u@db:6000/x").split()) == {
        "host=db", "port=6000", "dbname=x", "user=u"}


def test_the_hub_listens_through_a_url_naming_several_servers(pg_db_url: str,
                                                              rules: Rules) -> None:
    """The first server is down: the store's pool and the hub's LISTEN both go to the second
    (before, the LISTEN connection was made from the URL as SQLAlchemy writes it, which libpq
    cannot read, and the hub heard no other hub's commits but by its one-second timer)."""
    pg = create_engine(normalise_url(pg_db_url)).url
    dead = pgcluster.free_port()
    url = (f"postgresql://{pg.username}@/{pg.database}?host=127.0.0.1:{dead}"
           f"&host={pg.host}:{pg.port or 5432}&target_session_attrs=read-write")
    store = Store(url, rules)
    add_users(store)
    store.close()
    hub = HubThread(url, rules, position_process=False).start()
    watcher = create_engine(normalise_url(pg_db_url))
    try:
        def listening() -> int:
            with watcher.connect() as conn:
                return int(conn.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND query = 'LISTEN linkage_log'")).scalar_one())

        wait_until(listening, 10, "the hub's LISTEN connection")
    finally:
        hub.stop()
        watcher.dispose()


def test_the_hub_moves_to_the_second_server_when_the_first_dies_mid_stream(
        pg_db_url: str, rules: Rules) -> None:
    """The quick version of the failover below: both "servers" are proxies to one database, and
    the first is reset and stays down while the clients work. No replica, so nothing about
    replication is shown here — only that the hub leaves a dead server for the next by itself,
    in-flight commits included, with nothing acknowledged lost or doubled."""
    pg = make_url(normalise_url(pg_db_url))
    first, second = (FaultProxy(pg.host or "127.0.0.1", pg.port or 5432, name=name).start()
                     for name in ("first", "second"))
    url = (f"postgresql://{pg.username}@/{pg.database}?host=127.0.0.1:{first.port}"
           f"&host=127.0.0.1:{second.port}&target_session_attrs=read-write")
    store = Store(url, rules)
    add_users(store)
    store.close()
    hub = HubThread(url, rules, position_process=False).start()
    drill = Drill(hub.port, rules, consoles=1)
    try:
        drill.start()
        assert second.accepted == 0
        first.reset()  # and never healed
        drill.wait_acked_after(time.monotonic(), 30)
        drill.wait_acked_after(drill.ledgers[0].last_ack(), 30)
        assert second.accepted > 0
    finally:
        drill.stop()
        hub.stop()
        first.stop()
        second.stop()
    verdict = verify(pg_db_url, drill.ledgers)
    assert (verdict.lost, verdict.doubled, verdict.reordered, verdict.refused,
            verdict.out_of_step) == ([], [], [], [], [])
    assert verdict.acknowledged > 0


@pytest.mark.slow  # two clusters made and dropped: some 30 s on a loaded machine
@pytest.mark.skipif(not pgcluster.available(), reason="needs pg_createcluster and root")
def test_a_failover_to_the_synchronous_replica_loses_no_acknowledged_command(
        rules: Rules) -> None:
    with pgcluster.ReplicatedPair() as pair:
        store = Store(pair.url, rules)
        add_users(store)
        store.close()
        hub = HubThread(pair.url, rules, position_process=False).start()
        drill = Drill(hub.port, rules)
        try:
            drill.start()
            took = failover(drill, pair)
            before = sum(len(ledger.acked) for ledger in drill.ledgers)
            drill.wait_acked_after(drill.ledgers[0].last_ack(), 30)  # and on it goes
        finally:
            drill.stop()
            hub.stop()
        verdict = verify(pair.url_of("replica"), drill.ledgers)
        assert verdict.lost == []
        assert verdict.doubled == []
        assert verdict.reordered == []
        assert verdict.refused == []
        assert verdict.out_of_step == []
        assert verdict.acknowledged > before > 0
        print(took)
