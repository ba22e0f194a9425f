"""Input that cannot poison a batch, over real sockets to a real hub (SQLite and PostgreSQL).

A NUL or another control character fails its own command only, whether the domain refuses it
where it enters or it slips past to the database; a police message is never bounced for one;
a point far from the district is refused from a console and flagged from the police.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from console.domain import text as characters
from tests.hub.conftest import Client, HubThread, incident_args
from tests.hub.test_police import CASE, answer, console, event_named, police

COUNT = 51
BAD = 25


def send_queued(client: Client, bad_description: str) -> tuple[list[str], dict[str, Any]]:
    """Send ``COUNT`` creates without waiting, the ``BAD``-th with ``bad_description``; their
    ids in the order sent and every result by id."""
    ids = [str(uuid.uuid4()) for _ in range(COUNT)]
    for i, command_id in enumerate(ids):
        description = bad_description if i == BAD else f"第 {i} 件"
        client.send({"type": "command", "id": command_id, "name": "incident.create",
                     "args": incident_args(description=description)})
    results: dict[str, Any] = {}
    while len(results) < COUNT:
        reply = client.until("result")
        results[reply["id"]] = reply
    return ids, results


def assert_only_the_bad_one_failed(hub: HubThread, ids: list[str],
                                   results: dict[str, Any]) -> None:
    bad = results[ids[BAD]]
    assert not bad["ok"] and bad["error"]["code"] == "invalid", bad
    assert bad["error"]["template"] and isinstance(bad["error"]["params"], dict)
    good = [command_id for command_id in ids if command_id != ids[BAD]]
    assert all(results[command_id]["ok"] for command_id in good)
    # In the log in the order sent, and numbered without a gap.
    seqs = [results[command_id]["seq"] for command_id in good]
    assert seqs == sorted(seqs) and seqs == list(range(seqs[0], seqs[0] + len(good)))
    logged = [e for e in hub.store.events_after(0, limit=10_000) if e.command_id in set(good)]
    assert [e.command_id for e in logged] == good


def test_a_nul_in_one_of_many_queued_commands_fails_that_one_only(hub: HubThread) -> None:
    ctl = console(hub)
    ids, results = send_queued(ctl, "噪声\x00扰民")
    ctl.close()
    assert_only_the_bad_one_failed(hub, ids, results)
    error = results[ids[BAD]]["error"]
    assert error["params"] == {"field": "description", "character": "U+0000"}


def test_other_controls_and_bidi_overrides_are_refused_too(hub: HubThread) -> None:
    ctl = console(hub)
    for text in ["噪声\x1b[2J扰民", "噪声\x85扰民", "复核 \u202eCH-123"]:
        result = ctl.command("incident.create", **incident_args(description=text))
        assert not result["ok"] and result["error"]["code"] == "invalid"
        assert result["error"]["params"]["field"] == "description"
    # Free text keeps its lines and tabs; a single-line field does not.
    assert ctl.command("incident.create", **incident_args(description="第一行\n\t第二行"))["ok"]
    refused = ctl.command("incident.create", **incident_args(
        reporter={"name": "张\n先生", "phone": "13800000001"}))
    assert refused["error"]["params"] == {"field": "name", "character": "U+000A"}


def test_a_value_past_the_domain_check_still_fails_alone(
        hub: HubThread, monkeypatch: pytest.MonkeyPatch) -> None:
    # As if the domain's check had a hole: the write path must still isolate the command.
    monkeypatch.setattr(characters, "problem", lambda value, *, multiline=False: None)
    ctl = console(hub)
    ids, results = send_queued(ctl, "噪声\x00扰民")
    ctl.close()
    if hub.store.db.dialect == "postgresql":
        assert_only_the_bad_one_failed(hub, ids, results)
        assert results[ids[BAD]]["error"]["params"]["cause"]
    else:  # SQLite stores a NUL: nothing to refuse
        assert all(r["ok"] for r in results.values())
    # The hub is healthy after it: another console's create goes through.
    assert console(hub).command("incident.create", **incident_args())["ok"]


def test_a_diversion_with_a_nul_in_its_summary_becomes_an_incident(hub: HubThread) -> None:
    liaison = console(hub, "liaison")
    center = police(hub)
    message = f"110-{uuid.uuid4()}"
    center.send({"type": "incident", "id": message, "case": {
        **CASE, "shared_id": str(uuid.uuid4()), "summary": "楼上\x00住户\u202e深夜\r\n噪声",
        "location": {**CASE["location"], "address": "建设路\t1 号\x00"},
        "remarks": ["非警务\x07类"]}})
    ack = answer(center, message)
    assert ack["type"] == "ack", ack
    created = event_named(liaison, "incident.created")["data"]
    assert created["id"] == ack["incident"]
    assert created["description"] == "楼上住户深夜\n噪声"
    assert created["location"]["address"] == "建设路 1 号"
    assert created["police"]["remarks"] == ["非警务类"]


def test_a_create_far_from_the_district_is_refused_one_just_over_is_not(
        hub: HubThread) -> None:
    ctl = console(hub)
    for lat, lon in [(0, 0), (31.2, 104.1075), (30.6675, 121.47)]:
        result = ctl.command("incident.create", **incident_args(
            location={"lat": lat, "lon": lon, "address": "建设路 1 号"}))
        assert not result["ok"] and result["error"]["code"] == "invalid"
        assert result["error"]["template"]
        assert result["error"]["params"] == {"lat": lat, "lon": lon}
    # About 2 km north of the district's edge (30.67 N): a real call from next door.
    result = ctl.command("incident.create", **incident_args(
        location={"lat": 30.69, "lon": 104.1, "address": "北边"}))
    assert result["ok"], result
    stored = hub.store.incident(result["data"]["id"])
    assert stored is not None and not stored.location.outside_district


def test_a_diversion_far_outside_is_accepted_and_flagged(hub: HubThread) -> None:
    liaison = console(hub, "liaison")
    center = police(hub)
    message = f"110-{uuid.uuid4()}"
    center.send({"type": "incident", "id": message, "case": {
        **CASE, "shared_id": str(uuid.uuid4()),
        "location": {"lat": 0, "lon": 0, "address": "建设路 1 号"}}})
    ack = answer(center, message)
    assert ack["type"] == "ack", ack
    location = event_named(liaison, "incident.created")["data"]["location"]
    assert location["outside_district"] is True
    assert (location["grid"], location["community"], location["street"]) == (None, None, None)
    stored = hub.store.incident(ack["incident"])
    assert stored is not None and stored.location.outside_district
