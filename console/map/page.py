"""The map page as HTML: a pure function of its configuration, built with folium.

folium lays out the page — Leaflet, the basemap tile layer (if any), and the street, community
and grid-cell boundaries as GeoJSON layers — and the page ends by handing the Leaflet map to
``LinkageMap.start`` (``resources/map/linkage_map.js``), which adds the console's own layers.
Every script and style sheet is a local file: Leaflet from the ``xstatic-leaflet`` package, the
console's own from ``resources/map/``, QWebChannel's from Qt's resources (``qrc:``). Nothing is
fetched from a CDN; the only remote address a page can hold is the tile server the user
configured (:class:`Tiles`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import folium
import xstatic.pkg.leaflet
from branca.element import MacroElement
from jinja2 import Template

from console.domain.resources import RESOURCES

LEAFLET_DIR = Path(xstatic.pkg.leaflet.BASE_DIR)
MAP_RESOURCES = RESOURCES / "map"
#: The console's own scripts, in load order (each needs the ones before it).
SCRIPTS = ("point_layer.js", "heat_layer.js", "legend.js", "linkage_map.js")
QWEBCHANNEL_JS = "qrc:///qtwebchannel/qwebchannel.js"
MAX_ZOOM = 19

#: Boundary layers: name, and how each is drawn (Leaflet path options).
BOUNDARY_STYLES: dict[str, dict[str, Any]] = {
    "streets": {"color": "#455a64", "weight": 2.5, "fillColor": "#fbfbf8", "fillOpacity": 0.55},
    "communities": {"color": "#78909c", "weight": 1.4, "dashArray": "6 4", "fill": False},
    "grid": {"color": "#b0bec5", "weight": 0.8, "fill": False},
}


def file_url(path: Path) -> str:
    return path.resolve().as_uri()


@dataclass(frozen=True)
class Tiles:
    """A basemap: an XYZ URL template (``{z}``, ``{x}``, ``{y}``) and how far it goes."""

    url: str
    attribution: str
    min_zoom: int = 0
    max_native_zoom: int = MAX_ZOOM


@dataclass(frozen=True)
class PageConfig:
    """Everything the page is built from.

    Attributes:
        boundaries: GeoJSON FeatureCollections by layer name (``streets``, ``communities``,
            ``grid``), already in the basemap's datum; absent layers are simply not drawn.
        bounds: (south, west, north, east) the map opens on, or None for ``center``/``zoom``.
        start: the rest of ``LinkageMap.start``'s configuration (palette, labels, visibility).
    """

    tiles: Tiles | None = None
    boundaries: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    bounds: tuple[float, float, float, float] | None = None
    center: tuple[float, float] = (30.66, 104.10)
    zoom: int = 13
    start: Mapping[str, Any] = field(default_factory=dict)


class _Start(MacroElement):  # type: ignore[misc]
    """The page's last script: hand the map to the console's controller."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        LinkageMap.start({{ this._parent.get_name() }}, {{ this.config }});
        {% endmacro %}
    """)

    def __init__(self, config: Mapping[str, Any]) -> None:
        super().__init__()
        self._name = "LinkageStart"
        # Inside a <script>: a "</" in some name must not end it.
        self.config = json.dumps(config, ensure_ascii=False).replace("</", "<\\/")


def build_page(config: PageConfig) -> str:
    """The page's HTML (references local files only, and the configured tile server)."""
    south, west, north, east = config.bounds or (0.0, 0.0, 0.0, 0.0)
    center = ([(south + north) / 2, (west + east) / 2] if config.bounds
              else list(config.center))
    # Quarter zoom steps: a district fits its view snugly (the wheel still moves by halves).
    # The scale bar is the controller's (metres and kilometres only; folium's adds miles).
    page = folium.Map(location=center, zoom_start=config.zoom, tiles=None, prefer_canvas=True,
                      maxZoom=MAX_ZOOM, control_scale=False, zoomSnap=0.25, zoomDelta=0.5,
                      wheelPxPerZoomLevel=120)
    # folium's defaults are CDN addresses (and jQuery, Bootstrap, awesome-markers the map does
    # not use): replace them all with local files.
    page.default_js = [("leaflet", file_url(LEAFLET_DIR / "leaflet.js")),
                       ("qwebchannel", QWEBCHANNEL_JS)] + [
        (name.removesuffix(".js"), file_url(MAP_RESOURCES / name)) for name in SCRIPTS]
    page.default_css = [("leaflet_css", file_url(LEAFLET_DIR / "leaflet.css")),
                        ("linkage_css", file_url(MAP_RESOURCES / "map.css"))]
    if config.tiles is not None:
        folium.TileLayer(tiles=config.tiles.url, attr=config.tiles.attribution, name="basemap",
                         min_zoom=config.tiles.min_zoom, max_zoom=MAX_ZOOM,
                         max_native_zoom=config.tiles.max_native_zoom, control=False,
                         ).add_to(page)
    names: dict[str, str] = {}
    for name, style in BOUNDARY_STYLES.items():
        if config.tiles is not None and style.get("fillOpacity"):
            style = {**style, "fillOpacity": 0.05}  # a tint, not a veil over the tiles
        data = config.boundaries.get(name)
        if not data or not data.get("features"):
            continue
        layer = folium.GeoJson(
            data, name=name, control=False, interactive=False,
            style_function=lambda _feature, style=style: style)
        layer.add_to(page)
        names[name] = layer.get_name()
    start = dict(config.start)
    start["boundaries"] = names
    if config.bounds:
        start["view"] = {"bounds": [[south, west], [north, east]]}
    else:
        start["view"] = {"center": list(config.center), "zoom": config.zoom}
    _Start(start).add_to(page)
    html: str = page.get_root().render()
    return html
