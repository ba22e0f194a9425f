"""What the intake form looks up while the call taker types: the caller's earlier cases,
possible duplicates of the call, and a location typed as coordinates.

Plain functions over the replica, without Qt: the form calls them on each keystroke (after a
short delay) and on change sets that may concern what it shows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta

from console.comms.replica import Replica
from console.domain.distance import distance_m
from console.domain.incident import Incident
from console.domain.taxonomy import Taxonomy

DUPLICATE_RADIUS_M = 500.0
DUPLICATE_WINDOW = timedelta(hours=6)


class OnlyThese:
    """A stand-in replica holding only some incidents (what a change set brought)."""

    def __init__(self, incidents: Mapping[str, Incident]) -> None:
        self.incidents = incidents


def phone_digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)


def caller_history(replica: Replica, phone: str) -> list[Incident]:
    """The replica's incidents reported from ``phone`` (digits compared), newest first."""
    digits = phone_digits(phone)
    if len(digits) < 5:
        return []
    found = [inc for inc in replica.incidents.values()
             if phone_digits(inc.reporter.phone) == digits]
    found.sort(key=lambda inc: inc.created_at, reverse=True)
    return found


def duplicate_candidates(replica: Replica, taxonomy: Taxonomy, category: str, lat: float,
                         lon: float, now: datetime) -> list[tuple[Incident, float]]:
    """Open incidents that may report the same thing: same category or category group,
    within :data:`DUPLICATE_RADIUS_M`, registered within :data:`DUPLICATE_WINDOW` of ``now``;
    same category first, then nearest."""
    group = taxonomy.category(category).group if taxonomy.has_category(category) else None
    since = now - DUPLICATE_WINDOW
    found = []
    for inc in replica.incidents.values():
        if inc.finished or inc.created_at < since:
            continue
        if inc.category != category and (group is None or not taxonomy.has_category(
                inc.category) or taxonomy.category(inc.category).group != group):
            continue
        metres = distance_m(lat, lon, inc.location.lat, inc.location.lon)
        if metres <= DUPLICATE_RADIUS_M:
            found.append((inc, metres))
    found.sort(key=lambda row: (row[0].category != category, row[1], row[0].id))
    return found


def parse_location(text: str) -> tuple[float, float] | None:
    """``"30.6675, 104.0925"`` (lat, lon; comma, full-width comma or space) or None."""
    parts = [p for p in re.split(r"[,，\s]+", text.strip()) if p]
    if len(parts) != 2:
        return None
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon
