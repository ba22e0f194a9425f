"""The test district of ``tests.geo`` as the GeoJSON files the map reads.

The same rectangles: streets west/east of 104.10 E, each split into two communities at
30.665 N and each community into two grid cells; :func:`write_small_district` writes them with
two patrol checkpoints, and a test checks the files locate points as ``small_geography()`` does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.geo import small_district_geojson


def small_district() -> dict[str, dict[str, Any]]:
    streets, communities, cells = small_district_geojson()
    return {"streets.geojson": streets, "communities.geojson": communities,
            "grid_cells.geojson": cells}


CHECKPOINTS = [{"id": "CP01", "name": "建设路口", "lat": 30.6612, "lon": 104.0921},
               {"id": "CP02", "name": "双桥子地铁站", "lat": 30.6688, "lon": 104.1079}]


def write_small_district(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in small_district().items():
        (folder / name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    (folder / "checkpoints.json").write_text(json.dumps(CHECKPOINTS, ensure_ascii=False),
                                             encoding="utf-8")
    return folder
