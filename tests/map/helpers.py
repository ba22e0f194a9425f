"""Helpers for map tests: an MBTiles file made here, a map dock shown and ready, and reading
the page's state back synchronously (for assertions only: the console itself never waits)."""

from __future__ import annotations

import io
import math
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from PIL import Image
from PySide6.QtCore import QPoint, QPointF, QSettings, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest

from console.comms.bridge import Bridge
from console.domain.rules import Rules
from console.map.view import MapView
from console.views.map_dock import MapDock
from tests.map.district import write_small_district

WAIT_MS = 15_000
#: The test district (tests.geo) with a margin.
DISTRICT_BOX = (30.655, 104.085, 30.675, 104.115)  # south, west, north, east


def tile_png(rgb: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), rgb).save(buffer, format="PNG")
    return buffer.getvalue()


def tile_range(z: int, box: tuple[float, float, float, float]) -> Iterable[tuple[int, int]]:
    """XYZ tiles (x, y, rows from the north) covering a lat/lon box at zoom z."""
    south, west, north, east = box

    def xy(lat: float, lon: float) -> tuple[int, int]:
        n = 2 ** z
        phi = math.radians(lat)
        return (int((lon + 180) / 360 * n),
                int((1 - math.log(math.tan(phi) + 1 / math.cos(phi)) / math.pi) / 2 * n))

    x0, y0 = xy(north, west)
    x1, y1 = xy(south, east)
    for x in range(x0, x1 + 1):
        for y in range(y0, y1 + 1):
            yield x, y


def make_mbtiles(path: Path, rgb: tuple[int, int, int], zooms: Iterable[int],
                 box: tuple[float, float, float, float] = DISTRICT_BOX,
                 tile_format: str = "png") -> int:
    """An MBTiles file of one-colour tiles over ``box``; returns how many tiles it holds."""
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    db.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, "
               "tile_data BLOB)")
    zooms = list(zooms)
    db.executemany("INSERT INTO metadata VALUES (?, ?)", [
        ("name", "test tiles"), ("format", tile_format), ("minzoom", str(min(zooms))),
        ("maxzoom", str(max(zooms))), ("attribution", "Test tiles"),
        ("bounds", f"{box[1]},{box[0]},{box[3]},{box[2]}")])
    data = tile_png(rgb)
    count = 0
    for z in zooms:
        for x, y in tile_range(z, box):
            db.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)", (z, x, (1 << z) - 1 - y, data))
            count += 1
    db.commit()
    db.close()
    return count


def place_units(qtbot: Any, hub: Any, units: list[tuple[str, str, float, float]]) -> None:
    """Register ``(id, status, lat, lon)`` units with their positions, and wait until the hub
    has stored the positions (a console's snapshot carries what is stored; the frames after it
    carry moves only)."""
    from tests.views.live import register_units

    register_units(hub, units)

    def stored() -> bool:
        now = datetime.now(UTC)
        return all(hub.store.positions.track(uid, now - timedelta(hours=1), now)
                   for uid, *_ in units)

    qtbot.waitUntil(stored, timeout=WAIT_MS)


def map_settings(folder: Path, **values: Any) -> QSettings:
    """Console settings in ``folder``: English, the test district's files, and ``values``
    under ``map/``."""
    settings = QSettings(str(folder / "console.ini"), QSettings.Format.IniFormat)
    settings.setValue("language", "en")
    settings.setValue("map/geography_dir", str(write_small_district(folder / "geo")))
    for key, value in values.items():
        settings.setValue(f"map/{key}", value)
    return settings


def shown_dock(qtbot: Any, bridge: Bridge, rules: Rules, settings: QSettings,
               size: tuple[int, int] = (1000, 700)) -> MapDock:
    dock = MapDock(bridge, rules, settings)
    qtbot.addWidget(dock)
    dock.resize(*size)
    dock.show()
    wait_ready(qtbot, dock)
    return dock


def wait_ready(qtbot: Any, dock: MapDock) -> MapView:
    qtbot.waitUntil(lambda: dock.view is not None and dock.view.ready, timeout=WAIT_MS)
    assert dock.view is not None
    return dock.view


def ask(qtbot: Any, view: MapView, function: str, *args: Any) -> Any:
    """The result of ``LinkageMap.function(*args)`` in the page."""
    got: list[Any] = []
    assert view.query(function, *args, callback=got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=WAIT_MS)
    return got[0]


def settled_point(qtbot: Any, view: MapView, lat: float, lon: float) -> dict[str, float]:
    """Where a lat/lon is in container pixels once the view has stopped changing size.

    A window that is still laying out its docks resizes the map after a point was asked for;
    Leaflet keeps the centre, so the point moves by half the change and a click lands off it.
    The same answer (and the same view size) three times 100 ms apart counts as settled.
    """
    last: tuple[int, int, float, float] | None = None
    same = 0
    for _ in range(WAIT_MS // 100):
        qtbot.wait(100)
        point = ask(qtbot, view, "containerPointOf", lat, lon)
        now = (view.width(), view.height(), point["x"], point["y"])
        same = same + 1 if now == last else 0
        if same == 2:
            return point
        last = now
    raise AssertionError(f"the map kept moving: last point {last}")


def run_js(qtbot: Any, view: MapView, source: str) -> Any:
    """Evaluate a test's own script in the page (its result as JSON)."""
    import json

    got: list[Any] = []
    view.page().runJavaScript(f"JSON.stringify({source})", 0, got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=WAIT_MS)
    return json.loads(got[0]) if got[0] else None


def click(view: MapView, x: float, y: float,
          button: Qt.MouseButton = Qt.MouseButton.LeftButton) -> None:
    """A real mouse click on the page at container pixel (x, y)."""
    target = view.focusProxy()
    assert target is not None
    QTest.mouseClick(target, button, Qt.KeyboardModifier.NoModifier,
                     QPoint(round(x), round(y)))


def share_of_colour(image: QImage, rgb: tuple[int, int, int], tolerance: int = 24) -> float:
    """How much of ``image`` (sampled every 5 pixels) is within ``tolerance`` of ``rgb``."""
    hits = total = 0
    for y in range(0, image.height(), 5):
        for x in range(0, image.width(), 5):
            colour = image.pixelColor(QPointF(x, y).toPoint())
            total += 1
            if all(abs(a - b) <= tolerance for a, b in
                   zip((colour.red(), colour.green(), colour.blue()), rgb, strict=True)):
                hits += 1
    return hits / max(1, total)
