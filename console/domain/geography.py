"""Where an incident is: point → grid cell (网格) → community (社区) → street (街道).

The district's four-level network (district → streets → communities → grid cells) is given as three
GeoJSON FeatureCollections, coordinates ``[lon, lat]`` as GeoJSON has them:

- streets: properties ``code``, ``zh``, ``en``;
- communities: ``code``, ``zh``, ``en``, ``street`` (the parent street's code);
- grid cells: ``code``, ``community`` (the parent community's code), optionally ``zh``/``en``.

``Geography.locate(lat, lon)`` finds the grid cell containing a point with an STRtree, and takes the
community and street from the cell's parents, so the three always agree. Where no cell covers the
point (generated or surveyed grids leave gaps), it falls back to the communities, then to the
streets; a point outside every street is ``Place(None, None, None)``. A point on a boundary shared
by several polygons of one layer resolves to the lowest code, whatever the input order.

Mind the order: the API speaks ``(lat, lon)`` like the rest of the project; only the GeoJSON input
is ``[lon, lat]``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import shapely
from shapely.errors import GEOSException
from shapely.geometry import shape
from shapely.strtree import STRtree

from console.domain.distance import EARTH_RADIUS_M
from console.domain.resources import RESOURCES

__all__ = [
    "DEFAULT_DIRECTORY",
    "Area",
    "Bounds",
    "Geography",
    "Place",
]

DEFAULT_DIRECTORY = RESOURCES / "geography"
STREETS_FILE = "streets.geojson"
COMMUNITIES_FILE = "communities.geojson"
GRID_CELLS_FILE = "grid_cells.geojson"

Level = Literal["street", "community", "grid"]


@dataclass(frozen=True)
class Place:
    """Where a point lies; ``None`` for each level the point is outside of."""

    grid: str | None = None
    community: str | None = None
    street: str | None = None


@dataclass(frozen=True)
class Bounds:
    """A lat/lon box, as a map fits it: south-west and north-east corners."""

    south: float
    west: float
    north: float
    east: float

    def contains(self, lat: float, lon: float) -> bool:
        return self.south <= lat <= self.north and self.west <= lon <= self.east

    def widened(self, metres: float) -> Bounds:
        """The box grown by ``metres`` on every side (east and west measured at its widest
        latitude, so it never grows less than ``metres`` anywhere)."""
        dlat = math.degrees(metres / EARTH_RADIUS_M)
        widest = max(abs(self.south), abs(self.north))
        dlon = dlat / max(math.cos(math.radians(min(widest, 89.0))), 1e-6)
        return Bounds(self.south - dlat, self.west - dlon, self.north + dlat, self.east + dlon)


@dataclass(frozen=True)
class Area:
    """A street, community or grid cell: its names and its parent's code (``None`` for a street)."""

    code: str
    level: Level
    zh: str
    en: str
    parent: str | None

    def name(self, lang: str = "zh") -> str:
        """The name in ``lang`` (any ``zh*`` locale gives Chinese, anything else English)."""
        return self.zh if lang.lower().startswith("zh") else self.en


class _Layer:
    """The areas of one level, their polygons, and a spatial index over them."""

    def __init__(self, areas: Sequence[Area], geometries: Sequence[Any]) -> None:
        # Sorted by code, so the first hit among several candidates is the lowest code.
        order = sorted(range(len(areas)), key=lambda i: areas[i].code)
        self.areas = tuple(areas[i] for i in order)
        self.geometries = tuple(geometries[i] for i in order)
        self.by_code = {a.code: i for i, a in enumerate(self.areas)}
        for geometry in self.geometries:
            shapely.prepare(geometry)
        self.tree = STRtree(self.geometries) if self.geometries else None

    def find(self, point: Any) -> Area | None:
        """The lowest-coded area covering ``point`` (boundary included), or ``None``."""
        if self.tree is None:
            return None
        hits = self.tree.query(point, predicate="intersects")
        if len(hits) == 0:
            return None
        return self.areas[int(min(hits))]

    def get(self, code: str, kind: str) -> Area:
        try:
            return self.areas[self.by_code[code]]
        except KeyError:
            raise ValueError(f"unknown {kind} {code!r}") from None

    def geometry(self, code: str) -> Any:
        return self.geometries[self.by_code[code]]


class Geography:
    """The district's streets, communities and grid cells, with point location."""

    def __init__(self, streets: _Layer, communities: _Layer, cells: _Layer) -> None:
        """Use ``from_geojson`` or ``from_files``, which validate."""
        self._streets = streets
        self._communities = communities
        self._cells = cells
        all_geometries = [*streets.geometries, *communities.geometries, *cells.geometries]
        if all_geometries:
            west, south, east, north = (float(v) for v in shapely.total_bounds(all_geometries))
            self._bounds = Bounds(south=south, west=west, north=north, east=east)
        else:
            self._bounds = Bounds(math.nan, math.nan, math.nan, math.nan)
        self._communities_of: dict[str, list[str]] = {a.code: [] for a in streets.areas}
        for community in communities.areas:
            self._communities_of[str(community.parent)].append(community.code)
        self._cells_of: dict[str, list[str]] = {a.code: [] for a in communities.areas}
        for cell in cells.areas:
            self._cells_of[str(cell.parent)].append(cell.code)

    # -- construction ---------------------------------------------------------------------------

    @classmethod
    def from_geojson(
        cls,
        streets: Mapping[str, Any],
        communities: Mapping[str, Any],
        cells: Mapping[str, Any],
    ) -> Geography:
        """Validate three FeatureCollections and build the geography.

        Raises:
            ValueError: naming the bad feature — a missing or duplicate code, a parent that does not
                exist, a geometry that is not a valid, non-empty Polygon or MultiPolygon, or
                coordinates outside [-180, 180] × [-90, 90] (usually lat and lon swapped).
        """
        street_layer = _layer(streets, "street", parent_key=None, parents=None)
        community_layer = _layer(
            communities, "community", parent_key="street", parents=street_layer.by_code
        )
        cell_layer = _layer(cells, "grid", parent_key="community", parents=community_layer.by_code)
        return cls(street_layer, community_layer, cell_layer)

    @classmethod
    def from_files(cls, directory: Path | str | None = None) -> Geography:
        """Read ``streets.geojson``, ``communities.geojson`` and ``grid_cells.geojson``.

        Args:
            directory: the folder holding them; ``resources/geography`` by default.

        Raises:
            OSError: a file cannot be read.
            ValueError: a file is not valid JSON, or the data fails validation.
        """
        folder = Path(directory) if directory is not None else DEFAULT_DIRECTORY
        collections: list[Any] = []
        for name in (STREETS_FILE, COMMUNITIES_FILE, GRID_CELLS_FILE):
            path = folder / name
            with path.open(encoding="utf-8") as stream:
                try:
                    collections.append(json.load(stream))
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}: not valid JSON: {exc}") from exc
        return cls.from_geojson(*collections)

    # -- point location -------------------------------------------------------------------------

    def locate(self, lat: float, lon: float) -> Place:
        """The grid cell, community and street at a point (``None`` where there is none)."""
        if not (math.isfinite(lat) and math.isfinite(lon)):
            return Place()
        point = shapely.Point(lon, lat)
        cell = self._cells.find(point)
        if cell is not None:
            return self.place_of_grid(cell.code)
        community = self._communities.find(point)
        if community is not None:
            return Place(grid=None, community=community.code, street=community.parent)
        street = self._streets.find(point)
        if street is not None:
            return Place(grid=None, community=None, street=street.code)
        return Place()

    def place_of_grid(self, code: str) -> Place:
        """The cell with its community and street. Raises: ValueError for an unknown cell."""
        cell = self._cells.get(code, "grid cell")
        community = self._communities.get(str(cell.parent), "community")
        return Place(grid=cell.code, community=community.code, street=community.parent)

    # -- names and structure --------------------------------------------------------------------

    @property
    def street_codes(self) -> tuple[str, ...]:
        """Sorted street codes."""
        return tuple(a.code for a in self._streets.areas)

    @property
    def community_codes(self) -> tuple[str, ...]:
        return tuple(a.code for a in self._communities.areas)

    @property
    def grid_codes(self) -> tuple[str, ...]:
        return tuple(a.code for a in self._cells.areas)

    @property
    def bounds(self) -> Bounds:
        """The box around every polygon (all NaN for an empty geography)."""
        return self._bounds

    def near(self, lat: float, lon: float, margin_m: float) -> bool:
        """Is the point within ``margin_m`` of the district's box? True for an empty geography,
        which knows no district to be outside of."""
        if math.isnan(self._bounds.south):
            return True
        return self._bounds.widened(margin_m).contains(lat, lon)

    def street(self, code: str) -> Area:
        """Raises: ValueError ``unknown street 'x'``."""
        return self._streets.get(code, "street")

    def community(self, code: str) -> Area:
        """Raises: ValueError ``unknown community 'x'``."""
        return self._communities.get(code, "community")

    def grid(self, code: str) -> Area:
        """Raises: ValueError ``unknown grid cell 'x'``."""
        return self._cells.get(code, "grid cell")

    def street_name(self, code: str, lang: str = "zh") -> str:
        return self.street(code).name(lang)

    def community_name(self, code: str, lang: str = "zh") -> str:
        return self.community(code).name(lang)

    def grid_name(self, code: str, lang: str = "zh") -> str:
        return self.grid(code).name(lang)

    def communities_of(self, street: str) -> tuple[str, ...]:
        """Sorted community codes of a street. Raises: ValueError for an unknown street."""
        self.street(street)
        return tuple(self._communities_of[street])

    def cells_of(self, community: str) -> tuple[str, ...]:
        """Sorted grid cell codes of a community. Raises: ValueError for an unknown community."""
        self.community(community)
        return tuple(self._cells_of[community])

    def polygon(self, level: Level, code: str) -> Any:
        """The shapely (Multi)Polygon of an area, in GeoJSON's ``(lon, lat)`` order.

        Raises:
            ValueError: unknown code.
        """
        layer = {"street": self._streets, "community": self._communities, "grid": self._cells}[
            level
        ]
        layer.get(code, "grid cell" if level == "grid" else level)
        return layer.geometry(code)

    def representative_point(self, level: Level, code: str) -> tuple[float, float]:
        """A ``(lat, lon)`` guaranteed inside the area — where a map puts its label or a marker.

        Raises:
            ValueError: unknown code.
        """
        layer = {"street": self._streets, "community": self._communities, "grid": self._cells}[
            level
        ]
        layer.get(code, "grid cell" if level == "grid" else level)
        point = layer.geometry(code).representative_point()
        return float(point.y), float(point.x)


# -- validation ---------------------------------------------------------------------------------

_KIND = {"street": "street", "community": "community", "grid": "grid cell"}


def _layer(
    collection: Mapping[str, Any],
    level: Level,
    parent_key: str | None,
    parents: Mapping[str, int] | None,
) -> _Layer:
    kind = _KIND[level]
    if not isinstance(collection, Mapping) or not isinstance(collection.get("features"), list):
        raise ValueError(f"{kind} layer: expected a GeoJSON FeatureCollection")
    areas: list[Area] = []
    geometries: list[Any] = []
    seen: set[str] = set()
    for index, feature in enumerate(collection["features"]):
        if not isinstance(feature, Mapping) or not isinstance(feature.get("properties"), Mapping):
            raise ValueError(f"{kind} feature #{index}: expected a Feature with properties")
        properties: Mapping[str, Any] = feature["properties"]
        code = properties.get("code")
        if not isinstance(code, str) or not code:
            raise ValueError(f"{kind} feature #{index}: 'code' must be a non-empty string")
        where = f"{kind} {code!r}"
        if code in seen:
            raise ValueError(f"{where}: duplicate code")
        seen.add(code)
        parent: str | None = None
        if parent_key is not None and parents is not None:
            value = properties.get(parent_key)
            if not isinstance(value, str) or value not in parents:
                raise ValueError(f"{where}: unknown {parent_key} {value!r}")
            parent = value
        zh = properties.get("zh", code)
        en = properties.get("en", code)
        if level != "grid" and not (isinstance(zh, str) and zh and isinstance(en, str) and en):
            raise ValueError(f"{where}: 'zh' and 'en' must be non-empty strings")
        areas.append(Area(code=code, level=level, zh=str(zh), en=str(en), parent=parent))
        geometries.append(_geometry(feature.get("geometry"), where))
    return _Layer(areas, geometries)


def _geometry(raw: Any, where: str) -> Any:
    if not isinstance(raw, Mapping) or raw.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValueError(f"{where}: geometry must be a Polygon or MultiPolygon")
    try:
        geometry = shape(raw)
    except (ValueError, TypeError, IndexError, KeyError, AttributeError, GEOSException) as exc:
        raise ValueError(f"{where}: malformed geometry: {exc}") from exc
    if geometry.is_empty:
        raise ValueError(f"{where}: empty geometry")
    west, south, east, north = (float(v) for v in geometry.bounds)
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise ValueError(f"{where}: coordinates out of range (GeoJSON order is [lon, lat])")
    if not geometry.is_valid:
        raise ValueError(f"{where}: invalid geometry: {shapely.is_valid_reason(geometry)}")
    return geometry
