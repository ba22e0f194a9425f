"""Tests of the demo district's generated geography, on the committed files and on the generator.

The committed files in ``console/resources/geography`` must be exactly what the generator writes
for its default seed, so every property checked on them is a property of the generator too.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import shapely
from shapely.geometry import Point, Polygon, shape

from console.domain.geography import DEFAULT_DIRECTORY, Geography
from console.domain.taxonomy import Taxonomy
from console.sim.district import areas, generator, places
from console.sim.district.areas import EXTENT, District
from console.sim.district.generator import DEFAULT_SEED, generate, main, render

FILES = ("streets.geojson", "communities.geojson", "grid_cells.geojson", "gazetteer.json",
         "checkpoints.json", "cameras.json")
STREET_NAMES = {
    "mengzhuiwan": ("猛追湾", "Mengzhuiwan"), "shuangqiaozi": ("双桥子", "Shuangqiaozi"),
    "fuqinglu": ("府青路", "Fuqinglu"), "erxianqiao": ("二仙桥", "Erxianqiao"),
    "tiaodenghe": ("跳蹬河", "Tiaodenghe"), "shuangshuinian": ("双水碾", "Shuangshuinian"),
    "wannianchang": ("万年场", "Wannianchang"), "baohe": ("保和", "Baohe"),
    "qinglong": ("青龙", "Qinglong"), "longtan": ("龙潭", "Longtan"),
    "bailianchi": ("白莲池", "Bailianchi"), "taoxilu": ("桃蹊路", "Taoxilu"),
    "simaqiao": ("驷马桥", "Simaqiao"), "shengdeng": ("圣灯", "Shengdeng"),
}


@pytest.fixture(scope="module")
def generated() -> District:
    return generate(DEFAULT_SEED)


@pytest.fixture(scope="module")
def files(generated: District) -> dict[str, bytes]:
    return render(generated)


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    """The committed files, parsed."""
    out = {}
    for name in FILES:
        with (DEFAULT_DIRECTORY / name).open(encoding="utf-8") as stream:
            out[name] = json.load(stream)
    return out


@pytest.fixture(scope="module")
def geography() -> Geography:
    return Geography.from_files()


def features(data: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return list(data[name]["features"])


def polygons(data: dict[str, Any], name: str) -> dict[str, Any]:
    return {f["properties"]["code"]: shape(f["geometry"]) for f in features(data, name)}


# -- the committed files --------------------------------------------------------------------------


def test_committed_files_are_what_the_generator_writes(files: dict[str, bytes]) -> None:
    assert sorted(files) == sorted(FILES)
    for name, content in files.items():
        assert (DEFAULT_DIRECTORY / name).read_bytes() == content, (
            f"console/resources/geography/{name} is stale: run `python -m console.sim.district`")


def test_committed_files_are_small() -> None:
    sizes = {name: (DEFAULT_DIRECTORY / name).stat().st_size for name in FILES}
    print("\n" + ", ".join(f"{name} {size / 1024:.0f} KiB" for name, size in sizes.items()))
    assert sum(sizes.values()) < 1.5 * 1024 * 1024


def test_geography_loads_in_well_under_a_second() -> None:
    times = []
    for _ in range(3):
        start = time.perf_counter()
        Geography.from_files()
        times.append(time.perf_counter() - start)
    print(f"\nGeography.from_files(): {min(times) * 1000:.0f} ms (best of 3)")
    assert min(times) < 0.5


# -- counts, codes and names ----------------------------------------------------------------------


def test_counts(data: dict[str, Any]) -> None:
    assert len(features(data, "streets.geojson")) == 14
    assert 90 <= len(features(data, "communities.geojson")) <= 110
    assert 1400 <= len(features(data, "grid_cells.geojson")) <= 1600
    assert 2000 <= len(data["gazetteer.json"]) <= 4000
    assert 300 <= len(data["checkpoints.json"]) <= 500
    assert 40 <= len(data["cameras.json"]) <= 60
    kinds = Counter(a["kind"] for a in data["gazetteer.json"])
    assert set(kinds) == {"road", "estate"} and kinds["estate"] >= 300


def test_streets_are_the_taxonomys_street_offices(data: dict[str, Any]) -> None:
    offices = {d.code for d in Taxonomy.load().street_offices}
    streets = {f["properties"]["code"]: f["properties"] for f in features(data, "streets.geojson")}
    assert set(streets) == offices
    for code, props in streets.items():
        assert (props["zh"], props["en"]) == STREET_NAMES[code.removeprefix("street.")]


def test_communities_have_plausible_unique_names(data: dict[str, Any]) -> None:
    communities = features(data, "communities.geojson")
    codes = [f["properties"]["code"] for f in communities]
    assert len(set(codes)) == len(codes)
    assert len({f["properties"]["zh"] for f in communities}) == len(communities)
    for f in communities:
        props = f["properties"]
        assert props["zh"].endswith("社区") and props["en"].endswith(" Community")
        assert props["code"] == "community." + props["en"].removesuffix(" Community").replace(
            " ", "").lower()
    street_of = {f["properties"]["zh"]: f["properties"]["street"] for f in communities}
    assert street_of["圣灯华林社区"] == "street.shengdeng"
    assert {"怡福社区", "关家社区", "新鸿社区"} <= set(street_of)
    assert next(f["properties"]["en"] for f in communities
                if f["properties"]["zh"] == "圣灯华林社区") == "Shengdeng Hualin Community"


def test_grid_cells_are_numbered_within_their_community(data: dict[str, Any]) -> None:
    community = {f["properties"]["code"]: f["properties"]
                 for f in features(data, "communities.geojson")}
    numbers: dict[str, list[int]] = {}
    for f in features(data, "grid_cells.geojson"):
        props = f["properties"]
        parent = community[props["community"]]
        match = re.fullmatch(r"(.+社区)第(\d+)网格", props["zh"])
        assert match and match[1] == parent["zh"], props
        number = int(match[2])
        stem = parent["en"].removesuffix(" Community")
        assert props["en"] == f"{stem} community grid {number}"
        assert re.fullmatch(rf"grid\.{parent['code'].removeprefix('community.')}\.0*{number}",
                            props["code"])
        numbers.setdefault(props["community"], []).append(number)
    assert set(numbers) == set(community)
    for found in numbers.values():
        assert sorted(found) == list(range(1, len(found) + 1))
    cell_names = {f["properties"]["zh"] for f in features(data, "grid_cells.geojson")}
    assert "圣灯华林社区第3网格" in cell_names


# -- geometry -------------------------------------------------------------------------------------


def test_everything_lies_inside_the_extent(data: dict[str, Any]) -> None:
    south, west, north, east = EXTENT
    for name in ("streets.geojson", "communities.geojson", "grid_cells.geojson"):
        x0, y0, x1, y1 = shapely.total_bounds(list(polygons(data, name).values()))
        assert west <= x0 < x1 <= east and south <= y0 < y1 <= north
    for name in ("gazetteer.json", "checkpoints.json", "cameras.json"):
        for item in data[name]:
            assert south <= item["lat"] <= north and west <= item["lon"] <= east


def test_coordinates_have_five_decimals(files: dict[str, bytes]) -> None:
    text = files["grid_cells.geojson"].decode()
    assert not re.search(r"\d\.\d{6,}", text)


@pytest.mark.parametrize("name", ["streets.geojson", "communities.geojson", "grid_cells.geojson"])
def test_areas_are_single_valid_polygons(data: dict[str, Any], name: str) -> None:
    for code, polygon in polygons(data, name).items():
        assert isinstance(polygon, Polygon), code
        assert polygon.is_valid, (code, shapely.is_valid_reason(polygon))


@pytest.mark.parametrize("name", ["streets.geojson", "communities.geojson", "grid_cells.geojson"])
def test_no_overlaps(data: dict[str, Any], name: str) -> None:
    shapes = list(polygons(data, name).values())
    union = shapely.union_all(shapes)
    assert sum(p.area for p in shapes) == pytest.approx(union.area, rel=1e-9)


def test_no_holes_streets_tile_the_outline(data: dict[str, Any],
                                           generated: District) -> None:
    union = shapely.union_all(list(polygons(data, "streets.geojson").values()))
    assert isinstance(union, Polygon) and not union.interiors
    # The cells' edges are noded onto the 1e-5° grid, so the outline moves by at most a metre;
    # a single missing cell would be well over 1e-4 of the district.
    outline = generated.outline
    assert union.symmetric_difference(outline).area < 1e-4 * outline.area
    assert outline == generator.outline(DEFAULT_SEED)
    area_km2 = shapely.area(areas.to_km(outline))
    assert 90 < area_km2 < 130  # the district is about 109 km²


def test_levels_nest_exactly(data: dict[str, Any]) -> None:
    cells = polygons(data, "grid_cells.geojson")
    communities = polygons(data, "communities.geojson")
    streets = polygons(data, "streets.geojson")
    cells_of: dict[str, list[Any]] = {}
    for f in features(data, "grid_cells.geojson"):
        cells_of.setdefault(f["properties"]["community"], []).append(
            cells[f["properties"]["code"]])
    communities_of: dict[str, list[Any]] = {}
    for f in features(data, "communities.geojson"):
        communities_of.setdefault(f["properties"]["street"], []).append(
            communities[f["properties"]["code"]])
    for code, parts in [*((c, cells_of[c]) for c in communities),
                        *((s, communities_of[s]) for s in streets)]:
        whole = communities.get(code) or streets[code]
        union = shapely.union_all(parts)
        assert union.symmetric_difference(whole).area < 1e-9 * whole.area, code


def test_locate_finds_each_cell_and_its_parents(data: dict[str, Any],
                                                geography: Geography) -> None:
    parents = {f["properties"]["code"]: f["properties"]["street"]
               for f in features(data, "communities.geojson")}
    for f in features(data, "grid_cells.geojson")[::7]:
        props = f["properties"]
        lat, lon = geography.representative_point("grid", props["code"])
        place = geography.locate(lat, lon)
        assert (place.grid, place.community, place.street) == (
            props["code"], props["community"], parents[props["community"]])


def test_cells_are_denser_in_the_old_town(data: dict[str, Any]) -> None:
    street_of = {f["properties"]["code"]: f["properties"]["street"]
                 for f in features(data, "communities.geojson")}
    cells = Counter(street_of[f["properties"]["community"]]
                    for f in features(data, "grid_cells.geojson"))
    km2 = {code: shapely.area(areas.to_km(polygon))
           for code, polygon in polygons(data, "streets.geojson").items()}
    assert cells["street.mengzhuiwan"] / km2["street.mengzhuiwan"] > (
        1.5 * cells["street.longtan"] / km2["street.longtan"])


# -- points ---------------------------------------------------------------------------------------


def test_addresses_lie_in_their_stated_cell(data: dict[str, Any], geography: Geography) -> None:
    for address in data["gazetteer.json"]:
        place = geography.locate(address["lat"], address["lon"])
        assert (place.grid, place.community, place.street) == (
            address["grid"], address["community"], address["street"]), address["zh"]


def test_addresses_are_unique_and_well_formed(data: dict[str, Any]) -> None:
    addresses = data["gazetteer.json"]
    assert len({a["zh"] for a in addresses}) == len(addresses)
    for a in addresses:
        assert set(a) == {"zh", "en", "pinyin", "lat", "lon", "grid", "community", "street",
                          "kind"}
        if a["kind"] == "road":
            assert re.fullmatch(r".+(路|街|巷|大道|段)\d+号", a["zh"]), a["zh"]
            number = re.search(r"(\d+)号$", a["zh"])
            assert number and a["en"].startswith(f"No. {number[1]}")
            assert a["pinyin"].endswith(f" {number[1]} hao")
        cjk = re.sub(r"\d+", "", a["zh"])
        assert len(a["pinyin"].split()) == len(cjk) + (a["kind"] == "road"), a


def test_the_gazetteer_has_chengdu_roads_and_the_named_estate(data: dict[str, Any]) -> None:
    names = {a["zh"] for a in data["gazetteer.json"]}
    for road in ("建设路", "府青路二段", "双桥路", "万年场路", "一环路东二段"):
        assert any(re.fullmatch(rf"{road}\d+号", n) for n in names), road
    estate = next(a for a in data["gazetteer.json"] if a["zh"] == "龙潭水乡茗居")
    assert estate["kind"] == "estate" and estate["street"] == "street.longtan"


def test_checkpoints_lie_in_their_stated_cell(data: dict[str, Any], geography: Geography) -> None:
    checkpoints = data["checkpoints.json"]
    assert len({c["id"] for c in checkpoints}) == len(checkpoints)
    per_community = Counter(geography.place_of_grid(c["grid"]).community for c in checkpoints)
    assert set(per_community) == set(geography.community_codes)
    assert min(per_community.values()) >= 2
    for checkpoint in checkpoints:
        assert set(checkpoint) == {"id", "zh", "en", "lat", "lon", "grid"}
        assert geography.locate(checkpoint["lat"], checkpoint["lon"]).grid == checkpoint["grid"]


def test_cameras_lie_in_their_stated_cell_and_street(data: dict[str, Any],
                                                      geography: Geography) -> None:
    cameras = data["cameras.json"]
    assert len({c["id"] for c in cameras}) == len(cameras)
    assert len({c["name"] for c in cameras}) == len(cameras)
    junctions = [c for c in cameras if re.fullmatch(r".+与.+路口", c["name"])]
    assert len(junctions) >= 30
    for camera in cameras:
        assert set(camera) == {"id", "name", "lat", "lon", "grid", "street"}
        place = geography.locate(camera["lat"], camera["lon"])
        assert (place.grid, place.street) == (camera["grid"], camera["street"]), camera["name"]


# -- the generator --------------------------------------------------------------------------------


@pytest.mark.slow
def test_same_seed_same_bytes(files: dict[str, bytes]) -> None:
    assert render(generate(DEFAULT_SEED)) == files


@pytest.mark.slow
def test_command_line_writes_another_seed(tmp_path: Path, files: dict[str, bytes],
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--seed", "7", "--out", str(tmp_path)]) == 0
    assert "gazetteer.json" in capsys.readouterr().out
    for name in FILES:
        assert (tmp_path / name).read_bytes() != files[name], name
    other = Geography.from_files(tmp_path)
    assert 1400 <= len(other.grid_codes) <= 1600
    assert "community.shengdenghualin" in other.community_codes


def test_a_name_needs_one_syllable_per_character() -> None:
    assert places.Name.of("圣灯华林", "ShengDeng HuaLin") == places.Name(
        "圣灯华林", "Shengdeng Hualin", "sheng deng hua lin")
    with pytest.raises(ValueError, match="syllables"):
        places.Name.of("圣灯华林", "ShengDengHua")


def test_the_generator_imports_no_qt_store_or_hub() -> None:
    folder = Path(generator.__file__).parent
    source = "\n".join(p.read_text(encoding="utf-8") for p in folder.glob("*.py"))
    imports = re.findall(r"^(?:from|import) (\S+)", source, flags=re.MULTILINE)
    assert not [m for m in imports if m.startswith(("PySide6", "console.store", "console.hub",
                                                    "console.views", "console.comms"))]


def test_points_are_kept_off_cell_edges(data: dict[str, Any]) -> None:
    cells = polygons(data, "grid_cells.geojson")
    for item in [*data["gazetteer.json"], *data["checkpoints.json"], *data["cameras.json"]]:
        point = Point(item["lon"], item["lat"])
        assert cells[item["grid"]].boundary.distance(point) >= 2e-5
