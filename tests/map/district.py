"""The test district of ``tests.geo`` as the GeoJSON files the map reads.

The same rectangles: streets west/east of 104.10 E, each split into two communities at
30.665 N and each community into two grid cells; :func:`write_small_district` writes them with
two patrol checkpoints, and a test checks the files locate points as ``small_geography()`` does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def _box(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def _collection(features: list[tuple[dict[str, Any], dict[str, Any]]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props, "geometry": geometry}
        for props, geometry in features]}


def small_district() -> dict[str, dict[str, Any]]:
    streets, communities, cells = [], [], []
    for s_index, (street, zh, west) in enumerate(
            [("street.mengzhuiwan", "猛追湾", 104.09), ("street.shuangqiaozi", "双桥子", 104.10)]):
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
    return {"streets.geojson": _collection(streets),
            "communities.geojson": _collection(communities),
            "grid_cells.geojson": _collection(cells)}


CHECKPOINTS = [{"id": "CP01", "name": "建设路口", "lat": 30.6612, "lon": 104.0921},
               {"id": "CP02", "name": "双桥子地铁站", "lat": 30.6688, "lon": 104.1079}]


def write_small_district(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in small_district().items():
        (folder / name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    (folder / "checkpoints.json").write_text(json.dumps(CHECKPOINTS, ensure_ascii=False),
                                             encoding="utf-8")
    return folder
