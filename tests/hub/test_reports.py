"""The ``report`` request over a real socket to a real hub (SQLite and PostgreSQL): the month
of tests/store/reports_seed.py as the center and a department desk see it; bad requests
refused."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from console.comms.clock import Clock as HubClock
from console.domain.rules import Rules
from console.store.store import Store
from tests.hub.conftest import PASSWORD, Client, HubThread, add_users
from tests.store.conftest import Clock
from tests.store.reports_seed import CTL, NOVEMBER, Seeder, local, seed_november

NOW = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)
MONTH = {"from": NOVEMBER[0].isoformat(), "to": NOVEMBER[1].isoformat()}


@pytest.fixture
def hub(db_url: str, rules: Rules) -> Iterator[HubThread]:
    store = Store(db_url, rules, clock=Clock(NOW))
    try:
        ids = seed_november(store, store.clock)
        Seeder(store, store.clock).run(local(11, 13, 16), CTL, "incident.note", id=ids["E5"],
                                       text="来电人 13812345678 再次催办")
    finally:
        store.close()
    thread = HubThread(db_url, rules, clock=HubClock(1, origin=NOW, real=lambda: 0.0))
    add_users(thread.store)
    thread.store.accounts.create_user("admin", PASSWORD, ["admin"], now=datetime.now(UTC))
    yield thread.start()
    thread.stop()


def report(client: Client, request_id: str, **fields: Any) -> dict[str, Any]:
    expect_error = fields.pop("expect_error", False)
    client.send({"type": "report", "id": request_id, **fields})
    while True:
        answer = client.until("error" if expect_error else "report")
        if answer.get("id") == request_id or answer.get("ref") == request_id:
            return answer


def test_the_center_sees_every_department_and_a_desk_its_own_row(hub: HubThread) -> None:
    leader = Client(hub.port)
    leader.login("leader")
    answer = report(leader, "r1", kind="departments", **MONTH)
    assert (answer["kind"], answer["from"], answer["to"]) == (
        "departments", MONTH["from"], MONTH["to"])
    rows = {r["code"]: r for r in answer["report"]["departments"]}
    assert set(rows) == {"environment", "urban_mgmt"}
    env = rows["environment"]
    assert (env["received"], env["signed_on_time"], env["returned"], env["resolved"],
            env["resolved_on_time"], env["visited"], env["satisfied"],
            env["basically_satisfied"], env["dissatisfied"]) == (5, 2, 1, 4, 3, 3, 2, 1, 0)
    assert (env["score"], env["rank"]) == (73.25, 1)
    assert answer["report"]["streets"]
    desk = Client(hub.port)
    desk.login("desk-env")
    own = report(desk, "r2", kind="departments", **MONTH)["report"]
    assert own["departments"] == [env]
    assert own["streets"] == []
    refused = report(desk, "r3", kind="handover", expect_error=True, **MONTH)
    assert (refused["code"], refused["template"]) == (
        "forbidden", "Your role does not see this report.")
    leader.close()
    desk.close()


def test_statistics_and_the_handover_for_a_controller(hub: HubThread) -> None:
    ctl = Client(hub.port)
    ctl.login("ctl")
    stats = report(ctl, "s1", kind="statistics", **MONTH)["report"]
    assert (stats["received"], stats["resolved"], stats["returned"], stats["reopened"]) == (
        5, 6, 1, 1)
    assert stats["stages"]["sign"] == {"on_time": 4, "late": 2}
    shift = {"from": local(11, 13, 8).isoformat(), "to": local(11, 13, 20).isoformat()}
    handover = report(ctl, "h1", kind="handover", **shift)["report"]
    assert handover["open"] == 5
    assert [c["overdue"] for c in handover["supervised"]] == [["sign"]]
    assert [n["text"] for n in handover["notes"]] == ["来电人 13812345678 再次催办"]
    ctl.close()
    # The admin sees no personal data: the number in the note is masked, as in its feed.
    admin = Client(hub.port)
    admin.login("admin")
    masked = report(admin, "h2", kind="handover", **shift)["report"]
    assert [n["text"] for n in masked["notes"]] == ["来电人 138****5678 再次催办"]
    admin.close()


def test_reports_asked_at_once_are_all_answered_in_turn(hub: HubThread) -> None:
    leader, ctl = Client(hub.port), Client(hub.port)
    leader.login("leader")
    ctl.login("ctl")
    for n in range(3):
        leader.send({"type": "report", "id": f"l{n}", "kind": "departments", **MONTH})
        ctl.send({"type": "report", "id": f"c{n}", "kind": "statistics", **MONTH})
    assert sorted(leader.until("report")["id"] for _ in range(3)) == ["l0", "l1", "l2"]
    assert sorted(ctl.until("report")["id"] for _ in range(3)) == ["c0", "c1", "c2"]
    leader.close()
    ctl.close()


@pytest.mark.parametrize(("fields", "message"), [
    ({"kind": "weekly", **MONTH}, "'kind' in report must be one of"),
    ({"kind": "statistics", "from": MONTH["to"], "to": MONTH["from"]}, "later than 'from'"),
    ({"kind": "statistics", "from": "2026-11-01", "to": MONTH["to"]}, "UTC offset"),
    ({"kind": "statistics", "from": (NOVEMBER[0] - timedelta(days=500)).isoformat(),
      "to": MONTH["to"]}, "at most 400 days"),
])
def test_a_bad_request_is_refused(hub: HubThread, fields: dict[str, Any], message: str) -> None:
    ctl = Client(hub.port)
    ctl.login("ctl")
    refused = report(ctl, "bad", expect_error=True, **fields)
    assert refused["code"] == "bad_message" and message in refused["message"]
    assert report(ctl, "good", kind="statistics", **MONTH)["report"]["received"] == 5
    ctl.close()
