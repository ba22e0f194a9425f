"""What the map is told: unit batches, incident styles and deadlines, heat, the datum."""

from __future__ import annotations

import base64
from datetime import timedelta

import numpy as np
import pytest

from console.domain import deadlines
from console.domain.model import Priority, UnitStatus, UnitType
from console.domain.rules import Rules
from console.domain.units import Position
from console.map.coords import to_gcj02
from console.map.feeds import Datum, HeatFeed, IncidentFeed, UnitFeed
from console.map.symbols import (
    OVERDUE_BIT,
    SUPERVISED_BIT,
    IncidentGroup,
    status_of_style,
    type_of_style,
)
from tests.views.conftest import T0, assigned, new_incident, new_unit, then


def position(lat: float, lon: float) -> Position:
    return Position(lat, lon, 0.0, 0.0, T0)


def unpack(batch: bytes) -> tuple[list[int], list[float], list[float]]:
    count = int(np.frombuffer(batch[:4], "<u4")[0])
    index = np.frombuffer(batch, "<u4", count, 4)
    lat = np.frombuffer(batch, "<f4", count, 4 + 4 * count)
    lon = np.frombuffer(batch, "<f4", count, 4 + 8 * count)
    return index.tolist(), lat.tolist(), lon.tolist()


def test_units_get_stable_indexes_styles_and_their_positions() -> None:
    feed = UnitFeed()
    units = {u.id: u for u in (new_unit("U1"), new_unit("U2", type="patrol", status="busy"))}
    ids, labels, styles, lat, _lon = feed.reset(units, {"U1": position(30.66, 104.09)}, Datum())
    assert ids == ["U1", "U2"] and labels == ["U1 Unit U1", "U2 Unit U2"]
    codes = np.frombuffer(base64.b64decode(styles), "u1").tolist()
    assert [type_of_style(c) for c in codes] == [UnitType.GRID_WORKER, UnitType.PATROL]
    assert [status_of_style(c) for c in codes] == [UnitStatus.AVAILABLE, UnitStatus.BUSY]
    shown = np.frombuffer(base64.b64decode(lat), "<f4")
    assert shown[0] == pytest.approx(30.66) and np.isnan(shown[1])  # no position yet
    assert feed.position("U1") == (30.66, 104.09) and feed.position("U2") is None

    added = feed.add([new_unit("U3"), units["U1"]], {}, Datum())
    assert added[0] == ["U3"]  # U1 is known already
    assert feed.index == {"U1": 0, "U2": 1, "U3": 2}


def test_moves_are_coalesced_into_one_batch_the_latest_per_unit() -> None:
    feed = UnitFeed()
    feed.reset({u: new_unit(u) for u in ("U1", "U2", "U3")}, {}, Datum())
    feed.note_moves({"U1": position(30.1, 104.1), "U2": position(30.2, 104.2)})
    feed.note_moves({"U1": position(30.3, 104.3), "U9": position(30.9, 104.9)})
    count, batch = feed.take_moves(Datum())  # type: ignore[misc]
    assert count == 2
    index, lat, lon = unpack(batch)
    assert index == [0, 1]
    assert lat == pytest.approx([30.3, 30.2]) and lon == pytest.approx([104.3, 104.2])
    assert feed.position("U1") == pytest.approx((30.3, 104.3))
    # U9 is not registered yet: its fix waits; when it is, it comes with the replica's
    # latest position, and the waiting fix is not sent again.
    assert feed.pending == 1 and feed.take_moves(Datum()) is None
    _ids, _labels, _styles, lat_b64, _lon = feed.add([new_unit("U9")],
                                                     {"U9": position(30.9, 104.9)}, Datum())
    assert np.frombuffer(base64.b64decode(lat_b64), "<f4")[0] == pytest.approx(30.9)
    assert feed.pending == 0 and feed.take_moves(Datum()) is None


def test_restyles_only_what_changed() -> None:
    feed = UnitFeed()
    u1, u2 = new_unit("U1"), new_unit("U2")
    feed.reset({"U1": u1, "U2": u2}, {}, Datum())
    assert feed.restyle([u1, u2]) is None
    busy = u2.__class__(**{**u2.__dict__, "status": UnitStatus.BUSY})
    index, styles = feed.restyle([u1, busy])  # type: ignore[misc]
    assert np.frombuffer(base64.b64decode(index), "<u4").tolist() == [1]
    assert status_of_style(int(np.frombuffer(base64.b64decode(styles), "u1")[0])) \
        is UnitStatus.BUSY


def test_a_gcj02_basemap_shifts_what_is_sent_not_what_is_kept() -> None:
    feed = UnitFeed()
    feed.reset({"U1": new_unit("U1")}, {}, Datum(shifted=True))
    feed.note_moves({"U1": position(30.66, 104.09)})
    _count, batch = feed.take_moves(Datum(shifted=True))  # type: ignore[misc]
    _index, lat, lon = unpack(batch)
    assert (lat[0], lon[0]) == pytest.approx(to_gcj02(30.66, 104.09), abs=1e-5)
    assert feed.position("U1") == (30.66, 104.09)
    assert Datum(shifted=True).back(*to_gcj02(30.66, 104.09)) == pytest.approx((30.66, 104.09))
    shape = {"features": [{"type": "Feature", "properties": {"code": "s"}, "geometry": {
        "type": "Polygon", "coordinates": [[[104.09, 30.66], [104.10, 30.66], [104.09, 30.67],
                                            [104.09, 30.66]]]}}]}
    first = Datum(shifted=True).geojson(shape)["features"][0]["geometry"]["coordinates"][0][0]
    assert first == pytest.approx(list(reversed(to_gcj02(30.66, 104.09))))
    assert Datum().geojson(shape) is shape


def label(incident: object) -> str:
    return f"label {incident.id}"  # type: ignore[attr-defined]


def test_incidents_drawn_by_priority_state_and_deadline(rules: Rules) -> None:
    fresh = new_incident(1, priority="P1")
    working = assigned(new_incident(2, priority="P4"))
    supervised = then(assigned(new_incident(3)), "incident.supervised")
    feed = IncidentFeed(label)
    incidents = {i.id: i for i in (fresh, working, supervised)}
    due = {i: deadlines.next_deadline(inc, rules) for i, inc in incidents.items()}
    rows = feed.reset(incidents, due, T0 + timedelta(minutes=2), Datum())
    styles = {row[0]: row[3] for row in rows}
    assert styles[fresh.id] & 3 == 0  # P1
    assert styles[working.id] & 3 == 3 and styles[working.id] >> 2 & 3 == IncidentGroup.IN_HAND
    assert styles[fresh.id] >> 2 & 3 == IncidentGroup.NEW
    assert not any(s & OVERDUE_BIT for s in styles.values())
    assert rows[0][4] == f"label {fresh.id}"
    assert supervised.supervised and styles[supervised.id] & SUPERVISED_BIT
    assert not styles[working.id] & SUPERVISED_BIT

    # Changes that keep a deadline do not pile up entries for the clock.
    waiting = len(feed._due)
    feed.apply(incidents, due, T0 + timedelta(minutes=3), Datum())
    assert len(feed._due) == waiting

    # Time passes: the P1's accept clock runs out without any event, and its pin says so.
    late = feed.next_due
    assert late is not None
    again = feed.tick(incidents, due, late + timedelta(seconds=1), Datum())
    assert [row[0] for row in again if row[3] & OVERDUE_BIT] == [fresh.id]
    assert feed.tick(incidents, due, late + timedelta(seconds=2), Datum()) == []


def test_finished_incidents_leave_the_map(rules: Rules) -> None:
    feed = IncidentFeed(label)
    inc = new_incident(5)
    feed.reset({inc.id: inc}, {inc.id: None}, T0, Datum())
    rejected = then(inc, "incident.rejected", reason="重复")
    rows, gone = feed.apply({inc.id: rejected}, {inc.id: None}, T0, Datum())
    assert rows == [] and gone == [inc.id]
    assert feed.apply({inc.id: rejected}, {inc.id: None}, T0, Datum()) == ([], [])


def test_heat_covers_the_last_hours_closed_incidents_too() -> None:
    heat = HeatFeed(hours=3)
    old = new_incident(1, at=T0 - timedelta(hours=4))
    recent = new_incident(2, at=T0 - timedelta(hours=1))
    heat.reset({old.id: old})
    assert heat.add({recent.id: recent}) and not heat.add({recent.id: recent})
    count, (lat, _lon) = heat.points(T0, Datum())
    assert count == 1
    assert np.frombuffer(base64.b64decode(lat), "<f4")[0] == pytest.approx(30.6675)


def test_priorities_cover_the_domain() -> None:
    assert len(Priority) == 4  # two bits of the incident style
