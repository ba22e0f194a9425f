"""Roads, addresses, estates, patrol checkpoints and cameras, laid out in the generated areas.

Trunk roads follow hand-placed anchors; each community gets side roads (the first named after it)
and residential estates; addresses are house numbers along the roads, numbered the Chinese way;
cameras stand at road junctions and squares. Every point is kept off cell edges (:class:`Locator`),
so no rounding moves it into another cell.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Sequence
from typing import Any

import shapely
from shapely.geometry import LineString, Point, Polygon
from shapely.ops import substring

from console.domain.geography import Geography
from console.sim.district.areas import Area, District, km, lat_lon, to_km
from console.sim.district.places import (
    CHECKPOINT_PLACES,
    ESTATE_KINDS,
    ESTATE_STEMS,
    GATES,
    JUNCTION_CAMERAS,
    LANDMARKS,
    NAMED_ESTATES,
    ROAD_KINDS,
    ROAD_STEMS,
    TRUNK_ROADS,
    Name,
    parse_names,
)

__all__ = ["Locator", "cameras", "checkpoints", "roads_and_estates", "trunk_roads"]

class Locator:
    """Where a point (rounded to the output grid) lands in the generated geography — and
    whether it is far enough inside its cell that no rounding could move it across the edge."""

    MARGIN = 3e-5  # degrees, about 3 m

    def __init__(self, geography: Geography, cells: Sequence[Area]) -> None:
        self.geography = geography
        self.polygons = {c.code: c.geometry for c in cells}
        for polygon in self.polygons.values():
            shapely.prepare(polygon)

    def place(self, point_km: Point) -> tuple[float, float, str, str, str] | None:
        lat, lon = lat_lon(point_km)
        where = self.geography.locate(lat, lon)
        if where.grid is None or where.community is None or where.street is None:
            return None
        point = Point(lon, lat)
        if self.polygons[where.grid].boundary.distance(point) < self.MARGIN:
            return None
        return lat, lon, where.grid, where.community, where.street


def _wavy_line(rng: random.Random, anchors: Sequence[tuple[float, float]]) -> LineString:
    points = [km(lat + rng.uniform(-0.0008, 0.0008), lon + rng.uniform(-0.0008, 0.0008))
              for lat, lon in anchors]
    coords: list[tuple[float, float]] = []
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        length = math.hypot(x1 - x0, y1 - y0)
        bend = rng.uniform(-0.06, 0.06)
        coords += [(x0, y0), ((x0 + x1) / 2 - bend * (y1 - y0) / length,
                              (y0 + y1) / 2 + bend * (x1 - x0) / length)]
    coords.append(points[-1])
    return LineString(coords)


def _longest(geometry: Any) -> LineString | None:
    parts = [p for p in shapely.get_parts(geometry) if isinstance(p, LineString) and p.length > 0]
    return max(parts, key=lambda p: p.length) if parts else None


def _frontage(rng: random.Random, road: LineString, name: Name, locator: Locator,
              spacing: tuple[float, float], taken: set[str]) -> list[dict[str, Any]]:
    """House numbers along a road, the way Chinese roads are numbered: odd on the left, even on
    the right, rising from the road's start by two for every 30 m or so of frontage."""
    out = []
    for side, parity in ((1.0, 1), (-1.0, 2)):
        along = rng.uniform(0.01, spacing[1])
        while along < road.length - 0.01:
            a, b = road.interpolate(max(0.0, along - 0.005)), road.interpolate(along + 0.005)
            dx, dy = b.x - a.x, b.y - a.y
            norm = math.hypot(dx, dy) or 1.0
            offset = side * rng.uniform(0.012, 0.025)
            here = road.interpolate(along)
            point = Point(here.x - offset * dy / norm, here.y + offset * dx / norm)
            number = 2 * int(along * 1000 / 30) + parity
            along += rng.uniform(*spacing)
            zh = f"{name.zh}{number}号"
            where = locator.place(point)
            if where is None or zh in taken:
                continue
            taken.add(zh)
            en = f"No. {number}, {name.en}" if "," in name.en else f"No. {number} {name.en}"
            out.append(_entry(Name(zh, en, f"{name.pinyin} {number} hao"), where, "road"))
    return out


def _entry(name: Name, where: tuple[float, float, str, str, str], kind: str) -> dict[str, Any]:
    lat, lon, grid, community, street = where
    return {"zh": name.zh, "en": name.en, "pinyin": name.pinyin, "lat": lat, "lon": lon,
            "grid": grid, "community": community, "street": street, "kind": kind}


def _point_in(rng: random.Random, polygon_km: Polygon, locator: Locator,
              tries: int = 200) -> tuple[Point, tuple[float, float, str, str, str]]:
    west, south, east, north = polygon_km.bounds
    for _ in range(tries):
        point = Point(rng.uniform(west, east), rng.uniform(south, north))
        if polygon_km.contains(point):
            where = locator.place(point)
            if where is not None:
                return point, where
    raise RuntimeError("no room for a point in a polygon")


def _tail(name: Name, syllables: int) -> Name:
    pinyin = name.pinyin.split()[-syllables:]
    return Name(name.zh[-syllables:], "".join(pinyin).capitalize(), " ".join(pinyin))


def trunk_roads(rng: random.Random, area_km: Polygon) -> list[tuple[str, list[Name], LineString]]:
    inside = area_km.buffer(-0.05)
    roads = []
    for junction_name, sections, anchors in TRUNK_ROADS:
        line = _longest(_wavy_line(rng, anchors).intersection(inside))
        if line is not None:
            roads.append((junction_name, [Name.of(zh, camel, en) for zh, camel, en in sections],
                          line))
    return roads


def roads_and_estates(rng: random.Random, district: District, locator: Locator,
                       trunks: list[tuple[str, list[Name], LineString]],
                       ) -> list[tuple[str, LineString]]:
    """Addresses along the trunk roads and the side roads it lays out, and estates; returns the
    side roads."""
    side_roads: list[tuple[str, LineString]] = []
    taken: set[str] = set()
    road_names: set[str] = set()
    for junction_name, sections, line in trunks:
        road_names.add(junction_name)  # no side road may take a trunk road's name
        for k, section in enumerate(sections):
            piece = substring(line, k * line.length / len(sections),
                              (k + 1) * line.length / len(sections))
            road_names.add(section.zh)
            district.addresses += _frontage(rng, piece, section, locator, (0.2, 0.4), taken)
    stems = parse_names(ROAD_STEMS)
    estate_stems = parse_names(ESTATE_STEMS)
    kinds = [Name.of(zh, camel, en) for zh, camel, en in ROAD_KINDS]
    estate_kinds = [Name.of(zh, camel, en) for zh, camel, en in ESTATE_KINDS]
    named_estates = {street: Name.of(zh, camel, en) for zh, camel, en, street in NAMED_ESTATES}
    for community in district.communities:
        polygon = to_km(community.geometry)
        stem = community.name.zh.removesuffix("社区")
        own = Name(stem, community.name.en.removesuffix(" Community"),
                   community.name.pinyin.removesuffix(" she qu"))
        if len(own.zh) > 3:
            own = _tail(own, 2)
        # Side roads: the first one named after the community, as Chengdu's often are.
        for r in range(2):
            base = own if r == 0 else rng.choice(stems)
            name = next((base + kind for kind in (kinds if r == 0 else rng.sample(kinds, 9))
                         if (base + kind).zh not in road_names), None)
            core = polygon.buffer(-0.05)
            through, _ = _point_in(rng, polygon if core.is_empty else core, locator)
            angle = rng.uniform(0, math.pi)
            dx, dy = 3 * math.cos(angle), 3 * math.sin(angle)
            line = LineString([(through.x - dx, through.y - dy), (through.x + dx, through.y + dy)])
            road = _longest(line.intersection(polygon.buffer(-0.03)))
            if name is None or road is None or road.length < 0.2:
                continue
            road_names.add(name.zh)
            district.addresses += _frontage(rng, road, name, locator, (0.14, 0.26), taken)
            side_roads.append((name.zh, road))
        # Residential estates (小区), placed anywhere in the community.
        estates = [named_estates.pop(community.parent)] if community.parent in named_estates \
            else []
        taken.update(e.zh for e in estates)
        wanted = rng.randint(4, 7)
        for _ in range(100):
            if len(estates) >= wanted:
                break
            base = own if rng.random() < 0.3 else rng.choice(estate_stems)
            name = base + rng.choice(estate_kinds)
            if name.zh not in taken:
                estates.append(name)
                taken.add(name.zh)
        for name in estates:
            _, where = _point_in(rng, polygon, locator)
            district.addresses.append(_entry(name, where, "estate"))
    return side_roads


def checkpoints(rng: random.Random, district: District, locator: Locator) -> None:
    estates_of: dict[str, list[dict[str, Any]]] = {}
    for address in district.addresses:
        if address["kind"] == "estate":
            estates_of.setdefault(address["community"], []).append(address)
    for community in district.communities:
        polygon = to_km(community.geometry)
        places = [CHECKPOINT_PLACES[0], *rng.sample(CHECKPOINT_PLACES[1:], rng.randint(1, 3))]
        entries = []
        for zh, en in places:
            _, where = _point_in(rng, polygon, locator)
            entries.append((f"{community.name.zh}{zh}", f"{community.name.en} {en}", where))
        # And the gate of one of its estates, some 40 m from the estate's point.
        estates = estates_of.get(community.code, [])
        for estate in rng.sample(estates, min(1, len(estates))):
            zh, en = rng.choice(GATES)
            x, y = km(estate["lat"], estate["lon"])
            for _ in range(20):
                angle = rng.uniform(0, math.tau)
                gate = locator.place(Point(x + 0.04 * math.cos(angle), y + 0.04 * math.sin(angle)))
                if gate is not None:
                    entries.append((estate["zh"] + zh, f"{estate['en']} {en}", gate))
                    break
        slug = community.code.removeprefix("community.")
        for i, (zh, en, where) in enumerate(entries, start=1):
            lat, lon, grid, _, _ = where
            district.checkpoints.append({"id": f"cp.{slug}.{i}", "zh": zh, "en": en,
                                         "lat": lat, "lon": lon, "grid": grid})


def _junctions(roads: Sequence[tuple[str, LineString]], others: Sequence[tuple[str, LineString]],
               apart: Sequence[Point]) -> list[tuple[Point, str]]:
    """Where a road of ``roads`` crosses one of ``others`` (the same list: each pair once), named
    the Chengdu way — "建设路与府青路口" — at least 300 m from the others and from ``apart``."""
    found: list[tuple[Point, str]] = []
    for i, (a_name, a) in enumerate(roads):
        for b_name, b in others[i + 1:] if others is roads else others:
            for point in shapely.get_parts(a.intersection(b)):
                if isinstance(point, Point) and all(
                        point.distance(p) > 0.3 for p in [*apart, *(f[0] for f in found)]):
                    tail = "口" if b_name.endswith(("路", "街", "巷")) else "路口"
                    found.append((point, f"{a_name}与{b_name}{tail}"))
    return found


def cameras(rng: random.Random, district: District, locator: Locator,
             trunks: list[tuple[str, list[Name], LineString]],
             side_roads: list[tuple[str, LineString]]) -> None:
    trunk_lines = [(name, line) for name, _, line in trunks]
    kept = _junctions(trunk_lines, trunk_lines, [])[:JUNCTION_CAMERAS]
    # Then junctions of trunk and side roads, each time the one farthest from those kept.
    more = _junctions(trunk_lines, side_roads, [p for p, _ in kept])
    while len(kept) < JUNCTION_CAMERAS and more:
        best = max(more, key=lambda j: min((j[0].distance(k[0]) for k in kept), default=0.0))
        kept.append(best)
        more.remove(best)
    sites = kept + [(Point(*km(lat, lon)), name) for name, (lat, lon) in LANDMARKS]
    for number, (point, name) in enumerate(sites, start=1):
        for _ in range(50):
            angle, reach = rng.uniform(0, math.tau), rng.uniform(0.01, 0.03)
            where = locator.place(Point(point.x + reach * math.cos(angle),
                                        point.y + reach * math.sin(angle)))
            if where is not None:
                break
        else:
            raise RuntimeError(f"camera {name} is outside the district")
        lat, lon, grid, _, street = where
        district.cameras.append({"id": f"cam.{number:03d}", "name": name, "lat": lat, "lon": lon,
                                 "grid": grid, "street": street})
