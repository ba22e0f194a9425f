"""The district generator as a whole: a district from a seed, its files, its command line.

``python -m console.sim.district`` runs :func:`main`; :func:`generate` makes the district,
:func:`render` turns it into the files' bytes, :func:`write` stores them in ``resources/geography``.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import Polygon

from console.domain.geography import Geography
from console.domain.resources import RESOURCES
from console.sim.district.areas import Area, District, divide, draw_outline, to_km
from console.sim.district.roads import (
    Locator,
    cameras,
    checkpoints,
    roads_and_estates,
    trunk_roads,
)

__all__ = ["DEFAULT_SEED", "generate", "main", "outline", "render", "write"]

DEFAULT_SEED = 96966  # the district hotline's number
DEFAULT_OUT = RESOURCES / "geography"


def outline(seed: int = DEFAULT_SEED) -> Polygon:
    """The district's outline in degrees (lon, lat) for ``seed``, on the output grid."""
    return draw_outline(random.Random(seed))


def generate(seed: int = DEFAULT_SEED) -> District:
    """The demo district for ``seed``; the same seed always gives the same district."""
    rng = random.Random(seed)
    area = draw_outline(rng)
    district = District(seed, area)
    district.streets, district.communities, district.cells = divide(rng, area)
    layers = _layers(district)
    locator = Locator(Geography.from_geojson(*layers), district.cells)
    trunks = trunk_roads(rng, to_km(area))
    side_roads = roads_and_estates(rng, district, locator, trunks)
    checkpoints(rng, district, locator)
    cameras(rng, district, locator, trunks, side_roads)
    return district


def _ring(coords: Iterable[tuple[float, float]]) -> list[list[float]]:
    return [[round(x, 5), round(y, 5)] for x, y in coords]


def _feature(area: Area, **properties: str) -> dict[str, Any]:
    polygon = shapely.geometry.polygon.orient(area.geometry, 1.0)  # RFC 7946: outer ring CCW
    rings = [_ring(polygon.exterior.coords), *(_ring(r.coords) for r in polygon.interiors)]
    return {"type": "Feature",
            "properties": {"code": area.code, "zh": area.name.zh, "en": area.name.en,
                           **properties},
            "geometry": {"type": "Polygon", "coordinates": rings}}


def _layers(district: District) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    def collection(features: list[dict[str, Any]]) -> dict[str, Any]:
        return {"type": "FeatureCollection", "features": features}

    return (collection([_feature(a) for a in district.streets]),
            collection([_feature(a, street=str(a.parent)) for a in district.communities]),
            collection([_feature(a, community=str(a.parent)) for a in district.cells]))


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _lines(items: list[Any], *, collection: bool = False) -> bytes:
    """Compact JSON with one item a line, so that a diff stays readable: a list, or a GeoJSON
    FeatureCollection of the items."""
    text = "[\n" + ",\n".join(_dumps(item) for item in items) + "\n]"
    if collection:
        text = '{"type":"FeatureCollection","features":' + text + "}"
    return (text + "\n").encode()


def render(district: District) -> dict[str, bytes]:
    """File name → content, exactly as ``write`` stores them."""
    streets, communities, cells = _layers(district)
    files = {name: _lines(layer["features"], collection=True)
             for name, layer in (("streets.geojson", streets),
                                 ("communities.geojson", communities),
                                 ("grid_cells.geojson", cells))}
    files["gazetteer.json"] = _lines(district.addresses)
    files["checkpoints.json"] = _lines(district.checkpoints)
    files["cameras.json"] = _lines(district.cameras)
    return files


def write(seed: int = DEFAULT_SEED, out: Path | str = DEFAULT_OUT) -> dict[str, int]:
    """Generate and write the files; returns file name → size in bytes."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    sizes = {}
    for name, content in render(generate(seed)).items():
        (folder / name).write_bytes(content)
        sizes[name] = len(content)
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m console.sim.district",
                                     description="Generate the demo district's geography.")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    for name, size in write(args.seed, args.out).items():
        print(f"{args.out / name}: {size:,} bytes")
    return 0

