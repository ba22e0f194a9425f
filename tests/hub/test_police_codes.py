"""The police's own classification codes over real sockets: a mapped code makes an incident of
its category, an unknown one is acknowledged (every time it is sent) and awaits classification by
the liaison officer, who classifies it so that it routes like any other case."""

from __future__ import annotations

import uuid
from typing import Any

from tests.hub.conftest import Client, HubThread
from tests.hub.test_police import CASE, answer, console, event_named, next_handoff, police


def divert(center: Client, code: str, shared_id: str, message: str) -> dict[str, Any]:
    center.send({"type": "incident", "id": message,
                 "case": {**CASE, "shared_id": shared_id, "classification": code}})
    return answer(center, message)


def test_a_mapped_police_code_becomes_its_category(hub: HubThread) -> None:
    liaison = console(hub, "liaison")
    center = police(hub)
    for code, category in (("0301", "neighbour.dispute"), ("noise", "env.noise_residential")):
        ack = divert(center, code, str(uuid.uuid4()), f"110-{code}")
        assert ack["type"] == "ack"
        created = event_named(liaison, "incident.created")["data"]
        assert created["id"] == ack["incident"]
        assert (created["category"], created["police_code"]) == (category, code)


def test_an_unknown_code_is_acknowledged_every_time_and_awaits_classification(
        hub: HubThread) -> None:
    liaison, ctl, desk = console(hub, "liaison"), console(hub), console(hub, "desk-env")
    center = police(hub)
    shared_id = str(uuid.uuid4())
    ack = divert(center, "7777", shared_id, "110-unknown-1")
    assert ack["type"] == "ack"
    incident = ack["incident"]
    created = event_named(liaison, "incident.created")["data"]
    assert (created["id"], created["category"], created["police_code"]) == (
        incident, "unclassified", "7777")
    # Sent again, under the same or a new message id: acknowledged again, never bounced.
    for message in ("110-unknown-1", "110-unknown-2"):
        again = divert(center, "7777", shared_id, message)
        assert (again["type"], again["incident"]) == ("ack", incident)
    # The controller's snapshot shows it waiting, with the police's code.
    late = Client(hub.port)
    late.hello("ctl")
    sync, _ = late.sync()
    assert sync is not None
    snapshot = next(i for i in sync["incidents"] if i["id"] == incident)
    assert (snapshot["category"], snapshot["police_code"]) == ("unclassified", "7777")
    refused = liaison.command("incident.accept", id=incident)
    assert not refused["ok"] and refused["error"]["code"] == "conflict"
    # The liaison classifies it; from then on it routes like any diverted case.
    assert liaison.command("incident.classify", id=incident, category="env.noise_residential")["ok"]
    classified = event_named(ctl, "incident.classified")["data"]
    assert (classified["id"], classified["category"]) == (incident, "env.noise_residential")
    assert liaison.command("incident.accept", id=incident)["ok"]
    message = next_handoff(center)
    assert (message["type"], message["status"]) == ("acknowledgement", "accepted")
    center.send({"type": "ack", "id": message["id"]})
    assert ctl.command("incident.assign", id=incident, department="environment")["ok"]
    assert desk.command("incident.sign", id=incident)["ok"]
    assert not ctl.command("incident.classify", id=incident, category="consult.other")["ok"]
