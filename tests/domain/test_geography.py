"""Tests of point location: grid cell → community → street, on a small synthetic district.

The test district, around 30.66 N 104.10 E (edges on a 0.005° lattice):

    lat 30.680 ┌───────── s1 ──────────┬───────── s2 ──────────┐
               │  s1-b: cells 0..3     │  s2-b: cells 0..2     │  (s2-b-3, the north-east
    lat 30.670 ├───────────────────────┼───────────────────────┤   quarter, has no cell)
               │  s1-a: cells 0..3     │  s2-a: cells 0..3     │
    lat 30.660 └───────────────────────┴───────────────────────┘
            104.100                 104.120                 104.140

Each community is 0.02° × 0.01°, split into 2 × 2 cells of 0.01° lon × 0.005° lat.
"""

from __future__ import annotations

import json
import math
import random
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.domain.geography import Geography, Place

LAT0, LON0 = 30.66, 104.10


def lat_at(i: int) -> float:
    """Latitude of lattice row ``i``; neighbours share the exact same float."""
    return round(LAT0 + 0.005 * i, 6)


def lon_at(j: int) -> float:
    return round(LON0 + 0.005 * j, 6)


def rectangle(south: float, west: float, north: float, east: float) -> dict[str, Any]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def feature(geometry: dict[str, Any], **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


# cell code → (south, west, north, east)
CELLS: dict[str, tuple[float, float, float, float]] = {}


def build_layers() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    streets, communities, cells = [], [], []
    for s, street in enumerate(("s1", "s2")):
        west, east = lon_at(4 * s), lon_at(4 * s + 4)
        streets.append(
            feature(
                rectangle(lat_at(0), west, lat_at(4), east),
                code=street,
                zh=f"街道{s + 1}",
                en=f"Street {s + 1}",
            )
        )
        for c, part in enumerate(("a", "b")):
            community = f"{street}-{part}"
            communities.append(
                feature(
                    rectangle(lat_at(2 * c), west, lat_at(2 * c + 2), east),
                    code=community,
                    street=street,
                    zh=f"社区{community}",
                    en=f"Community {community}",
                )
            )
            for k in range(4):
                if community == "s2-b" and k == 3:
                    continue  # a gap: the community's north-east quarter has no cell
                row, col = 2 * c + k // 2, 4 * s + 2 * (k % 2)
                box = (lat_at(row), lon_at(col), lat_at(row + 1), lon_at(col + 2))
                code = f"{community}-{k}"
                CELLS[code] = box
                cells.append(feature(rectangle(*box), code=code, community=community))
    return collection(streets), collection(communities), collection(cells)


STREETS, COMMUNITIES, GRID = build_layers()


@pytest.fixture(scope="module")
def geo() -> Geography:
    return Geography.from_geojson(STREETS, COMMUNITIES, GRID)


def center(box: tuple[float, float, float, float]) -> tuple[float, float]:
    south, west, north, east = box
    return (south + north) / 2, (west + east) / 2


# -- locating -----------------------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(CELLS))
def test_interior_point_locates_to_its_cell_and_parents(geo: Geography, code: str) -> None:
    community = code.rsplit("-", 1)[0]
    street = community.split("-")[0]
    assert geo.locate(*center(CELLS[code])) == Place(code, community, street)


def test_boundary_points_resolve_to_the_lowest_code(geo: Geography) -> None:
    south, _, north, east = CELLS["s1-a-0"]
    # Edge between s1-a-0 and s1-a-1 (same row, east neighbour).
    assert geo.locate((south + north) / 2, east).grid == "s1-a-0"
    # Corner shared by s1-a-0, s1-a-1, s1-a-2, s1-a-3.
    assert geo.locate(north, east).grid == "s1-a-0"
    # Edge between the streets: s1-a-1 and s2-a-0; the street follows the cell.
    s, _, n, e = CELLS["s1-a-1"]
    assert geo.locate((s + n) / 2, e) == Place("s1-a-1", "s1-a", "s1")
    # Edge between two communities of one street: s1-a-2 and s1-b-0.
    assert geo.locate(lat_at(2), lon_at(1)) == Place("s1-a-2", "s1-a", "s1")


def test_boundary_resolution_does_not_depend_on_input_order() -> None:
    reversed_geo = Geography.from_geojson(
        *(collection(list(reversed(layer["features"]))) for layer in (STREETS, COMMUNITIES, GRID))
    )
    _, _, north, east = CELLS["s1-a-0"]
    assert reversed_geo.locate(north, east).grid == "s1-a-0"
    # The point where two streets and two communities meet: four cells touch it.
    assert reversed_geo.locate(lat_at(2), lon_at(4)) == Place("s1-a-3", "s1-a", "s1")


def test_outer_boundary_counts_as_inside(geo: Geography) -> None:
    assert geo.locate(lat_at(0), lon_at(0)) == Place("s1-a-0", "s1-a", "s1")
    assert geo.locate(lat_at(4), lon_at(8)).street == "s2"


@pytest.mark.parametrize(
    ("lat", "lon"),
    [(30.0, 104.0), (lat_at(0) - 1e-9, lon_at(1)), (lat_at(2), lon_at(8) + 1e-6), (0.0, 0.0)],
)
def test_outside_every_street_is_nowhere(geo: Geography, lat: float, lon: float) -> None:
    assert geo.locate(lat, lon) == Place(None, None, None)


@pytest.mark.parametrize(("lat", "lon"), [(math.nan, 104.11), (30.665, math.inf)])
def test_non_finite_coordinates_are_nowhere(geo: Geography, lat: float, lon: float) -> None:
    assert geo.locate(lat, lon) == Place()


def test_falls_back_to_the_community_where_no_cell_covers(geo: Geography) -> None:
    # North-east quarter of s2-b, which has no cell.
    assert geo.locate(lat_at(3) + 0.0025, lon_at(6) + 0.005) == Place(None, "s2-b", "s2")


def test_falls_back_to_the_street_where_no_community_covers() -> None:
    streets = collection(
        [
            *STREETS["features"],
            feature(
                rectangle(lat_at(0), lon_at(8), lat_at(4), lon_at(10)), code="s3", zh="三", en="3"
            ),
        ]
    )
    geo = Geography.from_geojson(streets, COMMUNITIES, GRID)
    assert geo.locate(lat_at(1), lon_at(9)) == Place(None, None, "s3")


@given(data=st.data(), code=st.sampled_from(sorted(CELLS)))
def test_random_interior_points_locate_to_their_cell(code: str, data: st.DataObject) -> None:
    geo = _GEO
    south, west, north, east = CELLS[code]
    lat = data.draw(st.floats(south, north, exclude_min=True, exclude_max=True))
    lon = data.draw(st.floats(west, east, exclude_min=True, exclude_max=True))
    community = code.rsplit("-", 1)[0]
    assert geo.locate(lat, lon) == Place(code, community, community.split("-")[0])


_GEO = Geography.from_geojson(STREETS, COMMUNITIES, GRID)


# -- names, structure, files --------------------------------------------------------------------


def test_names_codes_and_structure(geo: Geography) -> None:
    assert geo.street_codes == ("s1", "s2")
    assert geo.street_name("s1") == "街道1"
    assert geo.street_name("s1", "en") == "Street 1"
    assert geo.community_name("s2-b", "zh_CN") == "社区s2-b"
    assert geo.grid_name("s1-a-0") == "s1-a-0"  # cells need no names
    assert geo.communities_of("s2") == ("s2-a", "s2-b")
    assert geo.cells_of("s2-b") == ("s2-b-0", "s2-b-1", "s2-b-2")
    assert len(geo.grid_codes) == 15
    assert geo.place_of_grid("s2-a-3") == Place("s2-a-3", "s2-a", "s2")
    with pytest.raises(ValueError, match="unknown street 'x'"):
        geo.street_name("x")
    with pytest.raises(ValueError, match="unknown grid cell 'x'"):
        geo.place_of_grid("x")


def test_bounds_and_representative_point(geo: Geography) -> None:
    b = geo.bounds
    assert (b.south, b.west, b.north, b.east) == (lat_at(0), lon_at(0), lat_at(4), lon_at(8))
    assert b.contains(30.665, 104.11)
    lat, lon = geo.representative_point("community", "s2-b")
    assert geo.locate(lat, lon).community == "s2-b"
    with pytest.raises(ValueError, match="unknown street"):
        geo.representative_point("street", "nope")


def test_near_allows_a_margin_around_the_box(geo: Geography) -> None:
    b = geo.bounds
    metre = math.degrees(1 / 6_371_008.8)  # a metre of latitude, in degrees
    assert geo.near(b.north + 4_900 * metre, b.west, 5_000)
    assert not geo.near(b.north + 5_100 * metre, b.west, 5_000)
    # East and west, a degree of longitude is shorter than one of latitude: more degrees fit.
    assert geo.near(b.south, b.east + 5_500 * metre, 5_000)
    assert not geo.near(0, 0, 5_000)
    assert Geography.from_geojson(*(
        {"type": "FeatureCollection", "features": []},) * 3).near(0, 0, 5_000)


def test_from_files_reads_the_three_layers(tmp_path: Path) -> None:
    for name, layer in (
        ("streets.geojson", STREETS),
        ("communities.geojson", COMMUNITIES),
        ("grid_cells.geojson", GRID),
    ):
        (tmp_path / name).write_text(json.dumps(layer, ensure_ascii=False), encoding="utf-8")
    geo = Geography.from_files(tmp_path)
    assert geo.locate(*center(CELLS["s2-a-1"])) == Place("s2-a-1", "s2-a", "s2")


def test_from_files_reports_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(OSError, match=r"streets\.geojson"):
        Geography.from_files(tmp_path)


def test_multipolygons_are_accepted() -> None:
    parts = [rectangle(30.66, 104.10, 30.67, 104.11), rectangle(30.68, 104.10, 30.69, 104.11)]
    multi = {"type": "MultiPolygon", "coordinates": [p["coordinates"] for p in parts]}
    streets = collection([feature(multi, code="m", zh="多", en="Multi")])
    geo = Geography.from_geojson(streets, collection([]), collection([]))
    assert geo.locate(30.685, 104.105).street == "m"
    assert geo.locate(30.675, 104.105).street is None


# -- validation ---------------------------------------------------------------------------------


def _with(layer: dict[str, Any], index: int, **changes: Any) -> dict[str, Any]:
    features = json.loads(json.dumps(layer["features"]))
    for key, value in changes.items():
        if key == "geometry":
            features[index]["geometry"] = value
        else:
            features[index]["properties"][key] = value
    return collection(features)


BOWTIE = {
    "type": "Polygon",
    "coordinates": [
        [[104.10, 30.66], [104.11, 30.67], [104.11, 30.66], [104.10, 30.67], [104.10, 30.66]]
    ],
}


@pytest.mark.parametrize(
    ("layers", "message"),
    [
        (
            (STREETS, _with(COMMUNITIES, 1, street="s9"), GRID),
            "community 's1-b': unknown street 's9'",
        ),
        (
            (STREETS, COMMUNITIES, _with(GRID, 0, community="zz")),
            "grid cell 's1-a-0': unknown community",
        ),
        (
            (STREETS, COMMUNITIES, _with(GRID, 1, community=None)),
            "grid cell 's1-a-1': unknown community",
        ),
        ((_with(STREETS, 1, code="s1"), COMMUNITIES, GRID), "street 's1': duplicate code"),
        ((STREETS, COMMUNITIES, _with(GRID, 2, code="s1-a-0")), "grid cell 's1-a-0': duplicate"),
        ((STREETS, COMMUNITIES, _with(GRID, 2, code="")), "grid cell feature #2: 'code'"),
        ((_with(STREETS, 0, zh=""), COMMUNITIES, GRID), "street 's1': 'zh' and 'en'"),
        (
            (STREETS, COMMUNITIES, _with(GRID, 3, geometry=BOWTIE)),
            "grid cell 's1-a-3': invalid geometry",
        ),
        (
            (
                STREETS,
                COMMUNITIES,
                _with(GRID, 0, geometry={"type": "Point", "coordinates": [104.1, 30.66]}),
            ),
            "grid cell 's1-a-0': geometry must be a Polygon",
        ),
        (
            (
                STREETS,
                COMMUNITIES,
                _with(GRID, 0, geometry={"type": "Polygon", "coordinates": [[[1, 2]]]}),
            ),
            "grid cell 's1-a-0': malformed geometry",
        ),
        (
            (
                _with(STREETS, 0, geometry=rectangle(104.10, 30.66, 104.12, 30.68)),
                COMMUNITIES,
                GRID,
            ),
            "street 's1': coordinates out of range",
        ),
        (({"type": "FeatureCollection"}, COMMUNITIES, GRID), "street layer: expected"),
    ],
)
def test_invalid_data_is_rejected_naming_the_feature(layers: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Geography.from_geojson(*layers)


# -- performance --------------------------------------------------------------------------------


def test_ten_thousand_locates_on_a_1500_cell_grid_take_under_two_seconds() -> None:
    rows, cols, size = 30, 50, 0.002  # 1,500 cells, 10 communities of 3 rows, 2 streets
    streets = [
        feature(
            rectangle(
                LAT0,
                round(LON0 + s * cols / 2 * size, 6),
                round(LAT0 + rows * size, 6),
                round(LON0 + (s + 1) * cols / 2 * size, 6),
            ),
            code=f"s{s}",
            zh=f"街{s}",
            en=f"S{s}",
        )
        for s in range(2)
    ]
    communities, cells = [], []
    for c in range(10):
        for s in range(2):
            south, north = round(LAT0 + 3 * c * size, 6), round(LAT0 + (3 * c + 3) * size, 6)
            west = round(LON0 + s * cols / 2 * size, 6)
            east = round(LON0 + (s + 1) * cols / 2 * size, 6)
            communities.append(
                feature(
                    rectangle(south, west, north, east),
                    code=f"c{c}-{s}",
                    street=f"s{s}",
                    zh=f"社区{c}",
                    en=f"C{c}",
                )
            )
    for r in range(rows):
        for k in range(cols):
            box = (
                round(LAT0 + r * size, 6),
                round(LON0 + k * size, 6),
                round(LAT0 + (r + 1) * size, 6),
                round(LON0 + (k + 1) * size, 6),
            )
            parent = f"c{r // 3}-{0 if k < cols // 2 else 1}"
            cells.append(feature(rectangle(*box), code=f"g{r:02d}{k:02d}", community=parent))
    geo = Geography.from_geojson(collection(streets), collection(communities), collection(cells))
    assert len(geo.grid_codes) == 1500

    rng = random.Random(20261127)
    b = geo.bounds
    points = [(rng.uniform(b.south, b.north), rng.uniform(b.west, b.east)) for _ in range(10_000)]
    started = time.perf_counter()
    places = [geo.locate(lat, lon) for lat, lon in points]
    elapsed = time.perf_counter() - started
    assert all(p.grid is not None for p in places)
    assert elapsed < 2.0, f"10,000 locates took {elapsed:.2f} s"


def test_polygon_of_an_area(geo: Geography) -> None:
    cell_code = geo.grid_codes[0]
    cell = geo.polygon("grid", cell_code)
    place = geo.place_of_grid(cell_code)
    assert geo.locate(*geo.representative_point("grid", cell_code)).grid == cell_code
    assert geo.polygon("street", str(place.street)).buffer(1e-9).contains(cell)
    with pytest.raises(ValueError, match="unknown grid cell 'nope'"):
        geo.polygon("grid", "nope")
