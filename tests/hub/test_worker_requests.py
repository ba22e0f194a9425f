"""The ``workers`` request over real sockets (console/hub/worker_requests.py): a duty leader
reads a worker's day (figures, track, checkpoints ticked) and an area's ranking; the read is on
the audit trail; a controller is refused with a template and nothing is recorded."""

from __future__ import annotations

from typing import Any

from tests.hub.conftest import Client, HubThread
from tests.hub.test_roster_checks import (  # noqa: F401 - the fixture
    IN_G000,
    at,
    device,
    north,
    roster_hub,
)
from tests.waiting import wait_until

DAY = "2026-12-07"  # NOW's day in Chengdu


def ask(client: Client, request_id: str, **fields: Any) -> dict[str, Any]:
    client.send({"type": "workers", "id": request_id, **fields})
    while True:
        message = client.recv(30)
        if request_id in (message.get("id"), message.get("ref")) and message["type"] in (
                "workers", "error"):
            return message


def test_a_duty_leader_reads_a_workers_day_and_a_communitys_ranking_on_record(
        roster_hub: HubThread) -> None:  # noqa: F811
    field = device(roster_hub.port, "G1")
    at(field, "G1", IN_G000)
    assert field.command("unit.clock_in", id="G1")["ok"]
    at(field, "G1", north(IN_G000, 30))
    assert field.command("unit.checkpoint", id="G1", checkpoint="cp.g000.1")["ok"]
    leader = Client(roster_hub.port)
    leader.login("leader")
    # The fixes reach the store at the hub's next flush.
    day = wait_until(lambda: (a := ask(leader, "q1", day=DAY, unit="G1"))["track"] and a,
                     timeout=30, what="the track stored")
    [row] = day["rows"]
    assert (row["unit"], row["checkpoints"], row["shifts"], row["late"]) == ("G1", 1, 1, 0)
    assert [cp["id"] for cp in day["checkpoints"] if cp["passed"]] == ["cp.g000.1"]
    assert day["track"][-1][:2] == list(north(IN_G000, 30))

    ranking = ask(leader, "q2", day=DAY, community="c00")
    assert ranking["rows"][0]["unit"] == "G1"  # the only one on duty
    assert {r["unit"] for r in ranking["rows"]} == {"G1", "G2", "G3"}
    month = ask(leader, "q3", month="2026-12", community="c00")
    assert {r["unit"] for r in month["rows"]} == {"G1", "G2", "G3"}
    reads = [r.entry for r in roster_hub.store.audit.rows(action="workers.read")]
    assert [(e.actor, e.detail) for e in reads][-2:] == [
        ("leader", {"day": DAY, "community": "c00"}), ("leader", {"month": "2026-12",
                                                                   "community": "c00"})]
    leader.close()
    field.close()


def test_a_controller_is_refused_with_a_template_and_bad_requests_get_bad_message(
        roster_hub: HubThread) -> None:  # noqa: F811
    ctl = Client(roster_hub.port)
    ctl.login("ctl")
    refused = ask(ctl, "r1", day=DAY, community="c00")
    assert (refused["type"], refused["code"]) == ("error", "forbidden")
    assert refused["template"].startswith("Only a duty leader or an administrator")
    assert roster_hub.store.audit.rows(action="workers.read") == []
    leader = Client(roster_hub.port)
    leader.login("leader")
    for bad in ({"day": "7 Dec"}, {}, {"day": DAY, "month": "2026-12"},
                {"month": "2026-12", "unit": "G1"}, {"month": "2026-12"},
                {"day": DAY, "colour": "red"}):
        answer = ask(leader, "b", **bad)
        assert (answer["type"], answer["code"]) == ("error", "bad_message"), bad
    assert ask(leader, "ok", day=DAY)["type"] == "workers"  # the connection is still up
    ctl.close()
    leader.close()
