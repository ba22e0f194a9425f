"""What operators watch on a running hub: /healthz, /readyz and /metrics; the metrics parse as
Prometheus text and move with the traffic; a failed login is a warning naming the address."""

from __future__ import annotations

import io
import json
import logging
import re
import urllib.error
import urllib.request
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from console.hub.observe import JsonFormatter, RequestIdFilter
from tests.hub.conftest import Client, HubThread, incident_args
from tests.waiting import wait_until


def get(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def samples(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of /metrics by name and labels, parsed by prometheus_client's own parser."""
    status, text = get(port, "/metrics")
    assert status == 200
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(found: dict[tuple[str, tuple[tuple[str, str], ...]], float], metric: str,
          **labels: str) -> float:
    return found.get((metric, tuple(sorted(labels.items()))), 0.0)


def test_a_running_hub_is_alive_and_ready(hub: HubThread) -> None:
    status, body = get(hub.port, "/healthz")
    assert status == 200 and json.loads(body)["status"] == "ok"
    status, body = get(hub.port, "/readyz")
    assert status == 200, body
    assert json.loads(body) == {"ready": True, "hub": hub.config.name, "reasons": []}


def test_the_metrics_move_with_the_traffic(hub: HubThread) -> None:
    before = samples(hub.port)
    assert value(before, "linkage_ready") == 1
    console = Client(hub.port)
    console.login("ctl")
    field = Client(hub.port, "/field")
    field.login("gateway")
    assert console.command("incident.create", **incident_args())["ok"]
    refused = console.command("incident.accept", id="NO-SUCH-INCIDENT")
    assert not refused["ok"]
    for made_up in ("made.up", "made.upp", "made.uppp"):  # counted under one label value
        assert not console.command(made_up)["ok"]
    field.send({"type": "positions", "units": [["G1", 30.66, 104.10, 90, 1.2],
                                               ["G2", 30.67, 104.11, 90, 1.2]]})
    console.until("positions")

    def moved() -> dict[tuple[str, tuple[tuple[str, str], ...]], float] | None:
        found = samples(hub.port)
        return found if value(found, "linkage_events_total") >= 1 else None

    after = wait_until(moved, what="the created incident's event counted")
    assert value(after, "linkage_connections", path="ws") == 1
    assert value(after, "linkage_connections", path="field") == 1
    assert value(after, "linkage_commands_total", name="incident.create", outcome="ok") == 1
    code = refused["error"]["code"]
    assert value(after, "linkage_commands_total", name="incident.accept", outcome=code) == 1
    assert value(after, "linkage_command_seconds_count", name="incident.create") == 1
    assert value(after, "linkage_commands_total", name="unknown", outcome="invalid") == 3
    assert not any("made.up" in str(labels) for _, labels in after)
    assert value(after, "linkage_command_seconds_bucket", name="incident.create",
                 le="+Inf") == 1
    assert value(after, "linkage_positions_total") == 2
    assert value(after, "linkage_events_total") > value(before, "linkage_events_total")
    for box in ("police", "field"):
        assert ("linkage_outbox_depth", (("outbox", box),)) in after
    assert value(after, "linkage_position_writer_lag_seconds") >= 0
    assert ("linkage_database_errors_total", ()) in after
    console.close()
    field.close()
    wait_until(lambda: value(samples(hub.port), "linkage_connections", path="ws") == 0,
               what="the closed connection uncounted")


def test_a_failed_login_is_a_warning_with_the_address(hub: HubThread,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="console.hub.logins")
    client = Client(hub.port)
    client.send({"type": "hello", "protocol": 1, "client": "tests",
                 "auth": {"username": "ctl", "password": "wrong"}, "resume_from": None})
    answer: dict[str, Any] = client.recv()
    assert answer["type"] != "welcome"
    client.close()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any("127.0.0.1" in r.getMessage() and "'ctl'" in r.getMessage() for r in warnings)


def test_json_log_lines_carry_the_connection_and_command_request_ids(hub: HubThread) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("console.hub")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        stranger = Client(hub.port)
        stranger.send({"type": "hello", "protocol": 1, "client": "tests",
                       "auth": {"username": "ctl", "password": "wrong"}, "resume_from": None})
        assert stranger.recv()["type"] != "welcome"
        stranger.close()
        console = Client(hub.port)
        console.login("ctl")
        assert console.command("incident.create", command_id="cmd-json-1",
                               **incident_args())["ok"]
        console.close()
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert all({"time", "level", "logger", "message", "request_id"} <= set(e) for e in lines)
    failed = [e for e in lines if e["level"] == "WARNING" and "127.0.0.1" in e["message"]]
    assert failed and re.fullmatch(r"[0-9a-f]{12}", failed[0]["request_id"]), lines
    command = [e for e in lines if e["message"] == "command incident.create"]
    assert command and re.fullmatch(r"[0-9a-f]{12}/cmd-json-1", command[0]["request_id"]), lines
    assert command[0]["request_id"].split("/")[0] != failed[0]["request_id"]


def test_readyz_names_a_vital_task_that_stopped(hub: HubThread) -> None:
    assert hub.hub is not None and hub._loop is not None
    follower = next(t for t in hub.hub._tasks if t.get_name() == "log-follower")
    hub._loop.call_soon_threadsafe(follower.cancel)
    wait_until(lambda: get(hub.port, "/readyz")[0] == 503, what="/readyz 503")
    reasons = json.loads(get(hub.port, "/readyz")[1])["reasons"]
    assert reasons == ["log-follower: stopped"]
    assert value(samples(hub.port), "linkage_ready") == 0


def test_readyz_says_when_storing_positions_keeps_failing(hub: HubThread) -> None:
    assert hub.hub is not None and hub._loop is not None
    tracker, loop = hub.hub.tracker, hub._loop
    loop.call_soon_threadsafe(lambda: setattr(tracker, "failing_since", loop.time() - 10))
    wait_until(lambda: get(hub.port, "/readyz")[0] == 503, what="/readyz 503")
    reasons = json.loads(get(hub.port, "/readyz")[1])["reasons"]
    assert len(reasons) == 1 and reasons[0].startswith("position writer: storing has failed")
    loop.call_soon_threadsafe(lambda: setattr(tracker, "failing_since", None))
    wait_until(lambda: get(hub.port, "/readyz")[0] == 200, what="/readyz 200 again")
