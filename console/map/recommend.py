"""Recommended units for one incident: its category's response plan, ranked by ETA.

Only units that can be dispatched now (:data:`console.domain.response.DISPATCHABLE`) with a known
position are offered. The list comes in three bands, each ordered by ETA (ties by id):

1. *pick* — for every need of the plan, the ``count`` units that fit it soonest: what the plan
   asks to send;
2. *fits* — the next :data:`ALTERNATIVES` units that fit each need, should a pick be refused or
   not answer;
3. *other* — the rest, so a dispatcher still sees who is closest whatever the plan says.

ETA rather than straight distance, because a rescue vehicle two kilometres away arrives before
a grid worker on foot at one. The work is numpy over :class:`~console.map.feeds.UnitFeed`'s
arrays; skills are not in the feed, so they are read (``skills_of``) only for units of a type the
plan names, in ETA order, until enough fit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from console.domain.model import UnitType
from console.domain.response import DISPATCHABLE, ResponsePlan
from console.map.feeds import UnitFeed
from console.map.nearest import TravelTimes, distances_m
from console.map.symbols import UNIT_TYPES, status_code, type_code

#: How many more units per need are offered after its picks: enough to replace a pick, few enough
#: that a need with many units (community police) does not crowd everyone else off the list.
ALTERNATIVES = 2


class Fit(IntEnum):
    """How a unit stands against the plan; lower ranks first."""

    PICK = 0
    FITS = 1
    OTHER = 2


@dataclass(frozen=True)
class Recommended:
    unit_id: str
    type: UnitType
    distance_m: float
    eta_s: float
    fit: Fit


def eta_seconds(feed: UnitFeed, metres: np.ndarray, times: TravelTimes) -> np.ndarray:
    """Every unit's ETA over ``metres`` of straight line, by its type (from the feed's style)."""
    kinds = feed.style >> 3
    speed = np.array([times.speed_kmh[t] for t in UNIT_TYPES]) / 3.6
    setoff = np.array([times.setoff_min[t] for t in UNIT_TYPES]) * 60
    eta: np.ndarray = metres * times.detour_factor / speed[kinds] + setoff[kinds]
    return eta


def _soonest(indexes: np.ndarray, eta: np.ndarray, first: int) -> Iterator[int]:
    """``indexes`` in ETA order: a partial sort of the ``first`` soonest, widened (fourfold)
    only when the caller walks past them — a need's type may hold 20,000 grid workers."""
    start = 0
    while start < len(indexes):
        end = min(len(indexes), max(first, 1))
        if end < len(indexes):
            chunk = indexes[np.argpartition(eta[indexes], end - 1)[:end]]
        else:
            chunk = indexes
        chunk = chunk[np.argsort(eta[chunk], kind="stable")]
        for i in chunk[start:]:
            yield int(i)
        start, first = end, first * 4


def _by_eta(indexes: np.ndarray, eta: np.ndarray, ids: list[str]) -> list[int]:
    return sorted((int(i) for i in indexes), key=lambda i: (eta[i], ids[i]))


def recommend(feed: UnitFeed, lat: float, lon: float, times: TravelTimes, plan: ResponsePlan,
              skills_of: Callable[[str], Iterable[str]], limit: int = 10) -> list[Recommended]:
    """The ``limit`` units to offer for an incident at (lat, lon), picks first (see above)."""
    if not len(feed) or limit <= 0:
        return []
    metres = distances_m(feed, lat, lon)
    dispatchable = np.isin(feed.style & 7, [status_code(s) for s in DISPATCHABLE])
    candidate = dispatchable & ~np.isnan(metres)
    if not candidate.any():
        return []
    eta = eta_seconds(feed, metres, times)
    kinds = feed.style >> 3
    ids = feed.ids
    fit: dict[int, Fit] = {}
    for need in plan.needs:
        of_type = np.flatnonzero(candidate & (kinds == type_code(need.type)))
        wanted = need.count + ALTERNATIVES
        found = 0
        for index in _soonest(of_type, eta, wanted if need.skill is None else 4 * wanted):
            if need.skill is not None and need.skill not in skills_of(ids[index]):
                continue
            if fit.get(index) is not Fit.PICK:
                fit[index] = Fit.PICK if found < need.count else Fit.FITS
            found += 1
            if found >= wanted:
                break
    rest_mask = candidate.copy()
    rest_mask[list(fit)] = False
    rest = np.flatnonzero(rest_mask)
    room = max(0, limit - len(fit))
    if room and len(rest) > room:
        rest = rest[np.argpartition(eta[rest], room - 1)[:room]]
    elif not room:
        rest = rest[:0]
    ranked = [*_by_eta(np.array([i for i, f in fit.items() if f is Fit.PICK]), eta, ids),
              *_by_eta(np.array([i for i, f in fit.items() if f is Fit.FITS]), eta, ids),
              *_by_eta(rest, eta, ids)]
    return [Recommended(ids[i], UNIT_TYPES[int(kinds[i])], float(metres[i]), float(eta[i]),
                        fit.get(i, Fit.OTHER))
            for i in ranked[:limit]]
