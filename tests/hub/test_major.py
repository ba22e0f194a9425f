"""Major incidents through a real hub, on SQLite and PostgreSQL: every step an event in the log,
fanned out to every console, carried in the snapshot while active and for a day after."""

from __future__ import annotations

from typing import Any

from console.domain.major import MajorIncident
from tests.hub.conftest import Client, HubThread, incident_args

AREA = {"center": {"lat": 30.6675, "lon": 104.1075}, "radius_m": 500}


def ok(reply: dict[str, Any]) -> dict[str, Any]:
    assert reply["ok"], reply
    return dict(reply["data"])


def test_a_major_incident_reaches_every_console_and_the_snapshot(hub: HubThread) -> None:
    leader, ctl, viewer = Client(hub.port), Client(hub.port), Client(hub.port)
    try:
        leader.login("leader")
        ctl.login("ctl")
        viewer.login("viewer")
        incident = ok(ctl.command("incident.create", **incident_args()))["id"]
        declared = ok(leader.command("major.declare", level="II", title="建设路燃气泄漏",
                                     commander="王局长", area=AREA, message="建设路全线封闭"))
        mid = declared["id"]
        assert declared == {"id": mid, "version": 1}
        assert mid.startswith("MI-") and mid.endswith("-01")
        refused = ctl.command("major.broadcast", id=mid, message="x")
        assert refused["ok"] is False and refused["error"]["code"] == "forbidden"
        ok(leader.command("major.link", id=mid, incident=incident))
        ok(leader.command("major.note", id=mid, text="现场已疏散"))
        assert ok(leader.command("major.broadcast", id=mid, message="十分钟后复电")) == {
            "id": mid, "version": 4}

        # A viewer's console hears every step, in order.
        names = []
        while len(names) < 4:
            event = viewer.until("event")
            if event["name"].startswith("major."):
                names.append(event["name"])
                assert event["data"]["id"] == mid
        assert names == ["major.declared", "major.incident_linked", "major.noted",
                         "major.broadcast"]

        # A console logging in now finds it in the snapshot, as the domain holds it.
        late = Client(hub.port)
        late.hello("viewer")
        snapshot, _ = late.sync()
        assert snapshot is not None
        (wire,) = snapshot["major_incidents"]
        held = MajorIncident.from_dict(wire)
        assert (held.id, held.active, held.incidents, held.message) == (
            mid, True, (incident,), "十分钟后复电")
        assert snapshot["warnings"] == []
        late.close()

        ok(leader.command("major.stand_down", id=mid, summary="泄漏已处置"))
        # Its summary is the duty leader's: a role that may not see the police's summaries
        # still gets it (their masking once took it away, and every console reloaded).
        while (event := viewer.until("event"))["name"] != "major.stood_down":
            pass
        assert event["data"]["summary"] == "泄漏已处置"
        again = Client(hub.port)
        again.hello("viewer")
        snapshot, _ = again.sync()
        assert snapshot is not None
        (wire,) = snapshot["major_incidents"]  # stood down today: still shown, as such
        assert wire["state"] == "stood_down" and wire["summary"] == "泄漏已处置"
        again.close()
    finally:
        for client in (leader, ctl, viewer):
            client.close()

    # The log holds every step; the incident's timeline holds its link.
    logged = [e.event for e in hub.store.events_after(0) if e.event.name.startswith("major.")]
    assert [e.name for e in logged] == ["major.declared", "major.incident_linked",
                                        "major.noted", "major.broadcast", "major.stood_down"]
    assert {e.actor for e in logged} == {"leader"}
    assert "major.incident_linked" in [e.event.name for e in hub.store.timeline(incident)]
    assert hub.store.major_incidents()[0]["version"] == 5
