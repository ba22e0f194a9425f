"""Personal data by need over real sockets: what each role's feed carries of a reporter, the
confidential flag, and the ``reporter`` request — refused, or answered and put on record."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from console.domain.privacy import WITHHELD
from console.domain.rules import Rules
from tests.hub.conftest import PASSWORD, Client, HubThread, add_users, incident_args
from tests.store.conftest import db_url, rules  # noqa: F401 - shared fixtures

NAME, PHONE = "张先生", "13800000001"
#: Someone else's mobile typed into the description.
DESCRIPTION = "工地夜间施工，邻居王女士电话 13912345678"


@pytest.fixture
def hub(db_url: str, rules: Rules) -> Iterator[HubThread]:  # noqa: F811
    thread = HubThread(db_url, rules)
    add_users(thread.store)
    now = datetime.now(UTC)
    thread.store.accounts.create_user("taker", PASSWORD, ["call_taker"], now=now)
    thread.store.accounts.create_user("desk-tr", PASSWORD, ["department"], now=now,
                                      department="transport")
    thread.start()
    yield thread
    thread.stop()


def console(hub: HubThread, username: str) -> Client:
    client = Client(hub.port)
    client.login(username)
    return client


class Frames:
    """Every frame one client received, as text, so a test can say what never reached it."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.texts: list[str] = []
        recv = client.ws.recv

        def keep(*args: Any, **kwargs: Any) -> Any:
            text = recv(*args, **kwargs)
            self.texts.append(text)
            return text

        client.ws.recv = keep  # type: ignore[method-assign]

    def holds(self, *needles: str) -> bool:
        return any(needle in text for text in self.texts for needle in needles)


def ask(client: Client, incident: str, reason: str | None) -> dict[str, Any]:
    request: dict[str, Any] = {"type": "reporter", "id": str(uuid.uuid4()), "incident": incident}
    if reason is not None:
        request["reason"] = reason
    client.send(request)
    while True:
        answer = client.until("reporter")
        if answer["id"] == request["id"]:
            return answer


def timeline(client: Client, incident: str) -> list[dict[str, Any]]:
    client.send({"type": "timeline", "id": "t", "incident": incident})
    return list(client.until("timeline")["events"])


def event(client: Client, name: str, incident: str) -> dict[str, Any]:
    for seen in client.events:
        if seen["name"] == name and seen["data"].get("id") == incident:
            return seen
    while True:
        seen = client.until("event")
        if seen["name"] == name and seen["data"].get("id") == incident:
            return seen
        client.events.append(seen)


def snapshot_incident(hub: HubThread, username: str, incident: str) -> dict[str, Any]:
    client = Client(hub.port)
    try:
        client.hello(username)
        snapshot, _ = client.sync()
        assert snapshot is not None
        return next(i for i in snapshot["incidents"] if i["id"] == incident)
    finally:
        client.close()


def audit(hub: HubThread, incident: str) -> list[tuple[str, str | None, dict[str, Any]]]:
    return [(row.entry.action, row.entry.actor, dict(row.entry.detail))
            for row in hub.store.audit.rows(action="personal.", subject=incident)]


def assigned_case(ctl: Client, department: str = "environment") -> str:
    created = ctl.command("incident.create",
                          **incident_args(description=DESCRIPTION,
                                          reporter={"name": NAME, "phone": PHONE}))
    assert created["ok"], created
    incident = created["data"]["id"]
    assert ctl.command("incident.accept", id=incident)["ok"]
    assert ctl.command("incident.assign", id=incident, department=department)["ok"]
    return str(incident)


def test_a_desk_sees_no_reporter_of_another_desks_case(hub: HubThread) -> None:
    other = console(hub, "desk-tr")
    watching = Frames(other)
    ctl, own = console(hub, "ctl"), console(hub, "desk-env")
    incident = assigned_case(ctl)

    # Live events, the snapshot, the timeline: the reporter withheld, the number masked.
    created = event(other, "incident.created", incident)["data"]
    assert created["reporter"] == WITHHELD
    assert created["description"] == "工地夜间施工，邻居王女士电话 139****5678"
    event(other, "incident.assigned", incident)
    later = snapshot_incident(hub, "desk-tr", incident)
    assert later["reporter"] == WITHHELD
    events = timeline(other, incident)
    assert events[0]["data"]["reporter"] == WITHHELD

    # Asking does not help: refused, and the attempt is on record.
    refused = ask(other, incident, "回访")
    assert not refused["ok"] and refused["error"]["code"] == "forbidden"
    assert refused["error"]["params"] == {"id": incident}
    assert "leads or co-handles" in refused["error"]["template"]
    assert not watching.holds(NAME, PHONE, "138****0001", "13912345678")

    # The desk that leads it gets it on request, and that read is on record with its reason.
    assert snapshot_incident(hub, "desk-env", incident)["reporter"] == WITHHELD
    shown = ask(own, incident, "联系报告人核实地址")
    assert shown["ok"], shown
    assert shown["reporter"] == {"name": NAME, "phone": PHONE}
    assert shown["description"] == DESCRIPTION
    assert audit(hub, incident) == [
        ("personal.refused", "desk-tr",
         {"fields": ["reporter.name", "reporter.phone", "description"], "reason": "回访",
          "refused": refused["error"]["template"]}),
        ("personal.unmasked", "desk-env",
         {"fields": ["reporter.name", "reporter.phone", "description"],
          "reason": "联系报告人核实地址"})]

    # A co-handling desk may ask too.
    assert own.command("incident.return", id=incident, reason="非本部门")["ok"]
    assert ctl.command("incident.assign", id=incident, department="environment",
                       co_handlers=["transport"])["ok"]
    assert ask(other, incident, "协办核实")["ok"]


def test_the_feed_of_each_role(hub: HubThread) -> None:
    taker, ctl, leader, viewer = (console(hub, name)
                                  for name in ("taker", "ctl", "leader", "viewer"))
    incident = assigned_case(ctl)
    full = event(taker, "incident.created", incident)["data"]
    assert full["reporter"] == {"name": NAME, "phone": PHONE}
    assert full["description"] == DESCRIPTION
    for client in (ctl, leader):
        data = event(client, "incident.created", incident)["data"]
        assert data["reporter"] == {"name": "张**", "phone": "138****0001"}
        assert "13912345678" not in data["description"]
    assert event(viewer, "incident.created", incident)["data"]["reporter"] == WITHHELD
    assert snapshot_incident(hub, "ctl", incident)["reporter"]["phone"] == "138****0001"
    assert snapshot_incident(hub, "taker", incident)["reporter"]["phone"] == PHONE


def test_a_confidential_case_hides_its_reporter_from_a_controller(hub: HubThread) -> None:
    taker, ctl, leader = console(hub, "taker"), console(hub, "ctl"), console(hub, "leader")
    created = taker.command("incident.create",
                            **incident_args(confidential=True,
                                            reporter={"name": NAME, "phone": PHONE}))
    assert created["ok"], created
    incident = created["data"]["id"]
    assert event(ctl, "incident.created", incident)["data"]["reporter"] == WITHHELD
    assert snapshot_incident(hub, "ctl", incident)["reporter"] == WITHHELD
    assert timeline(ctl, incident)[0]["data"]["reporter"] == WITHHELD
    assert event(leader, "incident.created", incident)["data"]["reporter"]["name"] == "张**"
    refused = ask(ctl, incident, "回访")
    assert refused["error"]["code"] == "forbidden"
    assert "confidential" in refused["error"]["template"]
    assert ask(leader, incident, "督办回访")["reporter"] == {"name": NAME, "phone": PHONE}
    assert [(action, actor) for action, actor, _ in audit(hub, incident)] == [
        ("personal.refused", "ctl"), ("personal.unmasked", "leader")]


def test_a_case_marked_confidential_later_is_hidden_in_its_timeline(hub: HubThread) -> None:
    taker, ctl, leader = console(hub, "taker"), console(hub, "ctl"), console(hub, "leader")
    incident = taker.command("incident.create", **incident_args())["data"]["id"]
    assert timeline(ctl, incident)[0]["data"]["reporter"]["phone"] == "138****0001"
    assert ask(ctl, incident, "回访")["ok"]
    marked = taker.command("incident.set_confidential", id=incident, confidential=True)
    assert marked["ok"], marked
    assert event(ctl, "incident.confidentiality_changed", incident)["data"]["confidential"]
    assert timeline(ctl, incident)[0]["data"]["reporter"] == WITHHELD
    assert snapshot_incident(hub, "ctl", incident)["confidential"] is True
    assert not ask(ctl, incident, "回访")["ok"]
    lifted = ctl.command("incident.set_confidential", id=incident, confidential=False)
    assert lifted["error"]["code"] == "forbidden"
    assert leader.command("incident.set_confidential", id=incident, confidential=False)["ok"]
    assert timeline(ctl, incident)[0]["data"]["reporter"]["phone"] == "138****0001"


def test_unmasking_without_a_reason_or_need_is_refused(hub: HubThread) -> None:
    ctl, viewer = console(hub, "ctl"), console(hub, "viewer")
    incident = assigned_case(ctl)
    for reason in (None, "", "   \n "):
        answer = ask(ctl, incident, reason)
        assert not answer["ok"] and "reporter" not in answer
        assert answer["error"]["code"] == "invalid"
        assert answer["error"]["template"] == "Give a reason to see the reporter of {id}."
    bad = ask(ctl, incident, "回访\u202e")
    assert bad["error"]["code"] == "invalid" and "reporter" not in bad
    assert audit(hub, incident) == []  # nothing was read

    answer = ask(viewer, incident, "好奇")
    assert answer["error"]["code"] == "forbidden" and "reporter" not in answer
    assert answer["error"]["template"] == "Your role does not need the reporter of {id}."
    assert ask(viewer, "CH-20990101-000001", "x")["error"]["code"] == "not_found"
    viewer.send(json.dumps({"type": "reporter", "id": "r", "incident": incident,
                            "reason": 5}))
    assert viewer.until("error")["code"] == "bad_message"
    assert [(a, actor) for a, actor, _ in audit(hub, incident)] == [
        ("personal.refused", "viewer")]
