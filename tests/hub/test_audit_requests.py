"""The ``audit`` request over a real socket to a real hub (SQLite and PostgreSQL): pages for an
administrator, the chain verified by the hub, and a refusal with a template for anyone else."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import update

from console.domain.rules import Rules
from console.store import schema as s
from tests.hub.conftest import PASSWORD, Client, HubThread, add_users


@pytest.fixture
def hub(db_url: str, rules: Rules) -> Iterator[HubThread]:
    thread = HubThread(db_url, rules)
    add_users(thread.store)
    thread.store.accounts.create_user("root", PASSWORD, ["admin"], now=datetime.now(UTC))
    thread.start()
    yield thread
    thread.stop()


def ask(client: Client, request_id: str, **fields: Any) -> dict[str, Any]:
    client.send({"type": "audit", "id": request_id, **fields})
    while True:
        answer = client.until("audit")
        if answer["id"] == request_id:
            return answer


def test_an_admin_reads_the_trail_in_pages_and_the_reading_is_on_record(hub: HubThread) -> None:
    for name in ("ctl", "viewer", "leader"):
        client = Client(hub.port)
        client.hello(name)
        client.close()
    admin = Client(hub.port)
    admin.login("root")
    first = ask(admin, "q1", filters={"action": "login.ok"}, limit=2)
    assert [(r["actor"], r["action"], r["client"]) for r in first["rows"]] == [
        ("root", "login.ok", "tests"), ("leader", "login.ok", "tests")]
    assert first["rows"][0]["address"] == "127.0.0.1"
    second = ask(admin, "q2", filters={"action": "login.ok"}, limit=2, before=first["next"])
    assert [r["actor"] for r in second["rows"]] == ["viewer", "ctl"]
    assert second["next"] is None  # the trail's first row: nothing before it
    mine = ask(admin, "q4", filters={"user": "root", "action": "audit."})
    # One reading per query: the first page's, not its further pages'.
    assert [(r["action"], r["detail"]) for r in mine["rows"]] == [
        ("audit.read", {"filters": {"user": "root", "action": "audit."}}),
        ("audit.read", {"filters": {"action": "login.ok"}})]
    verified = ask(admin, "v1", verify=True)["verified"]
    assert verified["broken_at"] is None and verified["rows"] == 6
    assert verified["head"] == hub.store.audit.rows()[5].hash
    with hub.store.db.writer.begin() as conn:  # someone rewrites who logged in
        conn.execute(update(s.audit).where(s.audit.c.seq == 2).values(actor="nobody"))
    broken = ask(admin, "v2", verify=True)["verified"]
    assert (broken["broken_at"], broken["template"], broken["params"]) == (
        2, "its contents do not match its hash", {})
    admin.close()


def test_anyone_but_an_admin_is_refused_and_stays_connected(hub: HubThread) -> None:
    for name in ("ctl", "leader"):
        client = Client(hub.port)
        client.login(name)
        client.send({"type": "audit", "id": "q1", "filters": {"user": "root"}})
        refused = client.until("error")
        assert (refused["code"], refused["ref"]) == ("forbidden", "q1")
        assert refused["template"] == "Only an administrator may read the audit trail."
        assert refused["params"] == {}
        client.send({"type": "ping", "id": "still-here"})
        assert client.until("pong")["id"] == "still-here"
        client.close()
    assert hub.store.audit.rows(action="audit.") == []
    client = Client(hub.port)
    client.login("root")
    client.send({"type": "audit", "id": "q2", "limit": 0})
    bad = client.until("error")
    assert (bad["code"], bad["message"]) == (
        "bad_message", "'limit' in audit must be a whole number from 1 to 1000.")
    client.close()
