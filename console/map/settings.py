"""The map's settings: basemap, datum, layers shown, heat window, follow — one typed record.

Kept in the console's QSettings under ``map/``. The basemap is one of

- ``none``: the district's boundaries on a plain background (works with nothing installed);
- ``xyz``: an XYZ tile URL template of the agency's internal tile server
  (``http://tiles.gov.local/{z}/{x}/{y}.png``);
- ``mbtiles``: an offline MBTiles file on this machine, served through ``linkage-tiles://``.

``gcj02`` says the basemap is drawn in GCJ-02, so everything the console draws is shifted to
match it (:mod:`console.map.coords`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from enum import StrEnum

from PySide6.QtCore import QT_TRANSLATE_NOOP, QSettings

LAYERS = ("streets", "communities", "grid", "units", "incidents", "cameras", "checkpoints",
          "heat", "trail")
DEFAULT_LAYERS = frozenset({"streets", "communities", "units", "incidents", "trail"})
HEAT_HOURS = (1, 3, 6, 12, 24)  # the replica holds what finished in the last 24 hours


class Basemap(StrEnum):
    NONE = "none"
    XYZ = "xyz"
    MBTILES = "mbtiles"


def check_xyz_url(url: str) -> str | None:
    """Why ``url`` is not a usable XYZ template (English, for a translation key), or None."""
    if not re.match(r"^https?://[^/{}]+", url):
        return str(QT_TRANSLATE_NOOP(
            "BasemapDialog",
            "The tile address must start with http:// or https:// and a server name."))
    missing = [part for part in ("{z}", "{x}", "{y}") if part not in url]
    if missing:
        return str(QT_TRANSLATE_NOOP("BasemapDialog",
                                     "The tile address must contain {z}, {x} and {y}."))
    return None


@dataclass(frozen=True)
class MapSettings:
    basemap: Basemap = Basemap.NONE
    xyz_url: str = ""
    xyz_max_zoom: int = 18
    mbtiles_path: str = ""
    gcj02: bool = False
    heat_hours: int = 24
    layers: frozenset[str] = field(default_factory=lambda: DEFAULT_LAYERS)
    follow: bool = True
    #: Where the boundary and checkpoint files are; empty: ``resources/geography``.
    geography_dir: str = ""

    def with_layer(self, name: str, shown: bool) -> MapSettings:
        return replace(self, layers=(self.layers | {name}) if shown else (self.layers - {name}))

    @classmethod
    def load(cls, settings: QSettings) -> MapSettings:
        def text(key: str, default: str) -> str:
            return str(settings.value(f"map/{key}", default) or default)

        def number(key: str, default: int) -> int:
            try:
                return int(str(settings.value(f"map/{key}", default)))
            except ValueError:
                return default

        def flag(key: str, default: bool) -> bool:
            return str(settings.value(f"map/{key}", default)).lower() in ("true", "1")

        try:
            basemap = Basemap(text("basemap", Basemap.NONE.value))
        except ValueError:
            basemap = Basemap.NONE
        layers_text = settings.value("map/layers")
        layers = (frozenset(n for n in str(layers_text).split(",") if n in LAYERS)
                  if layers_text is not None else DEFAULT_LAYERS)
        hours = number("heat_hours", 24)
        return cls(basemap=basemap, xyz_url=text("xyz_url", ""),
                   xyz_max_zoom=max(1, min(22, number("xyz_max_zoom", 18))),
                   mbtiles_path=text("mbtiles_path", ""), gcj02=flag("gcj02", False),
                   heat_hours=hours if hours in HEAT_HOURS else 24, layers=layers,
                   follow=flag("follow", True), geography_dir=text("geography_dir", ""))

    def save(self, settings: QSettings) -> None:
        settings.setValue("map/basemap", self.basemap.value)
        settings.setValue("map/xyz_url", self.xyz_url)
        settings.setValue("map/xyz_max_zoom", self.xyz_max_zoom)
        settings.setValue("map/mbtiles_path", self.mbtiles_path)
        settings.setValue("map/gcj02", self.gcj02)
        settings.setValue("map/heat_hours", self.heat_hours)
        settings.setValue("map/layers", ",".join(sorted(self.layers)))
        settings.setValue("map/follow", self.follow)
        settings.setValue("map/geography_dir", self.geography_dir)
