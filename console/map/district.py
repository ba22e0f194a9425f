"""The district data the map draws besides the live state: boundaries and patrol checkpoints.

Read from the same folder the domain's :class:`~console.domain.geography.Geography` is read from
(``resources/geography`` by default): ``streets.geojson``, ``communities.geojson``,
``grid_cells.geojson`` and, when present, ``checkpoints.json``. The domain knows *where a point
is*; the map needs the shapes themselves, so it reads the GeoJSON again. A missing file leaves
its layer empty — the map still opens, on a plain background if need be.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from console.domain.geography import (
    COMMUNITIES_FILE,
    DEFAULT_DIRECTORY,
    GRID_CELLS_FILE,
    STREETS_FILE,
)

log = logging.getLogger(__name__)

CHECKPOINTS_FILE = "checkpoints.json"
LAYER_FILES = {"streets": STREETS_FILE, "communities": COMMUNITIES_FILE, "grid": GRID_CELLS_FILE}


@dataclass(frozen=True)
class Checkpoint:
    """A patrol checkpoint (电子巡更点) a patrol clocks in at."""

    id: str
    zh: str
    en: str
    lat: float
    lon: float

    def name(self, lang: str = "zh") -> str:
        return self.zh if lang.lower().startswith("zh") else self.en


@dataclass(frozen=True)
class DistrictShapes:
    """Boundary FeatureCollections by layer name, and the checkpoints."""

    boundaries: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    checkpoints: tuple[Checkpoint, ...] = ()

    def bounds(self) -> tuple[float, float, float, float] | None:
        """(south, west, north, east) around every boundary, or None without boundaries."""
        lats: list[float] = []
        lons: list[float] = []

        def walk(value: Any) -> None:
            if value and isinstance(value[0], (int, float)):
                lons.append(float(value[0]))
                lats.append(float(value[1]))
            else:
                for part in value:
                    walk(part)

        for collection in self.boundaries.values():
            for feature in collection.get("features", ()):
                walk(feature["geometry"]["coordinates"])
        if not lats:
            return None
        return min(lats), min(lons), max(lats), max(lons)


def load_district(directory: Path | str | None = None) -> DistrictShapes:
    """Whatever of the district's boundary and checkpoint files ``directory`` holds."""
    folder = Path(directory) if directory is not None else DEFAULT_DIRECTORY
    boundaries: dict[str, Mapping[str, Any]] = {}
    for name, filename in LAYER_FILES.items():
        data = _read(folder / filename)
        if isinstance(data, Mapping) and isinstance(data.get("features"), list):
            boundaries[name] = data
    return DistrictShapes(boundaries, _checkpoints(_read(folder / CHECKPOINTS_FILE)))


def _read(path: Path) -> Any:
    if not path.is_file():
        return None
    try:
        with path.open(encoding="utf-8") as stream:
            return json.load(stream)
    except (OSError, ValueError):
        log.warning("map: %s cannot be read; its layer stays empty", path, exc_info=True)
        return None


def _checkpoints(data: Any) -> tuple[Checkpoint, ...]:
    """Checkpoints from a list (or ``{"checkpoints": [...]}``, or GeoJSON points) of objects
    with an id (or code), ``zh``/``en`` names (or one ``name``) and lat/lon; entries without a
    position are skipped."""
    if isinstance(data, Mapping):
        data = data.get("checkpoints", data.get("features", ()))
    found = []
    for entry in data or ():
        if not isinstance(entry, Mapping):
            continue
        if "geometry" in entry:  # a GeoJSON point feature
            props = entry.get("properties") or {}
            try:
                lon, lat = entry["geometry"]["coordinates"][:2]
            except (KeyError, TypeError, ValueError):
                continue
            entry = {**props, "lat": lat, "lon": lon}
        ident = entry.get("id") or entry.get("code")
        try:
            lat, lon = float(entry["lat"]), float(entry["lon"])
        except (KeyError, TypeError, ValueError):
            continue
        if ident:
            name = str(entry.get("name") or ident)
            found.append(Checkpoint(str(ident), str(entry.get("zh") or name),
                                    str(entry.get("en") or name), lat, lon))
    return tuple(found)
