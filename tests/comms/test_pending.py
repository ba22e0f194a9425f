"""The pending-command core without a network: registering, sending, answers from the wire,
``unavailable``, expiry and closing, with plain calls."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from console.comms.pending import (
    CommandResult,
    Pending,
    PendingTable,
    TrackPoint,
    track_points,
)


class Timer:
    def __init__(self) -> None:
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


def command(table: PendingTable, timeout: float = 5.0) -> Pending:
    pending = Pending.command("incident.accept", {"id": "CH-1"}, 3, timeout)
    pending.timer = Timer()
    assert table.add(pending)
    return pending


def test_a_command_is_encoded_once_with_a_fresh_id() -> None:
    one = Pending.command("incident.accept", {"id": "CH-1"}, 3, 5.0)
    two = Pending.command("incident.accept", {"id": "CH-1"}, None, 5.0)
    assert one.id != two.id
    assert json.loads(one.frame) == {"type": "command", "id": one.id, "name": "incident.accept",
                                     "args": {"id": "CH-1"}, "expected_version": 3}
    assert "expected_version" not in json.loads(two.frame)
    with pytest.raises((TypeError, ValueError)):
        Pending.command("incident.note", {"at": object()}, None, 5.0)


def test_a_result_finishes_its_command_and_stops_its_clock() -> None:
    table = PendingTable()
    pending = command(table)
    assert len(table) == 1
    assert table.on_result({"type": "result", "id": pending.id, "ok": True, "seq": 9,
                            "data": {"version": 4}}) is None
    assert pending.future.result(0) == CommandResult(pending.id, ok=True, data={"version": 4},
                                                     seq=9)
    assert isinstance(pending.timer, Timer) and pending.timer.cancelled
    assert len(table) == 0
    # A second answer (the hub's first result, again) is for nothing that waits.
    assert table.on_result({"type": "result", "id": pending.id, "ok": True}) is None


def test_a_refusal_carries_the_hubs_code_template_and_params() -> None:
    table = PendingTable()
    pending = command(table)
    table.on_result({"type": "result", "id": pending.id, "ok": False, "error": {
        "code": "conflict", "message": "Version 3 is stale.", "template": "stale {v}",
        "params": {"v": 3}}})
    result = pending.future.result(0)
    assert (result.ok, result.code, result.message, result.template, dict(result.params)) == (
        False, "conflict", "Version 3 is stale.", "stale {v}", {"v": 3})


def test_unavailable_is_not_passed_on_the_command_goes_again() -> None:
    table = PendingTable()
    pending = command(table)
    assert table.mark_sent(pending, 1)
    assert table.unsent_on(1) == []
    again = table.on_result({"type": "result", "id": pending.id, "ok": False,
                             "error": {"code": "unavailable", "message": "database"}})
    assert again is pending and pending.sent_on is None and not pending.future.done()
    assert table.unsent_on(1) == [pending]  # it goes with the next sync too
    assert table.mark_sent(pending, 1)
    table.on_result({"type": "result", "id": pending.id, "ok": True})
    assert pending.future.result(0).ok


def test_commands_sent_on_an_earlier_connection_go_again_after_a_sync() -> None:
    table = PendingTable()
    old, new = command(table), command(table)
    table.mark_sent(old, 1)
    table.mark_sent(new, 2)
    assert table.unsent_on(2) == [old]


def test_expiry_answers_timeout_once_and_an_answered_command_is_not_sent() -> None:
    table = PendingTable()
    pending = command(table, timeout=0.5)
    table.expire(pending)
    result = pending.future.result(0)
    assert (result.code, result.message) == (
        "timeout", "The hub did not answer within 0.5 s; the command may or may not have "
        "been applied.")
    assert not table.mark_sent(pending, 1)
    table.expire(pending)  # twice: nothing more happens
    table.on_result({"type": "result", "id": pending.id, "ok": True})
    assert pending.future.result(0).code == "timeout"


def test_an_error_naming_a_command_fails_it_others_are_not_for_the_table() -> None:
    table = PendingTable()
    pending = command(table)
    assert table.on_error(pending.id, "bad_message", "args must be an object")
    assert pending.future.result(0).code == "bad_message"
    assert not table.on_error(pending.id, "bad_message", "again")
    assert not table.on_error(None, "rate_limited", "slow down")


def test_a_cancelled_future_is_left_alone() -> None:
    table = PendingTable()
    pending = command(table)
    assert pending.future.cancel()
    table.on_result({"type": "result", "id": pending.id, "ok": True})
    assert len(table) == 0


def test_queries_are_answered_once_and_none_when_closed() -> None:
    table = PendingTable()
    first = table.add_query("q1")
    second = table.add_query("q2")
    assert first is not None and second is not None
    table.answer("q1", [{"seq": 1}])
    table.answer("q1", None)  # the timeout's answer, after the real one: ignored
    assert first.result(0) == [{"seq": 1}]
    table.close("gone")
    assert second.result(0) is None
    assert table.add_query("q3") is None


def test_closing_fails_every_command_stopped_and_registers_nothing_more() -> None:
    table = PendingTable()
    pending = command(table)
    table.close("The connection to the hub was closed; the command's outcome is unknown.")
    result = pending.future.result(0)
    assert (result.code, result.message) == (
        "stopped", "The connection to the hub was closed; the command's outcome is unknown.")
    assert isinstance(pending.timer, Timer) and pending.timer.cancelled
    assert not table.add(Pending.command("incident.accept", {}, None, 5.0))
    assert len(table) == 0


def test_track_points_are_read_from_the_wire() -> None:
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert track_points({"points": [[30.5, 104.1, 90, 2, at.isoformat()]]}) == [
        TrackPoint(30.5, 104.1, 90.0, 2.0, at)]
    assert track_points({}) == []
