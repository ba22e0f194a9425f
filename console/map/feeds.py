"""What the map is told, built from the replica and its change sets (no Qt here).

- :class:`UnitFeed` gives every unit a stable index, keeps all positions in numpy arrays (the
  nearest-unit search reads them), and turns the positions of many change sets into one batch of
  typed arrays — an index, a latitude and a longitude per moved unit — for one call into the page.
- :class:`IncidentFeed` knows which incidents are drawn and with which style, and when a clock
  runs out (a heap of deadlines), so a pin turns overdue without any event.
- :class:`HeatFeed` keeps where incidents were registered over the last hours.
- :class:`Datum` shifts what is drawn into the basemap's datum (WGS-84 or GCJ-02) and points
  the user picks back into WGS-84.

Bulk arrays travel as base64 of little-endian bytes (:func:`b64`); the page decodes them into
typed arrays without parsing numbers one by one.
"""

from __future__ import annotations

import base64
import heapq
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import repeat
from operator import attrgetter
from typing import Any

import numpy as np
from numpy.typing import NDArray

from console.domain.incident import Incident
from console.domain.sla import SlaClock
from console.domain.units import Position, Unit
from console.map import coords
from console.map.symbols import incident_style, shown_on_map, unit_style

FloatArray = NDArray[np.float64]
_LAT = attrgetter("lat")
_LON = attrgetter("lon")


def b64(values: Any, dtype: str) -> str:
    """``values`` as base64 of little-endian ``dtype`` (``<f4``, ``<u4``, ``u1``)."""
    return base64.b64encode(np.ascontiguousarray(values, dtype=dtype).tobytes()).decode("ascii")


@dataclass(frozen=True)
class Datum:
    """The datum the basemap is drawn in: WGS-84 as the data, or GCJ-02 (``shifted``)."""

    shifted: bool = False

    def point(self, lat: float, lon: float) -> tuple[float, float]:
        return coords.to_gcj02(lat, lon) if self.shifted else (lat, lon)

    def points(self, lat: FloatArray, lon: FloatArray) -> tuple[FloatArray, FloatArray]:
        return coords.to_gcj02_arrays(lat, lon) if self.shifted else (lat, lon)

    def back(self, lat: float, lon: float) -> tuple[float, float]:
        """Where a point picked on the map is, in WGS-84."""
        return coords.to_wgs84(lat, lon) if self.shifted else (lat, lon)

    def geojson(self, collection: Mapping[str, Any]) -> Mapping[str, Any]:
        """A FeatureCollection with every coordinate shifted (the same one when not shifted)."""
        if not self.shifted:
            return collection

        def shift(value: Any) -> Any:
            if value and isinstance(value[0], (int, float)):
                lat, lon = coords.to_gcj02(float(value[1]), float(value[0]))
                return [lon, lat]
            return [shift(v) for v in value]

        features = []
        for feature in collection.get("features", ()):
            geometry = dict(feature["geometry"])
            geometry["coordinates"] = shift(geometry["coordinates"])
            features.append({**feature, "geometry": geometry})
        return {**collection, "features": features}


# -- units -------------------------------------------------------------------------------------


def unit_label(unit: Unit) -> str:
    return f"{unit.id} {unit.name}" if unit.name and unit.name != unit.id else unit.id


class UnitFeed:
    """Every unit's index, style and latest position; the moves not yet sent to the page."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.index: dict[str, int] = {}
        self.lat: FloatArray = np.zeros(0)
        self.lon: FloatArray = np.zeros(0)
        self.style = np.zeros(0, dtype=np.uint8)
        self._moved: dict[str, Position] = {}

    def __len__(self) -> int:
        return len(self.ids)

    def reset(self, units: Mapping[str, Unit], positions: Mapping[str, Position],
              datum: Datum) -> list[Any]:
        """Start over with these units; returns the arguments of the page's ``unitsReset``."""
        self.ids, self.index = [], {}
        self.lat, self.lon = np.zeros(0), np.zeros(0)
        self.style = np.zeros(0, dtype=np.uint8)
        self._moved = {}
        return self.add(units.values(), positions, datum)

    def add(self, units: Iterable[Unit], positions: Mapping[str, Position],
            datum: Datum) -> list[Any]:
        """Give new units their indexes; the arguments of ``unitsAppend``."""
        new = [u for u in units if u.id not in self.index]
        start = len(self.ids)
        lat = np.array([positions[u.id].lat if u.id in positions else math.nan for u in new],
                       dtype=np.float64)
        lon = np.array([positions[u.id].lon if u.id in positions else math.nan for u in new],
                       dtype=np.float64)
        style = np.array([unit_style(u) for u in new], dtype=np.uint8)
        for k, unit in enumerate(new):
            self.index[unit.id] = start + k
            self.ids.append(unit.id)
            self._moved.pop(unit.id, None)
        self.lat = np.concatenate([self.lat, lat])
        self.lon = np.concatenate([self.lon, lon])
        self.style = np.concatenate([self.style, style])
        shown_lat, shown_lon = datum.points(lat, lon)
        return [[u.id for u in new], [unit_label(u) for u in new], b64(style, "u1"),
                b64(shown_lat, "<f4"), b64(shown_lon, "<f4")]

    def restyle(self, units: Iterable[Unit]) -> list[Any] | None:
        """Units whose status or type changed; the arguments of ``unitsRestyle`` or None."""
        index, styles = [], []
        for unit in units:
            i = self.index.get(unit.id)
            if i is None:
                continue
            style = unit_style(unit)
            if style != self.style[i]:
                self.style[i] = style
                index.append(i)
                styles.append(style)
        if not index:
            return None
        return [b64(index, "<u4"), b64(styles, "u1")]

    def note_moves(self, positions: Mapping[str, Position]) -> None:
        """Remember positions to send with the next batch (the latest per unit wins)."""
        self._moved.update(positions)

    @property
    def pending(self) -> int:
        return len(self._moved)

    def take_moves(self, datum: Datum) -> tuple[int, bytes] | None:
        """The moves since the last batch, as ``(count, batch)``, or None. Units not known yet
        stay pending until they are added.

        The batch is what the page's ``unitsMove`` fetches, little-endian: the count (u32),
        then each moved unit's index (u32), then their latitudes (f32), then longitudes (f32).
        """
        moved, self._moved = self._moved, {}
        count = len(moved)
        if not count:
            return None
        # C-level loops only: this runs in the GUI thread for up to every unit, 4 times a second.
        index = np.fromiter(map(self.index.get, moved, repeat(-1)), dtype=np.int64, count=count)
        lat = np.fromiter(map(_LAT, moved.values()), dtype=np.float64, count=count)
        lon = np.fromiter(map(_LON, moved.values()), dtype=np.float64, count=count)
        unknown = index < 0
        if unknown.any():  # not added yet: kept for the batch after they are
            self._moved = {u: moved[u] for u, bad in zip(moved, unknown, strict=True) if bad}
            keep = ~unknown
            index, lat, lon = index[keep], lat[keep], lon[keep]
            count = len(index)
            if not count:
                return None
        self.lat[index] = lat
        self.lon[index] = lon
        lat, lon = datum.points(lat, lon)
        batch = b"".join((np.array([count], dtype="<u4").tobytes(),
                          index.astype("<u4").tobytes(), lat.astype("<f4").tobytes(),
                          lon.astype("<f4").tobytes()))
        return count, batch

    def position(self, unit_id: str) -> tuple[float, float] | None:
        i = self.index.get(unit_id)
        if i is None or math.isnan(self.lat[i]):
            return None
        return float(self.lat[i]), float(self.lon[i])


# -- incidents ---------------------------------------------------------------------------------


class IncidentFeed:
    """Which incidents are drawn, with which style; whose clock runs out next.

    Args:
        label: the hover text of an incident (in the user's language).
    """

    def __init__(self, label: Callable[[Incident], str]) -> None:
        self.label = label
        self.styles: dict[str, int] = {}
        self._due: list[tuple[datetime, str]] = []  # deadlines not yet reached (a heap)
        self._due_at: dict[str, datetime] = {}  # each incident's entry in it (one per incident)

    def reset(self, incidents: Mapping[str, Incident],
              deadlines: Mapping[str, SlaClock | None], now: datetime,
              datum: Datum) -> list[list[Any]]:
        """Every incident to draw, as rows ``[id, lat, lon, style, label]``."""
        self.styles = {}
        self._due = []
        self._due_at = {}
        rows, _ = self.apply(incidents, deadlines, now, datum)
        return rows

    def apply(self, incidents: Mapping[str, Incident],
              deadlines: Mapping[str, SlaClock | None], now: datetime,
              datum: Datum) -> tuple[list[list[Any]], list[str]]:
        """Changed incidents: rows to add or redraw, and ids no longer drawn."""
        rows: list[list[Any]] = []
        gone: list[str] = []
        for iid, incident in incidents.items():
            if not shown_on_map(incident):
                if self.styles.pop(iid, None) is not None:
                    gone.append(iid)
                continue
            clock = deadlines.get(iid)
            overdue = clock is not None and clock.overdue(now)
            if clock is not None and not overdue and clock.running \
                    and self._due_at.get(iid) != clock.due_at:
                self._due_at[iid] = clock.due_at
                heapq.heappush(self._due, (clock.due_at, iid))
            style = incident_style(incident, overdue)
            self.styles[iid] = style
            rows.append(self._row(incident, style, datum))
        return rows, gone

    def tick(self, incidents: Mapping[str, Incident],
             deadlines: Mapping[str, SlaClock | None], now: datetime,
             datum: Datum) -> list[list[Any]]:
        """Rows of incidents whose clock ran out since the last tick."""
        rows = []
        while self._due and self._due[0][0] <= now:
            due, iid = heapq.heappop(self._due)
            if self._due_at.get(iid) != due:
                continue  # superseded by a later deadline of the same incident
            del self._due_at[iid]
            incident = incidents.get(iid)
            if incident is None or iid not in self.styles:
                continue
            clock = deadlines.get(iid)
            style = incident_style(incident, clock is not None and clock.overdue(now))
            if style != self.styles[iid]:
                self.styles[iid] = style
                rows.append(self._row(incident, style, datum))
        return rows

    @property
    def next_due(self) -> datetime | None:
        return self._due[0][0] if self._due else None

    def _row(self, incident: Incident, style: int, datum: Datum) -> list[Any]:
        lat, lon = datum.point(incident.location.lat, incident.location.lon)
        return [incident.id, round(lat, 7), round(lon, 7), style, self.label(incident)]


# -- heat --------------------------------------------------------------------------------------


class HeatFeed:
    """Where incidents were registered in the last ``hours`` (closed ones too)."""

    def __init__(self, hours: int) -> None:
        self.hours = hours
        self._seen: dict[str, tuple[datetime, float, float]] = {}

    def reset(self, incidents: Mapping[str, Incident]) -> None:
        self._seen = {}
        self.add(incidents)

    def add(self, incidents: Mapping[str, Incident]) -> bool:
        """Take new incidents; whether any was new."""
        before = len(self._seen)
        for iid, incident in incidents.items():
            if iid not in self._seen:
                self._seen[iid] = (incident.created_at, incident.location.lat,
                                   incident.location.lon)
        return len(self._seen) != before

    def points(self, now: datetime, datum: Datum) -> tuple[int, list[str]]:
        """``(count, [lat, lon])`` of the incidents registered in the window (for ``heatSet``);
        older ones are forgotten."""
        since = now - timedelta(hours=self.hours)
        self._seen = {i: row for i, row in self._seen.items() if row[0] >= since}
        lat = np.array([row[1] for row in self._seen.values()], dtype=np.float64)
        lon = np.array([row[2] for row in self._seen.values()], dtype=np.float64)
        lat, lon = datum.points(lat, lon)
        return len(lat), [b64(lat, "<f4"), b64(lon, "<f4")]
