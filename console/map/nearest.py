"""The nearest available units to a place: straight-line distance and an ETA by unit type.

Distances are great-circle (haversine) from each unit's last position, over every unit at once
(numpy over :class:`~console.map.feeds.UnitFeed`'s arrays, about a millisecond for 20,000
units). The ETA is an estimate a dispatcher can compare, not a route: the straight line
stretched by a detour factor, at the unit type's usual speed, plus the time to set off — all
read from ``resources/map/eta.toml``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from console.domain.distance import EARTH_RADIUS_M
from console.domain.model import UnitStatus, UnitType
from console.domain.resources import load_toml
from console.map.feeds import UnitFeed
from console.map.page import MAP_RESOURCES
from console.map.symbols import UNIT_TYPES, status_code


@dataclass(frozen=True)
class TravelTimes:
    """Speeds (km/h) and set-off times (minutes) by unit type, and the detour factor."""

    detour_factor: float
    speed_kmh: Mapping[UnitType, float]
    setoff_min: Mapping[UnitType, float]

    def eta_s(self, kind: UnitType, metres: float) -> float:
        """Seconds for a unit of this type to cover ``metres`` of straight line."""
        road = metres * self.detour_factor
        return road / (self.speed_kmh[kind] / 3.6) + self.setoff_min[kind] * 60

    @classmethod
    def load(cls, path: Path | None = None) -> TravelTimes:
        """Raises: ValueError naming the file and the entry that is wrong or missing."""
        return load_toml(path or MAP_RESOURCES / "eta.toml", cls._build)

    @classmethod
    def _build(cls, data: Mapping[str, Any]) -> TravelTimes:
        detour = data.get("detour_factor")
        if not isinstance(detour, (int, float)) or not 1.0 <= detour <= 3.0:
            raise ValueError("detour_factor must be a number from 1 to 3")
        tables: list[dict[UnitType, float]] = []
        for key, low in (("speed_kmh", 0.5), ("setoff_minutes", 0.0)):
            table = data.get(key)
            if not isinstance(table, Mapping):
                raise ValueError(f"[{key}] is missing")
            values: dict[UnitType, float] = {}
            for kind in UnitType:
                value = table.get(kind.value)
                if not isinstance(value, (int, float)) or value < low:
                    raise ValueError(f"[{key}] {kind.value} must be a number ≥ {low}")
                values[kind] = float(value)
            unknown = set(table) - {k.value for k in UnitType}
            if unknown:
                raise ValueError(f"[{key}] names unknown unit types: {', '.join(sorted(unknown))}")
            tables.append(values)
        return cls(float(detour), tables[0], tables[1])


@dataclass(frozen=True)
class NearbyUnit:
    unit_id: str
    type: UnitType
    distance_m: float
    eta_s: float


def distances_m(feed: UnitFeed, lat: float, lon: float) -> np.ndarray:
    """Great-circle distance from (lat, lon) to every unit of the feed (NaN: no position).

    :func:`console.domain.distance.distance_m` over arrays: the same haversine on the same
    radius, so the map ranks units as the rest of the console measures them.
    """
    p1 = np.radians(lat)
    p2 = np.radians(feed.lat)
    dp = p2 - p1
    dl = np.radians(feed.lon - lon)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(h)))


def nearest_available(feed: UnitFeed, lat: float, lon: float, times: TravelTimes,
                      limit: int = 10) -> list[NearbyUnit]:
    """The ``limit`` available units nearest to (lat, lon), nearest first (ties by id)."""
    if not len(feed):
        return []
    metres = distances_m(feed, lat, lon)
    available = (feed.style & 7) == status_code(UnitStatus.AVAILABLE)
    candidates = np.flatnonzero(available & ~np.isnan(metres))
    if not len(candidates):
        return []
    take = min(limit, len(candidates))
    closest = candidates[np.argpartition(metres[candidates], take - 1)[:take]]
    rows = []
    for i in closest:
        kind = UNIT_TYPES[int(feed.style[i]) >> 3]
        distance = float(metres[i])
        rows.append(NearbyUnit(feed.ids[i], kind, distance, times.eta_s(kind, distance)))
    rows.sort(key=lambda row: (row.distance_m, row.unit_id))
    return rows
