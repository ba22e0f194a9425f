"""The district's areas: its outline, 1,500 grid cells, and the communities and streets they make.

Steps 1–3 of the generator (see :mod:`console.sim.district`), and the local kilometre frame they
work in; :class:`District` is what the whole generator makes.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPoint, Point, Polygon
from shapely.strtree import STRtree

from console.sim.district.places import (
    OUTLINE_ANCHORS,
    SPARE_COMMUNITIES,
    STREETS,
    Name,
    compact,
    parse_names,
)

__all__ = ["EXTENT", "GRID", "Area", "District", "divide", "draw_outline", "km", "lat_lon",
           "to_degrees", "to_km"]

EXTENT = (30.62, 104.06, 30.74, 104.20)  # south, west, north, east
GRID = 1e-5  # degrees; every output coordinate lies on this grid (about a metre)
CELLS = 1500
COMMUNITY_CELLS = 15  # the average community's number of grid cells

LAT0, LON0 = 30.68, 104.13
KX = 111.320 * math.cos(math.radians(LAT0))  # km per degree of longitude here
KY = 110.574  # km per degree of latitude

# -- the result --------------------------------------------------------------------------------


@dataclass
class Area:
    code: str
    name: Name
    parent: str | None
    geometry: Polygon  # degrees, on the GRID


@dataclass
class District:
    """Everything the generator made; ``render`` turns it into the files."""

    seed: int
    outline: Polygon  # degrees
    streets: list[Area] = field(default_factory=list)
    communities: list[Area] = field(default_factory=list)
    cells: list[Area] = field(default_factory=list)
    addresses: list[dict[str, Any]] = field(default_factory=list)
    checkpoints: list[dict[str, Any]] = field(default_factory=list)
    cameras: list[dict[str, Any]] = field(default_factory=list)


# -- coordinates -------------------------------------------------------------------------------


def km(lat: float, lon: float) -> tuple[float, float]:
    return (lon - LON0) * KX, (lat - LAT0) * KY


def to_degrees(geometry: Any) -> Any:
    return shapely.transform(geometry, lambda xy: np.column_stack(
        (xy[:, 0] / KX + LON0, xy[:, 1] / KY + LAT0)))


def to_km(geometry: Any) -> Any:
    return shapely.transform(geometry, lambda xy: np.column_stack(
        ((xy[:, 0] - LON0) * KX, (xy[:, 1] - LAT0) * KY)))


def lat_lon(point: Point) -> tuple[float, float]:
    """A km-frame point as (lat, lon) rounded onto the output grid."""
    return round(point.y / KY + LAT0, 5), round(point.x / KX + LON0, 5)


# -- step 1: the outline -----------------------------------------------------------------------


def draw_outline(rng: random.Random) -> Polygon:
    """The district's outline in degrees (lon, lat), drawn from ``rng``, on the output grid."""
    anchors = [(lon + rng.uniform(-0.002, 0.002), lat + rng.uniform(-0.002, 0.002))
               for lat, lon in OUTLINE_ANCHORS]
    ring: list[tuple[float, float]] = []
    for (x0, y0), (x1, y1) in zip(anchors, anchors[1:] + anchors[:1], strict=True):
        # A wavy edge: a few points between anchors, pushed sideways by a smooth random amount.
        steps = 6
        phase, amplitude = rng.uniform(0, math.tau), rng.uniform(0.0006, 0.0018)
        length = math.hypot(x1 - x0, y1 - y0)
        nx, ny = -(y1 - y0) / length, (x1 - x0) / length
        for k in range(steps):
            t = k / steps
            bump = amplitude * math.sin(math.pi * t) * math.sin(phase + 3 * math.pi * t)
            ring.append((x0 + t * (x1 - x0) + bump * nx, y0 + t * (y1 - y0) + bump * ny))
    south, west, north, east = EXTENT
    polygon = Polygon(ring).intersection(shapely.box(west, south, east, north))
    polygon = shapely.set_precision(polygon, GRID)
    if not isinstance(polygon, Polygon) or not polygon.is_valid:
        raise RuntimeError("the district outline came out broken")
    return polygon


# -- step 2: grid cells ------------------------------------------------------------------------


def _density(x: float, y: float) -> float:
    """Relative grid density: the old town near the First Ring Road has the most people."""
    cx, cy = km(30.664, 104.092)
    return 1.0 + 2.5 * math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * 3.5**2))


def _cell_seeds(rng: random.Random, area_km: Polygon) -> list[Point]:
    west, south, east, north = area_km.bounds
    shapely.prepare(area_km)
    points: list[Point] = []
    while len(points) < CELLS:
        x, y = rng.uniform(west, east), rng.uniform(south, north)
        if rng.random() * 3.5 < _density(x, y) and shapely.contains_xy(area_km, x, y):
            points.append(Point(x, y))
    for _ in range(2):  # Lloyd relaxation: each seed to the centre of its own cell
        cells = shapely.voronoi_polygons(MultiPoint(points), extend_to=area_km.buffer(5),
                                         ordered=True)
        moved = []
        for point, cell in zip(points, shapely.get_parts(cells), strict=True):
            centroid = cell.intersection(area_km).centroid
            moved.append(centroid if area_km.contains(centroid) else point)
        points = moved
    return points


def _cells(rng: random.Random, area: Polygon) -> list[Polygon]:
    """Grid-cell polygons (degrees, on the GRID) tiling ``area`` exactly."""
    area_km = to_km(area)
    seeds = _cell_seeds(rng, area_km)
    voronoi = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=area_km.buffer(5),
                                       ordered=True)
    regions = list(shapely.get_parts(voronoi))
    edges = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=area_km.buffer(5),
                                     only_edges=True)
    # Node the Voronoi edges and the outline together on the output grid, once, so that every
    # vertex two faces share is one and the same coordinate.
    noded = shapely.union_all([to_degrees(edges), area.boundary], grid_size=GRID)
    faces = [f for f in shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
             if area.contains(f.representative_point())]
    region_tree = STRtree(regions)
    owned: dict[int, list[Polygon]] = {}
    for face in faces:
        probe = to_km(face.representative_point())
        hits = sorted(int(i) for i in region_tree.query(probe, predicate="intersects"))
        owned.setdefault(hits[0], []).append(face)
    pieces = [shapely.union_all(owned[i], grid_size=GRID) for i in sorted(owned)]
    return _merge_strays(pieces)


def _merge_strays(pieces: list[Any]) -> list[Polygon]:
    """Give every detached bit of a cell (a Voronoi cell cut by a bay of the outline) to the
    neighbour it shares the longest edge with, so that each cell is one polygon."""
    cells: list[Any] = list(pieces)
    while True:
        split = next((i for i, c in enumerate(cells) if not isinstance(c, Polygon)), None)
        if split is None:
            return cells
        parts = sorted(shapely.get_parts(cells[split]), key=lambda p: -p.area)
        cells[split] = parts[0]
        for stray in parts[1:]:
            shared = [(shapely.intersection(stray.boundary, c.boundary).length, -i, i)
                      for i, c in enumerate(cells) if i != split]
            _, _, into = max(shared)
            cells[into] = shapely.union_all([cells[into], stray], grid_size=GRID)


def _adjacency(cells: Sequence[Polygon]) -> list[list[int]]:
    """For each cell, the cells it shares an edge (not just a corner) with, ascending."""
    tree = STRtree(cells)
    left, right = tree.query(cells, predicate="touches")
    keep = left < right
    left, right = left[keep], right[keep]
    shared = shapely.length(shapely.intersection(
        shapely.boundary(np.asarray(cells, dtype=object)[left]),
        shapely.boundary(np.asarray(cells, dtype=object)[right])))
    neighbours: list[list[int]] = [[] for _ in cells]
    for a, b, length in zip(left.tolist(), right.tolist(), shared.tolist(), strict=True):
        if length > 0:
            neighbours[a].append(b)
            neighbours[b].append(a)
    return [sorted(n) for n in neighbours]


# -- step 3: streets and communities -----------------------------------------------------------


def _grow(sources: Sequence[int], neighbours: Sequence[Sequence[int]], centres: np.ndarray,
          allowed: set[int], noise: dict[tuple[int, int], float]) -> dict[int, int]:
    """Assign each allowed cell to the source whose region reaches it first, growing every
    region one shared edge at a time — so each region is connected by construction.

    Returns cell → index of its source, with the cells in the order they were claimed.
    """
    owner: dict[int, int] = {}
    queue = [(0.0, order, cell, label) for order, (label, cell) in enumerate(enumerate(sources))]
    heapq.heapify(queue)
    counter = len(queue)
    while queue:
        cost, _, cell, label = heapq.heappop(queue)
        if cell in owner:
            continue
        owner[cell] = label
        for other in neighbours[cell]:
            if other in allowed and other not in owner:
                step = float(np.hypot(*(centres[cell] - centres[other])))
                step *= noise[(min(cell, other), max(cell, other))]
                heapq.heappush(queue, (cost + step, counter, other, label))
                counter += 1
    return owner


def _nearest_cell(cells: Iterable[int], centres: np.ndarray, x: float, y: float) -> int:
    return min(cells, key=lambda c: (float(np.hypot(centres[c][0] - x, centres[c][1] - y)), c))


def _kmeans_sources(rng: random.Random, cells: list[int], centres: np.ndarray, k: int) -> list[int]:
    """k well-spread cells of a street to grow its communities from (k-means on cell centres)."""
    points = centres[cells]
    means = [points[rng.randrange(len(cells))]]
    while len(means) < k:  # k-means++ start
        gap = np.min([np.sum((points - m) ** 2, axis=1) for m in means], axis=0)
        means.append(points[int(np.searchsorted(np.cumsum(gap), rng.random() * gap.sum()))])
    centre = np.array(means)
    for _ in range(8):
        label = np.argmin(((points[:, None, :] - centre[None, :, :]) ** 2).sum(axis=2), axis=1)
        centre = np.array([points[label == j].mean(axis=0) if np.any(label == j) else centre[j]
                           for j in range(k)])
    sources: list[int] = []
    for x, y in centre:
        sources.append(_nearest_cell([c for c in cells if c not in sources], centres, x, y))
    return sources


def _community_names(rng: random.Random) -> dict[str, list[Name]]:
    spare = parse_names(SPARE_COMMUNITIES)
    rng.shuffle(spare)
    return {code: parse_names(names) + spare for code, _, _, _, names in STREETS}


def divide(rng: random.Random, area: Polygon) -> tuple[list[Area], list[Area], list[Area]]:
    """Streets, communities and cells, nested: every cell in one community, every community in
    one street, each a single polygon."""
    polygons = _cells(rng, area)
    neighbours = _adjacency(polygons)
    centres = np.array([[p.x, p.y] for p in to_km(shapely.centroid(np.asarray(polygons)))])
    # Irregular boundaries: crossing some shared edges costs more than crossing others.
    noise = {(a, b): rng.uniform(0.7, 1.4)
             for a in range(len(polygons)) for b in neighbours[a] if a < b}
    everything = set(range(len(polygons)))
    street_seeds = [km(lat + rng.uniform(-0.002, 0.002), lon + rng.uniform(-0.002, 0.002))
                    for _, _, _, (lat, lon), _ in STREETS]
    street_sources: list[int] = []
    for x, y in street_seeds:
        street_sources.append(_nearest_cell(everything - set(street_sources), centres, x, y))
    street_of = _grow(street_sources, neighbours, centres, everything, noise)
    names = _community_names(rng)
    used: set[str] = set()
    streets: list[Area] = []
    communities: list[Area] = []
    cells: list[Area] = []
    for s, (code, zh, camel, _, _) in enumerate(STREETS):
        members = [c for c, owner in street_of.items() if owner == s]  # in the order claimed
        k = max(3, round(len(members) / COMMUNITY_CELLS))
        sources = _kmeans_sources(rng, members, centres, k)
        # The community nearest the street's seed takes the street's first name, and so on out.
        sx, sy = street_seeds[s]
        sources.sort(key=lambda c: (float(np.hypot(centres[c][0] - sx, centres[c][1] - sy)), c))
        community_of = _grow(sources, neighbours, centres, set(members), noise)
        pool = iter(names[code])
        for j in range(k):
            stem = next(n for n in pool if compact(n.pinyin) not in used)
            used.add(compact(stem.pinyin))
            community_code = f"community.{compact(stem.pinyin)}"
            own = [c for c, owner in community_of.items() if owner == j]
            width = max(2, len(str(len(own))))
            for number, cell in enumerate(own, start=1):
                cells.append(Area(
                    f"grid.{compact(stem.pinyin)}.{number:0{width}d}",
                    Name(f"{stem.zh}社区第{number}网格", f"{stem.en} community grid {number}",
                         f"{stem.pinyin} she qu di {number} wang ge"),
                    community_code, polygons[cell]))
            communities.append(Area(community_code, stem + Name.of("社区", "SheQu", "Community"),
                                    code, _single([polygons[c] for c in own], community_code)))
        streets.append(Area(code, Name.of(zh, camel), None,
                            _single([polygons[c] for c in members], code)))
    return streets, communities, cells


def _single(polygons: list[Polygon], code: str) -> Polygon:
    union = shapely.union_all(polygons, grid_size=GRID)
    if not isinstance(union, Polygon):
        raise RuntimeError(f"{code} is not one polygon")
    return union
