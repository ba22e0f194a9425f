"""Offline basemaps: reading tiles out of an MBTiles file (no Qt here).

An MBTiles file (the MBTiles 1.3 specification) is a SQLite database with a ``metadata``
table (``name``/``value``: ``format``, ``minzoom``, ``maxzoom``, ``bounds``, …) and a ``tiles``
table keyed by ``zoom_level``, ``tile_column`` and ``tile_row`` — rows counted from the south
(TMS), where Leaflet counts XYZ rows from the north. Only raster tiles can be drawn by Leaflet
without plugins, so vector (``pbf``) files are refused with a clear message.

The console serves these tiles to the page through its own URL scheme
(:mod:`console.map.web`); this module only reads them, one connection per reader, opened
read-only.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

#: MIME types of the raster formats Leaflet can draw.
RASTER_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg",
                "webp": "image/webp"}


@dataclass(frozen=True)
class TileSetInfo:
    """What an MBTiles file says about itself."""

    name: str
    format: str
    min_zoom: int
    max_zoom: int
    bounds: tuple[float, float, float, float] | None  # west, south, east, north
    attribution: str

    @property
    def mime_type(self) -> str:
        return RASTER_TYPES[self.format]


class MBTiles:
    """A read-only MBTiles file.

    Raises:
        ValueError: the file cannot be opened as MBTiles, or holds vector tiles.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise ValueError(f"{self.path}: no such file")
        try:
            self._db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True,
                                       check_same_thread=False)
            rows = dict(self._db.execute("SELECT name, value FROM metadata").fetchall())
            zooms = self._db.execute(
                "SELECT MIN(zoom_level), MAX(zoom_level) FROM tiles").fetchone()
        except sqlite3.Error as error:
            raise ValueError(f"{self.path}: not an MBTiles file ({error})") from error
        kind = str(rows.get("format", "png")).lower()
        if kind not in RASTER_TYPES:
            self.close()
            raise ValueError(f"{self.path}: tiles in format {kind!r} cannot be drawn; "
                             "raster tiles (png, jpg, webp) are needed")
        self.info = TileSetInfo(
            name=str(rows.get("name", self.path.stem)), format=kind,
            min_zoom=_int(rows.get("minzoom"), zooms[0], 0),
            max_zoom=_int(rows.get("maxzoom"), zooms[1], 19),
            bounds=_bounds(rows.get("bounds")),
            attribution=str(rows.get("attribution", "")))

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        """The tile at XYZ ``z/x/y`` (``y`` from the north), or None if the file lacks it."""
        row = self._db.execute(
            "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? "
            "AND tile_row = ?", (z, x, (1 << z) - 1 - y)).fetchone()
        return bytes(row[0]) if row else None

    def close(self) -> None:
        self._db.close()


def _int(value: object, fallback: object, default: int) -> int:
    for candidate in (value, fallback):
        try:
            return int(str(candidate))
        except ValueError:
            continue
    return default


def _bounds(value: object) -> tuple[float, float, float, float] | None:
    try:
        west, south, east, north = (float(v) for v in str(value).split(","))
    except ValueError:
        return None
    return west, south, east, north
