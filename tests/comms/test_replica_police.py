"""The replica keeps its police cases and the messages waiting for the police as change sets
arrive, so the views never walk every incident for them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from console.comms.replica import ChangeSet, Replica
from console.domain.incident import DIVERTED, Incident, Location, PoliceLink, Reporter
from console.domain.model import IncidentState, Priority, RequestType, Source

AT = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


def incident(number: int, pending: tuple[str, ...] | None = None) -> Incident:
    inc = Incident(f"CH-20261127-{number:06d}", IncidentState.NEW, Source.HOTLINE,
                   RequestType.COMPLAINT, "env.noise_residential", Priority.P3, "standard",
                   "噪声", Location(30.66, 104.1), Reporter(), AT, "ctl")
    if pending is None:
        return inc
    return replace(inc, source=Source.POLICE,
                   police=PoliceLink(DIVERTED, f"s{number}", "police110", pending=pending))


def test_police_cases_and_waiting_messages_follow_the_change_sets() -> None:
    replica = Replica()
    replica.apply(ChangeSet(1, reset=True, incidents={
        i.id: i for i in (incident(1), incident(2, ("m1", "m2")), incident(3, ()))}))
    assert sorted(replica.police_incidents) == ["CH-20261127-000002", "CH-20261127-000003"]
    assert replica.police_waiting == 2
    # One delivered, another case diverted with one message owed.
    replica.apply(ChangeSet(2, incidents={i.id: i for i in (incident(2, ("m2",)),
                                                            incident(4, ("m1",)))}))
    assert replica.police_waiting == 2 and len(replica.police_incidents) == 3
    # A fresh snapshot replaces everything.
    replica.apply(ChangeSet(3, reset=True, incidents={incident(1).id: incident(1)}))
    assert replica.police_incidents == {} and replica.police_waiting == 0
