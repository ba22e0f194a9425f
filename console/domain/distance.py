"""How far apart two points are on the ground: the one distance the whole project uses.

Everything that measures a straight line between two ``(lat, lon)`` points — the video wall's
cameras near an incident, the map's nearest units, the gazetteer's nearest address — uses
:func:`distance_m`, or, where it must work on arrays at once, the same formula over
:data:`EARTH_RADIUS_M`, so two views never disagree about which of two things is closer.
"""

from __future__ import annotations

import math

__all__ = ["EARTH_RADIUS_M", "distance_m"]

#: The mean Earth radius (IUGG), in metres.
EARTH_RADIUS_M = 6_371_008.8


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres between two points in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    # Rounding can push h a hair above 1 for antipodal points, outside asin's domain.
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))
