"""The map's files: MBTiles read back in XYZ order, travel times, the district's boundaries and
checkpoints, and the nearest available units."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from console.domain.geography import Geography
from console.domain.model import UnitStatus, UnitType
from console.domain.units import Position
from console.map.district import load_district
from console.map.feeds import Datum, UnitFeed
from console.map.nearest import TravelTimes, nearest_available
from console.map.tiles import MBTiles
from tests.geo import small_geography
from tests.map.district import small_district, write_small_district
from tests.map.helpers import make_mbtiles, tile_png
from tests.views.conftest import T0, new_unit


def test_mbtiles_rows_count_from_the_south(tmp_path: Path) -> None:
    path = tmp_path / "t.mbtiles"
    make_mbtiles(path, (1, 2, 3), [3], box=(-80.0, -170.0, 80.0, 170.0))
    db = sqlite3.connect(path)
    db.execute("UPDATE tiles SET tile_data = ? WHERE zoom_level = 3 AND tile_column = 1 "
               "AND tile_row = 6", (b"north-west",))  # TMS row 6 = XYZ row 1 at zoom 3
    db.commit()
    db.close()
    tiles = MBTiles(path)
    assert tiles.tile(3, 1, 1) == b"north-west"
    assert tiles.tile(3, 1, 6) == tile_png((1, 2, 3))
    assert tiles.tile(9, 0, 0) is None
    assert (tiles.info.min_zoom, tiles.info.max_zoom, tiles.info.mime_type) == (3, 3, "image/png")
    tiles.close()


def test_vector_tiles_and_other_files_are_refused(tmp_path: Path) -> None:
    vector = tmp_path / "v.mbtiles"
    make_mbtiles(vector, (0, 0, 0), [1], tile_format="pbf")
    with pytest.raises(ValueError, match="raster tiles"):
        MBTiles(vector)
    text = tmp_path / "notes.mbtiles"
    text.write_text("not a database")
    with pytest.raises(ValueError, match="not an MBTiles file"):
        MBTiles(text)
    with pytest.raises(ValueError, match="no such file"):
        MBTiles(tmp_path / "missing.mbtiles")


def test_travel_times_come_from_the_resource_file() -> None:
    times = TravelTimes.load()
    # 1 km of straight line by e-bike: 1.35 km of street at 12 km/h, plus a minute to set off.
    assert times.eta_s(UnitType.GRID_WORKER, 1000) == pytest.approx(1350 / (12 / 3.6) + 60)
    assert times.eta_s(UnitType.EMERGENCY, 1000) < times.eta_s(UnitType.VOLUNTEER, 1000)


def test_a_wrong_travel_time_file_names_what_is_wrong(tmp_path: Path) -> None:
    bad = tmp_path / "eta.toml"
    bad.write_text("detour_factor = 1.3\n[speed_kmh]\ngrid_worker = 12\n")
    with pytest.raises(ValueError, match=r"eta.toml: \[speed_kmh\] community_police"):
        TravelTimes.load(bad)


def test_nearest_available_units_by_straight_line_then_id() -> None:
    feed = UnitFeed()
    units = {
        "U1": new_unit("U1"),                                        # 110 m north
        "U2": new_unit("U2", type="patrol"),                         # 1.1 km north
        "U3": new_unit("U3", status="busy"),                         # next door, busy
        "U4": new_unit("U4"),                                        # no position
        "U5": new_unit("U5", type="emergency"),                      # 110 m north too
    }
    here = (30.6600, 104.1000)
    positions = {"U1": Position(30.6610, 104.1000, 0, 0, T0),
                 "U2": Position(30.6700, 104.1000, 0, 0, T0),
                 "U3": Position(30.6601, 104.1000, 0, 0, T0),
                 "U5": Position(30.6610, 104.1000, 0, 0, T0)}
    feed.reset(units, positions, Datum())
    rows = nearest_available(feed, *here, TravelTimes.load(), limit=3)
    assert [r.unit_id for r in rows] == ["U1", "U5", "U2"]
    assert rows[0].distance_m == pytest.approx(111.2, abs=0.5)
    assert rows[0].type is UnitType.GRID_WORKER and rows[1].type is UnitType.EMERGENCY
    assert rows[1].eta_s < rows[0].eta_s  # same distance, faster vehicle
    assert nearest_available(feed, *here, TravelTimes.load(), limit=1)[0].unit_id == "U1"
    assert all(feed.style[feed.index[r.unit_id]] & 7 == list(UnitStatus).index(
        UnitStatus.AVAILABLE) for r in rows)


def test_the_district_files_locate_as_the_domain_does(tmp_path: Path) -> None:
    folder = write_small_district(tmp_path)
    from_files = Geography.from_files(folder)
    expected = small_geography()
    for lat in (30.6612, 30.6638, 30.6662, 30.6691):
        for lon in (104.0912, 104.0977, 104.1021, 104.1093):
            assert from_files.locate(lat, lon) == expected.locate(lat, lon)
    shapes = load_district(folder)
    assert set(shapes.boundaries) == {"streets", "communities", "grid"}
    assert shapes.bounds() == (30.66, 104.09, 30.67, 104.11)
    assert [c.id for c in shapes.checkpoints] == ["CP01", "CP02"]
    assert shapes.checkpoints[0].name("zh") == "建设路口"


def test_the_demo_district_has_its_boundaries_and_checkpoints() -> None:
    shapes = load_district()  # resources/geography
    assert {name: len(c["features"]) for name, c in shapes.boundaries.items()} == {
        "streets": 14, "communities": 99, "grid": 1500}
    assert len(shapes.checkpoints) >= 100
    assert all(c.zh != c.en for c in shapes.checkpoints)
    south, west, north, east = shapes.bounds()  # type: ignore[misc]
    assert 30.5 < south < north < 30.8 and 104.0 < west < east < 104.3


def test_checkpoints_may_be_geojson_and_missing_files_leave_layers_empty(tmp_path: Path) -> None:
    (tmp_path / "streets.geojson").write_text(json.dumps(small_district()["streets.geojson"]))
    (tmp_path / "checkpoints.json").write_text(json.dumps({"type": "FeatureCollection",
                                                           "features": [{
        "type": "Feature", "properties": {"code": "CP9", "name": "桥头"},
        "geometry": {"type": "Point", "coordinates": [104.1, 30.665]}}]}))
    shapes = load_district(tmp_path)
    assert list(shapes.boundaries) == ["streets"]
    assert shapes.checkpoints[0].id == "CP9" and shapes.checkpoints[0].lat == 30.665
    assert shapes.checkpoints[0].name("en") == "桥头"  # one name serves both languages
    (tmp_path / "communities.geojson").write_text("{ broken")
    assert "communities" not in load_district(tmp_path).boundaries
    assert load_district(tmp_path / "nowhere").boundaries == {}
