"""The page as HTML (a pure function): local files only, the tile server it was given, the
boundary layers, and the hand-over to the console's controller."""

from __future__ import annotations

import json
import re
from pathlib import Path

from console.map.district import load_district
from console.map.page import LEAFLET_DIR, MAP_RESOURCES, PageConfig, Tiles, build_page
from console.map.symbols import palette
from tests.map.district import write_small_district

URL = re.compile(r"""(?:src|href)=["']([^"']+)["']""")


def page(tmp_path: Path, **config: object) -> str:
    district = load_district(write_small_district(tmp_path / "geo"))
    return build_page(PageConfig(boundaries=district.boundaries, bounds=district.bounds(),
                                 start={"palette": palette(), "labels": {}}, **config))


def test_every_script_and_style_sheet_is_a_local_file(tmp_path: Path) -> None:
    html = page(tmp_path)
    urls = URL.findall(html)
    assert len(urls) == 8  # leaflet.js, qwebchannel, four console scripts, two style sheets
    for url in urls:
        if url.startswith("qrc:"):
            assert url == "qrc:///qtwebchannel/qwebchannel.js"
            continue
        assert url.startswith("file:///"), url
        path = Path(url.removeprefix("file://"))
        assert path.is_file(), url
        assert path.parent in (LEAFLET_DIR.resolve(), MAP_RESOURCES.resolve()), url
    # folium's CDN defaults are gone, not just unused.
    for word in ("cdn", "jquery", "bootstrap", "awesome", "https://"):
        assert word not in html.lower().replace("leaflet-awesome", ""), word


def test_the_tile_layer_is_the_one_configured(tmp_path: Path) -> None:
    assert "L.tileLayer" not in page(tmp_path)
    html = page(tmp_path, tiles=Tiles("http://tiles.gov.local:8080/{z}/{x}/{y}.png",
                                      "Agency tiles", max_native_zoom=17))
    assert "http://tiles.gov.local:8080/{z}/{x}/{y}.png" in html
    assert '"maxNativeZoom": 17' in html


def test_the_boundaries_are_layers_handed_to_the_controller(tmp_path: Path) -> None:
    html = page(tmp_path)
    start = re.search(r"LinkageMap\.start\((map_\w+), (\{.*\})\);", html)
    assert start is not None
    config = json.loads(start.group(2))
    assert set(config["boundaries"]) == {"streets", "communities", "grid"}
    for variable in config["boundaries"].values():
        assert f"var {variable} = L.geoJson(" in html
    south, west, north, east = 30.66, 104.09, 30.67, 104.11
    assert config["view"] == {"bounds": [[south, west], [north, east]]}
    assert config["palette"]["priority"][0] == "#c62828"
    assert "street.mengzhuiwan" in html and "g111" in html


def test_over_tiles_the_streets_are_only_tinted(tmp_path: Path) -> None:
    assert '"fillOpacity": 0.55' in page(tmp_path)
    html = page(tmp_path, tiles=Tiles("http://127.0.0.1:1/{z}/{x}/{y}.png", "t"))
    assert '"fillOpacity": 0.05' in html and '"fillOpacity": 0.55' not in html


def test_names_cannot_end_the_script(tmp_path: Path) -> None:
    district = load_district(write_small_district(tmp_path / "geo"))
    html = build_page(PageConfig(boundaries=district.boundaries, start={
        "labels": {"legend": "</script><script>alert(1)</script>"}}))
    assert "</script><script>alert(1)" not in html
    start = re.search(r"LinkageMap\.start\((map_\w+), (\{.*\})\);", html)
    assert start is not None
    assert json.loads(start.group(2))["labels"]["legend"] == \
        "</script><script>alert(1)</script>"
