"""A small district for tests: 2 streets × 2 communities × 2 grid cells, as rectangles.

Street "street.mengzhuiwan" lies west of 104.10 E, "street.shuangqiaozi" east of it; each street
is split north/south into two communities at 30.665 N, and each community east/west into two
cells. Everything spans 30.66–30.67 N, 104.09–104.11 E.
"""

from __future__ import annotations

from typing import Any

from console.domain.geography import Geography


def _box(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def _collection(features: list[tuple[dict[str, Any], dict[str, Any]]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props, "geometry": geometry}
        for props, geometry in features
    ]}


def small_district_geojson() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The streets, communities and grid cells as the three GeoJSON FeatureCollections."""
    streets, communities, cells = [], [], []
    for s_index, (street, zh, west) in enumerate(
        [("street.mengzhuiwan", "猛追湾", 104.09), ("street.shuangqiaozi", "双桥子", 104.10)]
    ):
        streets.append(({"code": street, "zh": zh, "en": street.split(".")[1].title()},
                        _box(west, 30.66, west + 0.01, 30.67)))
        for c_index, south in enumerate((30.66, 30.665)):
            community = f"c{s_index}{c_index}"
            communities.append(({"code": community, "zh": f"社区{community}",
                                 "en": f"Community {community}", "street": street},
                                _box(west, south, west + 0.01, south + 0.005)))
            for g_index, cell_west in enumerate((west, west + 0.005)):
                cells.append(({"code": f"g{s_index}{c_index}{g_index}", "community": community},
                              _box(cell_west, south, cell_west + 0.005, south + 0.005)))
    return _collection(streets), _collection(communities), _collection(cells)


def small_geography() -> Geography:
    return Geography.from_geojson(*small_district_geojson())
